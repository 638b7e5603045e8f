"""Every page used in the room or on the phone fits a tablet 800 px wide (issue 9, item 9).

The demo data set gives each page something to show (a running workshop with someone to call, a finished one,
a workshop in project for the group proposal, a waiting list). Each page is opened at 1280 px, at 800 px and
at 390 px (a phone); at 800 and 390 px nothing may scroll sideways, neither the page nor a box inside it.
Screenshots of the three widths are saved into the directory named by the environment variable
``$SCREENSHOTS_DIR/tablette`` (default: a fresh temporary directory, printed with ``-s``), so a person can look at them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import url_for
from playwright.sync_api import Page, expect

from ateliers.models import Alerte, Atelier
from ateliers.suivis import enregistrer_suivi
from core.models import Compte
from core.timeutil import structure_today, utcnow
from demo import load_demo
from evaluations.models import Positionnement
from extensions import db
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

TABLETTE = 800
BUREAU = 1280
TELEPHONE = 390


@pytest.fixture
def captures(tmp_path_factory) -> Path:
    dossier = os.environ.get("SCREENSHOTS_DIR")
    chemin = Path(dossier) / "tablette" if dossier else tmp_path_factory.mktemp("captures-tablette")
    chemin.mkdir(parents=True, exist_ok=True)
    print(f"\ncaptures d'écran : {chemin}")
    return chemin


def _atelier(statut: str) -> Atelier:
    return db.session.scalar(sa.select(Atelier).where(Atelier.statut == statut).order_by(Atelier.id))


@pytest.fixture
def pages_de_la_salle(app) -> dict[str, str]:
    """Name of the screenshot -> URL, for the demo data set."""
    load_demo(TEST_PASSWORD)
    db.session.commit()
    en_cours, termine, projet = _atelier("en_cours"), _atelier("termine"), _atelier("projet")
    tenues = [s.numero for s in en_cours.seances if s.presences]
    alerte = db.session.scalar(sa.select(Alerte).order_by(Alerte.id))
    absent = alerte.inscription
    positionnement = db.session.scalar(
        sa.select(Positionnement).where(Positionnement.apprenant_id == absent.apprenant_id)
    )
    # Another member was called once: the learner and progress pages then show the history of calls.
    appele = next(i for i in en_cours.inscriptions if i.id != absent.id)
    mediatrice = db.session.scalar(sa.select(Compte).where(Compte.email == "mediatrice@demo.local"))
    today = structure_today(mediatrice.structure)
    enregistrer_suivi(mediatrice, appele, today, "joint", "transport", "revient", today, now=utcnow())
    db.session.commit()
    with app.test_request_context():
        return {
            "accueil": url_for("main.index"),
            "a-rappeler": url_for("ateliers.a_rappeler"),
            "appel": url_for("ateliers.suivi", inscription_id=absent.id),
            "liste-attente": url_for("attente.liste"),
            "groupes": url_for("groupes.index"),
            "proposition-groupes": url_for("groupes.proposition", atelier=[projet.id], ecart_max=20),
            "ateliers": url_for("ateliers.liste"),
            "atelier": url_for("ateliers.detail", atelier_id=en_cours.id),
            "presences": url_for("ateliers.presences", atelier_id=en_cours.id, numero=tenues[-1]),
            "competences": url_for("ateliers.competences", atelier_id=en_cours.id, numero=tenues[0]),
            "evaluation-finale": url_for("ateliers.competences", atelier_id=termine.id, numero=6),
            "cloture": url_for("ateliers.cloture", atelier_id=termine.id),
            "remplacement": url_for("ateliers.remplacement", atelier_id=en_cours.id),
            "questionnaire": url_for("positionnements.nouveau"),
            "positionnement": url_for("positionnements.resultat", positionnement_id=positionnement.id),
            "apprenants": url_for("apprenants.liste"),
            "apprenant": url_for("apprenants.detail", apprenant_id=absent.apprenant_id),
            "progression": url_for("ateliers.progression", inscription_id=absent.id),
            "apprenant-appele": url_for("apprenants.detail", apprenant_id=appele.apprenant_id),
            "progression-appelee": url_for("ateliers.progression", inscription_id=appele.id),
            "rattrapages": url_for("ateliers.rattrapages", inscription_id=absent.id),
        }


def _debordement(page: Page) -> dict:
    """How wide the page is against the window; the boxes that scroll sideways inside it (a table in a
    scrolling box is a sideways scroll too) and the elements sticking out of their card; the element sticking
    out furthest on the right (if any)."""
    return page.evaluate(
        """() => {
          const largeur = window.innerWidth;
          // Content clipped out of sight (visually hidden headers, kept for screen readers) draws nothing.
          const masque = (element) => {
            for (let e = element; e; e = e.parentElement) {
              const style = getComputedStyle(e);
              if (style.position === "absolute" && style.clip && style.clip !== "auto") return true;
            }
            return false;
          };
          const nom = (element) => element.tagName + (element.className ? "." + element.className : "");
          let pire = null;
          const boites = [];
          for (const element of document.body.querySelectorAll("*")) {
            if (masque(element)) continue;
            const droite = element.getBoundingClientRect().right;
            if (droite > largeur + 1 && (!pire || droite > pire.droite)) pire = {droite, element: nom(element)};
            const defile = ["auto", "scroll"].includes(getComputedStyle(element).overflowX);
            if (defile && element.scrollWidth > element.clientWidth + 1) boites.push(nom(element));
            const carte = element.parentElement && element.parentElement.closest(".card");
            const bord = carte && carte.getBoundingClientRect().right;
            if (carte && droite > bord + 1) boites.push(`${nom(element)} hors de sa carte`);
          }
          return {scrollWidth: document.documentElement.scrollWidth, innerWidth: largeur, boites, pire};
        }"""
    )


def test_room_and_phone_pages_fit_800_and_390_px_without_sideways_scroll(
    page: Page, journey, pages_de_la_salle, captures
):
    journey.login("mediatrice@demo.local", TEST_PASSWORD)
    trop_larges = {}
    for largeur in (BUREAU, TABLETTE, TELEPHONE):
        page.set_viewport_size({"width": largeur, "height": 1000})
        for nom, url in pages_de_la_salle.items():
            response = page.goto(url)
            assert response is not None and response.ok, f"{nom} ({url}): {response and response.status}"
            page.wait_for_load_state("load")
            page.screenshot(path=captures / f"{nom}-{largeur}.png", full_page=True)
            if largeur != BUREAU:
                mesure = _debordement(page)
                if mesure["scrollWidth"] > mesure["innerWidth"] or mesure["boites"]:
                    trop_larges[f"{nom}-{largeur}"] = mesure
    assert not trop_larges, f"pages wider than the window: {trop_larges}"


def test_the_volunteers_pages_fit_800_px_too(page: Page, journey, pages_de_la_salle, captures):
    journey.login("benevole@demo.local", TEST_PASSWORD)
    page.set_viewport_size({"width": TABLETTE, "height": 1000})
    trop_larges = {}
    for nom in ("accueil", "ateliers", "atelier", "presences", "competences"):
        response = page.goto(pages_de_la_salle[nom])
        assert response is not None and response.ok, f"{nom}: {response and response.status}"
        page.screenshot(path=captures / f"benevole-{nom}-{TABLETTE}.png", full_page=True)
        mesure = _debordement(page)
        if mesure["scrollWidth"] > mesure["innerWidth"] or mesure["boites"]:
            trop_larges[nom] = mesure
    assert not trop_larges, f"pages wider than {TABLETTE} px: {trop_larges}"


def test_at_800_px_each_cell_of_a_stacked_table_says_its_column(page: Page, journey, pages_de_la_salle):
    journey.login("mediatrice@demo.local", TEST_PASSWORD)
    page.set_viewport_size({"width": TABLETTE, "height": 1000})
    page.goto(pages_de_la_salle["liste-attente"])
    tableau = page.locator("table.table:not(.matrix)").first
    expect(tableau).to_have_attribute("role", "table")
    premiere_cellule = tableau.locator("tbody tr").first.locator("td").first
    entete = tableau.locator("thead th").first.inner_text().strip()
    expect(premiere_cellule).to_have_attribute("data-label", entete)
    # The label is drawn before the cell's content, and the row is a block, not a table row.
    avant = premiere_cellule.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert entete in avant
    assert tableau.locator("tbody tr").first.evaluate("row => getComputedStyle(row).display") == "block"
    # The column headers stay in the accessibility tree: a screen reader still names each cell's column.
    expect(tableau.get_by_role("columnheader").first).to_have_text(entete)

    page.set_viewport_size({"width": BUREAU, "height": 1000})
    assert tableau.locator("tbody tr").first.evaluate("row => getComputedStyle(row).display") == "table-row"


def test_at_800_px_the_progress_grid_reads_module_by_module(page: Page, journey, pages_de_la_salle):
    journey.login("mediatrice@demo.local", TEST_PASSWORD)
    page.set_viewport_size({"width": TABLETTE, "height": 1000})
    page.goto(pages_de_la_salle["progression"])
    grille = page.locator("table.grille-progression")
    m1, m2 = grille.get_by_role("columnheader").nth(1), grille.get_by_role("columnheader").nth(2)
    seance_m1 = grille.locator("tbody tr").first.locator("td").first
    presence_m1 = grille.locator("tbody tr").nth(1).locator("td").first
    # Module 1's header, then its séance and attendance, then module 2's header: one column, module by module.
    hauts = [element.bounding_box()["y"] for element in (m1, seance_m1, presence_m1, m2)]
    assert hauts == sorted(hauts), hauts
    assert len({round(element.bounding_box()["x"]) for element in (m1, seance_m1, m2)}) == 1
    expect(seance_m1).to_have_attribute("data-ligne", "Séance")
    # The row headers are out of sight only: a screen reader still names each row.
    expect(grille.get_by_role("rowheader", name="Présence", exact=True)).to_have_count(1)
