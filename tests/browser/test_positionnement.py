"""The mediator on the phone with a new candidate: the placement questionnaire in Chromium, keyboard first."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

SAVED = re.compile(r"^Brouillon enregistré à \d{1,2} h \d{2}\.$")
DRAFT_URL = re.compile(r"/positionnements/\d+/questionnaire$")


def question(page: Page, code: str):
    return page.locator(f"#question-{code}")


def answer(page: Page, code: str, label: str):
    return question(page, code).get_by_role("radio", name=label, exact=True)


def test_mediator_places_a_new_candidate_by_phone(page: Page, journey, make_compte):
    email = make_compte("mediateur").email
    journey.login(email, TEST_PASSWORD)

    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Positionnement").click()
    expect(page.get_by_role("heading", name="Nouveau positionnement", level=1)).to_be_visible()
    status = page.locator("#autosave-status")

    # The candidate, typed field after field with Tab only.
    prenom = page.get_by_role("textbox", name="Prénom")
    prenom.focus()
    page.keyboard.type("Élodie")
    page.keyboard.press("Tab")
    page.keyboard.type("Lefèvre")
    page.keyboard.press("Tab")
    expect(page.get_by_role("textbox", name="Téléphone")).to_be_focused()
    page.keyboard.type("06 12 34 56 78")

    # Tab reaches the mode's radio group; Space picks "Par téléphone".
    page.keyboard.press("Tab")
    telephone_mode = page.get_by_role("radio", name="Par téléphone")
    expect(telephone_mode).to_be_focused()
    page.keyboard.press("Space")
    expect(telephone_mode).to_be_checked()

    # Part A: the arrow key moves to "non" and selects it.
    page.keyboard.press("Tab")
    expect(answer(page, "A1", "oui")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(answer(page, "A1", "non")).to_be_checked()

    # The first autosave creates the candidate and moves the form to the draft's address.
    expect(status).to_have_text(SAVED, timeout=10_000)
    expect(page).to_have_url(DRAFT_URL)
    expect(page.get_by_role("textbox", name="Prénom")).not_to_be_editable()
    expect(page.get_by_text("La personne est enregistrée.")).to_be_visible()

    # Parts B and C from the keyboard: arrows inside a group, Tab to the next question, Space to pick.
    answer(page, "B1", "Non").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(answer(page, "B1", "Oui, seul")).to_be_checked()
    page.keyboard.press("Tab")
    expect(answer(page, "B2", "Non")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(answer(page, "B2", "Un peu, avec aide")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(answer(page, "B3", "Non")).to_be_checked()

    expect(question(page, "C2")).to_contain_text("Taper « Élodie@ »")
    expect(question(page, "C2")).to_contain_text("Par téléphone « Comment faites-vous pour écrire un E majuscule")
    expect(page.locator("#partie-C")).to_contain_text("« Je ne sais pas » compte comme « Ne sait pas faire »")
    answer(page, "C1", "Ne sait pas faire").focus()
    page.keyboard.press("ArrowRight")
    expect(answer(page, "C1", "Avec aide")).to_be_checked()

    page.get_by_role("textbox", name=re.compile("M1")).focus()
    page.keyboard.type("Écrire à mes petits-enfants")

    # The autosave catches up with the last answers: a reload shows them all, no button pressed.
    expect(page.locator("form[data-autosave]")).to_have_attribute("data-autosave-state", "saved", timeout=10_000)
    expect(status).to_have_text(SAVED)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "positionnement-questionnaire.png", full_page=True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Positionnement d'Élodie LEFÈVRE")
    for code, label in (("A1", "non"), ("B1", "Oui, seul"), ("B2", "Un peu, avec aide"), ("B3", "Non")):
        expect(answer(page, code, label)).to_be_checked()
    expect(answer(page, "C1", "Avec aide")).to_be_checked()
    expect(page.get_by_role("radio", name="Par téléphone")).to_be_checked()
    expect(page.get_by_role("textbox", name=re.compile("M1"))).to_have_value("Écrire à mes petits-enfants")

    # The button saves too, and says so once back on the page.
    answer(page, "B4", "Non").check()
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.locator(".flash-success")).to_have_text(SAVED)
    expect(answer(page, "B4", "Non")).to_be_checked()

    # No half-day ticked: the page asks before anything is sent.
    page.get_by_role("button", name="Calculer le niveau").click()
    confirm = page.get_by_role("checkbox", name=re.compile("Enregistrer sans disponibilités"))
    expect(confirm).to_be_visible()
    expect(page.locator("#sans_disponibilite-bloc")).to_contain_text("Aucune demi-journée n'est cochée")
    expect(page.get_by_role("checkbox", name="Lundi matin")).to_be_focused()
    expect(page).to_have_url(DRAFT_URL)
    page.screenshot(path=ARTIFACTS / "positionnement-sans-disponibilite.png")
    confirm.check()

    # Completing too early names what is missing and keeps the rest.
    page.get_by_role("button", name="Calculer le niveau").click()
    summary = page.locator("#reponses-manquantes")
    expect(summary).to_contain_text("Il manque 6 réponses : B5, B6, B7, C2, C3 et C4.")
    expect(question(page, "B5").locator(".field-errors")).to_have_text("Réponse manquante")
    expect(answer(page, "B1", "Oui, seul")).to_be_checked()
    expect(confirm).to_be_checked()
    page.screenshot(path=ARTIFACTS / "positionnement-reponses-manquantes.png")

    for code in ("B5", "B6", "B7"):
        answer(page, code, "Non").check()
    for code in ("C2", "C3", "C4"):
        answer(page, code, "Ne sait pas faire").check()
    page.get_by_role("button", name="Calculer le niveau").click()

    expect(page).to_have_url(re.compile(r"/positionnements/\d+$"))
    expect(page.locator("#titre-niveau")).to_have_text(re.compile(r"Niveau\s+0 : Débutant complet"))
    reasons = page.locator("ul.reasons li")
    expect(reasons.first).to_contain_text("Score de ")
    expect(reasons.nth(1)).to_have_text("Score de 25 ou moins : débutant complet.")
    expect(page.get_by_text("Sur la liste d'attente depuis le")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "positionnement-resultat.png", full_page=True)


def test_questionnaire_works_without_javascript(chromium, live_server, make_compte, make_apprenant):
    email = make_compte("mediateur").email
    apprenant_id = make_apprenant(prenom="Marcel", nom="Durand").id
    context = chromium.new_context(base_url=live_server.url, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/connexion")
        page.get_by_label("Adresse électronique").fill(email)
        page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.goto(f"/apprenants/{apprenant_id}")
        page.get_by_role("link", name="Faire un positionnement").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Positionnement de Marcel DURAND")

        page.get_by_role("radio", name="En présentiel").check()
        answer(page, "B1", "Oui, seul").check()
        page.get_by_role("button", name="Enregistrer le brouillon").click()
        expect(page).to_have_url(DRAFT_URL)
        expect(page.locator(".flash-success")).to_have_text(SAVED)
        expect(answer(page, "B1", "Oui, seul")).to_be_checked()

        for code in ("B2", "B3", "B4", "B5", "B6", "B7", "C1", "C2", "C3", "C4"):
            question(page, code).get_by_role("radio").nth(2).check()
        page.get_by_role("button", name="Calculer le niveau").click()
        expect(page.locator("#titre-niveau")).to_have_text(re.compile(r"Niveau\s+3 : Intermédiaire"))
        expect(page.get_by_text("orientez la personne vers un atelier de perfectionnement")).to_be_visible()
    finally:
        context.close()


def test_an_expired_page_token_is_renewed_by_the_autosave_and_a_lost_session_is_said(
    page: Page, journey, make_compte, make_apprenant, console
):
    # The browser notes each refused request in its console; these two are the ones this test provokes.
    console.allow(r"status of 400")
    email = make_compte("mediateur").email
    apprenant_id = make_apprenant(prenom="Marcel", nom="Durand").id
    journey.login(email, TEST_PASSWORD)
    page.goto(f"/positionnements/nouveau?apprenant_id={apprenant_id}")
    form = page.locator("form[data-autosave]")
    status = page.locator("#autosave-status")

    # A token the server no longer accepts (an expired page): the autosave takes the fresh one and saves.
    form.locator('input[name="csrf_token"]').evaluate("input => { input.value = 'perime'; }")
    page.get_by_role("radio", name="En présentiel").check()
    answer(page, "B1", "Oui, seul").check()
    expect(form).to_have_attribute("data-autosave-state", "saved", timeout=10_000)
    expect(status).to_have_text(SAVED)
    expect(page).to_have_url(DRAFT_URL)

    # The session is gone (signed out elsewhere): the page says so in French and keeps the answers.
    page.context.clear_cookies()
    answer(page, "B2", "Non").check()
    expect(form).to_have_attribute("data-autosave-state", "error", timeout=10_000)
    expect(status).to_contain_text("votre session a pris fin. Vos réponses restent à l'écran")
    expect(answer(page, "B1", "Oui, seul")).to_be_checked()
    expect(answer(page, "B2", "Non")).to_be_checked()
