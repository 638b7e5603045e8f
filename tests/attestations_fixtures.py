"""A closed workshop for the attestation tests: Josiane Martin finished it (every séance, the M1 skills and the
final scenario acquired, M2.1 with help), Marcel Bernard left after séance 3 (transport).

Séances on 30 March, 13, 20, 27 April, 4 and 11 May 2026 (tests/ateliers_fixtures.py); closed on 12 May.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ateliers import cloture, competences
from ateliers.presences import Saisie, enregistrer_presences
from ateliers.suivis import abandonner
from extensions import db
from tests.ateliers_fixtures import inscription_of

APRES_LA_FIN = date(2026, 5, 12)
CLOTURE = datetime(2026, 5, 12, 8, 0)
BASE_URL = "http://localhost/"


def noter_presences(mediatrice, atelier, numero: int, **statuts) -> None:
    seance = atelier.seances[numero - 1]
    saisies = {inscription_of(atelier, nom).id: Saisie(statut) for nom, statut in statuts.items()}
    enregistrer_presences(mediatrice, atelier, seance, saisies, APRES_LA_FIN)
    db.session.commit()


def juger(mediatrice, atelier, numero: int, nom: str, resultats: dict[str, str]) -> None:
    seance = atelier.seances[numero - 1]
    codes = {c.code: c.id for c in competences.grille(atelier, seance).competences}
    saisies = {inscription_of(atelier, nom).id: {codes[code]: valeur for code, valeur in resultats.items()}}
    competences.enregistrer_competences(mediatrice, atelier, seance, saisies, APRES_LA_FIN)
    db.session.commit()


def clore(mediatrice, atelier) -> None:
    decisions = {i.id: ("termine", None) for i in atelier.inscriptions if i.statut == "inscrit"}
    cloture.cloturer_atelier(mediatrice, atelier, decisions, APRES_LA_FIN, now=CLOTURE)
    db.session.commit()


@pytest.fixture
def atelier_suivi(atelier, mediatrice):
    """The shared workshop with its six séances held: Martin at all of them, Bernard at the first three, then
    leaving (abandon recorded after séance 3); skills judged, not closed yet."""
    for numero in range(1, 4):
        noter_presences(mediatrice, atelier, numero, Martin="present", Bernard="present")
    abandonner(mediatrice, inscription_of(atelier, "Bernard"), "transport", datetime(2026, 4, 21, 12, 0))
    db.session.commit()
    for numero in range(4, 7):
        noter_presences(mediatrice, atelier, numero, Martin="retard" if numero == 4 else "present")
    juger(mediatrice, atelier, 1, "Martin", dict.fromkeys(("M1.1", "M1.2", "M1.3", "M1.4"), "acquis"))
    juger(mediatrice, atelier, 2, "Martin", {"M2.1": "avec_aide", "M2.2": "non_acquis", "M2.3": "acquis"})
    juger(mediatrice, atelier, 6, "Martin", {"M6.5": "acquis"})
    return atelier


@pytest.fixture
def atelier_clos(atelier_suivi, mediatrice):
    clore(mediatrice, atelier_suivi)
    return atelier_suivi
