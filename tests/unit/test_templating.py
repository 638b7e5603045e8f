"""core.templating.choice_inputs: the hand-written radio buttons and checkboxes of the workshop's forms."""

import html
import re

import pytest
from markupsafe import Markup

from core.templating import choice_inputs

INPUT = re.compile(r"<input ([^>]*)>")


def attributes(tag: str) -> dict[str, str]:
    return {name: html.unescape(value or "") for name, value in re.findall(r'(\w+)(?:="([^"]*)")?', tag)}


def test_a_radio_group_checks_the_value_given_and_keeps_the_order_of_the_choices():
    markup = choice_inputs("radio", "statut-4", [("present", "Présent"), ("absent", "Absent")], ("absent",))
    assert isinstance(markup, Markup)
    inputs = [attributes(tag) for tag in INPUT.findall(markup)]
    assert [(i["type"], i["name"], i["value"], "checked" in i) for i in inputs] == [
        ("radio", "statut-4", "present", False),
        ("radio", "statut-4", "absent", True),
    ]
    assert re.findall(r"<span>([^<]*)</span>", markup) == ["Présent", "Absent"]


def test_checkboxes_check_every_value_given_and_nothing_when_none_is():
    choices = [(3, "Nadia"), (5, "Karim"), (8, "Léa")]
    checked = [
        ("checked" in attributes(tag))
        for tag in INPUT.findall(choice_inputs("checkbox", "animateurs", choices, [8, 3]))
    ]
    assert checked == [True, False, True]
    assert "checked" not in choice_inputs("checkbox", "animateurs", choices)
    assert "checked" not in choice_inputs("radio", "c-1-2", [("acquis", "Acquis")], (None,))


def test_disabled_disables_every_input():
    markup = choice_inputs("radio", "c-1-2", [("acquis", "Acquis"), ("non_acquis", "Non acquis")], (), True)
    assert [("disabled" in attributes(tag)) for tag in INPUT.findall(markup)] == [True, True]


def test_names_values_and_labels_are_escaped_once():
    hostile = "\"><script>alert(1)</script>&'"
    markup = choice_inputs("radio", hostile, [(hostile, hostile)], (hostile,))
    assert "<script>" not in markup
    (tag,) = INPUT.findall(markup)
    assert attributes(tag)["name"] == hostile and attributes(tag)["value"] == hostile and "checked" in attributes(tag)
    assert html.unescape(re.search(r"<span>(.*)</span>", markup).group(1)) == hostile


def test_only_radio_buttons_and_checkboxes_are_written():
    with pytest.raises(ValueError, match="radio or checkbox"):
        choice_inputs('text" onfocus="x', "n", [("v", "l")])
