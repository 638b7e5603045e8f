"""Accessibility checked in the browser, not assumed (issue 13, item 7).

axe-core (the copy shipped inside the ``axe-playwright-python`` package, injected by Playwright: no CDN, and the
page's Content-Security-Policy does not apply to it) runs on every page each role can open, built from the
app's URL map: every GET rule, its parameters filled from the demo data set, so a page added later is checked
too (a rule with a parameter this file does not know fails the walk until a row is added to ``VALEURS``). Each
page must have no serious or critical violation. The same walk checks each page at 200 % zoom on a tablet 768
px wide: a layout 384 CSS px wide, where the page itself may not scroll sideways (a table may, inside its own
box). The violations and overflows are printed (``-s``), page by page. Screenshots of a few pages at 200 % go
to ``$SCREENSHOTS_DIR/zoom-200`` (default: a fresh temporary directory).
"""

from __future__ import annotations

import itertools
import os
import re
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from flask import Flask, url_for
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from ateliers.models import Alerte, Atelier, Inscription
from attestations.models import Attestation
from attestations.services import emettre_atelier
from core.access import PUBLIC
from core.constants import ROLES
from core.models import Compte
from core.timeutil import structure_today, utcnow
from demo import load_demo
from entrainements.models import Creneau, Entrainement, Occurrence, PlanEntrainement
from evaluations.models import Competence, Positionnement
from extensions import db
from tests.ateliers_fixtures import freeze_clock, inscription_of
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

AXE = Axe()
# What fails the walk: axe's two highest impacts. "moderate" and "minor" findings are printed, not failed.
BLOQUANTS = {"serious", "critical"}
# 200 % zoom on a tablet 768 px wide lays the page out in 768 / 2 = 384 CSS pixels.
ZOOM_200_TABLETTE = {"width": 384, "height": 512}
BUREAU = {"width": 1280, "height": 900}
# Endpoints serving a file, not a page (a download, an image): left to their own tests.
FICHIERS = {"attestations.image", "messages.piece_jointe", "pilotage.export", "pilotage_reseau.export"}
# Pages whose 200 % screenshot is kept for a person to look at.
CAPTURES = {"main.index", "ateliers.presences", "ateliers.competences", "ateliers.detail", "apprenants.detail",
            "entrainements.semaine", "auth.login", "attestations.verifier"}  # fmt: skip


@pytest.fixture
def captures(tmp_path_factory) -> Path:
    dossier = os.environ.get("SCREENSHOTS_DIR")
    chemin = Path(dossier) / "zoom-200" if dossier else tmp_path_factory.mktemp("captures-zoom-200")
    chemin.mkdir(parents=True, exist_ok=True)
    print(f"\ncaptures d'écran à 200 % : {chemin}")
    return chemin


def _premier(requete):
    return db.session.scalars(requete.limit(1)).first()


