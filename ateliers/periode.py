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

:func:`modules_non_notables` is the one rule of which skills may be judged for a learner, on the séance skills
pages and at the final evaluation alike: a module missed without a catch-up done is not judged.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

AVANT_ARRIVEE = "avant_arrivee"
# Why a module's skills cannot be judged now (:func:`modules_non_notables`).
ABSENCE_A_LA_SEANCE = "absence_a_la_seance"
MODULE_MANQUE = "module_manque"
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


def modules_non_notables(
    manques: Collection[int], rattrapes: Collection[int], module_de_la_seance: int, modules: Iterable[int]
) -> dict[int, str]:
    """Which of ``modules`` cannot have their skills judged for a learner at a séance, and why.

    A module the learner missed (absent or excused at its séance while enrolled) is judged only once a
    catch-up of it is done, whatever page the judgement is typed on (the séance's skills page or the final
    evaluation). Someone who missed the séance where the judgements are made is not judged there at all,
    unless that séance's module was caught up (the catch-up is where they were seen). Source: the rule of the
    séance skills pages ("an absent learner is judged only once a catch-up of the module is done", README),
    made the final evaluation's too by issue 9, item 5.

    :param manques: ids of the modules whose séance the learner was enrolled at and missed (absent or
        excused; a séance before they joined or after they left is not missed, see :func:`position`).
    :param rattrapes: ids of the modules whose catch-up is done.
    :param module_de_la_seance: id of the module of the séance where the judgements are made.
    :param modules: ids of the modules whose skills that séance judges (its own; every module at the final
        evaluation).
    :return: module id -> ``ABSENCE_A_LA_SEANCE`` (every module, when the learner missed this séance) or
        ``MODULE_MANQUE`` (a module missed earlier); modules left out may be judged.
    """
    a_rattraper = set(manques) - set(rattrapes)
    if module_de_la_seance in a_rattraper:
        return dict.fromkeys(modules, ABSENCE_A_LA_SEANCE)
    return {module: MODULE_MANQUE for module in modules if module in a_rattraper}
