from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from pilotage.forms import PeriodeForm
from pilotage.periode import Periode, annee_scolaire, trimestre

TODAY = date(2026, 11, 30)


def _form(app, **args):
    with app.test_request_context("/pilotage/"):
        form = PeriodeForm(MultiDict(args), today=TODAY)
        valide = form.validate()
        return form, form.periode() if valide else None


@pytest.mark.parametrize(
    ("args", "attendu"),
    [
        ({}, Periode(date(2026, 1, 1), TODAY)),
        ({"type": "scolaire", "annee": "2025"}, annee_scolaire(2025)),
        ({"type": "trimestre", "annee": "2026", "trimestre": "2"}, trimestre(2026, 2)),
        ({"type": "dates", "debut": "03/03/2026", "fin": "2026-04-17"}, Periode(date(2026, 3, 3), date(2026, 4, 17))),
    ],
)
def test_each_kind_of_period(app, args, attendu):
    form, periode = _form(app, **args)
    assert periode == attendu, form.errors


@pytest.mark.parametrize(
    ("args", "champ", "message"),
    [
        ({"type": "dates", "debut": "17/04/2026", "fin": "03/03/2026"}, "fin", "est avant le début"),
        ({"type": "dates", "debut": "01/01/2019", "fin": "31/12/2025"}, "fin", "cinq ans"),
        ({"type": "dates", "debut": "03/03/2026"}, "fin", "les deux dates"),
        ({"type": "dates", "debut": "32/03/2026", "fin": "03/04/2026"}, "debut", "jj/mm/aaaa"),
        ({"type": "annee", "annee": "1900"}, "annee", "de 2015 à 2027"),
        ({"type": "scolaire"}, "annee", "Saisissez l'année"),
        ({"type": "trimestre", "annee": "2026", "trimestre": "5"}, "trimestre", "de la liste"),
    ],
)
def test_bad_periods_are_refused_beside_the_field_and_keep_what_was_typed(app, args, champ, message):
    form, periode = _form(app, **args)
    assert periode is None
    assert any(message in erreur for erreur in getattr(form, champ).errors), form.errors
    if "debut" in args:
        assert form.debut._value() == args["debut"]
