"""The practice slots' screens: list, create, edit, stop; bad input refused beside the field with what was
typed kept; two editors at once; roles, structures, CSRF."""

from __future__ import annotations

from datetime import date, time

import pytest
import sqlalchemy as sa

from entrainements.models import Creneau, Occurrence
from entrainements.occurrences import occurrences_entre, ouvrir_occurrences
from entrainements.reservations import reserver
from extensions import db
from tests.conftest import csrf_token_from, version_from
from tests.entrainements_fixtures import NOW, TODAY, make_creneau, make_entrainements

pytestmark = pytest.mark.usefixtures("frozen_clock")

NOUVEAU = "/entrainements/creneaux/nouveau"
VALIDE = {"jour_semaine": "1", "debut": "14:00", "fin": "16:00", "capacite": "4", "lieu": "Salle informatique"}


def html(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'")


def errors_of(page: str, field: str) -> str:
    """The error list printed beside ``field`` ('' when none)."""
    start = page.find(f'id="{field}-erreurs"')
    return page[start : page.find("</ul>", start)] if start >= 0 else ""


def test_the_mediator_creates_a_slot_and_sees_it_listed(browser, mediatrice, benevole):
    browser.login(mediatrice)
    response = browser.submit(NOUVEAU, {**VALIDE, "animateur": str(benevole.id)})
    assert response.status_code == 302
    creneau = db.session.scalar(sa.select(Creneau))
    assert (creneau.jour_semaine, creneau.debut, creneau.capacite, creneau.animateur_id) == (
        1,
        time(14, 0),
        4,
        benevole.id,
    )
    page = html(browser.get("/entrainements/creneaux"))
    assert "Mardi" in page and "14 h 00 – 16 h 00" in page and "Henri Crozet" in page


@pytest.mark.parametrize(
    ("saisie", "champ", "message"),
    [
        ({"capacite": "0"}, "capacite", "La capacité va de 1 à 30 places"),
        ({"fin": "13:00"}, "fin", "L'heure de fin doit être après l'heure de début."),
        ({"jour_semaine": "6"}, "jour_semaine", "Les créneaux vont du lundi au samedi"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_typed_is_lost(browser, mediatrice, saisie, champ, message):
    browser.login(mediatrice)
    response = browser.submit(NOUVEAU, {**VALIDE, "lieu": "Salle Jean-Moulin", **saisie})
    page = html(response)
    assert response.status_code == 200
    assert message in errors_of(page, champ)
    assert 'value="Salle Jean-Moulin"' in page
    for nom, valeur in {**VALIDE, **saisie}.items():
        if nom not in ("jour_semaine", "lieu"):
            assert f'name="{nom}"' in page and f'value="{valeur}"' in page, nom
    assert db.session.scalar(sa.select(sa.func.count(Creneau.id))) == 0


def test_a_capacity_below_the_bookings_of_a_day_is_refused_beside_the_field(
    browser, structure, mediatrice, make_apprenant
):
    creneau = make_creneau(structure, capacite=2)
    ouvrir_occurrences(structure, TODAY, date(2026, 6, 16))
    _mardi, suivant, _apres = occurrences_entre(structure.id, TODAY, date(2026, 6, 16))
    for entrainement in make_entrainements(structure, [make_apprenant(), make_apprenant()]):
        reserver(entrainement, suivant, now=NOW)
    db.session.commit()
    browser.login(mediatrice)

    url = f"/entrainements/creneaux/{creneau.id}"
    response = browser.submit(url, {**VALIDE, "capacite": "1", "lieu": "Salle 2"})

    page = html(response)
    assert "mardi 9 juin 2026" in errors_of(page, "capacite")
    assert 'value="Salle 2"' in page
    assert db.session.get(Creneau, creneau.id).capacite == 2


def test_two_editors_at_once_the_second_sees_the_change_and_keeps_what_they_typed(
    browser, client, app, structure, mediatrice, make_compte
):
    creneau = make_creneau(structure, capacite=2)
    url = f"/entrainements/creneaux/{creneau.id}"
    browser.login(mediatrice)
    page = html(browser.get(url))
    token, version = csrf_token_from(page), version_from(page, url, True)

    collegue = app.test_client()
    from tests.conftest import Browser

    Browser(collegue).login(make_compte("admin", prenom="Léa", nom="Martin"))
    assert Browser(collegue).submit(url, {**VALIDE, "capacite": "2", "lieu": "Salle du haut"}).status_code == 302

    response = browser.client.post(
        url, data={**VALIDE, "capacite": "6", "lieu": "Salle informatique", "csrf_token": token, "version": version}
    )
    page = html(response)
    assert response.status_code == 409
    assert "Quelqu'un a enregistré des changements" in page
    assert "Salle du haut" in page and "par Léa Martin" in page
    assert 'value="6"' in page  # what the second editor typed
    assert db.session.get(Creneau, creneau.id).capacite == 2


def test_stopping_a_slot_cancels_its_dates_to_come(browser, structure, mediatrice):
    creneau = make_creneau(structure)
    ouvrir_occurrences(structure, TODAY, date(2026, 6, 9))
    db.session.commit()
    browser.login(mediatrice)
    response = browser.submit(f"/entrainements/creneaux/{creneau.id}/desactiver", {}, "/entrainements/creneaux")
    assert response.status_code == 302
    assert not db.session.get(Creneau, creneau.id).actif
    assert all(o.annulee_at is not None for o in db.session.scalars(sa.select(Occurrence)))
    assert "Désactivé" in html(browser.get("/entrainements/creneaux"))


def test_direction_reads_the_slots_a_volunteer_does_not(browser, structure, make_compte):
    make_creneau(structure)
    browser.login(make_compte("direction"))
    page = html(browser.get("/entrainements/creneaux"))
    assert "Salle informatique" in page and "Ajouter un créneau" not in page and "Désactiver" not in page
    assert browser.get(NOUVEAU).status_code == 403
    browser.client.post("/deconnexion", data={"csrf_token": csrf_token_from(page)})
    browser.login(make_compte("benevole"))
    assert browser.get("/entrainements/creneaux").status_code == 403


def test_the_slot_of_another_structure_is_not_found(browser, structure, make_structure, mediatrice):
    ailleurs = make_creneau(make_structure())
    browser.login(mediatrice)
    assert browser.get(f"/entrainements/creneaux/{ailleurs.id}").status_code == 404
    assert browser.submit(f"/entrainements/creneaux/{ailleurs.id}", VALIDE, NOUVEAU).status_code == 404


def test_a_post_without_csrf_token_is_refused(browser, structure, mediatrice):
    creneau = make_creneau(structure)
    browser.login(mediatrice)
    assert browser.client.post(NOUVEAU, data=VALIDE).status_code == 400
    assert browser.client.post(f"/entrainements/creneaux/{creneau.id}/desactiver").status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(Creneau.id))) == 1 and creneau.actif
