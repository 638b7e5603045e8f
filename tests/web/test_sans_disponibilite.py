"""Nobody goes on the waiting list with no half-day without being warned (issue 9, item 7): the questionnaire
and the learner's record ask first, keeping what was typed, and the waiting list shows who has availability to
complete, with a filter and a link to complete it."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from core.models import Apprenant
from evaluations.models import Positionnement
from extensions import db
from tests.web.test_apprenants import GOOD
from tests.web.test_positionnements import CALL, is_checked, scored, text_of

WARNING = "Aucune demi-journée n'est cochée : sur la liste d'attente, aucun groupe ne pourra être proposé"


@pytest.fixture
def mediatrice(browser, make_compte):
    compte = make_compte("mediateur")
    browser.login(compte)
    return compte


def test_the_questionnaire_asks_before_placing_someone_with_no_half_day(browser, mediatrice, make_apprenant):
    apprenant = make_apprenant(prenom="Léon", nom="Blanc", disponibilites=0)
    url = f"/positionnements/nouveau?apprenant_id={apprenant.id}"
    answers = {**CALL, **scored(1, 1, B1=2), "M1": "Écrire à mes petits-enfants", "calculer": "1"}

    asked = browser.submit(url, answers)

    assert asked.status_code == 200
    text = text_of(asked)
    assert WARNING in text and "Le brouillon est enregistré, le niveau n'est pas encore calculé" in text
    html = asked.get_data(as_text=True)
    # Beside the availability, every answer kept, the confirmation box shown (not hidden).
    assert re.search(r'<ul class="field-errors" id="disponibilites-erreurs">\s*<li>Aucune demi-journée', html)
    assert is_checked(html, "B1", 2) and "Écrire à mes petits-enfants" in html
    assert re.search(r'<div class="field wide sans-disponibilite" id="sans_disponibilite-bloc">', html)
    draft = db.session.scalar(sa.select(Positionnement))
    assert draft.is_brouillon and draft.reponses["M1"] == "Écrire à mes petits-enfants"
    assert db.session.get(Apprenant, apprenant.id).statut is None

    confirmed = browser.client.post(
        draft_url := f"/positionnements/{draft.id}/questionnaire",
        data={**answers, "sans_disponibilite": "y", **_tokens(html)},
    )
    assert confirmed.status_code == 302, draft_url
    db.session.expire_all()
    assert (db.session.get(Apprenant, apprenant.id).statut, draft.is_brouillon) == ("en_attente", False)


def test_ticking_a_half_day_needs_no_confirmation(browser, mediatrice, make_apprenant):
    apprenant = make_apprenant(disponibilites=0)
    response = browser.submit(
        f"/positionnements/nouveau?apprenant_id={apprenant.id}",
        {**CALL, **scored(), "disponibilites": "mar-matin", "calculer": "1"},
    )
    assert response.status_code == 302
    assert db.session.get(Apprenant, apprenant.id).statut == "en_attente"


def test_no_warning_for_someone_oriented_elsewhere(browser, mediatrice, make_apprenant):
    apprenant = make_apprenant(disponibilites=0)
    response = browser.submit(
        f"/positionnements/nouveau?apprenant_id={apprenant.id}", {**CALL, **scored(2, 2), "calculer": "1"}
    )
    assert response.status_code == 302
    assert db.session.get(Apprenant, apprenant.id).statut == "oriente"


def test_emptying_a_waiting_persons_availability_asks_first(browser, mediatrice, make_candidate):
    person = make_candidate(prenom="Élodie", nom="Lefèvre", telephone="+33612345678", dispo=("mar-matin",))
    url = f"/apprenants/{person.id}/modifier"
    typed = {**GOOD, "commune": "Villeneuve-sur-Lot", "disponibilites": []}  # no half-day ticked

    asked = browser.submit(url, typed)

    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert WARNING in text_of(asked)
    assert 'value="Villeneuve-sur-Lot"' in html
    db.session.refresh(person)
    assert (person.disponibilites, person.commune) == (1 << 2, None)

    saved = browser.submit(url, {**typed, "sans_disponibilite": "y"})
    assert saved.status_code == 302
    db.session.refresh(person)
    assert (person.disponibilites, person.commune) == (0, "Villeneuve-sur-Lot")


def test_the_waiting_list_shows_and_filters_availability_to_complete(browser, mediatrice, make_candidate):
    sans = make_candidate(prenom="Ana", nom="Sansdispo", dispo=())
    make_candidate(prenom="Marc", nom="Avecdispo", dispo=("lun-matin",))

    page = browser.get("/liste-attente/").get_data(as_text=True)
    row = re.search(r"<tr>(?:(?!</tr>).)*SANSDISPO(?:(?!</tr>).)*</tr>", page, re.S).group(0)
    assert "Disponibilités à compléter" in row
    assert f'href="/apprenants/{sans.id}/modifier#disponibilites-0"' in row
    assert "les disponibilités d&#39;Ana Sansdispo" in row

    filtered = browser.get("/liste-attente/?sans_disponibilite=y")
    text = text_of(filtered)
    assert "SANSDISPO" in text and "AVECDISPO" not in text
    assert "1 personne (en attente), disponibilités à compléter" in text


def _tokens(html: str) -> dict[str, str]:
    """The CSRF token and the ``version`` of a page, to post again from it."""
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    version = re.search(r'name="version" type="hidden" value="([^"]+)"', html)
    return {"csrf_token": csrf, **({"version": version.group(1)} if version else {})}
