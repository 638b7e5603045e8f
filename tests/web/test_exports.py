"""Downloads through the test client: the mediator's learner list (compared with the list page), La Coop's
collective activities (checked field by field on the Monday-morning workshop), the journal, who may, and bad
input refused beside its field."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from ateliers import services
from ateliers.presences import Saisie, enregistrer_presences
from core.models import Journal
from extensions import db
from pilotage import la_coop
from pilotage.tableaux import Tableau
from pilotage.telechargement import reponse
from tests.ateliers_fixtures import START, TODAY, inscription_of, make_atelier
from tests.conftest import Browser, csrf_token_from
from tests.unit.test_exports import ods_lignes

# 1 June 2026, 10:00 Paris: séances 1 to 6 of the Monday-morning workshop are past.
NOW = datetime(2026, 6, 1, 8, 0)
pytestmark = pytest.mark.usefixtures("frozen_clock")

ANNEE_2026 = "type=annee&annee=2026"


def attend(mediatrice, atelier, numero: int, **statuts: str) -> None:
    """The attendance of séance ``numero`` saved as the mediator would, on its day."""
    seance = atelier.seances[numero - 1]
    saisies = {inscription_of(atelier, nom).id: Saisie(statut) for nom, statut in statuts.items()}
    enregistrer_presences(mediatrice, atelier, seance, saisies, seance.starts_at.date())
    db.session.commit()


def lire_csv(contenu: bytes) -> list[list[str]]:
    assert contenu.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(contenu.decode("utf-8-sig"), newline=""), delimiter=";"))


def journal_exports() -> list[Journal]:
    return list(db.session.scalars(sa.select(Journal).where(Journal.action == "export").order_by(Journal.id)))


# --- La Coop ---------------------------------------------------------------------------------------------


@pytest.fixture
def autre_atelier(make_structure, make_apprenant, make_compte):
    """A workshop of another structure, held on the same days, its attendance taken."""
    autre = make_structure(nom="France Services de l'Autre-Rive", commune="Ailleurs")
    mediateur = make_compte("mediateur", structure=autre)
    atelier = make_atelier(autre, [make_apprenant(structure=autre, nom="Voisin")], intitule="Atelier d'en face")
    services.planifier_atelier(mediateur, atelier, START, "Salle B", [mediateur.id], TODAY)
    db.session.commit()
    attend(mediateur, atelier, 1, Voisin="present")
    return atelier


@pytest.fixture
def tenu(atelier_de_roux, mediatrice, autre_atelier):
    """Séance 1: Martin present, Bernard late, Roux absent; séance 2: nobody came; séance 3: all three came;
    séances 4 to 6: no attendance taken."""
    attend(mediatrice, atelier_de_roux, 1, Martin="present", Bernard="retard", Roux="absent")
    attend(mediatrice, atelier_de_roux, 2, Martin="absent", Bernard="absent_excuse", Roux="absent")
    attend(mediatrice, atelier_de_roux, 3, Martin="present", Bernard="present", Roux="present")
    return atelier_de_roux


def activites(lignes: list[list]) -> list[dict]:
    """The activities of La Coop's file, by column name (title row, header, rows, blank, definition)."""
    assert lignes[0][0].startswith("Activités collectives pour La Coop")
    entete = lignes[1]
    assert tuple(entete) == la_coop.COLONNES
    corps = lignes[2:]
    fin = corps.index([]) if [] in corps else len(corps)
    assert corps[fin + 1] == [la_coop.DEFINITION]
    return [dict(zip(entete, ligne, strict=True)) for ligne in corps[:fin]]


