"""Who was enrolled at a séance: the one rule that every list, count and check of a séance goes through. Pure.

A learner holds their place from the moment they joined (``Inscription.joined_at``) until the moment they left
(``Inscription.ended_at``, None while the inscription runs), both naive UTC like every ``*_at`` column. A séance
counts for them when it *starts* inside that span: strictly after they joined, and before they left. So:

- a learner who takes a freed place at 16:00, after that morning's séance, starts at the next séance: the
  morning's séance is neither on their attendance list, nor an absence for the dropout rules, nor missing at
  closing;
- a learner who leaves stays on the lists of the séances that started before they left (the sheet of séance 1
  reprinted after an abandon still lists who came and signed that day), and is on none of the later ones.

Used by the attendance and skills lists, closing, the dropout histories, the attendance sheets, the progress
page, catch-ups, the hours totals and the replacement page (the séances a newcomer joining now would follow).
"""

from __future__ import annotations

from datetime import datetime

AVANT_ARRIVEE = "avant_arrivee"
INSCRIT = "inscrit"
APRES_DEPART = "apres_depart"


def position(joined_at: datetime, ended_at: datetime | None, starts_at: datetime) -> str:
    """Where a séance starting at ``starts_at`` falls for a learner enrolled from ``joined_at`` to ``ended_at``.

    :param joined_at: when the learner took their place (naive UTC).
    :param ended_at: when they left (naive UTC), None while still enrolled.
    :param starts_at: when the séance starts (naive UTC).
    :return: ``AVANT_ARRIVEE`` when it started at or before the joining moment, ``APRES_DEPART`` when it started
        at or after the leaving moment, ``INSCRIT`` otherwise (the learner was enrolled at that séance).
    """
    if starts_at <= joined_at:
        return AVANT_ARRIVEE
    if ended_at is not None and starts_at >= ended_at:
        return APRES_DEPART
    return INSCRIT


def enrolled_at(joined_at: datetime, ended_at: datetime | None, starts_at: datetime) -> bool:
    """True when the learner was enrolled at the séance starting at ``starts_at`` (see :func:`position`)."""
    return position(joined_at, ended_at, starts_at) == INSCRIT
