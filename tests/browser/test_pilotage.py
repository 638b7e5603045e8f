"""The director's journey on the dashboard in Chromium: from the home page, pick a quarter, see its charts drawn
(SVG images loaded, no Content-Security-Policy violation in the console: the ``page`` fixture fails on any) and
their tables; downloads the quarter's XLSX and the annual report and reads them back; the printed page keeps the
charts and the definitions."""

from __future__ import annotations

import io
import os
from pathlib import Path

import openpyxl
import pypdf
import pytest
from playwright.sync_api import Page, expect

from pilotage.tableau_de_bord import SECTION_DU_GRAPHIQUE
from tests.ateliers_fixtures import freeze_clock
from tests.conftest import TEST_PASSWORD
from tests.pilotage_fixtures import NOW, semer

pytestmark = pytest.mark.browser


@pytest.fixture
def direction(make_compte, structure, monkeypatch):
    freeze_clock(monkeypatch, NOW)
    semer(structure, make_compte("mediateur"), make_compte("benevole"), ateliers=3)
    return make_compte("direction", prenom="Claire", nom="Roussel")


def test_the_director_picks_a_quarter_and_sees_its_charts_and_tables(page: Page, journey, direction, tmp_path):
    journey.login(direction.email, TEST_PASSWORD)
    page.get_by_role("link", name="Tableau de bord : attente, abandons, assiduité, compétences").click()
    expect(page.get_by_role("heading", name="Tableau de bord", level=1)).to_be_visible()

    page.get_by_label("Période", exact=True).select_option("trimestre")
    page.get_by_label("Année", exact=True).fill("2026")
    page.get_by_label("Trimestre").select_option("1")
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator(".lead", has_text="1er trimestre 2026")).to_be_visible()

    images = page.locator("figure.graphique img")
    expect(images).to_have_count(len(SECTION_DU_GRAPHIQUE))
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    survie = page.get_by_role("table", name="Personnes encore inscrites, séance par séance")
    expect(survie).to_be_visible()
    expect(survie.get_by_role("row")).to_have_count(7)
    # the chart's summary in words, under it and as its text alternative
    expect(page.locator("figcaption", has_text="étaient encore inscrites à la séance 6")).to_be_visible()
    expect(page.get_by_alt_text("étaient encore inscrites à la séance 6")).to_be_visible()

    # each definition one click away
    definition = page.locator("section", has=page.locator("#section-abandons")).locator("details").first
    definition.get_by_text("Définition").click()
    expect(definition.get_by_text("celles dont l'inscription s'est close par un abandon")).to_be_visible()

    # the quarter's tables as the director opens them (XLSX), and the report for funders (PDF), one click each
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Excel (XLSX)").click()
    assert telechargement.value.suggested_filename == "tableau-de-bord_2026-01-01_2026-03-31.xlsx"
    classeur = openpyxl.load_workbook(io.BytesIO(telechargement.value.path().read_bytes()))
    textes = {str(c.value) for feuille in classeur.worksheets for ligne in feuille.iter_rows() for c in ligne}
    assert "Personnes encore inscrites, séance par séance" in textes and "Séance 6" in textes
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Rapport d'activité pour les financeurs (PDF)").click()
    rapport = " ".join(p.extract_text() for p in pypdf.PdfReader(telechargement.value.path()).pages)
    assert (
        "Rapport d'activité – 1er trimestre 2026" in rapport
        and "étaient encore inscrites à la séance 6" in " ".join(rapport.split())
    )

    # printable: the charts stay, the period form goes
    page.emulate_media(media="print")
    expect(page.locator("form.filters")).to_be_hidden()
    expect(images.first).to_be_visible()
    dossier = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path) / "pilotage"
    dossier.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=dossier / "tableau-de-bord-impression.png", full_page=True)