@pytest.fixture
def donnees_demo(app) -> dict[str, object]:
    """The demo data set, its closed workshop's attestations issued; URL parameter -> value from it."""
    load_demo(TEST_PASSWORD)
    mediatrice = db.session.scalar(sa.select(Compte).where(Compte.email == "mediatrice@demo.local"))
    termine = _premier(sa.select(Atelier).where(Atelier.statut == "termine").order_by(Atelier.id))
    if not db.session.scalar(sa.select(sa.func.count(Attestation.id))):
        today = structure_today(mediatrice.structure)
        emettre_atelier(mediatrice, termine, today=today, now=utcnow(), base_url="http://localhost")
    db.session.commit()
    en_cours = _premier(sa.select(Atelier).where(Atelier.statut == "en_cours").order_by(Atelier.id))
    alerte = _premier(sa.select(Alerte).order_by(Alerte.id))
    inscription = alerte.inscription if alerte else en_cours.inscriptions[0]
    tenues = [s.numero for s in en_cours.seances if s.presences]
    attestation = _premier(sa.select(Attestation).order_by(Attestation.id))
    benevole = db.session.scalar(sa.select(Compte).where(Compte.email == "benevole@demo.local"))
    # A practice session the volunteer runs: every role allowed there can open it.
    occurrence = _premier(
        sa.select(Occurrence).join(Creneau).where(Creneau.animateur_id == benevole.id).order_by(Occurrence.id)
    )
    return {
        "apprenant_id": inscription.apprenant_id,
        "atelier_id": en_cours.id,
        "numero": tenues[-1],
        "inscription_id": inscription.id,
        "alerte_id": alerte.id,
        "compte_id": benevole.id,
        "positionnement_id": _premier(
            sa.select(Positionnement.id).where(Positionnement.apprenant_id == inscription.apprenant_id)
        ),
        "creneau_id": _premier(sa.select(Creneau.id).order_by(Creneau.id)),
        "occurrence_id": occurrence.id,
        "entrainement_id": _premier(sa.select(Entrainement.id).order_by(Entrainement.id)),
        "plan_id": _premier(sa.select(PlanEntrainement.id).order_by(PlanEntrainement.id)),
        "competence_id": _premier(sa.select(Competence.id).order_by(Competence.id)),
        "code": attestation.code,
        # Pages of one kind of workshop, séance or learner: the closed workshop's closing, attestations and
        # final evaluation (séance 6, a learner who finished).
        "termine": termine.id,
        "inscription_terminee": _premier(
            sa.select(Inscription.id).where(Inscription.atelier_id == termine.id, Inscription.statut == "termine")
        ),
    }


# Endpoint -> URL parameter -> key of ``donnees_demo`` when the page needs another record than the default.
VALEURS = {
    "ateliers.cloture": {"atelier_id": "termine"},
    "attestations.atelier": {"atelier_id": "termine"},
    "ateliers.evaluation_finale": {"atelier_id": "termine", "numero": 6, "inscription_id": "inscription_terminee"},
}
# Extra pages beside one per rule: endpoint, parameters (keys of ``donnees_demo`` or literal values).
PAGES_EN_PLUS = [
    ("ateliers.competences", {"atelier_id": "termine", "numero": 6}),  # the final evaluation's grid
    ("ateliers.detail", {"atelier_id": "termine"}),
    ("groupes.proposition", {"atelier": "projet", "ecart_max": 20}),
]


def _adresse(app: Flask, endpoint: str, parametres: dict, donnees: dict) -> str:
    valeurs = {cle: donnees.get(v, v) if isinstance(v, str) else v for cle, v in parametres.items()}
    with app.test_request_context():
        return url_for(endpoint, **valeurs)


def pages_par_role(app: Flask, donnees: dict) -> dict[str, list[tuple[str, str]]]:
    """Role (or ``"public"``) -> [(endpoint, URL)] of every page a GET opens, from the URL map.

    :raise AssertionError: a rule has a URL parameter with no value in ``donnees_demo``.
    """
    donnees = {**donnees, "projet": _premier(sa.select(Atelier.id).where(Atelier.statut == "projet"))}
    pages: list[tuple[str, str, object]] = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.endpoint in FICHIERS:
            continue
        if "." in rule.rule.rsplit("/", 1)[-1]:  # attestations.pdf, calendrier.ics: a file
            continue
        parametres = {}
        for argument in rule.arguments:
            valeur = VALEURS.get(rule.endpoint, {}).get(argument, argument)
            assert valeur in donnees or not isinstance(valeur, str), (
                f"{rule.rule}: give URL parameter {argument!r} a value in donnees_demo or VALEURS"
            )
            parametres[argument] = valeur
        pages.append((rule.endpoint, _adresse(app, rule.endpoint, parametres, donnees), None))
    for endpoint, parametres in PAGES_EN_PLUS:
        pages.append((endpoint, _adresse(app, endpoint, parametres, donnees), None))
    par_role: dict[str, list[tuple[str, str]]] = {role: [] for role in [*sorted(ROLES), PUBLIC]}
    for endpoint, adresse, _ in sorted(pages, key=lambda p: p[1]):
        roles = app.view_functions[endpoint].allowed_roles
        for role in [PUBLIC] if roles == PUBLIC else sorted(roles):
            par_role[role].append((endpoint, adresse))
    return par_role


