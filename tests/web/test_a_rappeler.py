"""The "À rappeler" list as the mediator lives it: one line per person with every reason, one call that takes
the person off the list (or under "Rappels prévus"), the home tile counting people, the calls in the history."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from ateliers import services
from ateliers.presences import Saisie, enregistrer_presences
from core.text import tel_uri
from extensions import db
from tests.ateliers_fixtures import START, ids, make_atelier

NOW = datetime(2026, 4, 14, 8, 0)  # Tuesday 14 April, 10:00 Paris: séances 1 and 2 were on 30 March and 13 April
TODAY = date(2026, 4, 14)
pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def absente_deux_fois(mediatrice, atelier):
    """Josiane Martin absent without excuse at séances 1 and 2, Marcel Bernard present."""
    inscrits = ids(atelier)
    for seance in atelier.seances[:2]:
        saisies = {inscrits["Martin"]: Saisie("absent"), inscrits["Bernard"]: Saisie("present")}
        enregistrer_presences(mediatrice, atelier, seance, saisies, TODAY)
    db.session.commit()
    return inscrits["Martin"]


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_one_line_per_person_with_every_reason_and_one_call(browser, mediatrice, atelier, absente_deux_fois):
    browser.login(mediatrice)
    page = browser.get("/ateliers/a-rappeler").get_data(as_text=True)

    assert page.count("Josiane Martin") == 1 and page.count("Noter l'appel") == 1
    assert page.count(f"/ateliers/inscriptions/{absente_deux_fois}/suivi") == 1
    reasons = ["Absences consécutives", "Absence en début d&#39;atelier", "Absence non excusée"]
    assert [page.index(reason) for reason in reasons] == sorted(page.index(reason) for reason in reasons)
    assert page.count("Absence non excusée") == 2  # séances 1 and 2
    assert "Modules manqués : module 1 (" in page and "module 2 (" in page
    assert 'href="tel:+33-1-99-00-00' in page
    assert "1 personne à rappeler" in text(browser.get("/ateliers/a-rappeler"))
    assert "1 personne à rappeler" in text(browser.get("/"))


def test_recording_the_call_takes_the_person_off_the_list_and_into_the_history(
    browser, mediatrice, atelier, absente_deux_fois
):
    browser.login(mediatrice)
    url_suivi = f"/ateliers/inscriptions/{absente_deux_fois}/suivi"
    response = browser.submit(
        url_suivi, {"appel_on": "14/04/2026", "resultat": "joint", "motif": "famille", "suite": "revient"}
    )
    assert response.headers["Location"] == "/ateliers/a-rappeler"

    page = text(browser.get("/ateliers/a-rappeler"))
    assert "Appel de Josiane enregistré." in page
    assert "Josiane Martin" not in page and "Personne à rappeler pour le moment." in page
    assert "0 personne à rappeler" in text(browser.get("/"))

    history = "14/04/2026 Awa Diallo Personne jointe Contraintes familiales Revient"
    progression = text(browser.get(f"/ateliers/inscriptions/{absente_deux_fois}/progression"))
    assert history in progression
    apprenant_id = next(i.apprenant_id for i in atelier.inscriptions if i.id == absente_deux_fois)
    fiche = text(browser.get(f"/apprenants/{apprenant_id}"))
    assert "Appels de suivi" in fiche and "14/04/2026 Atelier du lundi matin Awa Diallo Personne jointe" in fiche


def test_a_next_call_planned_waits_under_rappels_prevus(browser, mediatrice, atelier, absente_deux_fois):
    browser.login(mediatrice)
    url_suivi = f"/ateliers/inscriptions/{absente_deux_fois}/suivi"
    response = browser.submit(url_suivi, {"appel_on": "14/04/2026", "resultat": "message_laisse", "suite": "rappeler"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Indiquez le jour où rappeler." in page and '<option selected value="message_laisse">' in page

    response = browser.submit(
        url_suivi,
        {"appel_on": "14/04/2026", "resultat": "message_laisse", "suite": "rappeler", "rappel_on": "17/04/2026"},
    )
    assert response.status_code == 302
    page = text(browser.get("/ateliers/a-rappeler"))
    assert "rappel prévu le vendredi 17 avril 2026" in page
    assert "Personne à rappeler pour le moment. Rappels prévus Josiane Martin" in page
    assert "0 personne à rappeler" in text(browser.get("/"))


def test_alerts_about_seances_keyed_in_from_paper_are_history_on_the_progress_page(
    browser, mediatrice, structure, make_apprenant
):
    # Entered in the app on the evening of séance 1 (30 March), keyed in afterwards from the paper sheet.
    atelier = make_atelier(
        structure,
        [make_apprenant(prenom="Josiane", nom="Martin"), make_apprenant(prenom="Marcel", nom="Bernard")],
        joined_at=datetime(2026, 3, 1, 9, 0),
        created_at=datetime(2026, 3, 30, 17, 0),
    )
    services.planifier_atelier(mediatrice, atelier, START, "Salle 2", [mediatrice.id], date(2026, 3, 1))
    db.session.commit()
    inscrits = ids(atelier)
    saisies = {inscrits["Martin"]: Saisie("absent"), inscrits["Bernard"]: Saisie("present")}
    enregistrer_presences(mediatrice, atelier, atelier.seances[0], saisies, TODAY)
    db.session.commit()

    browser.login(mediatrice)
    assert "Josiane Martin" not in text(browser.get("/ateliers/a-rappeler"))
    progression = text(browser.get(f"/ateliers/inscriptions/{inscrits['Martin']}/progression"))
    assert "Historique, séances saisies après coup" in progression
    assert "Absence sans excuse à la séance 1" in progression


def test_every_page_showing_a_learner_s_phone_makes_it_a_tel_link(browser, mediatrice, atelier, make_candidate):
    martin = next(i for i in atelier.inscriptions if i.apprenant.nom == "Martin")
    attend = make_candidate(prenom="Lucien", nom="Juste", dispo=("lun-matin",))
    browser.login(mediatrice)
    pages = {
        "fiche": f"/apprenants/{martin.apprenant_id}",
        "liste des apprenants": "/apprenants/",
        "appel": f"/ateliers/inscriptions/{martin.id}/suivi",
        "rattrapages": f"/ateliers/inscriptions/{martin.id}/rattrapages",
        "liste d'attente": "/liste-attente/",
    }
    for nom, url in pages.items():
        page = browser.get(url).get_data(as_text=True)
        numero = attend.telephone if nom == "liste d'attente" else martin.apprenant.telephone
        assert f'href="{tel_uri(numero)}"' in page and tel_uri(numero).startswith("tel:+33-1-99-"), nom


def test_a_call_after_the_workshop_offers_only_the_steps_that_still_mean_something(
    browser, mediatrice, structure, make_apprenant
):
    """Two practice sessions missed put a learner who finished back on the list: the call may say she comes back
    or when to call again, not "abandon" (the workshop is over) nor "rattrapage" (it is closed)."""
    from ateliers.models import Alerte
    from tests.entrainements_fixtures import make_entrainements

    (entrainement,) = make_entrainements(structure, [make_apprenant(prenom="Ana", nom="Lopes")])
    inscription_id = entrainement.plan.inscription_id
    db.session.add(
        Alerte(
            inscription_id=inscription_id,
            regle="entrainements_manques",
            niveau_risque="a_rappeler",
            message="deux entraînements manqués",
        )
    )
    db.session.commit()
    browser.login(mediatrice)
    url_suivi = f"/ateliers/inscriptions/{inscription_id}/suivi"

    page = browser.get(url_suivi).get_data(as_text=True)
    suites = re.findall(r'<option value="([a-z_]*)"', page[page.index('name="suite"') :].split("</select>")[0])
    assert suites == ["", "revient", "rappeler"]
    response = browser.submit(url_suivi, {"appel_on": "14/04/2026", "resultat": "joint", "suite": "rattrapage_propose"})
    assert response.status_code == 200
    assert "est fini : choisissez « Revient » ou « Rappeler à une date »." in text(response)
    response = browser.submit(url_suivi, {"appel_on": "14/04/2026", "resultat": "joint", "suite": "revient"})
    assert response.headers["Location"] == "/ateliers/a-rappeler"
