"""The workshop every workshop page starts from (``queries.atelier_detail``): its séances with their modules and
its members with their learners, in one statement whatever their number (on PostgreSQL a statement is a round
trip)."""

from __future__ import annotations

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


def test_co_runners_take_one_statement_more(atelier, benevole, count_queries):
    add_animateur(atelier, 2, benevole)
    found, lecture, parcours = loaded(atelier.structure_id, atelier.id, count_queries)
    assert (len(lecture), parcours) == (2, [])
    assert [{c.nom for c in s.animateurs} for s in found.seances[:3]] == [{"Diallo"}, {"Diallo", "Crozet"}, {"Diallo"}]


def test_a_workshop_without_seance_or_member_and_another_structures_workshop(structure, make_structure, count_queries):
    vide = make_atelier(structure)
    found, lecture, _ = loaded(structure.id, vide.id, count_queries)
    assert (found.id, found.seances, found.inscriptions, len(lecture)) == (vide.id, [], [], 1)
    assert queries.atelier_detail(make_structure().id, vide.id) is None
    assert queries.atelier_detail(structure.id, vide.id + 1000) is None
