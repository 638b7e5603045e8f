"""The network's dashboard (/pilotage/reseau) through the test client: a column per structure as its director
sees it and one for the whole network, no person anywhere, the network's charts as SVG images with their own
policy, the period refused beside the field, other roles refused, and as many statements for a larger history;
its downloads (the figures as CSV, XLSX or ODS, the annual report as PDF) read back and compared with the page."""

from __future__ import annotations

import html as html_module
import io
import re

import pytest

from core import reseaux
from core.security import CONTENT_SECURITY_POLICY
from extensions import db
from pilotage import tableau_de_bord
from pilotage.periode import annee_civile
from pilotage.routes import POLITIQUE_SVG
from tests.ateliers_fixtures import freeze_clock
from tests.pilotage_fixtures import NOW, TODAY, semer

PAGE = "/pilotage/reseau"


@pytest.fixture
def membre(make_structure):
    return make_structure(nom="France Services de Bias")


@pytest.fixture
def reseau(structure, membre, make_compte):
    """The network headed by ``structure`` with ``membre``, made as the head's admin makes it."""
    admin = make_compte("admin")
    cree = reseaux.creer_reseau(admin, "Réseau du Val")
    reseaux.ajouter_structure(admin, membre.id)
    db.session.commit()
    return cree


@pytest.fixture
def coordination(make_compte, reseau):
    # A first name unlike the seeded learners' ("Prénom12"): the page shows the account's own name.
    return make_compte("coordination", prenom="Agnès", nom="Coordonnatrice")


def _semer(structure, make_compte, ateliers: int):
    return semer(
        structure, make_compte("mediateur", structure=structure), make_compte("benevole", structure=structure), ateliers
    )


@pytest.fixture
def semis(monkeypatch, structure, membre, make_compte, reseau):
    """One finished workshop in the head, two in the member (plus a running one each)."""
    freeze_clock(monkeypatch, NOW)
    return _semer(structure, make_compte, 1), _semer(membre, make_compte, 2)


