"""The dropout-thresholds page: pre-filled, saved in percent, refusals beside the fields, who may change it."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from ateliers.dropout import Seuils
from ateliers.forms import SeuilsForm
from core.models import Journal, Structure
from extensions import db

pytestmark = pytest.mark.usefixtures("frozen_clock")
URL = "/ateliers/seuils"
NOW = datetime(2026, 4, 14, 8, 0)
VALEURS = {
    "toute_absence_non_excusee": "y",
    "seances_critiques": ["1", "3"],
    "absences_consecutives": "3",
    "taux_minimum": "75",
    "taux_apres_seance": "4",
    "niveau_fragile": "1",
    "module_sans_acquis": "3",
}


def stored(structure) -> dict | None:
    return db.session.scalar(sa.select(Structure.seuils_decrochage).where(Structure.id == structure.id))


def test_the_page_is_pre_filled_with_the_structure_thresholds(browser, mediatrice, structure):
    structure.seuils_decrochage = Seuils(seances_critiques=(2, 4), taux_minimum=0.7, niveau_fragile=1).to_dict()
    db.session.commit()
    browser.login(mediatrice)
    page = browser.get(URL).get_data(as_text=True)
    assert 'checked id="toute_absence_non_excusee"' in page
    assert 'checked id="seances_critiques-1" name="seances_critiques" type="checkbox" value="2"' in page
    assert 'checked id="seances_critiques-3" name="seances_critiques" type="checkbox" value="4"' in page
    assert 'id="seances_critiques-0" name="seances_critiques" type="checkbox" value="1"' in page
    assert 'name="taux_minimum" required type="number" value="70"' in page
    assert '<option selected value="1">Débutant</option>' in page
    assert "Module 2 : " in page  # the modules are named after the curriculum
    assert "Valeur de référence : 80 %." in page
    a_rappeler = browser.get("/ateliers/a-rappeler").get_data(as_text=True)
    assert f'<a href="{URL}">Régler les seuils d\'alerte</a>' in a_rappeler


def test_saving_stores_the_thresholds_with_the_rate_as_a_fraction(browser, mediatrice, structure):
    browser.login(mediatrice)
    response = browser.submit(URL, VALEURS)
    assert response.status_code == 302 and response.headers["Location"] == URL
    attendus = Seuils(
        seances_critiques=(1, 3),
        absences_consecutives=3,
        taux_minimum=0.75,
        taux_apres_seance=4,
        niveau_fragile=1,
        module_sans_acquis=3,
    )
    assert stored(structure) == attendus.to_dict()
    assert stored(structure)["taux_minimum"] == 0.75
    page = browser.get(URL).get_data(as_text=True)
    assert "Seuils d&#39;alerte enregistrés." in page
    assert 'value="75"' in page
    details = db.session.scalar(sa.select(Journal.details).where(Journal.objet == "structure"))
    assert "taux minimum 80 % → 75 %" in details


def test_no_critical_seance_and_no_unexcused_rule_turn_those_rules_off(browser, mediatrice, structure):
    browser.login(mediatrice)
    valeurs = {k: v for k, v in VALEURS.items() if k not in {"seances_critiques", "toute_absence_non_excusee"}}
    assert browser.submit(URL, valeurs).status_code == 302
    seuils = Seuils.from_dict(stored(structure))
    assert seuils.seances_critiques == () and seuils.toute_absence_non_excusee is False


@pytest.mark.parametrize(
    ("champ", "saisie", "message"),
    [
        ("taux_minimum", "150", "Indiquez un pourcentage de 0 à 100."),
        ("taux_minimum", "huit", "Saisissez un nombre entier."),
        ("absences_consecutives", "0", "Indiquez un nombre de séances de 1 à 6."),
        ("taux_apres_seance", "", "Saisissez un nombre entier."),
        ("module_sans_acquis", "7", "Choisissez un module de 1 à 6."),
        ("niveau_fragile", "x", "Choisissez un niveau de la liste."),
        ("seances_critiques", ["1", "9"], "Cochez des séances de 1 à 6."),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_typed_is_lost(
    browser, mediatrice, structure, champ, saisie, message
):
    browser.login(mediatrice)
    response = browser.submit(URL, {**VALEURS, champ: saisie})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<ul class="field-errors" id="{champ}-erreurs">\n    <li>{message}</li>' in page
    assert "Rien de ce que vous avez saisi n'est perdu." in page
    if isinstance(saisie, str) and champ in {"taux_minimum", "absences_consecutives"}:
        assert f'value="{saisie}"' in page
    if champ != "absences_consecutives":
        assert 'name="absences_consecutives" required type="number" value="3"' in page
    if champ != "seances_critiques":
        assert 'checked id="seances_critiques-2" name="seances_critiques" type="checkbox" value="3"' in page
    assert stored(structure) is None


def test_the_reference_button_restores_the_defaults(browser, mediatrice, structure):
    structure.seuils_decrochage = Seuils(absences_consecutives=4, taux_minimum=0.5).to_dict()
    db.session.commit()
    browser.login(mediatrice)
    response = browser.submit(URL, {"action": "reference", "taux_minimum": "150"})
    assert response.status_code == 302
    assert stored(structure) == Seuils().to_dict()
    assert 'value="80"' in browser.get(URL).get_data(as_text=True)


def test_direction_reads_the_thresholds_but_cannot_change_them(browser, make_compte, structure):
    structure.seuils_decrochage = Seuils(taux_minimum=0.6).to_dict()
    db.session.commit()
    browser.login(make_compte("direction"))
    response = browser.get(URL)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<td>60 %</td><td>80 %</td>" in page
    assert "Enregistrer les seuils" not in page and "Revenir aux valeurs de référence" not in page
    assert browser.submit(URL, VALEURS).status_code == 403
    assert browser.submit(URL, {"action": "reference"}).status_code == 403
    assert stored(structure) == Seuils(taux_minimum=0.6).to_dict()


def test_volunteers_are_refused(browser, make_compte, structure):
    browser.login(make_compte("benevole"))
    assert browser.get(URL).status_code == 403
    assert browser.submit(URL, VALEURS, form_url="/").status_code == 403
    assert stored(structure) is None


def test_a_post_without_csrf_token_is_refused(browser, mediatrice, structure):
    browser.login(mediatrice)
    assert browser.client.post(URL, data=VALEURS).status_code == 400
    assert stored(structure) is None


def test_a_threshold_refused_by_the_rules_is_shown_on_the_form(browser, mediatrice, structure, monkeypatch):
    def refuse(_form):
        raise ValueError("Le taux minimum d'assiduité doit être un nombre de 0 à 1 (0.8 pour 80 %).")

    monkeypatch.setattr(SeuilsForm, "to_seuils", refuse)
    browser.login(mediatrice)
    response = browser.submit(URL, VALEURS)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Le taux minimum d&#39;assiduité doit être un nombre de 0 à 1" in page
    assert 'name="taux_minimum" required type="number" value="75"' in page
    assert stored(structure) is None
