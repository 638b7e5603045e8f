"""What a volunteer sees of the learners, on every page they can open and on the sheets they print: the first
name and the surname's initial, never a surname or a phone number (DESIGN.md section 7)."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from pypdf import PdfReader

from extensions import db
from tests.ateliers_fixtures import add_animateur

NOW = datetime(2026, 3, 30, 6, 0)  # the morning of séance 1
pytestmark = pytest.mark.usefixtures("frozen_clock")

# Pages a volunteer opens that list the séance's learners.
LISTING_LEARNERS = {
    "ateliers.detail",
    "ateliers.presences",
    "ateliers.competences",
    "ateliers.emargement",
    "ateliers.emargement_seance",
}
PRIVATE = ("Martin", "Bernard", "06 12 34 56 78", "+33612345678", "0692 12 34 56", "+262692123456", "12 34 56")


@pytest.fixture
def atelier(atelier, benevole):
    """The shared workshop (Josiane Martin, Marcel Bernard, with phones), the volunteer on séance 1."""
    telephones = {"Martin": "+33612345678", "Bernard": "+262692123456"}
    for inscription in atelier.inscriptions:
        inscription.apprenant.telephone = telephones[inscription.apprenant.nom]
    db.session.commit()
    return add_animateur(atelier, 1, benevole)


def text_of(response) -> str:
    if response.mimetype == "application/pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return response.get_data(as_text=True)


def test_every_page_a_volunteer_opens_names_learners_by_first_name_and_initial(app, browser, benevole, atelier):
    browser.login(benevole)
    parameters = {"atelier_id": atelier.id, "numero": 1}
    seen = set()
    for rule in app.url_map.iter_rules():
        roles = getattr(app.view_functions[rule.endpoint], "allowed_roles", None)
        if "GET" not in rule.methods or not isinstance(roles, frozenset) or "benevole" not in roles:
            continue
        assert set(rule.arguments) <= set(parameters), f"give {rule.rule} its parameters here"
        response = browser.get(rule.build(parameters)[1])
        assert response.status_code == 200, rule.rule
        page = text_of(response)
        for private in PRIVATE:
            assert private not in page, (rule.endpoint, private)
        if rule.endpoint in LISTING_LEARNERS:
            assert "Josiane M." in page and "Marcel B." in page, rule.endpoint
        seen.add(rule.endpoint)
    assert seen >= LISTING_LEARNERS | {"main.index", "ateliers.liste"}


def test_other_roles_still_see_full_names(browser, mediatrice, atelier):
    browser.login(mediatrice)
    for url in (f"/ateliers/{atelier.id}/seances/1/presences", f"/ateliers/{atelier.id}/seances/1/emargement.pdf"):
        page = text_of(browser.get(url))
        assert "Josiane Martin" in page and "Marcel Bernard" in page, url
