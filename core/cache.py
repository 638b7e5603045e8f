"""Caches of reference data that never changes once written (a curriculum version, a questionnaire version).

Pages read such data on every request; rebuilding it each time (ORM objects, JSON, form classes) was a large
part of their CPU. A cache lives as long as the Flask application: one per worker process in production,
one per test (each test builds its own app on its own database), so an entry never outlives the database it
was read from. Entries are plain values (frozen dataclasses, tuples, classes), never ORM instances: those
belong to one session and must not be shared between requests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app

T = TypeVar("T")


def app_cache(name: str) -> dict:
    """The current application's cache called ``name`` (a plain dict, created empty on first use)."""
    return current_app.extensions.setdefault(f"reference-cache:{name}", {})


def cached(name: str, key, load: Callable[[], T]) -> T:
    """The value of ``key`` in the cache ``name``, computed by ``load()`` on first use.

    A result that is None or empty is returned but not kept (e.g. a version not loaded yet may appear later).
    Two requests may load the same key at once; both get a correct value and the last one is kept.
    """
    cache = app_cache(name)
    try:
        return cache[key]
    except KeyError:
        value = load()
        if value:
            cache[key] = value
        return value
