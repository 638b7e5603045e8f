"""The progress page's reading: attendance, catch-ups, judgements, open alerts and calls of one inscription, in
one statement whatever their number (on PostgreSQL each statement is a round trip)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from ateliers import competences, rappels
from ateliers.models import Alerte, Rattrapage, Suivi
from ateliers.presences import Saisie, enregistrer_presences
from ateliers.progression import progression
from extensions import db
from tests.ateliers_fixtures import inscription_of

AFTER_SEANCE_2 = date(2026, 4, 14)  # séances on 30 March and 13 April 2026


@pytest.fixture
def martin(mediatrice, atelier):
    """Josiane Martin, present at séance 1, absent at séance 2 (her alerts raised), M1.1 judged acquired; Marcel
    Bernard present at both."""
    for numero, statut in ((1, "present"), (2, "absent")):
        saisies = {
            inscription_of(atelier, "Martin").id: Saisie(statut),
            inscription_of(atelier, "Bernard").id: Saisie("present"),
        }
        enregistrer_presences(mediatrice, atelier, atelier.seances[numero - 1], saisies, AFTER_SEANCE_2)
    m1 = competences.grille(atelier, atelier.seances[0]).competences[0]
    competences.enregistrer_competences(
        mediatrice,
        atelier,
        atelier.seances[0],
        {inscription_of(atelier, "Martin").id: {m1.id: "acquis"}},
        AFTER_SEANCE_2,
    )
    db.session.commit()
    return inscription_of(atelier, "Martin")


def add_call(inscription, mediatrice, jour: date) -> None:
    db.session.add(
        Suivi(
            inscription_id=inscription.id,
            appel_on=jour,
            resultat="message_laisse",
            suite="rappeler",
            rappel_on=jour,
            compte_id=mediatrice.id,
        )
    )


def test_everything_the_page_shows_in_one_statement(martin, mediatrice, atelier, count_queries):
    module_2 = atelier.seances[1].module_id
    db.session.add(Rattrapage(inscription_id=martin.id, module_id=module_2, prevu_at=datetime(2026, 4, 16, 12)))
    db.session.add(
        Alerte(
            inscription_id=martin.id,
            regle="absence_non_excusee",
            niveau_risque="a_rappeler",
            seance_numero=1,
            module_numero=1,
            message="Absence non excusée à la séance 1",
            is_historique=True,
        )
    )
    db.session.add(
        Alerte(
            inscription_id=martin.id,
            regle="assiduite_faible",
            niveau_risque="abandon_probable",
            message="Assiduité faible",
        )
    )
    for jour in (date(2026, 4, 14), date(2026, 4, 16), date(2026, 4, 15)):
        add_call(martin, mediatrice, jour)
    db.session.commit()
    db.session.expire_all()  # nothing already in the session: everything below comes from the statement
    martin.atelier.seances  # noqa: B018 (the page has the inscription, its workshop and séances loaded)

    with count_queries() as statements:
        vue = progression(martin)
        appelants = {s.compte.nom for s in vue.suivis}
    assert len(statements) == 1, statements

    assert [c.presence.statut if c.presence else None for c in vue.colonnes] == ["present", "absent"] + [None] * 4
    assert [c.rattrapage is not None for c in vue.colonnes] == [False, True, False, False, False, False]
    assert vue.colonnes[0].acquises == 1 and vue.acquises == 1 and vue.competences == 25
    # The same alerts, in the same order, as the "À rappeler" list reads them; the calls newest first.
    # Most severe first whatever the order they were raised in (as on the "À rappeler" list).
    assert [(a.regle, a.seance_numero) for a in vue.alertes] == [
        ("assiduite_faible", 0),
        ("absence_debut", 2),
        ("absence_non_excusee", 2),
    ]
    assert [a.message for a in vue.historiques] == ["Absence non excusée à la séance 1"]
    assert [s.appel_on.day for s in vue.suivis] == [16, 15, 14]
    assert [s.id for s in vue.suivis] == [s.id for s in rappels.suivis_de([martin.id])[martin.id]]
    assert appelants == {"Diallo"}


def test_resolved_alerts_and_other_learners_rows_stay_out(martin, mediatrice, atelier):
    bernard = inscription_of(atelier, "Bernard")
    add_call(bernard, mediatrice, date(2026, 4, 14))
    alerte = db.session.scalars(sa.select(Alerte).where(Alerte.inscription_id == martin.id)).first()
    alerte.resolved_at = datetime(2026, 4, 14, 9)
    db.session.commit()

    vue = progression(martin)
    assert alerte.id not in {a.id for a in vue.alertes + vue.historiques}
    assert vue.suivis == [] and progression(bernard).alertes == []
    assert [s.inscription_id for s in progression(bernard).suivis] == [bernard.id]


def test_the_number_of_statements_stays_flat_as_alerts_and_calls_grow(martin, mediatrice, count_queries):
    def statements_of_the_page() -> int:
        db.session.expire_all()
        martin.atelier.seances  # noqa: B018
        with count_queries() as statements:
            progression(martin)
        return len(statements)

    before = statements_of_the_page()
    for day in range(1, 21):
        add_call(martin, mediatrice, date(2026, 4, day))
    db.session.commit()
    assert statements_of_the_page() == before == 1