def violations_bloquantes(page: Page) -> tuple[list[str], dict[str, int]]:
    """Run axe-core on the page as it stands.

    :return: one readable line per serious or critical violation and element (rule id, impact, CSS selector
        of the element, help text, what to fix), and the number of elements of every violation, by rule.
    """
    resultats = AXE.run(page).response
    lignes, compte = [], {}
    for violation in resultats["violations"]:
        compte[f"{violation['id']} ({violation['impact']})"] = len(violation["nodes"])
        if violation["impact"] not in BLOQUANTS:
            continue
        for noeud in violation["nodes"]:
            cible = " ".join(str(t) for t in noeud["target"])
            # axe's own words on what to fix, on one line ("Fix any of the following: ...").
            detail = " ".join(noeud.get("failureSummary", "").split())
            lignes.append(f"{violation['id']} ({violation['impact']}) {cible}: {violation['help']}. {detail}")
    return lignes, compte


def debordement(page: Page) -> dict | None:
    """None when the page fits its window: the document does not scroll sideways, no visible element sticks
    out on the right unless it is inside a box that scrolls sideways on its own (a wide table in its
    container), and no short word (12 letters at most: long tokens such as an email address may break) is
    split across two lines. Else the widths, the first elements sticking out (cut off when the document does
    not scroll) and the first words split."""
    return page.evaluate(
        """() => {
          const largeur = document.documentElement.clientWidth;
          const large = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
          const sousUn = (element, test) => {
            for (let e = element.parentElement; e && e !== document.body; e = e.parentElement) {
              if (test(getComputedStyle(e))) return true;
            }
            return false;
          };
          const defilante = (style) => ["auto", "scroll"].includes(style.overflowX);
          // Content clipped out of sight on purpose (visually hidden text for screen readers) draws nothing.
          const masquee = (style) => style.position === "absolute" && style.clip && style.clip !== "auto";
          const depassent = [];
          for (const element of document.body.querySelectorAll("*")) {
            const boite = element.getBoundingClientRect();
            if (boite.width === 0 || boite.right <= largeur + 1) continue;
            if (sousUn(element, defilante) || masquee(getComputedStyle(element)) || sousUn(element, masquee)) continue;
            const classes = typeof element.className === "string" ? element.className.trim().split(/\\s+/) : [];
            const nom = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
              + classes.filter(Boolean).map((c) => "." + c).join("");
            depassent.push(`${nom} (${Math.round(boite.right)} px)`);
          }
          const coupes = [];
          const textes = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          for (let texte = textes.nextNode(); texte; texte = textes.nextNode()) {
            const parent = texte.parentElement;
            if (!parent || masquee(getComputedStyle(parent)) || sousUn(parent, masquee)) continue;
            for (const mot of texte.data.matchAll(/[^\\s\\-\u2013\u2014/]{2,12}/g)) {
              const portee = document.createRange();
              portee.setStart(texte, mot.index);
              portee.setEnd(texte, mot.index + mot[0].length);
              const boites = [...portee.getClientRects()].filter((r) => r.width > 0);
              if (new Set(boites.map((r) => Math.round(r.top))).size > 1) coupes.push(mot[0]);
            }
          }
          if (large <= largeur + 1 && depassent.length === 0 && coupes.length === 0) return null;
          const premiers = (liste) => [...new Set(liste)].slice(0, 5);
          return {largeur, scrollWidth: large, depassent: premiers(depassent), coupes: premiers(coupes)};
        }"""
    )


