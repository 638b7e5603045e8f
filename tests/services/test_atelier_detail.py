"""The workshop every workshop page starts from (``queries.atelier_detail``): its séances with their modules and
its members with their learners, in one statement whatever their number (on PostgreSQL a statement is a round
trip)."""

from __future__ import annotations

import sqlalchemy as sa

from ateliers import queries
from ateliers.models import Inscription
from extensions import db
from tests.ateliers_fixtures import JOINED_AT, add_animateur, make_atelier


def loaded(structure_id: int, atelier_id: int, count_queries, **options):
    """The workshop read afresh, the statements of the reading, and those of walking through what the pages
    read of it (none should be left)."""
    db.session.expire_all()
    with count_queries() as lecture:
        atelier = queries.atelier_detail(structure_id, atelier_id, **options)
    with count_queries() as parcours:
        if atelier is not None:
            for seance in atelier.seances:
                seance.module.titre, seance.atelier.intitule  # noqa: B018
            for membre in atelier.inscriptions:
                membre.apprenant.nom, membre.atelier.intitule  # noqa: B018
    return atelier, lecture, parcours


def test_the_workshop_its_seances_and_members_in_one_statement(atelier, count_queries):
    found, lecture, parcours = loaded(atelier.structure_id, atelier.id, count_queries, animateurs=False)
    assert (len(lecture), parcours) == (1, [])
    assert [s.numero for s in found.seances] == [1, 2, 3, 4, 5, 6]
    assert [s.module.numero for s in found.seances] == [1, 2, 3, 4, 5, 6]
    assert [i.apprenant.nom for i in found.inscriptions] == ["Martin", "Bernard"]  # in the order they joined


def test_the_number_of_statements_stays_flat_as_members_grow(atelier, make_apprenant, count_queries):
    _, before, _ = loaded(atelier.structure_id, atelier.id, count_queries, animateurs=False)
    for _ in range(8):
        db.session.add(Inscription(atelier_id=atelier.id, apprenant_id=make_apprenant().id, joined_at=JOINED_AT))
    db.session.commit()
    found, after, parcours = loaded(atelier.structure_id, atelier.id, count_queries, animateurs=False)
    assert len(after) == len(before) == 1 and parcours == []
    assert (len(found.seances), len(found.inscriptions)) == (6, 10)


def test_co_runners_come_in_the_same_statement(atelier, benevole, count_queries):
    add_animateur(atelier, 2, benevole)
    found, lecture, parcours = loaded(atelier.structure_id, atelier.id, count_queries)
    assert (len(lecture), parcours) == (1, [])
    assert [{c.nom for c in s.animateurs} for s in found.seances[:3]] == [{"Diallo"}, {"Diallo", "Crozet"}, {"Diallo"}]


def test_a_writers_workshop_page_reads_the_co_runners_to_offer_with_the_workshop(
    atelier, benevole, remplacante, make_compte, count_queries
):
    """The same accounts, in the same order, as ``animateurs_et_seances`` gives: the structure's active mediators
    and volunteers by name, a former co-runner named on their séances but no longer offered."""
    add_animateur(atelier, 2, benevole)
    make_compte("direction")  # not a co-runner
    remplacante.is_active = False
    add_animateur(atelier, 4, remplacante)
    structure_id, atelier_id = atelier.structure_id, atelier.id
    db.session.expire_all()
    with count_queries() as lecture:
        found, choix = queries.atelier_et_animateurs(structure_id, atelier_id)
    assert len(lecture) == 1
    par_seance = {s.numero: [c.nom for c in s.animateurs] for s in found.seances}
    assert [c.nom for c in choix] == ["Crozet", "Diallo"]
    assert par_seance == {
        1: ["Diallo"],
        2: ["Crozet", "Diallo"],
        3: ["Diallo"],
        4: ["Diallo", "Vidal"],
        5: ["Diallo"],
        6: ["Diallo"],
    }

    db.session.expire_all()
    seul = queries.atelier_detail(structure_id, atelier_id, animateurs=False)
    reference = queries.animateurs_et_seances(structure_id, list(seul.seances))
    assert [c.id for c in choix] == [c.id for c in reference]
    assert par_seance == {s.numero: [c.nom for c in s.animateurs] for s in seul.seances}


def test_a_workshop_without_seance_or_member(structure, count_queries):
    vide = make_atelier(structure)
    found, lecture, _ = loaded(structure.id, vide.id, count_queries)
    assert (found.id, found.seances, found.inscriptions, len(lecture)) == (vide.id, [], [], 1)
    assert queries.atelier_detail(structure.id, vide.id + 1000) is None


def test_another_structures_workshop_is_not_read_at_all(atelier, make_structure, count_queries):
    autre, atelier_id = make_structure().id, atelier.id
    db.session.expire_all()
    with count_queries() as lecture:
        assert queries.atelier_detail(autre, atelier_id) is None
        assert queries.atelier_et_animateurs(autre, atelier_id) == (None, [])
    assert len(lecture) == 2
    # Nothing of it, its séances or its members came into the session on the way.
    lus = {type(objet).__name__ for objet in db.session.identity_map.values() if not sa.inspect(objet).expired}
    assert not lus & {"Atelier", "Seance", "Inscription", "Apprenant"}
