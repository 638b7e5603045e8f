import re

import pytest
import sqlalchemy as sa

from core.models import Apprenant, Journal
from extensions import db

GOOD = {
    "prenom": "Élodie",
    "nom": "Lefèvre",
    "telephone": "06 12 34 56 78",
    "email": "",
    "adresse": "",
    "code_postal": "47300",
    "commune": "Bias",
    "tranche_age": "60_74",
    "disponibilites": ["mar-matin", "jeu-apm"],
    "canal_prefere": "sms",
}


@pytest.fixture
def mediatrice(browser, make_compte):
    compte = make_compte("mediateur")
    browser.login(compte)
    return compte


def journal(action=None):
    statement = sa.select(Journal).order_by(Journal.id)
    if action:
        statement = statement.where(Journal.action == action)
    return list(db.session.scalars(statement))


def test_register_a_learner(browser, mediatrice):
    response = browser.submit("/apprenants/nouveau", GOOD)
    assert response.status_code == 302
    apprenant = db.session.scalar(sa.select(Apprenant))
    assert response.headers["Location"] == f"/apprenants/{apprenant.id}"
    assert apprenant.telephone == "+33612345678"
    assert apprenant.disponibilites == (1 << 2) | (1 << 7)  # mardi matin, jeudi après-midi
    detail = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "06 12 34 56 78" in detail
    assert "Mardi matin, Jeudi après-midi" in detail
    assert [j.action for j in journal()] == ["creation", "consultation"]


def test_bad_phone_comes_back_with_message_and_nothing_lost(browser, mediatrice):
    response = browser.submit("/apprenants/nouveau", {**GOOD, "telephone": "06 12 34"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Ce numéro de téléphone n&#39;existe pas" in html or "Ce numéro de téléphone n'existe pas" in html
    assert 'value="Élodie"' in html and 'value="Lefèvre"' in html and 'value="06 12 34"' in html
    assert 'value="Bias"' in html
    assert re.search(r'value="mar-matin"[^>]*checked|checked[^>]*value="mar-matin"', html)
    assert re.search(r'value="sms"[^>]*checked|checked[^>]*value="sms"', html)
    assert 'aria-invalid="true"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Apprenant)) == 0


def test_an_overseas_number_as_written_there_is_stored_e164_shown_nationally_and_found(browser, mediatrice):
    response = browser.submit("/apprenants/nouveau", {**GOOD, "telephone": "0692 12 34 56"})
    assert response.status_code == 302
    apprenant = db.session.scalar(sa.select(Apprenant))
    assert apprenant.telephone == "+262692123456"
    assert "0692 12 34 56" in browser.get(response.headers["Location"]).get_data(as_text=True)
    form = browser.get(f"/apprenants/{apprenant.id}/modifier").get_data(as_text=True)
    assert 'value="0692 12 34 56"' in form
    for typed in ("0692 12 34 56", "0692123456", "+262 692 12 34 56", "0692 12", "12 34 56"):
        found = browser.submit("/apprenants/", {"q": typed}).get_data(as_text=True)
        assert "1 apprenant pour" in found and "LEFÈVRE" in found, typed

    # The same number typed in its international form is the same person.
    again = browser.submit(
        "/apprenants/nouveau", {**GOOD, "prenom": "Marie", "nom": "Durand", "telephone": "+262692123456"}
    )
    html = again.get_data(as_text=True)
    assert again.status_code == 200 and "Cette personne existe peut-être déjà" in html
    assert "0692 12 34 56" in html


def test_an_overseas_number_that_does_not_exist_is_refused_beside_the_field(browser, mediatrice):
    response = browser.submit("/apprenants/nouveau", {**GOOD, "telephone": "0596 12 34 56"})
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 200
    assert '<ul class="field-errors" id="telephone-erreurs">' in html
    assert "Ce numéro de téléphone n'existe pas (Martinique) : vérifiez les chiffres." in html
    assert 'value="0596 12 34 56"' in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"prenom": ""}, "Ce champ est obligatoire."),
        ({"email": "josiane.exemple.fr"}, "Adresse électronique invalide"),
        ({"code_postal": "4730"}, "Le code postal compte 5 chiffres"),
        ({"telephone": "", "canal_prefere": "telephone"}, "Un numéro est nécessaire"),
        ({"canal_prefere": "email"}, "Une adresse électronique est nécessaire"),
        ({"canal_prefere": "courrier"}, "Une adresse postale est nécessaire"),
    ],
)
def test_bad_input_gets_a_french_message_beside_the_field(browser, mediatrice, changes, message):
    response = browser.submit("/apprenants/nouveau", {**GOOD, **changes})
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 200
    assert message in html
    assert re.search(r'class="field-errors" id="[a-z_]+-erreurs"', html)


def test_possible_duplicate_needs_confirmation(browser, mediatrice, make_apprenant):
    existing = make_apprenant(prenom="Elodie", nom="LEFEVRE", telephone="+33199001111")
    first = browser.submit("/apprenants/nouveau", GOOD)
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "Cette personne existe peut-être déjà" in html
    assert f"/apprenants/{existing.id}" in html
    assert 'value="Élodie"' in html
    confirmed = browser.submit("/apprenants/nouveau", {**GOOD, "confirmer_doublon": "y"})
    assert confirmed.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Apprenant)) == 2


