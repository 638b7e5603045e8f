"""The dashboards' figures kept for a few minutes (``PILOTAGE_CACHE_SECONDS``, 300 by default), per process.

A dashboard reads two years of history in some twenty aggregate queries and writes a few hundred table cells:
tens of milliseconds each time. Its figures are counts over a period, read by a director or a coordinator who
reloads, changes the period back and forth and opens its five charts (five more requests): computing them once
per few minutes keeps every dashboard request about as cheap as any other page (DESIGN.md section 8: within
10x of ``/healthz``), at the price of figures up to a few minutes old, which the page says ("Chiffres
calculés à 14 h 05"). What is kept holds no one's identity: aggregates only, keyed by the structures they
cover, so one structure's figures are never served for another. The people at risk are always read afresh.

``cachetools.TTLCache`` does the expiry; one cache per application (``app.extensions``), so two applications in
one process (the tests) never share figures. ``PILOTAGE_CACHE_SECONDS = 0`` turns it off.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import TypeVar

from cachetools import TTLCache
from flask import Flask, current_app

from core.timeutil import utcnow

T = TypeVar("T")
CLE_EXTENSION = "pilotage_cache"
TAILLE = 512  # entries: structures x periods x kinds (sections, rendered page, network view)


class CacheDesChiffres:
    """Values computed at most once per ``secondes`` for a key, with the moment they were computed."""

    def __init__(self, secondes: float, timer: Callable[[], float] = time.monotonic) -> None:
        """:param secondes: how long a value is kept (0: never); :param timer: the clock, in seconds."""
        self.secondes = secondes
        self._valeurs: TTLCache | None = TTLCache(TAILLE, secondes, timer=timer) if secondes > 0 else None
        self._verrou = threading.Lock()

    def obtenir(self, cle: Hashable, calculer: Callable[[], T]) -> tuple[T, datetime]:
        """``(value, computed_at)`` for ``cle``: the kept value while it is younger than the setting, else
        ``calculer()`` (outside the lock: two requests may both compute it, the last one is kept).

        :param cle: what the value depends on: the kind of value, the structure ids, the period's dates and the
            structures' day (a new day gives a new key).
        :return: the value and the naive UTC moment it was computed.
        """
        if self._valeurs is None:
            return calculer(), utcnow()
        with self._verrou:
            trouve = self._valeurs.get(cle)
        if trouve is not None:
            return trouve
        resultat = (calculer(), utcnow())
        with self._verrou:
            self._valeurs[cle] = resultat
        return resultat


def init_app(app: Flask) -> None:
    """One cache for ``app``, sized by its ``PILOTAGE_CACHE_SECONDS``."""
    app.extensions[CLE_EXTENSION] = CacheDesChiffres(float(app.config.get("PILOTAGE_CACHE_SECONDS", 300)))


def obtenir(cle: Hashable, calculer: Callable[[], T]) -> tuple[T, datetime]:
    """:meth:`CacheDesChiffres.obtenir` on the current application's cache."""
    return current_app.extensions[CLE_EXTENSION].obtenir(cle, calculer)
