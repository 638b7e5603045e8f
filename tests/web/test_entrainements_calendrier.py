"""The week calendar of the practice sessions, cancelling one occurrence, and booking, moving or cancelling a
booking by hand: what each role sees, bad input beside the field, the queries a page costs."""

from __future__ import annotations

from datetime import date, time

import pytest
import sqlalchemy as sa

from core.models import Message
from entrainements.models import Occurrence, Reservation
from entrainements.occurrences import occurrences_entre, ouvrir_occurrences
from entrainements.reservations import reserver
from extensions import db
from tests.conftest import Browser
from tests.entrainements_fixtures import NOW, TODAY, make_creneau, make_entrainements

pytestmark = pytest.mark.usefixtures("frozen_clock")

SEMAINE = "/entrainements/semaine"


def html(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'")


def errors_of(page: str, field: str) -> str:
    start = page.find(f'id="{field}-erreurs"')
    return page[start : page.find("</ul>", start)] if start >= 0 else ""


def occurrences(structure, debut=TODAY, fin=date(2026, 6, 16)) -> list[Occurrence]:
    ouvrir_occurrences(structure, debut, fin)
    db.session.commit()
    return occurrences_entre(structure.id, debut, fin)


def booked(structure, occurrence, apprenants) -> list[Reservation]:
    reservations = [reserver(e, occurrence, now=NOW) for e in make_entrainements(structure, apprenants)]
    db.session.commit()
    return reservations


def test_the_week_shows_each_occurrence_its_bookings_and_free_places(browser, structure, mediatrice, make_apprenant):
    make_creneau(structure, capacite=3)
    make_creneau(structure, jour_semaine=3, debut=time(9, 30), fin=time(11, 0), lieu="Médiathèque")
    mardi, *_ = occurrences(structure)
    booked(structure, mardi, [make_apprenant(prenom="Nadia", nom="Ferhat")])
    browser.login(mediatrice)

    page = html(browser.get(SEMAINE))

    assert "Du lundi 1er juin 2026 au samedi 6 juin 2026" in page
    assert "Mardi 2 juin 2026" in page and "Jeudi 4 juin 2026" in page
    assert "Nadia Ferhat" in page and "2 sur 3" in page and "2 sur 2" in page
    assert "Médiathèque" in page and "9 h 30 – 11 h 00" in page
    assert f"{SEMAINE}?debut=2026-05-25" in page and f"{SEMAINE}?debut=2026-06-08" in page


def test_a_holiday_is_shown_with_its_reason_and_a_cancelled_occurrence_as_such(browser, structure, mediatrice):
    make_creneau(structure)
    # Tuesday 14 July 2026 is Bastille Day; the next Tuesday's occurrence is cancelled by hand.
    _21_juillet = occurrences(structure, date(2026, 7, 13), date(2026, 7, 25))[0]
    browser.login(mediatrice)
    page = html(browser.get(f"{SEMAINE}?debut=14/07/2026"))
    assert "Pas d'entraînement" in page and "férié" in page

    browser.submit(f"/entrainements/occurrences/{_21_juillet.id}/annuler", {"motif": "Salle prêtée à la mairie"})
    page = html(browser.get(f"{SEMAINE}?debut=2026-07-21"))
    assert "Annulé" in page and "Salle prêtée à la mairie" in page


def test_a_date_that_is_not_one_is_said_beside_the_field_and_kept(browser, structure, mediatrice):
    browser.login(mediatrice)
    page = html(browser.get(f"{SEMAINE}?debut=31/02/2026"))
    assert "jj/mm/aaaa" in errors_of(page, "debut")
    assert 'value="31/02/2026"' in page
    assert "Du lundi 1er juin 2026" in page  # today's week meanwhile


def test_a_volunteer_sees_the_slots_they_run_with_short_names_and_no_phone(
    browser, structure, benevole, make_apprenant
):
    sien = make_creneau(structure, animateur_id=benevole.id, lieu="Salle du bénévole")
    make_creneau(structure, jour_semaine=3, lieu="Autre salle")
    mardi = next(o for o in occurrences(structure) if o.creneau_id == sien.id)
    booked(structure, mardi, [make_apprenant(prenom="Nadia", nom="Ferhat", telephone="+33612345678")])
    browser.login(benevole)

    page = html(browser.get(SEMAINE))

    assert "Nadia F." in page and "Ferhat" not in page and "06 12" not in page
    assert "Salle du bénévole" in page and "Autre salle" not in page
    assert "Annuler ce jour" not in page


def test_the_week_costs_the_same_queries_for_one_booking_or_many(
    browser, structure, mediatrice, make_apprenant, count_queries
):
    make_creneau(structure, capacite=10)
    make_creneau(structure, jour_semaine=4, capacite=10)
    mardi, vendredi, *_ = occurrences(structure)
    browser.login(mediatrice)
    booked(structure, mardi, [make_apprenant()])
    browser.get(SEMAINE)
    with count_queries() as few:
        browser.get(SEMAINE)

    for occurrence in (mardi, mardi, vendredi, vendredi):  # a workshop holds 4 learners: several of them
        booked(structure, occurrence, [make_apprenant() for _ in range(3)])
    with count_queries() as many:
        page = html(browser.get(SEMAINE))

    assert page.count("Testeur") == 13
    assert len(many) == len(few)


def test_cancelling_an_occurrence_tells_the_mediator_who_cannot_be_reached(
    browser, structure, mediatrice, make_apprenant
):
    make_creneau(structure)
    _mardi, suivant, _apres = occurrences(structure)
    (reservation,) = booked(structure, suivant, [make_apprenant(prenom="Marc")])  # a fixed line: no channel
    browser.login(mediatrice)
    url = f"/entrainements/occurrences/{suivant.id}/annuler"
    assert "Marc" in html(browser.get(url))

    page = html(browser.submit(url, {"motif": ""}))
    assert "Indiquez pourquoi" in errors_of(page, "motif")
    assert db.session.get(Occurrence, suivant.id).annulee_at is None

    response = browser.submit(url, {"motif": "Animateur absent"})
    assert response.status_code == 302
    page = html(browser.get(response.headers["Location"]))
    assert "Aucun moyen de prévenir la personne réservée par écrit" in page
    assert db.session.get(Reservation, reservation.id).statut == "annulee"


def test_the_list_to_plan_gives_the_planner_reason_and_who_cannot_be_reached(
    browser, structure, mediatrice, make_apprenant
):
    make_entrainements(
        structure,
        [make_apprenant(prenom="Marc", nom="Sans-Moyen")],
        motif_non_planifie="aucun créneau libre le mardi après-midi entre le 1er et le 20 juin",
    )
    make_entrainements(structure, [make_apprenant(prenom="Nadia", nom="Ferhat", email="nadia@example.fr")])
    browser.login(mediatrice)
    page = html(browser.get("/entrainements/a-planifier"))
    assert "aucun créneau libre le mardi après-midi" in page
    ligne_marc = page[page.find("Marc Sans-Moyen") : page.find("</tr>", page.find("Marc Sans-Moyen"))]
    ligne_nadia = page[page.find("Nadia Ferhat") : page.find("</tr>", page.find("Nadia Ferhat"))]
    assert "Aucun moyen de prévenir cette personne" in ligne_marc
    assert "Aucun moyen" not in ligne_nadia


def test_booking_a_full_occurrence_is_refused_beside_the_field_with_the_next_free_ones(
    browser, structure, mediatrice, make_apprenant
):
    make_creneau(structure, capacite=1)
    mardi, suivant, _apres = occurrences(structure)
    booked(structure, mardi, [make_apprenant()])
    (entrainement,) = make_entrainements(structure, [make_apprenant(email="nadia@example.fr")], fin=date(2026, 6, 10))
    browser.login(mediatrice)
    url = f"/entrainements/{entrainement.id}/reservation"

    page = html(browser.submit(url, {"occurrence": str(mardi.id)}))

    assert "complet" in errors_of(page, "occurrence")
    assert f'<option selected value="{mardi.id}">' in page  # the choice is kept
    propositions = page[page.find("Prochains créneaux libres") :]
    assert "mardi 9 juin 2026" in propositions and "mardi 16 juin 2026" in propositions
    assert propositions.index("9 juin") < propositions.index("16 juin")
    assert "après la période prévue" in propositions[propositions.index("16 juin") :]

    response = browser.submit(url, {"occurrence": str(suivant.id)})
    assert response.status_code == 302
    reservation = db.session.scalar(sa.select(Reservation).where(Reservation.entrainement_id == entrainement.id))
    assert (reservation.occurrence_id, reservation.compte_id) == (suivant.id, mediatrice.id)
    message = db.session.scalar(sa.select(Message).where(Message.cle == f"convocation:{reservation.id}"))
    assert message.canal == "email"
    assert "La convocation part par courriel" in html(browser.get(response.headers["Location"]))


def test_moving_then_cancelling_a_booking_by_hand(browser, structure, mediatrice, make_apprenant):
    make_creneau(structure)
    mardi, suivant, _apres = occurrences(structure)
    (reservation,) = booked(structure, mardi, [make_apprenant(email="nadia@example.fr")])
    browser.login(mediatrice)
    page_url = f"/entrainements/{reservation.entrainement_id}/reservation"

    response = browser.submit(
        f"/entrainements/reservations/{reservation.id}/deplacer", {"occurrence": str(suivant.id)}, page_url
    )
    assert response.status_code == 302
    nouvelle = db.session.scalar(
        sa.select(Reservation).where(
            Reservation.entrainement_id == reservation.entrainement_id, Reservation.statut == "reservee"
        )
    )
    assert nouvelle.occurrence_id == suivant.id
    assert db.session.get(Reservation, reservation.id).motif_annulation == "deplacee"
    assert db.session.scalar(sa.select(Message.id).where(Message.cle == f"convocation:{nouvelle.id}")) is not None

    response = browser.submit(
        f"/entrainements/reservations/{nouvelle.id}/annuler", {"annulation-motif": "apprenant"}, page_url
    )
    assert response.status_code == 302
    assert db.session.get(Reservation, nouvelle.id).motif_annulation == "apprenant"
    assert "À planifier" in html(browser.get(page_url))


def test_the_booking_pages_are_for_the_mediation_team_of_the_structure(
    browser, structure, make_structure, make_compte, make_apprenant
):
    make_creneau(structure)
    mardi, *_ = occurrences(structure)
    (reservation,) = booked(structure, mardi, [make_apprenant()])
    autre = make_structure()
    browser.login(make_compte("mediateur", structure=autre))
    assert browser.get(f"/entrainements/{reservation.entrainement_id}/reservation").status_code == 404
    assert browser.get(f"/entrainements/occurrences/{mardi.id}/annuler").status_code == 404
    response = browser.submit(
        f"/entrainements/reservations/{reservation.id}/annuler", {"annulation-motif": "apprenant"}, SEMAINE
    )
    assert response.status_code == 404
    assert db.session.get(Reservation, reservation.id).statut == "reservee"


def test_a_cancellation_without_csrf_token_is_refused(browser, structure, mediatrice):
    make_creneau(structure)
    mardi, *_ = occurrences(structure)
    browser.login(mediatrice)
    response = browser.client.post(f"/entrainements/occurrences/{mardi.id}/annuler", data={"motif": "Panne"})
    assert response.status_code == 400
    assert db.session.get(Occurrence, mardi.id).annulee_at is None


def test_the_booking_page_with_its_forms_and_proposals_repeats_no_id(browser, structure, mediatrice, make_apprenant):
    from tests.web.test_ids_uniques import PageIds

    make_creneau(structure, capacite=1)
    mardi, suivant, _apres = occurrences(structure)
    (reservation,) = booked(structure, mardi, [make_apprenant()])
    booked(structure, suivant, [make_apprenant()])
    browser.login(mediatrice)
    page_url = f"/entrainements/{reservation.entrainement_id}/reservation"
    response = browser.submit(
        f"/entrainements/reservations/{reservation.id}/deplacer", {"occurrence": str(suivant.id)}, page_url
    )
    html_page = html(response)
    assert "complet" in errors_of(html_page, "occurrence") and "Prochains créneaux libres" in html_page
    ids = PageIds()
    ids.feed(html_page)
    assert ids.problems() == []


def test_a_booking_the_database_refuses_at_the_same_instant_is_said_beside_the_choice(
    browser, structure, mediatrice, make_apprenant, monkeypatch
):
    from entrainements import services

    make_creneau(structure)
    mardi, *_ = occurrences(structure)
    (entrainement,) = make_entrainements(structure, [make_apprenant()])
    browser.login(mediatrice)

    def concurrent(*_args, **_kwargs):
        raise sa.exc.IntegrityError("INSERT INTO reservation", {}, Exception("uq_reservation_entrainement_en_cours"))

    monkeypatch.setattr(services, "reserver_a_la_main", concurrent)
    url = f"/entrainements/{entrainement.id}/reservation"
    page = html(browser.submit(url, {"occurrence": str(mardi.id)}))
    assert "vient d'être réservée par ailleurs" in errors_of(page, "occurrence")


def test_the_pages_naming_learners_are_journaled_without_their_names(browser, structure, mediatrice, make_apprenant):
    from core.models import Journal

    make_creneau(structure)
    (entrainement,) = make_entrainements(structure, [make_apprenant(prenom="Nadia", nom="Ferhat")])
    browser.login(mediatrice)
    for url in (SEMAINE, "/entrainements/a-planifier", f"/entrainements/{entrainement.id}/reservation"):
        assert browser.get(url).status_code == 200
    lignes = db.session.scalars(sa.select(Journal).where(Journal.action == "consultation")).all()
    assert [(ligne.objet, ligne.objet_id) for ligne in lignes] == [
        ("apprenant", None),
        ("apprenant", None),
        ("entrainement", entrainement.id),
    ]
    assert all("Ferhat" not in ligne.details and "Nadia" not in ligne.details for ligne in lignes)


def test_each_booked_session_leads_to_its_sheet_and_once_started_to_its_attendance(
    app, structure, mediatrice, benevole, make_compte, make_apprenant, monkeypatch
):
    """The calendar is where the team and the slot's volunteer find a session: its practice sheet to print, and
    from its start its attendance page. Direction reads the week without them."""
    from tests.ateliers_fixtures import freeze_clock

    make_creneau(structure, animateur_id=benevole.id)
    mardi, suivant, _ = occurrences(structure)
    booked(structure, mardi, [make_apprenant()])
    booked(structure, suivant, [make_apprenant()])
    freeze_clock(monkeypatch, lambda: NOW.replace(day=2, hour=12, minute=30))  # Tuesday 2 June, 14:30 Paris
    presences, fiche = "/entrainements/occurrences/{}/presences", "/entrainements/occurrences/{}/fiche.pdf"
    for compte in (mediatrice, benevole):
        browser = Browser(app.test_client())
        browser.login(compte)
        page = html(browser.get(f"{SEMAINE}?debut=2026-06-01"))
        assert presences.format(mardi.id) in page and fiche.format(mardi.id) in page
        assert browser.get(presences.format(mardi.id)).status_code == 200
        page = html(browser.get(f"{SEMAINE}?debut=2026-06-08"))
        assert fiche.format(suivant.id) in page and presences.format(suivant.id) not in page
    browser = Browser(app.test_client())
    browser.login(make_compte("direction"))
    page = html(browser.get(f"{SEMAINE}?debut=2026-06-01"))
    assert "Présences" not in page and presences.format(mardi.id) not in page and fiche.format(mardi.id) not in page
