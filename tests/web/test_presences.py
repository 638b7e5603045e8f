"""The attendance page of one séance: the form, refusals beside the fields, volunteers' rights."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from ateliers.models import Alerte, Presence
from extensions import db
from tests.ateliers_fixtures import add_animateur, ids, make_atelier

NOW = datetime(2026, 4, 14, 8, 0)
pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def atelier(atelier, benevole):
    """The shared workshop, the volunteer co-running séance 1 only."""
    return add_animateur(atelier, 1, benevole)


def url(atelier, numero=1) -> str:
    return f"/ateliers/{atelier.id}/seances/{numero}/presences"


def test_the_form_saves_every_learner_in_one_submit(browser, mediatrice, atelier):
    browser.login(mediatrice)
    page = browser.get(url(atelier)).get_data(as_text=True)
    assert "Josiane Martin" in page and "Marcel Bernard" in page
    assert "Absent excusé" in page
    detail = browser.get(f"/ateliers/{atelier.id}").get_data(as_text=True)
    assert url(atelier) in detail

    inscrits = ids(atelier)
    response = browser.submit(
        url(atelier),
        {
            f"statut-{inscrits['Martin']}": "absent",
            f"statut-{inscrits['Bernard']}": "retard",
            f"arrivee-{inscrits['Bernard']}": "09:40",
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Presence)) == 2
    page = browser.get(url(atelier)).get_data(as_text=True)
    assert 'value="09:40"' in page
    assert "Présences de la séance 1 enregistrées" in page
    regles = set(db.session.scalars(sa.select(Alerte.regle).where(Alerte.inscription_id == inscrits["Martin"])))
    assert regles == {"absence_non_excusee", "absence_debut"}


def test_refusals_are_shown_beside_the_fields_and_values_kept(browser, mediatrice, atelier):
    browser.login(mediatrice)
    inscrits = ids(atelier)
    response = browser.submit(
        url(atelier),
        {
            f"statut-{inscrits['Martin']}": "present",
            f"arrivee-{inscrits['Martin']}": "11:00",
            f"depart-{inscrits['Martin']}": "10:15",
            f"statut-{inscrits['Bernard']}": "present",
            f"arrivee-{inscrits['Bernard']}": "13:00",
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "L&#39;heure de départ doit être après l&#39;heure d&#39;arrivée." in page
    assert "L&#39;heure doit être pendant la séance, entre 09:00 et 12:00." in page
    assert 'value="10:15"' in page and 'value="13:00"' in page and 'value="11:00"' in page
    assert f'id="depart-{inscrits["Martin"]}-erreurs"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Presence)) == 0


def test_a_seance_more_than_a_day_ahead_is_refused(browser, mediatrice, atelier):
    browser.login(mediatrice)
    inscrits = ids(atelier)
    response = browser.submit(url(atelier, 3), {f"statut-{inscrits['Martin']}": "present"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "plus d&#39;un jour" in page
    assert 'value="present" checked' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Presence)) == 0


def test_the_assigned_volunteer_sees_first_names_only_and_only_their_seance(browser, benevole, atelier):
    browser.login(benevole)
    page = browser.get(url(atelier)).get_data(as_text=True)
    assert "Josiane" in page and "Marcel" in page
    assert "Martin" not in page and "Bernard" not in page
    assert browser.get(url(atelier, 2)).status_code == 403
    inscrits = ids(atelier)
    response = browser.submit(
        url(atelier), {f"statut-{inscrits['Martin']}": "present", f"statut-{inscrits['Bernard']}": "present"}
    )
    assert response.status_code == 302


def test_direction_is_refused(browser, make_compte, atelier):
    browser.login(make_compte("direction"))
    assert browser.get(url(atelier)).status_code == 403


def test_another_structure_gets_404(browser, make_structure, make_compte, atelier):
    other = make_structure(nom="Autre structure")
    browser.login(make_compte("mediateur", structure=other))
    assert browser.get(url(atelier)).status_code == 404
    assert browser.get(f"/ateliers/{atelier.id}/seances/9/presences").status_code == 404


def alert_for(inscription_id: int, regle: str, risque: str, seance: int) -> Alerte:
    alerte = Alerte(
        inscription_id=inscription_id, regle=regle, niveau_risque=risque, seance_numero=seance, message=regle
    )
    db.session.add(alerte)
    return alerte


def test_a_rappeler_lists_open_alerts_most_severe_first(browser, mediatrice, atelier, make_structure, make_apprenant):
    inscrits = ids(atelier)
    alert_for(inscrits["Martin"], "absence_non_excusee", "a_rappeler", 1)
    alert_for(inscrits["Bernard"], "absences_consecutives", "abandon_probable", 2)
    alert_for(inscrits["Bernard"], "absence_debut", "risque", 1).resolved_at = NOW
    other = make_atelier(make_structure(nom="Ailleurs"), [make_apprenant(nom="Etranger")])
    alert_for(other.inscriptions[0].id, "absence_non_excusee", "a_rappeler", 1)
    db.session.commit()

    browser.login(mediatrice)
    page = browser.get("/ateliers/a-rappeler").get_data(as_text=True)
    assert "À rappeler" in page
    assert page.index("Marcel Bernard") < page.index("Josiane Martin")
    assert "Abandon probable" in page and "Absences consécutives" in page and "Absence non excusée" in page
    assert "Absence en début d&#39;atelier" not in page  # resolved
    assert "Etranger" not in page
    assert 'href="tel:+33-1-99-00-00' in page and "01 99 00 00" in page


def test_a_rappeler_query_count_is_flat(browser, mediatrice, atelier, make_apprenant, count_queries):
    browser.login(mediatrice)
    alert_for(ids(atelier)["Martin"], "absence_non_excusee", "a_rappeler", 1)
    db.session.commit()
    with count_queries() as one:
        assert browser.get("/ateliers/a-rappeler").status_code == 200
    for index in range(9):
        inscription = make_atelier(atelier.structure, [make_apprenant()], intitule=f"Atelier {index}").inscriptions[0]
        alert_for(inscription.id, "absence_debut", "risque", 2)
    db.session.commit()
    with count_queries() as ten:
        page = browser.get("/ateliers/a-rappeler").get_data(as_text=True)
    assert page.count("Risque de décrochage") == 9
    assert len(ten) == len(one)


def test_a_rappeler_is_for_mediators(browser, benevole):
    browser.login(benevole)
    assert browser.get("/ateliers/a-rappeler").status_code == 403


def test_follow_up_form_from_the_list(browser, mediatrice, atelier):
    alerte = alert_for(ids(atelier)["Martin"], "absences_consecutives", "abandon_probable", 2)
    db.session.commit()
    browser.login(mediatrice)
    url_suivi = f"/ateliers/inscriptions/{alerte.inscription_id}/suivi"
    assert url_suivi in browser.get("/ateliers/a-rappeler").get_data(as_text=True)
    response = browser.submit(url_suivi, {"appel_on": "2026-04-14", "resultat": "joint", "suite": "abandon"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Indiquez le motif de l&#39;abandon." in page
    assert '<option selected value="joint">' in page or 'value="joint" selected' in page

    response = browser.submit(
        url_suivi, {"appel_on": "2026-04-14", "resultat": "joint", "motif": "emploi", "suite": "abandon"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Alerte, alerte.id).inscription.statut == "abandon"
    page = browser.get("/ateliers/a-rappeler").get_data(as_text=True)
    assert "Appel de Josiane enregistré." in page
    assert "Josiane Martin" not in page and "Personne à rappeler pour le moment." in page


def test_follow_up_of_another_structure_is_not_found(browser, make_structure, make_compte, atelier):
    alerte = alert_for(ids(atelier)["Martin"], "absence_debut", "risque", 1)
    db.session.commit()
    browser.login(make_compte("mediateur", structure=make_structure(nom="Autre")))
    assert browser.get(f"/ateliers/alertes/{alerte.id}/suivi").status_code == 404
    assert browser.get(f"/ateliers/inscriptions/{alerte.inscription_id}/suivi").status_code == 404


def test_an_old_alert_link_leads_to_the_person_s_call(browser, mediatrice, atelier):
    alerte = alert_for(ids(atelier)["Martin"], "absence_debut", "risque", 1)
    db.session.commit()
    browser.login(mediatrice)
    response = browser.get(f"/ateliers/alertes/{alerte.id}/suivi")
    assert response.status_code == 308
    assert response.headers["Location"] == f"/ateliers/inscriptions/{alerte.inscription_id}/suivi"


def test_a_simultaneous_save_is_refused_with_a_message_and_the_typed_values_kept(
    browser, mediatrice, atelier, monkeypatch
):
    from ateliers import presences as presences_service

    def collides(*_args, **_kwargs):
        # What the database says when a colleague saved this séance at the same instant.
        raise sa.exc.IntegrityError("INSERT INTO presence", {}, Exception("UNIQUE constraint failed"))

    browser.login(mediatrice)
    inscrits = ids(atelier)
    monkeypatch.setattr(presences_service, "enregistrer_presences", collides)
    response = browser.submit(
        url(atelier), {f"statut-{inscrits['Martin']}": "absent", f"arrivee-{inscrits['Bernard']}": "09:40"}
    )
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 200
    assert "viennent d'être enregistrées par quelqu'un d'autre" in html
    assert 'value="09:40"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Presence)) == 0
