"""The week calendar of the practice sessions on a tablet 800 px wide (issue 10, item 6): nothing scrolls
sideways, each occurrence is a block whose cells say their column, the names booked and the free places read.

A screenshot is saved into ``$SCREENSHOTS_DIR/entrainements`` (default: a pytest temporary directory).
"""

from __future__ import annotations

import os
from datetime import date, time

import pytest
from playwright.sync_api import Page, expect

from entrainements.occurrences import occurrences_entre, ouvrir_occurrences
from entrainements.reservations import reserver
from extensions import db
from tests.ateliers_fixtures import freeze_clock
from tests.browser.test_tablette import TABLETTE, _debordement
from tests.conftest import TEST_PASSWORD
from tests.entrainements_fixtures import NOW, TODAY, make_creneau, make_entrainements

pytestmark = pytest.mark.browser


def test_the_week_reads_on_a_tablet(page: Page, journey, monkeypatch, structure, make_compte, make_apprenant, tmp_path):
    freeze_clock(monkeypatch, NOW)
    mediatrice = make_compte("mediateur", email="awa@test.local")
    make_creneau(structure, capacite=4, lieu="Salle informatique du centre social Jean-Moulin")
    make_creneau(structure, jour_semaine=3, debut=time(9, 30), fin=time(11, 30), lieu="Médiathèque")
    ouvrir_occurrences(structure, TODAY, date(2026, 6, 6))
    mardi, jeudi = occurrences_entre(structure.id, TODAY, date(2026, 6, 6))
    noms = [("Nadia", "Ferhat"), ("Marie-Christine", "Delacroix-Beaumont"), ("Jean", "Martin")]
    for entrainement in make_entrainements(structure, [make_apprenant(prenom=p, nom=n) for p, n in noms]):
        reserver(entrainement, mardi, now=NOW)
    jeudi.annulee_at, jeudi.motif_annulation = NOW, "Médiathèque fermée pour inventaire"
    db.session.commit()

    journey.login(mediatrice.email, TEST_PASSWORD)
    page.set_viewport_size({"width": TABLETTE, "height": 1000})
    page.goto("/entrainements/semaine")
    dossier = os.environ.get("SCREENSHOTS_DIR")
    chemin = os.path.join(dossier, "entrainements") if dossier else str(tmp_path)
    os.makedirs(chemin, exist_ok=True)
    page.screenshot(path=os.path.join(chemin, f"semaine-{TABLETTE}.png"), full_page=True)

    mesure = _debordement(page)
    assert mesure["scrollWidth"] <= mesure["innerWidth"] and not mesure["boites"], mesure
    tableau = page.locator("#jour-2026-06-02 table.table")
    ligne = tableau.locator("tbody tr").first
    assert ligne.evaluate("row => getComputedStyle(row).display") == "block"
    personnes = ligne.locator("td").nth(3)
    expect(personnes).to_have_attribute("data-label", "Personnes réservées")
    expect(personnes).to_contain_text("Marie-Christine Delacroix-Beaumont")
    expect(ligne.locator("td").nth(2)).to_contain_text("1 sur 4")
    expect(page.locator("#jour-2026-06-04")).to_contain_text("Annulé : Médiathèque fermée pour inventaire")
    page.get_by_role("link", name="Semaine suivante").click()
    expect(page.locator("h1 + .lead")).to_contain_text("lundi 8 juin 2026")