def test_la_coop_csv_has_one_collective_activity_per_seance_held_field_by_field(browser, mediatrice, tenu):
    browser.login(mediatrice)
    response = browser.get(f"/pilotage/la-coop?{ANNEE_2026}&format=csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="la-coop_2026-01-01_2026-12-31.csv"'
    lignes = activites(lire_csv(response.data))
    commun = {
        "Type d'activité": "Atelier collectif",
        "Durée (min)": "180",
        "Type de lieu": "Lieu d'activité",
        "Lieu d'activité": "CCAS de Saint-Test",
        "Commune": "Testville",
        "Niveau de l'atelier": "Débutant",
        "Matériel numérique utilisé": "Ordinateur",
    }
    assert lignes == [
        {
            **commun,
            "Date": "30/03/2026",
            "Nombre de participants": "2",  # present and late; the absent one is not counted
            "Nom de l'atelier": "Lundi matin – séance 1 : L'ordinateur, la souris, le clavier",
            "Thématiques": "Prendre en main du matériel",
            "Thématiques (codes La Coop)": "prendre_en_main_du_materiel",
        },
        # séance 2 (13 April): nobody came, no activity
        {
            **commun,
            "Date": "20/04/2026",
            "Nombre de participants": "3",
            "Nom de l'atelier": "Lundi matin – séance 3 : Naviguer et rechercher sur internet",
            "Thématiques": "Navigation sur internet, Prévention en sécurité numérique",
            "Thématiques (codes La Coop)": "navigation_sur_internet, securite_numerique",
        },
    ]
    contenu = response.get_data(as_text=True)
    for nom in ("Martin", "Bernard", "Roux", "Voisin", "Autre-Rive", "en face"):
        assert nom not in contenu  # no learner, and never another structure's workshop
    (entree,) = journal_exports()
    assert (entree.compte_id, entree.objet, entree.objet_id) == (mediatrice.id, "la_coop", None)
    assert entree.details == "activités collectives du 2026-01-01 au 2026-12-31 ; csv ; 2 lignes"


def test_la_coop_xlsx_and_ods_carry_the_same_activities(browser, mediatrice, tenu):
    from openpyxl import load_workbook

    browser.login(mediatrice)
    xlsx = browser.get(f"/pilotage/la-coop?{ANNEE_2026}&format=xlsx")
    feuille = load_workbook(io.BytesIO(xlsx.data))["la_coop"]
    rangees = [[c.value for c in rangee] for rangee in feuille.iter_rows()]
    assert tuple(rangees[1]) == la_coop.COLONNES
    assert [(r[0].date(), r[2], r[3], r[10]) for r in rangees[2:4]] == [
        (date(2026, 3, 30), 2, 180, "Prendre en main du matériel"),
        (date(2026, 4, 20), 3, 180, "Navigation sur internet, Prévention en sécurité numérique"),
    ]
    ods = ods_lignes(browser.get(f"/pilotage/la-coop?{ANNEE_2026}&format=ods").data)["la_coop"]
    assert [(r[0], r[2]) for r in ods[2:4]] == [
        (("date", "2026-03-30"), ("float", 2.0)),
        (("date", "2026-04-20"), ("float", 3.0)),
    ]
    assert [e.details.split(" ; ")[1] for e in journal_exports()] == ["xlsx", "ods"]


def test_la_coop_keeps_to_the_period(browser, mediatrice, tenu):
    browser.login(mediatrice)
    response = browser.get("/pilotage/la-coop?type=dates&debut=01/04/2026&fin=30/04/2026&format=csv")
    assert [ligne["Date"] for ligne in activites(lire_csv(response.data))] == ["20/04/2026"]


@pytest.mark.parametrize(
    ("args", "champ", "message"),
    [
        ("type=dates&debut=17/04/2026&fin=03/03/2026&format=csv", "fin", "est avant le début"),
        ("type=dates&debut=01/01/2019&fin=31/12/2025&format=csv", "fin", "cinq ans"),
        ("type=annee&annee=2026&format=xls", "format", "Choisissez un format de la liste"),
    ],
)
def test_la_coop_bad_period_or_format_is_refused_beside_its_field(browser, mediatrice, tenu, args, champ, message):
    browser.login(mediatrice)
    response = browser.get(f"/pilotage/la-coop?{args}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    erreurs = re.search(rf'<ul class="field-errors" id="{champ}-erreurs">(.*?)</ul>', page, re.S)
    assert erreurs and message in html.unescape(erreurs.group(1))
    if "debut=" in args:
        debut = re.search(r"debut=([^&]+)", args).group(1)
        assert f'value="{debut}"' in page  # what was typed is kept
    assert journal_exports() == []


def test_la_coop_page_without_a_query_offers_the_choice(browser, mediatrice):
    browser.login(mediatrice)
    page = browser.get("/pilotage/la-coop").get_data(as_text=True)
    assert "Export pour La Coop de la médiation numérique" in page and 'name="format"' in page


@pytest.mark.parametrize("role", ["benevole", "direction"])
def test_la_coop_is_for_admin_and_mediators_only(browser, make_compte, role):
    browser.login(make_compte(role))
    assert browser.get(f"/pilotage/la-coop?{ANNEE_2026}&format=csv").status_code == 403


# --- the mediator's learner list -------------------------------------------------------------------------


@pytest.fixture
def registre(make_app, make_structure, make_apprenant, make_candidate, atelier_de_roux):
    """The workshop's three learners, two people waiting (one with a formula-like commune), and a namesake in
    another structure; the list shows two people a page."""
    make_candidate(prenom="Nadia", nom="Ferhat", score=45, niveau=1, dispo=("lun-matin",), today=TODAY)
    make_candidate(prenom="Marc", nom="Martinez", niveau=2, commune="=1+1", today=TODAY)
    autre = make_structure(nom="France Services de l'Autre-Rive")
    make_apprenant(structure=autre, prenom="Josiane", nom="Martin")
    return atelier_de_roux


@pytest.fixture
def client_mediatrice(app, browser, mediatrice, registre):
    """The mediator signed in, the list showing two learners a page: the export takes every page."""
    app.config["APPRENANTS_PER_PAGE"] = 2
    browser.login(mediatrice)
    return browser


def page_liste(navigateur, q: str | None = None, page: int = 1) -> tuple[list[tuple[str, str]], str]:
    """(name as shown, phone as shown) of each row of one page of the list, and the page's HTML."""
    if q is None and page == 1:
        texte = navigateur.get("/apprenants/").get_data(as_text=True)
    elif q is None:
        texte = navigateur.get(f"/apprenants/?page={page}").get_data(as_text=True)
    else:
        texte = navigateur.submit("/apprenants/", {"q": q, "page": page}).get_data(as_text=True)
    rangees = re.findall(
        r"<tr>\s*<td><a href=\"/apprenants/\d+\">([^<]*)</a></td>\s*<td class=\"nowrap\">(.*?)</td>", texte
    )
    return [(html.unescape(nom), html.unescape(re.sub(r"<[^>]+>", "", tel))) for nom, tel in rangees], texte


def exporter_liste(navigateur, format_: str, q: str = ""):
    """Post the download form of the list page (of the search ``q``) as the browser would: its hidden fields as
    the page wrote them, and the format chosen."""
    page = page_liste(navigateur, q or None)[1]
    formulaire = re.search(r'<form method="post" action="/apprenants/export"[^>]*>(.*?)</form>', page, re.S)
    assert formulaire, "no download form on the list page"
    champs = {
        html.unescape(nom): html.unescape(valeur)
        for nom, valeur in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', formulaire.group(1))
    }
    assert champs["export-q"] == q
    return navigateur.client.post("/apprenants/export", data={**champs, "export-format": format_})


def test_the_learner_list_export_is_the_list_page_every_page_of_it(client_mediatrice):
    montres = []
    for numero in (1, 2, 3):
        montres += page_liste(client_mediatrice, page=numero)[0]
    assert len(montres) == 5  # three pages of two
    response = exporter_liste(client_mediatrice, "csv")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    lignes = lire_csv(response.data)
    assert lignes[0] == ["Apprenants"]
    entete, corps = lignes[1], lignes[2 : 2 + len(montres)]
    exportes = [dict(zip(entete, ligne, strict=True)) for ligne in corps]
    assert [(f"{e['Nom'].upper()} {e['Prénom']}", e["Téléphone"]) for e in exportes] == montres
    par_nom = {e["Nom"]: e for e in exportes}
    assert (par_nom["Martin"]["Dernier atelier"], par_nom["Martin"]["Statut dans l'atelier"]) == (
        "Lundi matin",
        "Inscription en cours",
    )
    assert (
        par_nom["Ferhat"]["Niveau"],
        par_nom["Ferhat"]["Liste d'attente"],
        par_nom["Ferhat"]["En attente depuis"],
    ) == (
        "Débutant",
        "En attente",
        "30/01/2026",
    )
    assert par_nom["Ferhat"]["Disponibilités"] == "Lundi matin"
    assert par_nom["Martinez"]["Commune"] == "'=1+1"  # neutralised
    assert "Autre-Rive" not in response.get_data(as_text=True)
    assert sum(e["Prénom"] == "Josiane" and e["Nom"] == "Martin" for e in exportes) == 1  # not the namesake


def test_the_export_keeps_the_search_and_journals_personal_data_without_the_terms(client_mediatrice, mediatrice):
    montres, _ = page_liste(client_mediatrice, q="martin")
    response = exporter_liste(client_mediatrice, "xlsx", q="martin")
    from openpyxl import load_workbook

    feuille = load_workbook(io.BytesIO(response.data))["apprenants"]
    rangees = [[c.value for c in r] for r in feuille.iter_rows(min_row=3, max_row=2 + len(montres))]
    assert (
        [(f"{r[0].upper()} {r[1]}", r[2]) for r in rangees]
        == montres
        == [
            ("MARTIN Josiane", montres[0][1]),
            ("MARTINEZ Marc", montres[1][1]),
        ]
    )
    (entree,) = journal_exports()
    assert (entree.compte_id, entree.action, entree.objet) == (mediatrice.id, "export", "apprenant")
    assert entree.details == "liste des apprenants, recherche ; xlsx ; 2 lignes"
    assert "martin" not in entree.details.lower().replace("apprenants", "")


def test_the_ods_export_is_the_same_list(client_mediatrice):
    montres, _ = page_liste(client_mediatrice, q="martin")
    lues = ods_lignes(exporter_liste(client_mediatrice, "ods", q="martin").data)["apprenants"]
    assert [(f"{r[0][1].upper()} {r[1][1]}", r[2][1]) for r in lues[2:4]] == montres


def test_a_bad_format_brings_the_list_back_with_the_message_and_the_search(client_mediatrice):
    response = exporter_liste(client_mediatrice, "xls", q="martin")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    erreurs = re.search(r'<ul class="field-errors" id="export-format-erreurs">(.*?)</ul>', page, re.S)
    assert erreurs and "Choisissez un format de la liste" in html.unescape(erreurs.group(1))
    assert 'value="martin"' in page  # the search is kept, in the search box and in the export form
    assert "MARTINEZ Marc" in page
    assert journal_exports() == []


def test_the_list_offers_the_download_to_mediators_only(app, make_compte, registre):
    for role, offert in (("mediateur", True), ("admin", True), ("direction", False)):
        navigateur = Browser(app.test_client())
        navigateur.login(make_compte(role))
        page = navigateur.get("/apprenants/").get_data(as_text=True)
        assert ('action="/apprenants/export"' in page) is offert, role


@pytest.mark.parametrize("role", ["benevole", "direction"])
def test_volunteers_and_direction_cannot_export_the_list(browser, make_compte, registre, role):
    browser.login(make_compte(role))
    jeton = csrf_token_from(browser.get("/").get_data(as_text=True))
    response = browser.client.post("/apprenants/export", data={"export-format": "csv", "export-csrf_token": jeton})
    assert response.status_code == 403
    assert journal_exports() == []


# --- the helper the dashboard's download buttons call ----------------------------------------------------


def test_the_response_helper_names_the_file(app):
    tableau = Tableau.de("taux", "Taux", ["Taux"], [[0.5]], pourcentages=[0])
    with app.test_request_context():
        response = reponse([tableau], "ods", "pilotage année 2026/../é")
    assert response.headers["Content-Disposition"] == 'attachment; filename="pilotage-ann-e-2026.ods"'
    assert response.mimetype == "application/vnd.oasis.opendocument.spreadsheet"
