"""The final evaluation in the room, on a tablet: one learner at a time, filled in with the keyboard alone, a
module missed without a catch-up said beside it, nothing wider than the screen."""

from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import Page, expect

from ateliers.presences import Saisie, enregistrer_presences
from extensions import db
from tests.ateliers_fixtures import freeze_clock
from tests.browser.conftest import ARTIFACTS
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

NOW = datetime(2026, 5, 11, 14, 0)  # the afternoon of séance 6 (Monday 11 May 2026)


@pytest.fixture
def atelier_a_evaluer(monkeypatch, mediatrice, atelier):
    """Josiane Martin and Marcel Bernard, present everywhere but Josiane Martin absent at séance 3 (no catch-up)."""
    freeze_clock(monkeypatch, NOW)
    for seance in atelier.seances:
        statuts = {
            i.id: Saisie("absent" if i.apprenant.nom == "Martin" and seance.numero == 3 else "present")
            for i in atelier.inscriptions
        }
        enregistrer_presences(mediatrice, atelier, seance, statuts, NOW.date())
    db.session.commit()
    return atelier


def test_the_final_evaluation_one_learner_at_a_time_with_the_keyboard_on_a_tablet(
    page: Page, journey, mediatrice, atelier_a_evaluer
):
    page.set_viewport_size({"width": 800, "height": 1000})
    journey.login(mediatrice.email, TEST_PASSWORD)
    page.goto(f"/ateliers/{atelier_a_evaluer.id}/seances/6/competences")
    personnes = page.get_by_role("navigation", name="Personnes à évaluer")
    expect(personnes.get_by_role("listitem")).to_have_count(2)
    expect(personnes.get_by_role("link", name="Josiane Martin")).to_have_attribute("aria-current", "page")

    # She missed module 3 with no catch-up: said beside the module, its choices closed, read with each skill.
    module_3 = page.get_by_role("region", name="M3 — Naviguer et rechercher sur internet")
    expect(module_3).to_contain_text("Module 3 manqué, sans rattrapage fait")
    expect(module_3.get_by_role("radio", name="Acquis (fait seul)").first).to_be_disabled()
    expect(page.get_by_role("group", name=r"M3.1 Ouvre le navigateur")).to_have_accessible_description(
        "Module 3 manqué, sans rattrapage fait : ses compétences seront notées après le rattrapage."
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 800  # nothing scrolls sideways
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "evaluation-finale-800.png", full_page=True)

    # Keyboard only: from the learner's heading, Tab reaches the final scenario first; arrows choose.
    page.get_by_role("heading", level=2, name="Josiane Martin").click()
    scenario = page.get_by_role("group", name=r"M6.5 Évaluation finale : seul, allume, retrouve un fichier")
    for _ in range(10):
        page.keyboard.press("Tab")
        if scenario.get_by_role("radio", name="Non acquis").evaluate("e => e === document.activeElement"):
            break
    expect(scenario.get_by_role("radio", name="Non acquis")).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(scenario.get_by_role("radio", name="Acquis (fait seul)")).to_be_checked()
    page.keyboard.press("Enter")  # the form's first button: save this learner
    expect(page.locator(".flash-success")).to_have_text("Évaluation finale de Josiane Martin enregistrée.")
    expect(personnes.get_by_role("listitem").filter(has_text="Josiane Martin")).to_contain_text("faite")

    # Then the next learner, whose grid is open everywhere.
    page.get_by_role("link", name="Suivante : Marcel Bernard").click()
    expect(page.get_by_role("heading", level=2, name="Marcel Bernard")).to_be_visible()
    expect(page.locator("#modules-manques")).to_have_count(0)
    expect(page.locator("input[type=radio]:disabled")).to_have_count(0)
