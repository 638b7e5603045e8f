"""Who was enrolled at each séance, through the services: a place taken after a séance, an abandon, closing.

The example of issue 8: the Monday-morning workshop from 30 March 2026 (Easter Monday skipped: séances on 30
March, 13, 20 and 27 April, 4 and 11 May, 9:00-12:00 Paris). On 20 April at 16:00 Paris, after séance 3 is held
and saved, Sandrine Roux leaves and Nadia Ferhat takes her place.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from ateliers import cloture, periode, services
from ateliers.models import Alerte, Inscription, Presence
from ateliers.presences import Saisie, enregistrer_presences, inscrits_de_seance
from ateliers.progression import progression
from ateliers.rattrapages import modules_manques
from ateliers.suivis import enregistrer_suivi
from extensions import db
from tests.ateliers_fixtures import inscription_of

DEPART = datetime(2026, 4, 20, 14, 0)  # 16:00 Paris, naive UTC
JOURS = {n: d for n, d in enumerate((date(2026, 3, 30), date(2026, 4, 13), date(2026, 4, 20)), start=1)}
APRES = {4: date(2026, 4, 27), 5: date(2026, 5, 4), 6: date(2026, 5, 11)}
CLOTURE = datetime(2026, 5, 12, 8, 0)


@pytest.fixture
def atelier(atelier_de_roux):
    return atelier_de_roux


def attend(mediatrice, atelier, numero: int, today: date, **statuts: str) -> None:
    data = {inscription_of(atelier, nom).id: Saisie(statut) for nom, statut in statuts.items()}
    enregistrer_presences(mediatrice, atelier, atelier.seances[numero - 1], data, today)
    db.session.commit()


def noms(atelier, numero: int) -> list[str]:
    return [i.apprenant.nom for i in inscrits_de_seance(atelier, atelier.seances[numero - 1])]


@pytest.fixture
def remplacee(atelier, mediatrice, nadia):
    """Séances 1 to 3 held and saved (Roux absent at 3); at 16:00 Roux leaves and Nadia takes her place."""
    for numero, jour in JOURS.items():
        roux = "absent" if numero == 3 else "present"
        attend(mediatrice, atelier, numero, jour, Martin="present", Bernard="present", Roux=roux)
    roux = inscription_of(atelier, "Roux")
    assert db.session.scalar(sa.select(Alerte).where(Alerte.inscription_id == roux.id)) is not None
    enregistrer_suivi(mediatrice, roux, JOURS[3], "joint", "emploi", "abandon", JOURS[3], now=DEPART)
    db.session.commit()
    assert [s.numero for s in services.seances_restantes(atelier, DEPART)] == [4, 5, 6]
    services.inscrire_remplacant(mediatrice, atelier, nadia, JOURS[3], now=DEPART)
    db.session.commit()
    db.session.refresh(atelier)
    return atelier


def test_each_seance_lists_who_was_enrolled_when_it_started(remplacee):
    assert (inscription_of(remplacee, "Roux").ended_at, inscription_of(remplacee, "Ferhat").joined_at) == (
        DEPART,
        DEPART,
    )
    for numero in (1, 2, 3):
        assert noms(remplacee, numero) == ["Bernard", "Martin", "Roux"]
    for numero in (4, 5, 6):
        assert noms(remplacee, numero) == ["Bernard", "Ferhat", "Martin"]


def test_seance_3_saved_again_needs_no_status_for_the_newcomer_and_ignores_one(remplacee, mediatrice):
    nadia = inscription_of(remplacee, "Ferhat")
    data = {inscription_of(remplacee, nom).id: Saisie("present") for nom in ("Martin", "Bernard", "Roux")}
    enregistrer_presences(mediatrice, remplacee, remplacee.seances[2], {**data, nadia.id: Saisie("absent")}, JOURS[3])
    db.session.commit()
    assert db.session.scalar(sa.select(Presence).where(Presence.inscription_id == nadia.id)) is None


def test_no_low_attendance_alert_for_the_newcomer_who_comes_to_every_seance_after_joining(remplacee, mediatrice):
    nadia = inscription_of(remplacee, "Ferhat")
    # A status at séance 3 stored all the same (the page used to ask for one): it is not hers, it is not read.
    db.session.add(Presence(seance_id=remplacee.seances[2].id, inscription_id=nadia.id, statut="absent", minutes=0))
    db.session.commit()
    for numero, jour in APRES.items():
        attend(mediatrice, remplacee, numero, jour, Martin="present", Bernard="present", Ferhat="present")
    assert db.session.scalars(sa.select(Alerte.regle).where(Alerte.inscription_id == nadia.id)).all() == []
    assert nadia.minutes_suivies == 3 * 180
    assert modules_manques(nadia) == []
    assert [ligne.seance.numero for ligne in modules_manques(inscription_of(remplacee, "Roux"))] == [3]

    vue = progression(nadia)
    assert [c.position for c in vue.colonnes] == [periode.AVANT_ARRIVEE] * 3 + [periode.INSCRIT] * 3
    assert (vue.minutes_suivies, vue.arrivee_en_cours) == (3 * 180, True)
    assert [c.presence is None for c in vue.colonnes] == [True] * 3 + [False] * 3


def test_closing_is_not_blocked_by_the_newcomer_at_seance_3_and_keeps_the_leaver_on_her_seances(remplacee, mediatrice):
    for numero, jour in APRES.items():
        attend(mediatrice, remplacee, numero, jour, Martin="present", Bernard="present", Ferhat="present")
    assert cloture.empechements_cloture(remplacee, CLOTURE.date()) == []
    decisions = {i.id: ("termine", None) for i in remplacee.inscriptions if i.statut == "inscrit"}
    cloture.cloturer_atelier(mediatrice, remplacee, decisions, CLOTURE.date(), now=CLOTURE)
    db.session.commit()
    roux, nadia = inscription_of(remplacee, "Roux"), inscription_of(remplacee, "Ferhat")
    assert (roux.statut, roux.ended_at, roux.minutes_suivies) == ("abandon", DEPART, 2 * 180)
    assert (nadia.statut, nadia.ended_at, nadia.minutes_suivies) == ("termine", CLOTURE, 3 * 180)
    assert noms(remplacee, 1) == ["Bernard", "Martin", "Roux"]
    assert noms(remplacee, 6) == ["Bernard", "Ferhat", "Martin"]


def test_a_leaver_is_off_the_seances_that_start_after_she_left(atelier, mediatrice):
    attend(mediatrice, atelier, 1, JOURS[1], Martin="present", Bernard="present", Roux="absent")
    roux = inscription_of(atelier, "Roux")
    assert db.session.scalar(sa.select(Alerte).where(Alerte.inscription_id == roux.id)) is not None
    # The call the morning of séance 2, before it starts (9:00 Paris is 7:00 UTC).
    enregistrer_suivi(mediatrice, roux, JOURS[2], "joint", "sante", "abandon", JOURS[2], now=datetime(2026, 4, 13, 6))
    db.session.commit()
    assert noms(atelier, 1) == ["Bernard", "Martin", "Roux"]
    assert noms(atelier, 2) == ["Bernard", "Martin"]
    attend(mediatrice, atelier, 2, JOURS[2], Martin="present", Bernard="present")
    assert db.session.get(Inscription, roux.id).minutes_suivies == 0