def test_edit_a_learner(browser, mediatrice, make_apprenant):
    apprenant = make_apprenant(prenom="Élodie", nom="Lefèvre", telephone="+33612345678", disponibilites=0b11)
    form = browser.get(f"/apprenants/{apprenant.id}/modifier").get_data(as_text=True)
    assert 'value="06 12 34 56 78"' in form
    assert re.search(r'value="lun-matin"[^>]*checked|checked[^>]*value="lun-matin"', form)
    response = browser.submit(
        f"/apprenants/{apprenant.id}/modifier",
        {**GOOD, "commune": "Villeneuve-sur-Lot", "disponibilites": ["ven-matin"]},
    )
    assert response.status_code == 302
    db.session.refresh(apprenant)
    assert apprenant.commune == "Villeneuve-sur-Lot"
    assert apprenant.disponibilites == 1 << 8
    (change,) = journal("modification")
    assert "commune" in change.details


def test_list_searches_and_paginates(browser, mediatrice, make_apprenant, app):
    app.config["APPRENANTS_PER_PAGE"] = 5
    for number in range(12):
        make_apprenant(prenom="Paul", nom=f"Durand{number:02d}")
    make_apprenant(prenom="Élodie", nom="Lefèvre", telephone="+33612345678")
    page1 = browser.get("/apprenants/").get_data(as_text=True)
    assert "13 apprenants" in page1 and "Page 1 sur 3" in page1
    page3 = browser.get("/apprenants/?page=3").get_data(as_text=True)
    assert "LEFÈVRE" in page3
    found = browser.submit("/apprenants/", {"q": "lefevre"}).get_data(as_text=True)
    assert "1 apprenant pour « lefevre »" in found and "LEFÈVRE" in found and "DURAND" not in found
    by_phone = browser.submit("/apprenants/", {"q": "06 12 34"}).get_data(as_text=True)
    assert "LEFÈVRE" in by_phone and "DURAND" not in by_phone
    none = browser.submit("/apprenants/", {"q": "zzz"}).get_data(as_text=True)
    assert "Aucun apprenant ne correspond" in none
    assert browser.get("/apprenants/?page=99").status_code == 200


def test_search_and_its_pages_keep_the_terms_out_of_urls(browser, mediatrice, make_apprenant, app):
    app.config["APPRENANTS_PER_PAGE"] = 5
    for number in range(7):
        make_apprenant(prenom="Paul", nom=f"Durand{number:02d}", telephone=f"+3361234560{number}")
    make_apprenant(prenom="Élodie", nom="Lefèvre")
    first = browser.submit("/apprenants/", {"q": "durand"})
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and "7 apprenants pour « durand »" in html and "Page 1 sur 2" in html
    # Neither the search form nor the pager puts the terms in an address: both are POSTed.
    assert not re.search(r'<form[^>]*method="get"', html) and "q=" not in html
    second = browser.submit("/apprenants/", {"q": "durand", "page": "2"})
    assert "Page 2 sur 2" in second.get_data(as_text=True) and "DURAND06" in second.get_data(as_text=True)
    # An old bookmarked search address shows the plain list, and runs no search.
    assert "13 apprenants" not in browser.get("/apprenants/?q=durand").get_data(as_text=True)
    assert "pour « durand »" not in browser.get("/apprenants/?q=durand").get_data(as_text=True)


def test_viewing_the_list_and_a_learner_is_journaled(browser, mediatrice, make_apprenant):
    apprenant = make_apprenant()
    browser.submit("/apprenants/", {"q": "secret"})  # the list (GET), then the search (POST)
    browser.get(f"/apprenants/{apprenant.id}")
    entries = journal("consultation")
    assert [(e.objet_id, e.compte_id, e.details) for e in entries] == [
        (None, mediatrice.id, "liste, page 1"),
        (None, mediatrice.id, "recherche, page 1"),
        (apprenant.id, mediatrice.id, "fiche"),
    ]
    assert all("secret" not in e.details for e in entries)


def test_direction_reads_but_cannot_edit(browser, make_compte, make_apprenant):
    apprenant = make_apprenant()
    browser.login(make_compte("direction"))
    detail = browser.get(f"/apprenants/{apprenant.id}").get_data(as_text=True)
    assert "Modifier la fiche" not in detail
    assert browser.get(f"/apprenants/{apprenant.id}/modifier").status_code == 403


def test_learner_list_query_count_does_not_grow_with_rows(browser, mediatrice, make_apprenant, count_queries, app):
    app.config["APPRENANTS_PER_PAGE"] = 100
    make_apprenant()
    with count_queries() as one:
        assert browser.get("/apprenants/").status_code == 200
    for _ in range(49):
        make_apprenant()
    with count_queries() as fifty:
        page = browser.get("/apprenants/")
    assert "50 apprenants" in page.get_data(as_text=True)
    assert len(fifty) == len(one)


def test_learner_detail_query_count_does_not_grow_with_history(browser, mediatrice, make_apprenant, count_queries):
    from evaluations.curriculum import current_questionnaire
    from evaluations.models import Positionnement

    apprenant = make_apprenant()

    def add_placement():
        db.session.add(
            Positionnement(
                apprenant_id=apprenant.id,
                questionnaire_id=current_questionnaire().id,
                compte_id=mediatrice.id,
                mode="telephone",
                score=40,
                niveau=1,
                is_brouillon=False,
            )
        )
        db.session.commit()

    add_placement()
    with count_queries() as one:
        browser.get(f"/apprenants/{apprenant.id}")
    for _ in range(10):
        add_placement()
    with count_queries() as eleven:
        page = browser.get(f"/apprenants/{apprenant.id}").get_data(as_text=True)
    assert page.count("Débutant") >= 11
    assert len(eleven) == len(one)
