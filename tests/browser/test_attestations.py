"""The attestations journey in the browser (issue 11): from the closed workshop's page, issue and print the
attestations, follow the QR code read from the printed page to the public check (valid), revoke, check again
(revoked)."""

from __future__ import annotations

import subprocess

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Page, expect

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def qr_code(pdf: bytes, dossier) -> str:
    (dossier / "attestations.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", "1", "-singlefile", "attestations.pdf", "page"], cwd=dossier, check=True
    )
    (lu,) = zxingcpp.read_barcodes(Image.open(dossier / "page.png"), formats=zxingcpp.BarcodeFormat.QRCode)
    return lu.text


def test_issue_print_follow_the_qr_code_then_revoke(page: Page, journey, atelier_clos, mediatrice, chromium, tmp_path):
    journey.login(mediatrice.email, TEST_PASSWORD)
    page.goto(f"/ateliers/{atelier_clos.id}")
    page.get_by_role("link", name="Attestations", exact=True).click()
    page.get_by_role("button", name="Émettre les attestations").click()
    expect(page.get_by_text("1 attestation émise.")).to_be_visible()

    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Imprimer les attestations de l'atelier").click()
    lien = qr_code(telechargement.value.path().read_bytes(), tmp_path)
    assert "/verifier/" in lien

    # Anyone holding the paper: another browser, signed in nowhere.
    visiteur = chromium.new_context(locale="fr-FR")
    verification = visiteur.new_page()
    verification.goto(lien)
    expect(verification.get_by_role("heading", name="Attestation valide")).to_be_visible()
    expect(verification.get_by_text("Josiane M.")).to_be_visible()
    numero_imprime = verification.locator("dl.details dd").first.inner_text()
    assert numero_imprime.endswith("-00001")

    page.get_by_label("Motif de la révocation").select_option("erreur")
    page.get_by_role("button", name=f"Révoquer l'attestation n° {numero_imprime}").click()
    expect(page.get_by_text(f"Attestation n° {numero_imprime} révoquée.")).to_be_visible()

    verification.reload()
    expect(verification.get_by_role("heading", name="Attestation révoquée le")).to_be_visible()
    visiteur.close()
