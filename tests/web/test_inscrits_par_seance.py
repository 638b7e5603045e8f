"""Who was enrolled at each séance, through the pages: a place taken the afternoon after a séance, an abandon.

The example of issue 8: the Monday-morning workshop from 30 March 2026 (Easter Monday skipped: séances on 30
March, 13, 20 and 27 April, 4 and 11 May). On 20 April at 16:00 Paris, after séance 3 is held and saved,
Sandrine Roux leaves and Nadia Ferhat takes her place.
"""

from __future__ import annotations

import io
from datetime import datetime

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from ateliers.models import Alerte, Inscription
from core.models import Apprenant
from extensions import db
from tests.ateliers_fixtures import freeze_clock, ids

# Naive UTC; Paris is UTC+2 from 29 March 2026.
SEANCE_3_SAISIE = datetime(2026, 4, 20, 10, 30)  # 12:30 Paris: séance 3 (9:00-12:00) is over
DEPART = datetime(2026, 4, 20, 14, 0)  # 16:00 Paris
JOURS = {1: datetime(2026, 3, 30, 10, 30), 2: datetime(2026, 4, 13, 10, 30), 3: SEANCE_3_SAISIE}
APRES = {4: datetime(2026, 4, 27, 10, 30), 5: datetime(2026, 5, 4, 10, 30), 6: datetime(2026, 5, 11, 10, 30)}


class Clock:
    """The routes' clock, moved by the test from one moment of the story to the next."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(datetime(2026, 3, 30, 10, 30))
    freeze_clock(monkeypatch, clock)
    return clock


@pytest.fixture
def atelier(atelier_de_roux):
    return atelier_de_roux


def presences(browser, atelier, numero: int, statuts: dict[str, str]):
    inscrits = {i.apprenant.nom: i.id for i in db.session.scalars(sa.select(Inscription))}
    return browser.submit(
        f"/ateliers/{atelier.id}/seances/{numero}/presences",
        {f"statut-{inscrits[nom]}": statut for nom, statut in statuts.items()},
    )


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_place_taken_after_seance_3_starts_at_seance_4_everywhere(browser, mediatrice, atelier, nadia, clock):
    browser.login(mediatrice)
    for numero, moment in JOURS.items():
        clock.now = moment
        roux = "absent" if numero == 3 else "present"
        response = presences(browser, atelier, numero, {"Martin": "present", "Bernard": "present", "Roux": roux})
        assert response.status_code == 302, response.get_data(as_text=True)

    # 16:00: the call about Roux's absence at séance 3; she stops; Nadia Ferhat takes the place.
    clock.now = DEPART
    alerte = db.session.scalar(sa.select(Alerte).where(Alerte.inscription_id == ids(atelier)["Roux"]))
    response = browser.submit(
        f"/ateliers/inscriptions/{alerte.inscription_id}/suivi",
        {"appel_on": "2026-04-20", "resultat": "joint", "motif": "emploi", "suite": "abandon"},
    )
    assert response.headers["Location"] == f"/ateliers/{atelier.id}/remplacement"
    page = browser.get(f"/ateliers/{atelier.id}/remplacement").get_data(as_text=True)
    assert "arriverait à la séance 4 (module 4) et manquerait les séances 1, 2 et 3" in page
    response = browser.submit(
        f"/ateliers/{atelier.id}/remplacement/{nadia.id}", {}, form_url=f"/ateliers/{atelier.id}/remplacement"
    )
    assert response.status_code == 302
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nadia rejoint l&#39;atelier « Lundi matin » à partir de la séance 4." in page

    # Séance 3's attendance: Roux (still enrolled when it started) stays, Nadia is not there to be given a status.
    page = browser.get(f"/ateliers/{atelier.id}/seances/3/presences").get_data(as_text=True)
    assert 'Sandrine Roux <span class="hint">(a quitté l\'atelier depuis)</span>' in page
    assert "Nadia Ferhat" not in page
    response = presences(browser, atelier, 3, {"Martin": "present", "Bernard": "retard", "Roux": "absent"})
    assert response.status_code == 302, response.get_data(as_text=True)

    # Séance 1's sheet reprinted after the abandon: who was enrolled that day.
    sheet = pdf_text(browser.get(f"/ateliers/{atelier.id}/seances/1/emargement.pdf").data)
    assert "Sandrine Roux" in sheet and "Nadia Ferhat" not in sheet
    sheet = pdf_text(browser.get(f"/ateliers/{atelier.id}/seances/4/emargement.pdf").data)
    assert "Nadia Ferhat" in sheet and "Sandrine Roux" not in sheet

    # Séances 4 to 6: Nadia comes every time.
    for numero, moment in APRES.items():
        clock.now = moment
        response = presences(browser, atelier, numero, {"Martin": "present", "Bernard": "present", "Ferhat": "present"})
        assert response.status_code == 302, response.get_data(as_text=True)
    assert "Ferhat" not in browser.get("/ateliers/a-rappeler").get_data(as_text=True)
    nadia_alertes = db.session.scalars(
        sa.select(Alerte.regle).where(Alerte.inscription_id == ids(atelier)["Ferhat"], Alerte.resolved_at.is_(None))
    ).all()
    assert nadia_alertes == []

    # Progress pages: séances 1 to 3 are before Nadia's arrival, 4 to 6 after Roux's departure.
    inscrits = ids(atelier)
    page = browser.get(f"/ateliers/inscriptions/{inscrits['Ferhat']}/progression").get_data(as_text=True)
    assert "Arrivée en cours d'atelier, le lundi 20 avril 2026, 16 h 00" in page
    assert page.count("Avant son arrivée") == 3 and "9,0 h suivies sur 18 h" in page
    page = browser.get(f"/ateliers/inscriptions/{inscrits['Roux']}/progression").get_data(as_text=True)
    assert page.count("Après son départ") == 3 and "6,0 h suivies sur 18 h" in page
    assert "Arrivée en cours" not in page

    # Closing on 11 May: nothing is missing at séance 3.
    clock.now = datetime(2026, 5, 11, 14, 0)
    page = browser.get(f"/ateliers/{atelier.id}/cloture").get_data(as_text=True)
    assert "Les présences ne sont pas notées" not in page
    response = browser.submit(
        f"/ateliers/{atelier.id}/cloture",
        {f"decision-{inscrits[nom]}": "termine" for nom in ("Martin", "Bernard", "Ferhat")},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.get(Apprenant, nadia.id).statut == "inscrit"
    assert db.session.get(Inscription, inscrits["Ferhat"]).minutes_suivies == 9 * 60