def _texte(fragment: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def _colonnes(page: str, cle: str) -> tuple[list[str], dict[str, list[str]]]:
    """The key figures' table of the section ``cle``: its column headers and, per figure, its cells' text."""
    tableau = page.split(f'id="chiffres-{cle}"')[1].split("</table>")[0]
    entetes = [_texte(th) for th in re.findall(r'<th scope="col">(.*?)</th>', tableau)]
    lignes = {}
    for libelle, cellules in re.findall(r'<tr>\s*<th scope="row">(.*?)<details>.*?</th>(.*?)</tr>', tableau, re.S):
        lignes[_texte(libelle)] = [_texte(td) for td in re.findall(r"<td>(.*?)</td>", cellules, re.S)]
    return entetes, lignes


def _ecrit(chiffre: tableau_de_bord.Chiffre) -> str:
    """A figure as the director's page writes it: the value, its unit, its rate in brackets."""
    texte = tableau_de_bord.cellule_fr(chiffre.valeur)
    if chiffre.unite and chiffre.valeur is not None:
        texte += f" {chiffre.unite}"
    if chiffre.a_une_part:
        texte += f" ({tableau_de_bord.pourcent(chiffre.part)})"
    return texte


def test_each_structure_has_its_director_s_figures_and_the_network_its_own(browser, coordination, semis):
    tete, membre = (s.structure for s in semis)
    browser.login(coordination)
    page = browser.get(f"{PAGE}?type=annee&annee=2026").get_data(as_text=True)
    assert "Réseau « Réseau du Val » : année 2026" in _texte(page)
    periode = annee_civile(2026)
    colonnes = {
        tete.nom: tableau_de_bord.sections(tableau_de_bord.contexte([tete.id], periode, NOW, TODAY)),
        membre.nom: tableau_de_bord.sections(tableau_de_bord.contexte([membre.id], periode, NOW, TODAY)),
        "Réseau": tableau_de_bord.sections(tableau_de_bord.contexte([tete.id, membre.id], periode, NOW, TODAY)),
    }
    for rang, section in enumerate(colonnes["Réseau"]):
        entetes, lignes = _colonnes(page, section.cle)
        assert entetes == ["Indicateur", tete.nom, membre.nom, "Réseau"]  # the head first
        assert list(lignes) == [c.libelle for c in section.chiffres]
        for numero, chiffre in enumerate(section.chiffres):
            attendu = [_ecrit(colonnes[nom][rang].chiffres[numero]) for nom in entetes[1:]]
            assert lignes[chiffre.libelle] == attendu, chiffre.libelle
            assert chiffre.definition in _texte(page)
        for tableau in section.tableaux:
            assert f'id="tableau-{tableau.nom}"' in page
    # Counted by hand from the seed (tests/pilotage_fixtures.py): four learners start in each workshop, the
    # running one included; the capacities alternate 4 and 5.
    _, ateliers = _colonnes(page, "ateliers")
    assert ateliers["Apprenants ayant commencé"] == ["8", "12", "20"]
    assert ateliers["Ateliers commencés"] == ["2", "3", "5"]
    assert ateliers["Places offertes"] == ["9", "13", "22"]
    assert ateliers["Places prises (taux de remplissage)"] == ["8 (89\u202f%)", "12 (92\u202f%)", "20 (91\u202f%)"]
    assert "<script>" not in page and " style=" not in page


def test_no_person_appears_anywhere_on_the_page(browser, coordination, semis):
    from core.models import Apprenant

    browser.login(coordination)
    page = browser.get(f"{PAGE}?type=annee&annee=2026").get_data(as_text=True)
    apprenants = db.session.query(Apprenant).all()
    assert len(apprenants) == (2 + 3) * 4 + 2 * 4  # the workshops' learners, then the people waiting
    for apprenant in apprenants:
        assert apprenant.nom not in page and apprenant.telephone.removeprefix("+33") not in page
    assert "Prénom" not in page  # every seeded learner's first name, and no mediator's either
    assert "+33" not in page and "tel:" not in page
    assert "à risque" not in page


def test_the_network_s_charts_are_svg_images_over_all_its_structures(browser, coordination, semis):
    from pilotage import graphiques

    tete, membre = (s.structure for s in semis)
    browser.login(coordination)
    reponse = browser.get(f"{PAGE}?type=annee&annee=2026")
    assert reponse.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    sources = re.findall(r'<img src="([^"]+)"', reponse.get_data(as_text=True))
    assert {re.search(r"graphiques/(\w+)\.svg", src).group(1) for src in sources} == set(
        tableau_de_bord.SECTION_DU_GRAPHIQUE
    )
    ctx = tableau_de_bord.contexte([tete.id, membre.id], annee_civile(2026), NOW, TODAY)
    for source in sources:
        assert source.startswith("/pilotage/reseau/graphiques/") and "debut=2026-01-01" in source
        image = browser.get(html_module.unescape(source))
        assert image.status_code == 200 and image.mimetype == "image/svg+xml"
        assert image.headers["Content-Security-Policy"] == POLITIQUE_SVG
        nom = re.search(r"graphiques/(\w+)\.svg", source).group(1)
        section = tableau_de_bord.SECTIONS[tableau_de_bord.SECTION_DU_GRAPHIQUE[nom]](ctx)
        assert image.get_data() == graphiques.svg(section.graphique(nom), section.tableau(nom))


def test_the_chart_route_refuses_unknown_charts_and_bad_periods(browser, coordination, semis):
    browser.login(coordination)
    assert browser.get(f"{PAGE}/graphiques/survie.svg").status_code == 200
    assert browser.get(f"{PAGE}/graphiques/inconnu.svg").status_code == 404
    assert browser.get(f"{PAGE}/graphiques/survie.svg?type=dates&debut=2026-04-17&fin=2026-03-03").status_code == 404
    assert browser.get(f"{PAGE}/graphiques/survie.svg?type=dates&debut=2015-01-01&fin=2026-03-03").status_code == 404


def test_a_period_ending_before_it_starts_is_refused_beside_the_field(browser, coordination, semis):
    browser.login(coordination)
    reponse = browser.get(f"{PAGE}?type=dates&debut=17/04/2026&fin=03/03/2026")
    page = reponse.get_data(as_text=True)
    assert reponse.status_code == 200
    assert 'id="fin-erreurs"' in page and "est avant le début" in page
    assert 'value="17/04/2026"' in page
    assert 'id="chiffres-ateliers"' not in page


def test_the_default_period_is_the_director_s(browser, coordination, semis):
    from pilotage.periode import par_defaut

    browser.login(coordination)
    page = _texte(browser.get(PAGE).get_data(as_text=True))
    assert f"Réseau « Réseau du Val » : {par_defaut(TODAY).libelle}" in page


def test_a_coordination_account_whose_structure_heads_no_network_is_told_so(browser, make_structure, make_compte):
    seule = make_structure(nom="CCAS isolé")
    compte = make_compte("coordination", structure=seule)
    browser.login(compte)
    reponse = browser.get(PAGE)
    assert reponse.status_code == 200
    assert "n'est la tête d'aucun réseau" in _texte(reponse.get_data(as_text=True))
    assert browser.get(f"{PAGE}/graphiques/survie.svg").status_code == 404


@pytest.mark.parametrize("role", ["direction", "admin", "mediateur", "benevole"])
def test_other_roles_are_refused(browser, make_compte, reseau, role):
    browser.login(make_compte(role))
    for url in (PAGE, f"{PAGE}/graphiques/survie.svg"):
        reponse = browser.get(url)
        assert reponse.status_code == 403, (role, url)
        assert "Accès refusé" in reponse.get_data(as_text=True)


def test_coordination_reaches_the_page_from_its_home_and_the_menu(browser, coordination):
    browser.login(coordination)
    accueil = browser.get("/").get_data(as_text=True)
    assert accueil.count(f'href="{PAGE}"') == 2
    page = browser.get(PAGE).get_data(as_text=True)
    assert f'<a href="{PAGE}" aria-current="page">Tableau de bord du réseau</a>' in page


def test_the_page_runs_as_many_statements_for_a_larger_history(
    browser, coordination, structure, membre, make_compte, monkeypatch, count_queries
):
    freeze_clock(monkeypatch, NOW)
    _semer(structure, make_compte, 1)
    _semer(membre, make_compte, 1)
    browser.login(coordination)
    browser.get(f"{PAGE}?type=annee&annee=2026")
    with count_queries() as petit:
        browser.get(f"{PAGE}?type=annee&annee=2026")
    _semer(structure, make_compte, 5)
    _semer(membre, make_compte, 6)
    with count_queries() as grand:
        page = browser.get(f"{PAGE}?type=annee&annee=2026").get_data(as_text=True)
    assert len(petit) == len(grand)
    _, ateliers = _colonnes(page, "ateliers")
    assert ateliers["Ateliers commencés"] == ["8", "9", "17"]  # the larger history is read


# --- Downloads ---------------------------------------------------------------------------------------------


def _lien(page: str, texte: str) -> str:
    """The address of the download link whose text is ``texte``."""
    return html_module.unescape(re.search(rf'<a href="([^"]+)" download>{re.escape(texte)}', page).group(1))


def _feuille(classeur, nom: str) -> list[tuple]:
    """A sheet's data rows (under its title and header, above the blank row and the definition)."""
    lignes = list(classeur[nom].iter_rows(values_only=True))
    donnees = lignes[2:]
    return donnees[: donnees.index((None,) * len(lignes[1]))] if (None,) * len(lignes[1]) in donnees else donnees


def _dernier_journal():
    from core.models import Journal

    return db.session.query(Journal).order_by(Journal.id.desc()).first()


def _personnes():
    """Every learner's name and first name, and every mediator's and volunteer's."""
    from core.models import Apprenant, Compte

    return (
        {a.nom for a in db.session.query(Apprenant)}
        | {a.prenom for a in db.session.query(Apprenant)}
        | {c.nom for c in db.session.query(Compte) if c.role in ("mediateur", "benevole")}
    )


def test_the_xlsx_holds_the_page_s_figures_for_each_structure_and_the_network(browser, coordination, semis):
    import openpyxl

    from pilotage.tableau_de_bord import cellule_fr, pourcent

    tete, membre = (s.structure for s in semis)
    browser.login(coordination)
    page = browser.get(f"{PAGE}?type=annee&annee=2026").get_data(as_text=True)
    reponse = browser.get(_lien(page, "Excel (XLSX)"))
    assert reponse.status_code == 200
    assert 'filename="tableau-de-bord-reseau_2026-01-01_2026-12-31.xlsx"' in reponse.headers["Content-Disposition"]
    classeur = openpyxl.load_workbook(io.BytesIO(reponse.get_data()))
    sections = tableau_de_bord.sections(tableau_de_bord.contexte([tete.id, membre.id], annee_civile(2026), NOW, TODAY))
    for section in sections:
        entetes, lignes = _colonnes(page, section.cle)
        feuille = classeur[f"reseau_{section.cle}"]
        assert [c.value for c in feuille[2]] == [*entetes, "Définition"]
        parts = {}
        if any(c.a_une_part for c in section.chiffres):
            parts = {ligne[0]: ligne[1:] for ligne in _feuille(classeur, f"reseau_{section.cle}_parts")}
        comptes = _feuille(classeur, f"reseau_{section.cle}")
        assert len(comptes) == len(lignes)
        for (libelle, attendu), ligne in zip(lignes.items(), comptes, strict=True):
            unite = ligne[0].removeprefix(libelle).strip(" ()")
            assert ligne[0] in (libelle, f"{libelle} ({unite})")
            ecrit = [
                cellule_fr(valeur)
                + (f" {unite}" if unite and valeur is not None else "")
                + (f" ({pourcent(parts[libelle][rang])})" if libelle in parts else "")
                for rang, valeur in enumerate(ligne[1:-1])
            ]
            assert ecrit == attendu, libelle  # both structures and the network, as the page writes them
        # the network's own tables, row by row as the page's
        for tableau in section.tableaux:
            sur_la_page = page.split(f'id="tableau-{tableau.nom}"')[1].split("</table>")[0]
            premiers = [_texte(th) for th in re.findall(r'<th scope="row">(.*?)</th>', sur_la_page, re.S)]
            assert [cellule_fr(ligne[0]) for ligne in _feuille(classeur, tableau.nom)] == premiers, tableau.nom
            assert classeur[tableau.nom].cell(1, 1).value == f"{tableau.titre} (réseau)"
    _, ateliers = _colonnes(page, "ateliers")
    assert ateliers["Ateliers commencés"] == ["2", "3", "5"]  # the figures compared above are not all empty
    cellules = {
        str(c) for feuille in classeur.worksheets for ligne in feuille.iter_rows(values_only=True) for c in ligne
    }
    assert not _personnes() & cellules
    assert not any("Prénom" in cellule for cellule in cellules)
    journal = _dernier_journal()
    assert (journal.action, journal.objet, journal.compte_id) == ("export", "pilotage", coordination.id)
    assert "du 2026-01-01 au 2026-12-31" in journal.details and "xlsx" in journal.details


@pytest.mark.parametrize("format_", ["csv", "ods"])
def test_the_other_formats_are_files_of_the_same_tables(browser, coordination, semis, format_):
    browser.login(coordination)
    page = browser.get(f"{PAGE}?type=annee&annee=2026").get_data(as_text=True)
    reponse = browser.get(_lien(page, {"csv": "CSV (Excel)", "ods": "LibreOffice (ODS)"}[format_]))
    assert reponse.status_code == 200 and f".{format_}" in reponse.headers["Content-Disposition"]
    if format_ == "csv":
        texte = reponse.get_data().decode("utf-8-sig")
        assert "Ateliers : chiffres clés par structure et pour le réseau" in texte
        assert "Ateliers commencés;2;3;5;" in texte
    assert format_ in _dernier_journal().details


def test_the_report_names_the_network_and_each_structure_and_no_one(browser, coordination, semis):
    import pypdf

    tete, membre = (s.structure for s in semis)
    browser.login(coordination)
    page = browser.get(f"{PAGE}?type=annee&annee=2026").get_data(as_text=True)
    reponse = browser.get(_lien(page, "Rapport d'activité du réseau pour les financeurs (PDF)"))
    assert reponse.status_code == 200 and reponse.mimetype == "application/pdf"
    lecteur = pypdf.PdfReader(io.BytesIO(reponse.get_data()))
    texte = " ".join(" ".join(p.extract_text() for p in lecteur.pages).replace("\u202f", " ").split())
    assert "Rapport d'activité – année 2026" in texte
    assert f"Réseau Réseau du Val ({tete.nom})" in texte and membre.nom in texte
    for section in tableau_de_bord.sections(
        tableau_de_bord.contexte([tete.id, membre.id], annee_civile(2026), NOW, TODAY)
    ):
        assert section.titre in texte
        assert f"{section.titre} : par structure et pour le réseau" in texte
    # the network's figures and each structure's, as the page writes them
    assert "Ateliers commencés 2 3 5" in texte
    assert not _personnes() & set(texte.split()) and "Prénom" not in texte
    journal = _dernier_journal()
    assert (journal.action, journal.objet) == ("export", "pilotage")
    assert "rapport d'activité du réseau" in journal.details and "2026-12-31 ; pdf" in journal.details


@pytest.mark.parametrize(
    ("adresse", "champ"),
    [
        (f"{PAGE}/rapport.pdf?type=dates&debut=17/04/2026&fin=03/03/2026", "fin"),
        (f"{PAGE}/export?type=dates&debut=01/01/2026&fin=03/03/2026&format=docx", "format"),
        (f"{PAGE}/export?type=dates&debut=01/01/2020&fin=03/03/2026&format=csv", "fin"),
    ],
)
def test_a_bad_period_or_format_of_a_download_shows_the_page_with_the_message(
    browser, coordination, semis, adresse, champ
):
    browser.login(coordination)
    reponse = browser.get(adresse)
    assert reponse.status_code == 400 and reponse.mimetype == "text/html"
    page = reponse.get_data(as_text=True)
    assert f'id="{champ}-erreurs"' in page and 'id="chiffres-ateliers"' not in page
    assert _dernier_journal() is None or _dernier_journal().action != "export"


def test_downloads_need_a_network(browser, make_structure, make_compte):
    browser.login(make_compte("coordination", structure=make_structure(nom="CCAS isolé")))
    for adresse in (f"{PAGE}/export?format=csv", f"{PAGE}/rapport.pdf"):
        assert browser.get(adresse).status_code == 404


@pytest.mark.parametrize("role", ["direction", "admin", "mediateur", "benevole"])
def test_the_downloads_are_refused_to_other_roles(browser, make_compte, reseau, role):
    browser.login(make_compte(role))
    for adresse in (f"{PAGE}/export?format=xlsx", f"{PAGE}/rapport.pdf"):
        assert browser.get(adresse).status_code == 403, (role, adresse)
