"""Journeys through the real pages in Chromium: sign-in, learner register, access by role, keyboard use."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

PHONE_ERROR = "Ce numéro de téléphone n'existe pas : vérifiez le nombre de chiffres (10 en France)."
LOGIN_ERROR = "Adresse électronique ou mot de passe incorrect."


def fact(page: Page, term: str):
    """The value (``dd``) shown after the term ``term`` (``dt``) on a learner's page."""
    return page.locator("dl.facts dt", has_text=re.compile(f"^{term}$")).locator("xpath=following-sibling::dd[1]")


def learner_rows(page: Page):
    return page.locator("table.table tbody tr")


def test_mediator_registers_a_learner_then_finds_them(page: Page, journey, make_compte, make_apprenant):
    mediatrice = make_compte("mediateur")
    make_apprenant(prenom="Marcel", nom="Durand", telephone="+33147200000", commune="Agen")
    email = mediatrice.email

    journey.login(email, TEST_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Bonjour "))
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Apprenants").click()
    expect(page.get_by_role("heading", name="Apprenants", level=1)).to_be_visible()
    page.get_by_role("link", name="Enregistrer un apprenant").click()
    expect(page.get_by_role("heading", name="Enregistrer un apprenant", level=1)).to_be_visible()

    prenom = page.get_by_role("textbox", name="Prénom")
    nom = page.get_by_role("textbox", name="Nom", exact=True)
    telephone = page.get_by_role("textbox", name="Téléphone")
    commune = page.get_by_role("textbox", name="Commune")
    mardi_matin = page.get_by_role("checkbox", name="Mardi matin")
    jeudi_apres_midi = page.get_by_role("checkbox", name="Jeudi après-midi")
    sms = page.get_by_role("radio", name="SMS")

    prenom.fill("Élodie")
    nom.fill("Lefèvre")
    telephone.fill("06 12 34")
    commune.fill("Villeneuve-sur-Lot")
    mardi_matin.check()
    jeudi_apres_midi.check()
    sms.check()
    page.get_by_role("button", name="Enregistrer").click()

    # The form comes back with the French error beside the phone field, and nothing typed is lost.
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire n'a pas été enregistré")
    phone_error = page.locator("#telephone-erreurs")
    expect(phone_error).to_have_text(PHONE_ERROR)
    expect(telephone).to_have_attribute("aria-invalid", "true")
    expect(telephone).to_have_accessible_description(re.compile(re.escape(PHONE_ERROR)))
    phone_field = page.locator(".field.has-error", has=telephone)
    expect(phone_field).to_have_count(1)
    expect(phone_field.locator(".field-errors")).to_have_text(PHONE_ERROR)
    expect(page.locator(".field-errors")).to_have_count(1)  # the only error is the phone's
    phone_box, error_box = telephone.bounding_box(), phone_error.bounding_box()
    assert phone_box and error_box
    assert 0 <= error_box["y"] - (phone_box["y"] + phone_box["height"]) < 40, (phone_box, error_box)
    assert abs(error_box["x"] - phone_box["x"]) < 40, (phone_box, error_box)

    expect(prenom).to_have_value("Élodie")
    expect(nom).to_have_value("Lefèvre")
    expect(telephone).to_have_value("06 12 34")
    expect(commune).to_have_value("Villeneuve-sur-Lot")
    expect(mardi_matin).to_be_checked()
    expect(jeudi_apres_midi).to_be_checked()
    expect(page.get_by_role("checkbox", checked=True)).to_have_count(2)
    expect(sms).to_be_checked()
    expect(page.get_by_role("radio", name="Téléphone")).not_to_be_checked()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "formulaire-apprenant-erreur-telephone.png", full_page=True)

    telephone.fill("06 12 34 56 78")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page).to_have_url(re.compile(r"/apprenants/\d+$"))
    expect(page.get_by_role("status")).to_have_text("Fiche d'Élodie enregistrée.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Élodie LEFÈVRE")
    expect(fact(page, "Téléphone")).to_have_text("06 12 34 56 78")
    expect(fact(page, "Contact préféré")).to_have_text("SMS")
    expect(fact(page, "Disponibilités")).to_have_text("Mardi matin, Jeudi après-midi")
    expect(fact(page, "Adresse postale")).to_contain_text("Villeneuve-sur-Lot")
    expect(page.get_by_role("link", name="Modifier la fiche")).to_be_visible()
    detail_url = page.url

    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Apprenants").click()
    expect(learner_rows(page)).to_have_count(2)
    search = page.get_by_role("searchbox", name="Rechercher par nom ou téléphone")

    for query in ("lefevre", "06 12 34 56"):
        search.fill(query)
        page.get_by_role("button", name="Rechercher").click()
        expect(page.locator("p.muted[role=status]")).to_have_text(f"1 apprenant pour « {query} ».")
        expect(learner_rows(page)).to_have_count(1)
        row = learner_rows(page).first
        expect(row.get_by_role("link", name="LEFÈVRE Élodie")).to_be_visible()
        # The number dials from a phone or a tablet.
        expect(row.get_by_role("link", name="06 12 34 56 78")).to_have_attribute("href", "tel:+33-6-12-34-56-78")
        expect(search).to_have_value(query)

    learner_rows(page).first.get_by_role("link", name="LEFÈVRE Élodie").click()
    expect(page).to_have_url(detail_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Élodie LEFÈVRE")


def test_direction_reads_the_register_but_cannot_edit(page: Page, journey, console, make_compte, make_apprenant):
    direction = make_compte("direction")
    apprenant = make_apprenant(prenom="Josiane", nom="Martin", telephone="+33553000000")
    email, apprenant_id = direction.email, apprenant.id

    journey.login(email, TEST_PASSWORD)
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Apprenants").click()
    expect(page.get_by_role("heading", name="Apprenants", level=1)).to_be_visible()
    expect(learner_rows(page)).to_have_count(1)
    expect(page.get_by_role("link", name="Enregistrer un apprenant")).to_have_count(0)

    page.get_by_role("link", name="MARTIN Josiane").click()
    expect(page).to_have_url(re.compile(rf"/apprenants/{apprenant_id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Josiane MARTIN")
    expect(fact(page, "Téléphone")).to_have_text("05 53 00 00 00")
    expect(page.get_by_role("link", name=re.compile("Modifier"))).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Modifier"))).to_have_count(0)

    # Chromium notes any 4xx document in the console; this one is the refusal the test asks for.
    console.allow(rf"status of 403 .*/apprenants/{apprenant_id}/modifier\)$")
    response = page.goto(f"/apprenants/{apprenant_id}/modifier")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accès refusé")
    expect(page.get_by_text("Votre compte ne permet pas d'ouvrir cette page.")).to_be_visible()
    expect(page.get_by_role("textbox")).to_have_count(0)


def test_wrong_password_is_refused_and_keeps_the_email(page: Page, journey, make_compte):
    email = make_compte("mediateur").email

    journey.login(email, "pas-le-bon-mot-de-passe")

    expect(page).to_have_url(re.compile(r"/connexion$"))
    password = page.get_by_label("Mot de passe")
    expect(page.locator("#password-erreurs")).to_have_text(LOGIN_ERROR)
    expect(password).to_have_accessible_description(re.compile(re.escape(LOGIN_ERROR)))
    expect(password).to_have_value("")
    expect(page.get_by_label("Adresse électronique")).to_have_value(email)
    expect(page.get_by_role("navigation", name="Navigation principale")).to_have_count(0)


def test_keyboard_skip_link_then_visible_focus(page: Page):
    page.goto("/connexion")
    skip_link = page.get_by_role("link", name="Aller au contenu")
    email = page.get_by_label("Adresse électronique")
    expect(email).to_be_visible()
    unfocused = email.evaluate("el => getComputedStyle(el).outlineStyle")

    expect(skip_link).not_to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()  # off-screen until focused, then shown

    page.keyboard.press("Enter")
    expect(page.locator("main#contenu")).to_be_focused()
    page.keyboard.press("Tab")
    expect(email).to_be_focused()  # the header was skipped

    outline = email.evaluate(
        "el => { const s = getComputedStyle(el); return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert outline[0] != "none" and outline[1] >= 2, (unfocused, outline)
