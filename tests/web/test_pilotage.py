"""The dashboard page (/pilotage/) through the test client: the period form, the figures the page writes, the
charts as SVG images with their own policy, the learners at risk without their phone, another structure's
address refused, and as many statements for a small or a larger history."""

from __future__ import annotations

import html as html_module
import io
import re

import pytest

from core.security import CONTENT_SECURITY_POLICY
from pilotage import tableau_de_bord
from pilotage.periode import annee_civile
from tests.ateliers_fixtures import freeze_clock
from tests.pilotage_fixtures import NOW, TODAY, semer


@pytest.fixture
def direction(make_compte):
    return make_compte("direction", prenom="Claire", nom="Roussel")


@pytest.fixture
def semis(monkeypatch, structure, make_compte):
    freeze_clock(monkeypatch, NOW)
    return semer(structure, make_compte("mediateur"), make_compte("benevole"), ateliers=2)


def _texte(html: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_director_sees_every_figure_of_the_year_with_its_definition(browser, direction, semis):
    browser.login(direction)
    page = browser.get("/pilotage/?type=annee&annee=2026").get_data(as_text=True)
    texte = _texte(page)
    assert "année 2026" in texte
    sections = tableau_de_bord.sections(tableau_de_bord.contexte([semis.structure.id], annee_civile(2026), NOW, TODAY))
    for section in sections:
        for chiffre in section.chiffres:
            assert chiffre.libelle in texte
            assert tableau_de_bord.cellule_fr(chiffre.valeur) in texte, chiffre.libelle
            if chiffre.a_une_part:
                assert tableau_de_bord.pourcent(chiffre.part) in texte, chiffre.libelle
            assert chiffre.definition in texte
        for tableau in section.tableaux:
            assert f'id="tableau-{tableau.nom}"' in page
    assert page.count("<details>") >= sum(len(s.chiffres) + len(s.tableaux) for s in sections)
    assert "<script>" not in page and " style=" not in page


def test_each_chart_is_an_svg_image_of_the_period_with_its_summary(browser, direction, semis):
    browser.login(direction)
    reponse = browser.get("/pilotage/?type=trimestre&annee=2026&trimestre=1")
    assert reponse.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY  # the page's stays strict
    page = reponse.get_data(as_text=True)
    sources = re.findall(r'<img src="([^"]+)" alt="([^"]+)"', page)
    assert {re.search(r"graphiques/(\w+)\.svg", src).group(1) for src, _ in sources} == set(
        tableau_de_bord.SECTION_DU_GRAPHIQUE
    )
    for source, alt in sources:
        assert "debut=2026-01-01" in source and "fin=2026-03-31" in source
        reponse = browser.get(source.replace("&amp;", "&"))
        assert reponse.status_code == 200
        assert reponse.mimetype == "image/svg+xml"
        assert "script-src" not in reponse.headers["Content-Security-Policy"]
        assert reponse.headers["Content-Security-Policy"].startswith("default-src 'none'")
        svg = reponse.get_data(as_text=True)
        assert "<script" not in svg
        titre = html_module.unescape(alt).split(" : ")[0]
        assert f"<title>{titre}</title>" in html_module.unescape(svg)


def test_the_learners_at_risk_show_first_name_workshop_and_rule_never_the_phone(browser, direction, semis):
    browser.login(direction)
    page = browser.get("/pilotage/").get_data(as_text=True)
    at_risk = next(i for i in semis.en_cours.inscriptions if i.presences and i.presences[-1].statut == "absent")
    section = page.split('id="a-risque"')[1].split("</section>")[0]
    assert at_risk.apprenant.prenom in section and "Atelier 3" in section and "Absences consécutives" in section
    assert at_risk.apprenant.nom not in page
    assert "+33" not in page and "tel:" not in page


def test_a_chart_of_another_structure_is_not_found(browser, direction, semis, make_structure):
    autre = make_structure(nom="France Services de l'Autre-Rive")
    browser.login(direction)
    assert browser.get(f"/pilotage/structures/{semis.structure.id}/graphiques/survie.svg").status_code == 200
    assert browser.get(f"/pilotage/structures/{autre.id}/graphiques/survie.svg").status_code == 404
    assert browser.get(f"/pilotage/structures/{semis.structure.id}/graphiques/inconnu.svg").status_code == 404


def test_a_period_ending_before_it_starts_is_refused_beside_the_field(browser, direction, semis):
    browser.login(direction)
    reponse = browser.get("/pilotage/?type=dates&debut=17/04/2026&fin=03/03/2026")
    page = reponse.get_data(as_text=True)
    assert reponse.status_code == 200
    assert 'id="fin-erreurs"' in page and "est avant le début" in page
    assert 'value="17/04/2026"' in page
    assert 'id="section-abandons"' not in page


def test_the_director_reaches_the_dashboard_from_the_home_page_and_the_menu(browser, direction):
    browser.login(direction)
    accueil = browser.get("/").get_data(as_text=True)
    assert accueil.count('href="/pilotage/"') == 2


def test_the_page_runs_as_many_statements_for_a_larger_history(
    browser, direction, structure, make_compte, monkeypatch, count_queries
):
    freeze_clock(monkeypatch, NOW)
    mediatrice, benevole = make_compte("mediateur"), make_compte("benevole")
    semer(structure, mediatrice, benevole, ateliers=1)
    browser.login(direction)
    browser.get("/pilotage/?type=annee&annee=2026")
    with count_queries() as petit:
        browser.get("/pilotage/?type=annee&annee=2026")
    semer(structure, mediatrice, benevole, ateliers=6)
    with count_queries() as grand:
        page = browser.get("/pilotage/?type=annee&annee=2026").get_data(as_text=True)
    assert len(petit) == len(grand)
    assert "2 personnes à risque" in page  # both seeds' running workshops: the larger history is read


def _lien(page: str, texte: str) -> str:
    """The address of the link whose text is ``texte``."""
    return html_module.unescape(re.search(rf'<a href="([^"]+)" download>{re.escape(texte)}', page).group(1))


def test_the_dashboards_xlsx_is_the_page_table_by_table_and_journaled(browser, direction, semis):
    import openpyxl

    from core.models import Journal
    from extensions import db

    browser.login(direction)
    page = browser.get("/pilotage/?type=annee&annee=2026").get_data(as_text=True)
    reponse = browser.get(_lien(page, "Excel (XLSX)"))
    assert reponse.status_code == 200
    assert 'filename="tableau-de-bord_2026-01-01_2026-12-31.xlsx"' in reponse.headers["Content-Disposition"]
    classeur = openpyxl.load_workbook(io.BytesIO(reponse.get_data()))
    cellules = {str(c.value) for feuille in classeur.worksheets for ligne in feuille.iter_rows() for c in ligne}
    texte = _texte(page)
    attendus = tableau_de_bord.tableaux(tableau_de_bord.contexte([semis.structure.id], annee_civile(2026), NOW, TODAY))
    assert len(classeur.worksheets) == len(attendus)
    for tableau in attendus:
        assert tableau.titre in cellules or tableau.titre.replace(" : ", " ") in texte
        for ligne in tableau.lignes:
            assert str(ligne[0]) in cellules  # each row's label, as on the page (a key figure's without its unit)
            assert tableau_de_bord.cellule_fr(ligne[0]).split(" (")[0] in texte
    # aggregate figures only: no learner's name in the file
    noms = {i.apprenant.nom for atelier in (semis.en_cours,) for i in atelier.inscriptions}
    assert not noms & cellules
    dernier = db.session.query(Journal).order_by(Journal.id.desc()).first()
    assert (dernier.action, dernier.objet) == ("export", "pilotage") and "xlsx" in dernier.details


def test_the_annual_report_is_one_click_away_and_says_the_figures(browser, direction, semis):
    import pypdf

    browser.login(direction)
    page = browser.get("/pilotage/?type=annee&annee=2026").get_data(as_text=True)
    reponse = browser.get(_lien(page, "Rapport d'activité pour les financeurs (PDF)"))
    assert reponse.status_code == 200 and reponse.mimetype == "application/pdf"
    lecteur = pypdf.PdfReader(io.BytesIO(reponse.get_data()))
    texte = " ".join(p.extract_text() for p in lecteur.pages).replace("\u202f", " ")
    assert "Rapport d'activité – année 2026" in texte and semis.structure.nom in texte
    for section in tableau_de_bord.sections(
        tableau_de_bord.contexte([semis.structure.id], annee_civile(2026), NOW, TODAY)
    ):
        assert section.titre in texte
        for chiffre in section.chiffres:
            assert chiffre.libelle.split(" (")[0][:25] in " ".join(texte.split()), chiffre.libelle
    assert not {i.apprenant.nom for i in semis.en_cours.inscriptions} & set(texte.split())


@pytest.mark.parametrize(
    ("adresse", "champ"),
    [
        ("/pilotage/rapport.pdf?type=dates&debut=17/04/2026&fin=03/03/2026", "fin"),
        ("/pilotage/export?type=dates&debut=01/01/2026&fin=03/03/2026&format=docx", "format"),
        ("/pilotage/export?type=dates&debut=01/01/2020&fin=03/03/2026&format=csv", "fin"),
    ],
)
def test_a_bad_period_or_format_of_a_download_shows_the_page_with_the_message(
    browser, direction, semis, adresse, champ
):
    browser.login(direction)
    reponse = browser.get(adresse)
    assert reponse.status_code == 400 and reponse.mimetype == "text/html"
    assert f'id="{champ}-erreurs"' in reponse.get_data(as_text=True)


@pytest.mark.parametrize("role", ["benevole", "coordination"])
def test_the_downloads_are_not_for_volunteers_nor_coordination(browser, make_compte, role, semis):
    browser.login(make_compte(role))
    for adresse in ("/pilotage/rapport.pdf", "/pilotage/export?format=csv"):
        assert browser.get(adresse).status_code in (403, 404)
