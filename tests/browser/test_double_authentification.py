"""Journey in Chromium: an admin whose structure requires the second factor enrols (QR code and key on the
page, first code computed here as a phone app would), signs out, then signs in with the password and a code."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from extensions import db
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def test_admin_enrols_totp_then_signs_in_with_a_code(page: Page, journey, make_compte, structure):
    structure.is_totp_admin_obligatoire = True
    db.session.commit()
    admin = make_compte("admin", prenom="Nadia", nom="Ferhat")

    journey.login(admin.email, TEST_PASSWORD)
    # Sent to enrolment before anything else.
    expect(page.get_by_role("heading", name="Activer la double authentification", level=1)).to_be_visible()
    expect(page.get_by_text("activez-la avant de continuer")).to_be_visible()
    expect(page.locator("figure.qr-totp svg")).to_be_visible()
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Ateliers").click()
    expect(page.get_by_role("heading", name="Activer la double authentification", level=1)).to_be_visible()

    secret = page.locator("#cle-totp code").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    app = pyotp.TOTP(secret)
    code = page.get_by_label("Code à 6 chiffres")
    code.fill("123")
    page.get_by_role("button", name="Activer").click()
    expect(page.locator("#code-erreurs")).to_contain_text("Le code compte 6 chiffres")
    expect(code).to_have_value("123")
    code.fill(app.now())
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_text("Double authentification activée")).to_be_visible()
    expect(page.get_by_role("heading", name="Mon compte", level=1)).to_be_visible()

    page.get_by_role("button", name="Se déconnecter").click()
    journey.login(admin.email, TEST_PASSWORD)
    expect(page.get_by_role("heading", name="Code de connexion", level=1)).to_be_visible()
    # The code of the next step: the current one served the enrolment and is never accepted twice.
    page.get_by_label("Code à 6 chiffres").fill(app.at(time.time() + 30))
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Bonjour "))
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Comptes").click()
    expect(page.get_by_role("heading", name="Comptes de la structure", level=1)).to_be_visible()
