"""When an unused staff account is deactivated (issue 13, item 5). Pure: no Flask, no database.

An account that nobody has signed in to for six calendar months is deactivated by a scheduled job
(``core.jobs.desactiver_comptes_inactifs``): on a shared CCAS computer a forgotten account is an open door,
and the CNIL's guidance on access management asks that unused accounts be closed. Its last use is the latest of
its creation, its last sign-in and its last reactivation by an admin (a reactivated account gets six months
again).
"""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta

MOIS_INACTIVITE = 6


def derniere_utilisation(
    created_at: datetime, last_login_at: datetime | None, reactive_at: datetime | None
) -> datetime:
    """The account's last use: the latest of its creation, last sign-in and reactivation (naive UTC)."""
    return max(moment for moment in (created_at, last_login_at, reactive_at) if moment is not None)


def seuil_inactivite(now: datetime, mois: int = MOIS_INACTIVITE) -> datetime:
    """The moment before which a last use makes an account inactive at ``now``: ``mois`` calendar months
    earlier (31 August -> the last day of February)."""
    return now - relativedelta(months=mois)


def est_inactif(
    created_at: datetime,
    last_login_at: datetime | None,
    reactive_at: datetime | None,
    now: datetime,
    mois: int = MOIS_INACTIVITE,
) -> bool:
    """Whether an account last used as given is unused for ``mois`` calendar months at ``now`` (all naive UTC)."""
    return derniere_utilisation(created_at, last_login_at, reactive_at) < seuil_inactivite(now, mois)
