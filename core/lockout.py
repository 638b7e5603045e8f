"""When too many failed sign-ins lock an email address (issue 8, item 17). Pure: no Flask, no database.

The per-address limit (Flask-Limiter, ``LOGIN_RATE_LIMIT``) stops one client guessing; this rule stops many
clients guessing one account's password together. ``limit`` failures within ``window`` lock the address;
while it is locked, attempts are refused without checking the password and are not counted, so a lock ends
at most ``window`` after it began, whatever an attacker keeps sending. A browser that signed in to the
account before is not locked out at all (``core.auth``): an attacker cannot keep its owner out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta


def locked_until(failures: Sequence[datetime], now: datetime, limit: int, window: timedelta) -> datetime | None:
    """The moment the lock of an address ends, or None when it is not locked at ``now``.

    :param failures: moments (naive UTC) of the address's failed sign-ins, in any order; older ones ignored.
    :param limit: failures within ``window`` that lock the address (at least 1).
    :param window: how far back failures count, and so the longest a lock lasts.
    :return: when fewer than ``limit`` failures will remain within the window, if that is after ``now``.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    recent = sorted(moment for moment in failures if now - window < moment <= now)
    if len(recent) < limit:
        return None
    return recent[len(recent) - limit] + window
