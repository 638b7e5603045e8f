"""Every form of the app speaks French: no message of WTForms' English catalogue reaches a page.

The forms are found by walking the subclasses of Flask-WTF's ``FlaskForm`` defined in the app's packages, so a
form added later is checked too. Each is submitted twice: empty (missing required values), then with a bad
value in every field (a choice that is not offered, letters for a number, an impossible date or time, text
longer than allowed). CSRF is left to CSRFProtect, which refuses a bad token before any form runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import wtforms
from flask_wtf import FlaskForm
from markupsafe import escape
from werkzeug.datastructures import MultiDict
from wtforms import fields

import ateliers.forms
import core.forms
import evaluations.forms
from evaluations.curriculum import current_questionnaire
from evaluations.forms import positionnement_form

APP_MODULES = (core.forms, ateliers.forms, evaluations.forms)
CATALOGUE = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"


def english_messages() -> list[re.Pattern[str]]:
    """Every message WTForms ships, as a pattern (its ``%(max)d``-style placeholders match anything)."""
    ids = re.findall(r'^msgid(?:_plural)? "(.+)"$', CATALOGUE.read_text(encoding="utf-8"), flags=re.M)
    return [re.compile(re.sub(r"%(?:\\\(\w+\\\))?[ds]", ".+", re.escape(text))) for text in ids]


ENGLISH = english_messages()


def app_forms() -> list[type[FlaskForm]]:
    found, pending = [], list(FlaskForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending += form.__subclasses__()
        if any(form.__module__ == module.__name__ for module in APP_MODULES) and form.__name__ != "PositionnementForm":
            found.append(form)
    return sorted(set(found), key=lambda form: form.__qualname__)


def bad_value(field):
    if isinstance(field, fields.SelectFieldBase):
        return "zz-pas-dans-la-liste"
    if isinstance(field, fields.IntegerField | fields.DecimalField | fields.FloatField):
        return "douze"
    if isinstance(field, fields.TimeField):
        return "25:99"
    if isinstance(field, fields.DateField | fields.DateTimeField):
        return "31/02/2026"
    if isinstance(field, fields.StringField) and not isinstance(field, fields.BooleanField | fields.SubmitField):
        return "x" * 2000
    return None


def messages(errors) -> list[str]:
    flat = []
    for value in errors.values() if isinstance(errors, dict) else errors:
        flat += messages(value) if isinstance(value, dict | list) else [value]
    return flat


def submitted(app, build) -> list[str]:
    """The error messages of the form ``build()`` makes, once empty and once with a bad value in each field."""
    found = []
    with app.test_request_context(method="POST"):
        empty = build(MultiDict())
        empty.validate()
        found += messages(empty.errors)
        fields_of = build(MultiDict())
        data = MultiDict([(field.name, value) for field in fields_of if (value := bad_value(field)) is not None])
        bad = build(data)
        bad.validate()
        found += messages(bad.errors)
    return found


@pytest.fixture
def forms_app(make_app):
    return make_app(WTF_CSRF_ENABLED=False)


def test_the_walk_finds_the_forms_of_every_package():
    names = {form.__name__ for form in app_forms()}
    assert {"ApprenantForm", "CompteForm", "FiltresAttenteForm", "SeuilsForm", "_PositionnementBase"} <= names


@pytest.mark.parametrize("form_class", app_forms(), ids=lambda form: form.__name__)
def test_no_english_message_leaks_from_a_form(forms_app, form_class):
    found = submitted(forms_app, lambda data: form_class(formdata=data))

    leaks = [message for message in found if any(pattern.fullmatch(message) for pattern in ENGLISH)]
    assert leaks == []


@pytest.mark.parametrize("with_candidate", [False, True])
def test_no_english_message_leaks_from_the_placement_questionnaire(forms_app, with_candidate):
    with forms_app.app_context():
        questionnaire = current_questionnaire()

    found = submitted(
        forms_app, lambda data: positionnement_form(questionnaire, with_candidate=with_candidate, formdata=data)
    )

    assert "N'est pas un choix valide." in found  # part D, A: a choice that is not offered
    leaks = [message for message in found if any(pattern.fullmatch(message) for pattern in ENGLISH)]
    assert leaks == []


def test_choice_labels_escape_what_they_write_as_wtforms_does(forms_app):
    # core.templating.choice_labels writes its inputs as text, each value escaped once: the same markup as
    # WTForms' widgets, whatever characters a questionnaire's data file puts in an id, a value or a label.
    from wtforms import RadioField
    from wtforms.validators import InputRequired

    from core.forms import AppForm, MultiCheckboxField, choices
    from core.templating import choice_labels

    tricky = [('a"<b>', "Oui & <b>non</b>"), ("l'autre", 'C\'est "ça"'), ("", "")]

    class Tricky(AppForm):
        radio = RadioField("Q", choices=choices(tricky), validators=[InputRequired()])
        cases = MultiCheckboxField("C", choices=choices(tricky))

    posted = {'p"<x>-radio': "l'autre", 'p"<x>-cases': ['a"<b>', ""]}
    with forms_app.test_request_context(method="POST", data=posted):
        form = Tricky(prefix='p"<x>')
        form.validate()
        for field in (form.radio, form.cases):
            html = str(choice_labels(field))
            expected = [
                f'<label class="choice">{option()} <span>{escape(option.label.text)}</span></label>' for option in field
            ]
            assert [line.strip() for line in html.splitlines() if line.strip()] == expected
            assert "<b>" not in html and "checked" in html
