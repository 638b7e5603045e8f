"""The real ranges of numbers that come from a request, checked before any use (issue 8, item 13).

A number typed in a URL, a query string or a form reaches Python as an unbounded ``int``: past 2^31 PostgreSQL
refuses it as an ``integer`` parameter, past 2^63 SQLite cannot even bind it, and a shift such as ``1 << n``
allocates n bits. Every id and count read from a request goes through one of these helpers first.

The parsers raise ``ValueError`` on anything out of range, so they serve as ``type=`` of
``request.args.get`` (which then gives the default) and as ``coerce=`` of WTForms fields (which then show
the field's message).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from werkzeug.routing import IntegerConverter

from core.errors import DomainError

# The largest value of a PostgreSQL ``integer`` column, which every primary key of the schema is.
MAX_ID = 2**31 - 1
# More pages than any list of a structure will ever have; keeps OFFSET small on every database.
MAX_PAGE = 100_000


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    """A parser of whole numbers from ``low`` to ``high`` (both included), written in ASCII digits.

    The parser takes a string (or an int) and returns the int; it raises ``ValueError`` on a sign, a space,
    digits other than 0-9 (such as ``²``), more digits than ``high`` has, or a value out of range.
    """
    width = len(str(high))

    def parse(value: str | int) -> int:
        text = str(value)
        if not text or len(text) > width or not text.isascii() or not text.isdigit():
            raise ValueError(f"nombre entier de {low} à {high} attendu")
        number = int(text)
        if not low <= number <= high:
            raise ValueError(f"nombre entier de {low} à {high} attendu")
        return number

    parse.__name__ = f"int_{low}_{high}"
    return parse


id_value = bounded_int(1, MAX_ID)
"""Parse a record id (1 to 2^31 - 1); ``ValueError`` otherwise."""

page_number = bounded_int(1, MAX_PAGE)
"""Parse a page number of a paginated list (1 to 100,000); ``ValueError`` otherwise."""


def id_or_none(value: str | None) -> int | None:
    """The record id written in ``value``, or None when it is empty, not a number or out of range."""
    try:
        return id_value(value) if value not in (None, "") else None
    except ValueError:
        return None


# Dates typed in the app (planning, moves, closures, calls, catch-ups) fall within these whole years of today.
YEARS_BEFORE = 2
YEARS_AFTER = 3


def date_window(today: date, years_before: int = YEARS_BEFORE, years_after: int = YEARS_AFTER) -> tuple[date, date]:
    """The first and last day a date typed today may take: 1 January ``years_before`` years back to
    31 December ``years_after`` years ahead. Far from ``date.min`` and ``date.max``, so adding weeks to a day
    of the window never overflows."""
    return date(today.year - years_before, 1, 1), date(today.year + years_after, 12, 31)


def require_date_in_window(day: date, today: date, field: str) -> None:
    """Refuse a date typed far from ``today`` (a mistyped year such as 9999 or 1926) before any rule uses it.

    :raise DomainError: beside ``field``, with the window in the message.
    """
    first, last = date_window(today)
    if not first <= day <= last:
        raise DomainError(
            f"Vérifiez l'année : indiquez une date entre le {first:%d/%m/%Y} et le {last:%d/%m/%Y}.", field
        )


class IdConverter(IntegerConverter):
    """The app's ``<int:...>`` URL converter: 1 to 2^31 - 1 by default, so a larger id is a plain 404.

    Registered for the whole app in ``app.register_url_converters``; a rule may still pass its own ``min``
    and ``max``.
    """

    def __init__(self, url_map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
        if max is not None and not fixed_digits:
            # ASCII digits, no more than ``max`` has: a longer number is no match, never converted.
            self.regex = rf"{'-?' if signed else ''}[0-9]{{1,{len(str(max))}}}"
