"""The real ranges of numbers and dates read from requests (issue 8, item 13)."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Rule

from core.bounds import MAX_ID, IdConverter, bounded_int, date_window, id_or_none, id_value, require_date_in_window
from core.errors import DomainError


@pytest.mark.parametrize("text", ["1", "42", str(MAX_ID)])
def test_ids_in_range_are_read(text):
    assert id_value(text) == int(text)


@pytest.mark.parametrize(
    "text", ["", "0", "-1", "+1", " 1", "1.0", "1e3", "²", "١٢", str(MAX_ID + 1), "9" * 5000, "0x10"]
)
def test_anything_else_is_no_id(text):
    with pytest.raises(ValueError):
        id_value(text)
    assert id_or_none(text) is None


def test_a_bounded_parser_keeps_to_its_range():
    numero = bounded_int(1, 6)
    assert [numero(str(n)) for n in range(1, 7)] == [1, 2, 3, 4, 5, 6]
    for text in ("0", "7", "4000000000"):
        with pytest.raises(ValueError):
            numero(text)


def test_url_ids_past_a_postgresql_integer_match_no_rule():
    urls = Map([Rule("/ateliers/<int:atelier_id>", endpoint="detail")], converters={"int": IdConverter}).bind("x")
    assert urls.match(f"/ateliers/{MAX_ID}") == ("detail", {"atelier_id": MAX_ID})
    for huge in (str(MAX_ID + 1), "9223372036854775808", "9" * 5000, "0", "١٢"):
        with pytest.raises(NotFound):
            urls.match(f"/ateliers/{huge}")


def test_the_date_window_is_whole_years_around_today():
    assert date_window(date(2026, 11, 30)) == (date(2024, 1, 1), date(2029, 12, 31))
    require_date_in_window(date(2029, 12, 31), date(2026, 1, 1), "jour")
    with pytest.raises(DomainError) as refused:
        require_date_in_window(date(9999, 12, 31), date(2026, 1, 1), "jour")
    assert refused.value.field == "jour"
    assert refused.value.message == "Vérifiez l'année : indiquez une date entre le 01/01/2024 et le 31/12/2029."