def test_the_200_percent_measure_sees_a_page_too_wide_or_cut_off_and_allows_a_box_that_scrolls(page: Page):
    page.set_viewport_size(ZOOM_200_TABLETTE)
    page.goto("/connexion")
    assert debordement(page) is None
    # Playwright's evaluate is not subject to the page's Content-Security-Policy (no inline style attribute).
    large = "const d = document.createElement('div'); d.id = 'large'; d.style.width = '600px'; "
    page.evaluate(f"() => {{ {large} document.querySelector('main').append(d); }}")
    assert [nom.split()[0] for nom in debordement(page)["depassent"]] == ["div#large"]
    page.evaluate("() => { document.querySelector('main').style.overflowX = 'hidden'; }")
    mesure = debordement(page)  # no sideways scroll any more, but cut off
    assert mesure["scrollWidth"] == mesure["largeur"] and mesure["depassent"][0].startswith("div#large")
    page.evaluate(f"() => {{ document.getElementById('large').remove(); {large} "
                  "const boite = document.createElement('div'); boite.className = 'table-scroll'; "
                  "boite.append(d); document.querySelector('main').append(boite); }")  # fmt: skip
    assert debordement(page) is None
    # A word broken letter by letter in a column too narrow for it.
    page.evaluate("() => { const p = document.createElement('p'); p.textContent = 'Non acquis'; "
                  "p.style.width = '2.5rem'; p.style.overflowWrap = 'anywhere'; "
                  "document.querySelector('main').append(p); }")  # fmt: skip
    assert debordement(page)["coupes"] == ["acquis"]


def _ouvrir(page: Page, adresse: str, statut: int = 200) -> bool:
    """Open ``adresse``, answered with ``statut``; False when it is not an HTML page (a download, JSON, an image)."""
    try:
        reponse = page.goto(adresse)
    except PlaywrightError as erreur:
        if "Download is starting" in str(erreur):
            return False
        raise
    assert reponse is not None and reponse.status == statut, f"{adresse}: {reponse and reponse.status}"
    return reponse.headers.get("content-type", "").startswith("text/html")


def parcourir(page: Page, pages: list[tuple[str, str]], role: str, captures: Path, noter: Callable) -> int:
    """Check each page with axe at desktop width, then its layout at 200 % zoom; return the pages checked."""
    vues = 0
    for endpoint, adresse in pages:
        page.set_viewport_size(BUREAU)
        if not _ouvrir(page, adresse, 404 if endpoint == "introuvable" else 200):
            continue
        vues += 1
        debut = time.monotonic()
        lignes, compte = violations_bloquantes(page)
        axe = time.monotonic()
        page.set_viewport_size(ZOOM_200_TABLETTE)
        trop_large = debordement(page)
        if endpoint in CAPTURES:
            page.screenshot(path=captures / f"{role}-{endpoint}.png", full_page=True)
        noter(role, endpoint, adresse, lignes, compte, trop_large, (axe - debut, time.monotonic() - axe))
    return vues


def test_every_page_of_every_role_has_no_serious_axe_violation_and_fits_200_percent_zoom(
    app, page: Page, journey, console, donnees_demo, captures
):
    console.allow(r"status of 404 .*/page-qui-n-existe-pas")
    console.allow(r"status of 404 .*/favicon\.ico")  # asked by Chromium for a page that is not HTML (/healthz)
    debut = time.monotonic()
    par_role = pages_par_role(app, donnees_demo)
    violations: dict[str, list[str]] = {}
    debordements: dict[str, dict] = {}

    def noter(role, endpoint, adresse, lignes, compte, trop_large, durees):
        cle = f"{role} {adresse} ({endpoint})"
        print(f"axe {cle}: {compte or 'aucune violation'} (axe {durees[0]:.1f} s, 200 % {durees[1]:.1f} s)")
        if lignes:
            violations[cle] = lignes
        if trop_large:
            debordements[cle] = trop_large

    vues = parcourir(page, [*par_role[PUBLIC], ("introuvable", "/page-qui-n-existe-pas")], PUBLIC, captures, noter)
    for role in sorted(ROLES):
        page.context.clear_cookies()
        journey.login(f"{role if role != 'mediateur' else 'mediatrice'}@demo.local", TEST_PASSWORD)
        vues += parcourir(page, par_role[role], role, captures, noter)
    print(f"{vues} pages vues en {time.monotonic() - debut:.1f} s")
    rapport = "\n".join(f"{cle}:\n  " + "\n  ".join(lignes) for cle, lignes in violations.items())
    larges = "\n".join(f"{cle}: {mesure}" for cle, mesure in debordements.items())
    assert not violations and not debordements, (
        f"serious or critical axe violations:\n{rapport or 'aucune'}\n"
        "pages that do not fit at 200 % zoom (384 CSS px: sideways scroll, cut off, words split):\n"
        f"{larges or 'aucune'}"
    )


