"""Database connection settings."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=5000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)


@sa.event.listens_for(sa.engine.Engine, "connect")
def _set_sqlite_pragmas(dbapi_connection, _record) -> None:
    """Apply WAL, busy timeout, foreign keys and NORMAL sync on every new SQLite connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()
