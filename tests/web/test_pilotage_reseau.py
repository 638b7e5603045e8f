"""The network's dashboard (/pilotage/reseau) through the test client: a column per structure as its director
sees it and one for the whole network, no person anywhere, the network's charts as SVG images with their own
policy, the period refused beside the field, other roles refused, and as many statements for a larger history."""

from __future__ import annotations

import html as html_module
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