# The evening of séance 1 of the shared workshop (Monday 30 March 2026, tests/ateliers_fixtures.py).
SOIR_SEANCE_1 = datetime(2026, 3, 30, 17, 0)

# The element holding the focus: what it is, where it is drawn, and whether its focus can be seen. A date or
# time field is several stops (hour, minutes, its picker button); on the picker button the field itself does
# not match :focus and Chromium draws its own ring around the button, so it counts as visible.
FOCUS = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  const boite = e.getBoundingClientRect();
  const etiquette = e.labels && e.labels.length ? e.labels[0].innerText : "";
  const bouton_du_champ = ["date", "time"].includes(e.type) && !e.matches(":focus");
  return {
    nom: `${e.tagName.toLowerCase()}${e.name ? "[" + e.name + "]" : ""} ${etiquette || e.innerText || ""}`.trim(),
    haut: boite.top + window.scrollY, gauche: boite.left + window.scrollX,
    visible: boite.width > 0 && boite.height > 0,
    contour: bouton_du_champ || (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2)
      || style.boxShadow !== "none",
  };
}"""


def tabuler_jusqu_a(page: Page, cible, essais: int = 80) -> list[dict]:
    """Press Tab until ``cible`` (a locator) has the focus; return each element focused on the way, in order
    (an element that keeps the focus for several presses, a time field's hour then minutes, listed once).

    :raise AssertionError: ``cible`` not reached in ``essais`` presses, or an element was focused out of sight
        or without a visible focus indicator.
    """
    etapes: list[dict] = []
    for _ in range(essais):
        page.keyboard.press("Tab")
        etape = page.evaluate(FOCUS)
        assert etape["visible"] and etape["contour"], f"focus not visible on {etape}"
        if not etapes or etapes[-1]["nom"] != etape["nom"]:
            etapes.append(etape)
        if cible.evaluate("e => e === document.activeElement"):
            return etapes
    raise AssertionError(f"{cible} not reached with Tab; focused: {[e['nom'] for e in etapes]}")


def hors_de_l_ordre_de_lecture(etapes: list[dict]) -> list[tuple[str, str]]:
    """The pairs of elements focused one after the other where the second is not after the first as the page
    reads (lower, or on the same line to the right); empty when the order is sensible."""
    return [
        (a["nom"], b["nom"])
        for a, b in itertools.pairwise(etapes)
        if not (b["haut"] > a["haut"] + 2 or (abs(b["haut"] - a["haut"]) <= 2 and b["gauche"] > a["gauche"]))
    ]


def test_attendance_and_skills_grid_saved_with_the_keyboard_alone(page: Page, monkeypatch, mediatrice, atelier):
    freeze_clock(monkeypatch, SOIR_SEANCE_1)
    page.set_viewport_size({"width": 800, "height": 900})
    page.goto("/connexion")
    tabuler_jusqu_a(page, page.get_by_label("Adresse électronique"))
    page.keyboard.type(mediatrice.email)
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Navigation principale")).to_be_visible()

    page.goto(f"/ateliers/{atelier.id}")
    tabuler_jusqu_a(page, page.get_by_role("link", name="Noter les présences de la séance 1"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Présences de la séance 1")

    # Focus order: from the back link, each learner's status, arrival, departure, then the button, as it reads.
    retour = page.get_by_role("link", name=re.compile("^← "))
    tabuler_jusqu_a(page, retour)
    bouton = page.get_by_role("button", name="Enregistrer les présences")
    ordre = tabuler_jusqu_a(page, bouton)
    personnes = page.locator("fieldset.choices > legend").all_inner_texts()
    ids = [inscription_of(atelier, nom.split()[-1]).id for nom in personnes]
    assert [e["nom"] for e in ordre] == [
        nom
        for ident in ids
        for nom in (f"input[statut-{ident}] Présent", f"input[arrivee-{ident}] Heure d'arrivée (facultatif, HH:MM)",
                    f"input[depart-{ident}] Heure de départ (facultatif, HH:MM)")
    ] + ["button Enregistrer les présences"], [e["nom"] for e in ordre]  # fmt: skip
    assert hors_de_l_ordre_de_lecture(ordre) == []

    # Josiane Martin present (Space on the first choice); Marcel Bernard forgotten. Saved with Enter.
    bernard = page.get_by_role("group", name="Marcel Bernard")
    martin = page.get_by_role("group", name="Josiane Martin")
    page.reload()
    tabuler_jusqu_a(page, martin.get_by_role("radio", name="Présent"))
    page.keyboard.press("Space")
    tabuler_jusqu_a(page, bouton)
    page.keyboard.press("Enter")

    # Refused: the summary takes the focus (role=alert); the group says why, read with it; the choice is kept.
    resume = page.get_by_role("alert")
    expect(resume).to_be_focused()
    expect(resume).to_contain_text("Corrigez les champs signalés")
    expect(bernard).to_have_accessible_description(re.compile("Choisissez présent, en retard, absent excusé ou absent"))
    expect(martin.get_by_role("radio", name="Présent")).to_be_checked()

    # The next Tab goes on from the summary into the form, not back to the header; an arrow picks "En retard".
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
    tabuler_jusqu_a(page, bernard.get_by_role("radio", name="Présent"))
    page.keyboard.press("ArrowRight")
    tabuler_jusqu_a(page, bouton)
    page.keyboard.press("Enter")
    confirmation = page.locator(".flashes")
    expect(confirmation.get_by_role("status")).to_have_text(re.compile("^Présences de la séance 1 enregistrées"))
    expect(confirmation).to_be_focused()
    expect(bernard.get_by_role("radio", name="En retard")).to_be_checked()

    # On to the skills grid: every skill of module 1 acquired for the first learner (two arrows from "Non
    # acquis", one stop per skill), "Avec aide" on the second learner's first skill.
    tabuler_jusqu_a(page, page.get_by_role("link", name="Puis les compétences de la séance 1 →"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Compétences de la séance 1")
    premiere, seconde = (page.locator("fieldset.competences-personne").nth(rang) for rang in (0, 1))
    non_acquis = premiere.get_by_role("radio", name=re.compile("Non acquis"))
    competences = non_acquis.count()
    assert competences >= 3
    tabuler_jusqu_a(page, retour)
    ordre = tabuler_jusqu_a(page, non_acquis.first)
    for rang in range(competences):
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        ordre.append(page.evaluate(FOCUS))
        if rang < competences - 1:
            page.keyboard.press("Tab")
            expect(non_acquis.nth(rang + 1)).to_be_focused()
    ordre += tabuler_jusqu_a(page, seconde.get_by_role("radio", name=re.compile("Non acquis")).first)
    page.keyboard.press("ArrowRight")
    ordre += tabuler_jusqu_a(page, page.get_by_role("button", name="Enregistrer les compétences"))
    assert hors_de_l_ordre_de_lecture(ordre) == []
    page.keyboard.press("Enter")

    confirmation = page.locator(".flashes")
    expect(confirmation.get_by_role("status")).to_have_text(re.compile("^Compétences de la séance 1 enregistrées"))
    expect(confirmation).to_be_focused()
    acquis = premiere.get_by_role("radio", name=re.compile(r"Acquis \(fait seul\)$"))
    expect(acquis).to_have_count(competences)
    for rang in range(competences):
        expect(acquis.nth(rang)).to_be_checked()
    expect(seconde.get_by_role("radio", name=re.compile("Avec aide")).first).to_be_checked()
