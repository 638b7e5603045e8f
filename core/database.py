"""Database connection settings, and statements of columns run on the session's connection."""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import stat

import sqlalchemy as sa
from flask import g, has_app_context, has_request_context

from extensions import db

log = logging.getLogger(__name__)

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=5000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)
# The files SQLite keeps beside the database: write-ahead log, its shared-memory index, rollback journal.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
OWNER_ONLY = 0o600
QUOTED = re.compile(r'"[^"]*"')


def restrict_sqlite_files(database: str) -> None:
    """Make the SQLite file ``database`` and its companion files readable and writable by their owner only.

    A missing database file is created empty with mode 0600 before SQLite opens it (SQLite would create it
    0644, and gives its -wal and -shm files the database file's mode); existing files with wider modes, from
    an earlier version or a copy, are narrowed. A file that cannot be changed (another owner) is logged.

    :param database: the file name given to ``sqlite3.connect`` (``:memory:`` and ``""`` are left alone).
    """
    if database in ("", ":memory:"):
        return
    try:
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY))
    except FileExistsError:
        pass
    except OSError:
        return  # a missing directory: let SQLite report it
    for path in (database, *(database + suffix for suffix in SQLITE_COMPANIONS)):
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
            if mode & 0o077:
                os.chmod(path, mode & 0o700)
        except FileNotFoundError:
            continue
        except PermissionError:
            log.warning("cannot restrict the permissions of the SQLite file %s", path)


@sa.event.listens_for(sa.engine.Engine, "do_connect")
def _restrict_sqlite_files(dialect, _record, cargs, cparams) -> None:
    """Before every new SQLite connection: the database files are the owner's only (DESIGN.md section 5)."""
    if dialect.name == "sqlite" and cargs and not cparams.get("uri"):
        restrict_sqlite_files(str(cargs[0]))


@sa.event.listens_for(sa.engine.Engine, "connect")
def _set_sqlite_pragmas(dbapi_connection, _record) -> None:
    """Apply WAL, busy timeout, foreign keys and NORMAL sync on every new SQLite connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()


@sa.event.listens_for(sa.engine.Engine, "before_execute")
def _note_statement(_conn, clauseelement, _multiparams, _params, _options) -> None:
    """Note what each statement may change, whatever its path (the ORM's flush, an ORM bulk statement,
    :func:`run_core`): anything but a select leaves the transaction with a write not yet committed
    (:func:`_end_read_only_transaction`); the table of an insert, update or delete is recorded for the request
    (:func:`table_written`)."""
    if not has_app_context():
        return
    if not _reads_only(clauseelement):
        g.uncommitted_write = True
    if clauseelement.is_dml and has_request_context():
        g.setdefault("tables_written", set()).add(clauseelement.table.name)


def _reads_only(statement) -> bool:
    """A select (of the ORM or Core, compound, or text starting with SELECT): it changes no row."""
    if isinstance(statement, sa.TextClause):
        return statement.text.lstrip()[:6].upper() == "SELECT"
    return isinstance(statement, sa.sql.expression.SelectBase)


@sa.event.listens_for(sa.engine.Engine, "commit")
@sa.event.listens_for(sa.engine.Engine, "rollback")
def _note_transaction_ended(_conn) -> None:
    if has_app_context():
        g.uncommitted_write = False


def init_app(app) -> None:
    """On PostgreSQL, end each request's read-only transaction with COMMIT (:func:`_end_read_only_transaction`).
    Not on SQLite, which gains nothing from it (its driver keeps its statements whatever ends a transaction) and
    would pay the commit (measured: 7 % more instructions for ``/healthz``)."""
    if sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "postgresql":
        app.teardown_request(_end_read_only_transaction)


def _end_read_only_transaction(error: BaseException | None) -> None:
    """After a request that completed, a transaction that only read is committed rather than rolled back when
    the session closes: the same for the data (nothing was written), but psycopg forgets every statement it
    prepared on the connection at a ROLLBACK and deallocates them on the server (one round trip more), so on
    PostgreSQL the pages' statements were parsed and planned again on every request (issue 8, item 19).

    Left to the rollback: a request that failed, pending ORM changes, and writes sent since the last commit
    (a view that refused an edit and did not roll back itself). A failing COMMIT is rolled back and logged.
    """
    if error is not None or not db.session.registry.has():
        return
    session = db.session()
    if not session.in_transaction() or g.get("uncommitted_write"):
        return
    if session.new or session.dirty or session.deleted:
        return
    try:
        session.commit()
    except sa.exc.SQLAlchemyError:
        log.warning("commit of a read-only transaction failed; rolled back", exc_info=True)
        session.rollback()


def table_written(nom: str) -> bool:
    """Whether the current request has written to the table ``nom`` (an insert, update or delete sent to the
    database, committed or not): a figure read at the start of the request is then out of date. False outside a
    request. An insert, update or delete written as text (``sa.text``) is not seen: the application writes none.
    """
    return has_request_context() and nom in g.get("tables_written", ())


@sa.event.listens_for(sa.engine.Engine, "handle_error")
def _withhold_row_values(context) -> None:
    """Keep the values of a row out of PostgreSQL error messages, hence out of logs and tracebacks.

    The server's DETAIL line quotes the data ("Failing row contains (…, Dupont, +33612345678)", "Key
    (email)=(…) already exists"), and a data exception quotes the value refused ('invalid input syntax for
    type integer: "Dupont"'). The message becomes the primary text alone, quoted values withheld for data
    exceptions (SQLSTATE class 22); the full diagnostic stays on ``error.diag`` for code that needs it.
    SQLite's messages name constraints and columns only. SQL parameters are hidden by the engine option
    ``hide_parameters`` (config.py).
    """
    error = context.original_exception
    diag = getattr(error, "diag", None)
    primary = getattr(diag, "message_primary", None)
    if not primary:
        return
    if (diag.sqlstate or "").startswith("22"):
        primary = QUOTED.sub('"…"', primary)
    error.args = (primary,)
    wrapper = context.sqlalchemy_exception
    if wrapper is not None and wrapper.orig is error:
        # SQLAlchemy's exception wrote the driver's message into its own when it was built.
        wrapper.args = (f"({type(error).__module__}.{type(error).__name__}) {primary}",)


def run_core(statement: sa.Executable, parameters: dict | list[dict] | None = None) -> sa.CursorResult:
    """Run ``statement`` on the session's connection, inside the session's transaction, past the ORM layer.

    For statements whose result holds no mapped object: selects of columns and counts, inserts into a table.
    ``Session.execute`` sends every statement naming a mapped class through the ORM (compile-state plugin,
    ORM result set-up, bulk-insert path), which cost 25 to 50 µs more per statement than the same rows read here
    (measured on the demo data, issue 8 item 19: an insert into the journal 0.065 ms against 0.017 ms, a
    count 0.038 against 0.013, a select of columns 0.091 against 0.053). Pending ORM changes are flushed
    first, as the session's autoflush would (unless autoflush is off), so the rows read see them.

    :param statement: a Core select of columns, or an insert, update or delete of a :class:`~sqlalchemy.Table`
        (``Model.__table__``): an ORM ``insert(Model)`` would skip the ORM's own handling of it.
    :param parameters: the bound values, a dict (or a list of dicts for an executemany).
    :return: the cursor result (``.all()``, ``.first()``, ``.scalar()``, iteration).
    :raise sqlalchemy.exc.SQLAlchemyError: as ``Session.execute`` would.
    """
    session = db.session
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, parameters)
