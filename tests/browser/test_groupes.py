"""From the first phone call to a confirmed group: placement, waiting list, proposal, a move by hand, confirmation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def waiting(make_candidate):
    """People already on the waiting list, available on Tuesday mornings."""

    def factory(prenom, nom, score, niveau, days):
        return make_candidate(prenom=prenom, nom=nom, score=score, niveau=niveau, waiting_days=days)

    return factory


def test_phone_placement_then_group_with_a_manual_move(page: Page, journey, make_compte, waiting):
    waiting("Monique", "Garnier", 45, 1, 120)
    waiting("Gérard", "Morel", 55, 1, 60)
    waiting("Fatima", "Haddad", 80, 2, 200)  # far from the others' level
    journey.login(make_compte("mediateur").email, TEST_PASSWORD)
    nav = page.get_by_role("navigation", name="Navigation principale")

    # 1. A first phone call: new candidate, placement by phone.
    nav.get_by_role("link", name="Positionnement").click()
    page.get_by_role("textbox", name="Prénom").fill("Josiane")
    page.get_by_role("textbox", name="Nom", exact=True).fill("Lambert")
    page.get_by_role("textbox", name="Téléphone").fill("01 99 00 12 34")
    page.get_by_role("radio", name="Par téléphone").check()
    page.get_by_role("checkbox", name="Mardi matin").check()
    for code in ("B1", "B2", "B3", "B4", "B5", "B6", "B7"):
        page.locator(f"#question-{code}").get_by_role("radio", name="Un peu, avec aide", exact=True).check()
    for code in ("C1", "C2", "C3", "C4"):
        page.locator(f"#question-{code}").get_by_role("radio", name="Avec aide", exact=True).check()
    page.get_by_role("button", name="Calculer le niveau").click()
    expect(page.locator("#titre-niveau")).to_have_text(re.compile(r"Niveau\s+1 : Débutant"))

    # 2. She is on the waiting list with the right level.
    nav.get_by_role("link", name="Liste d'attente").click()
    row = page.get_by_role("row").filter(has_text="LAMBERT Josiane")
    expect(row).to_contain_text("Débutant")
    expect(row).to_contain_text("Mardi matin")

    # 3. Plan a Tuesday-morning workshop and ask for a proposal.
    nav.get_by_role("link", name="Groupes").click()
    page.get_by_label("Demi-journée").select_option(label="Mardi matin")
    page.get_by_role("button", name="Prévoir l'atelier").click()
    expect(page.locator(".flash-success")).to_contain_text("Atelier du mardi matin")
    page.get_by_role("button", name="Proposer des groupes").click()
    expect(page.get_by_text("Meilleure répartition possible (prouvée).")).to_be_visible()
    group = page.locator("section.group")
    for name in ("LAMBERT Josiane", "GARNIER Monique", "MOREL Gérard"):
        expect(group).to_contain_text(name)
    left = page.get_by_role("row").filter(has_text="HADDAD Fatima")
    expect(left).to_contain_text("Score 80 : écart de 35 points avec le groupe (Atelier du mardi matin), maximum 20")

    # 4. The mediator moves Fatima into the group by hand: the page re-checks at once and warns.
    left.get_by_role("combobox").select_option(label="Atelier du mardi matin")
    expect(page.locator(".problems .warning")).to_contain_text("Écart de niveau de 35 points, au-delà de 20")
    expect(group).to_contain_text("HADDAD Fatima")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "groupes-proposition.png", full_page=True)

    # 5. Confirming the group needs its warning accepted; then the four are enrolled.
    group.get_by_role("button", name=re.compile("Confirmer ce groupe")).click()
    expect(group.locator(".field-errors")).to_contain_text("Cochez la case d'acceptation")
    group.get_by_role("checkbox", name=re.compile("J'accepte les avertissements de ce groupe")).check()
    group.get_by_role("button", name=re.compile("Confirmer ce groupe")).click()
    expect(page.locator(".flash-success")).to_have_text(
        "Groupe « Atelier du mardi matin » confirmé : 4 personnes inscrites."
    )

    nav.get_by_role("link", name="Liste d'attente").click()
    expect(page.get_by_role("status").filter(has_text="personne")).to_contain_text("0 personne")


def test_two_groups_proposed_one_confirmed_the_other_still_proposed(page: Page, journey, make_compte, waiting):
    for prenom, nom, score in (("Monique", "Garnier", 40), ("Gérard", "Morel", 42), ("Odette", "Petit", 44)):
        waiting(prenom, nom, score, 1, 90)
    for prenom, nom, score in (("Fatima", "Haddad", 70), ("Yves", "Roche", 72), ("Inès", "Aubert", 74)):
        waiting(prenom, nom, score, 2, 60)
    journey.login(make_compte("mediateur").email, TEST_PASSWORD)
    page.goto("/groupes/")
    for _ in range(2):
        page.get_by_label("Demi-journée").select_option(label="Mardi matin")
        page.get_by_role("button", name="Prévoir l'atelier").click()
    # Only the workshop just planned is ticked: tick the other too, then ask.
    boxes = page.get_by_role("checkbox", name=re.compile("Atelier du mardi matin"))
    expect(boxes).to_have_count(2)
    expect(boxes.nth(0)).not_to_be_checked()
    expect(boxes.nth(1)).to_be_checked()
    boxes.nth(0).check()
    page.get_by_role("button", name="Proposer des groupes").click()
    groups = page.locator("section.group")
    expect(groups).to_have_count(2)
    first, second = groups.nth(0), groups.nth(1)
    first_names = first.locator("tbody tr td:first-child").all_inner_texts()
    second_names = second.locator("tbody tr td:first-child").all_inner_texts()
    assert len(first_names) == len(second_names) == 3

    first.get_by_role("button", name=re.compile("Confirmer ce groupe")).click()
    expect(page.locator(".flash-success")).to_contain_text("confirmé : 3 personnes inscrites.")
    expect(page.locator(".flash-success")).to_contain_text("Les autres groupes restent proposés tels quels.")
    remaining = page.locator("section.group")
    expect(remaining).to_have_count(1)
    expect(remaining.locator("tbody tr td:first-child")).to_have_text(second_names)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "groupes-un-groupe-confirme.png", full_page=True)

    remaining.get_by_role("button", name=re.compile("Confirmer ce groupe")).click()
    expect(page.locator(".flash-success")).to_contain_text("confirmé : 3 personnes inscrites.")
    page.goto("/liste-attente/")
    expect(page.get_by_role("status").filter(has_text="personne")).to_contain_text("0 personne")
