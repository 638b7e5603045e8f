"""Connection settings: SQLite files owner-only, database errors without the data refused."""

from __future__ import annotations

import os
import stat

import pytest
import sqlalchemy as sa

from app import create_app
from core.models import Structure
from extensions import db
from tests.conftest import base_config


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_sqlite_files_are_readable_by_their_owner_only(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    database = instance / "ateliers.sqlite3"
    # A database left by an earlier version, readable by everyone, with its write-ahead log.
    for path in (database, instance / "ateliers.sqlite3-wal"):
        path.touch()
        path.chmod(0o644)
    app = create_app(base_config(f"sqlite:///{database}", instance))
    with app.app_context():
        db.create_all()
        db.session.add(Structure(nom="CCAS"))
        db.session.commit()
        files = sorted(p.name for p in instance.iterdir())
        assert files == ["ateliers.sqlite3", "ateliers.sqlite3-shm", "ateliers.sqlite3-wal"]
        assert {name: _mode(instance / name) for name in files} == dict.fromkeys(files, 0o600)
        db.engine.dispose()


def test_a_new_sqlite_database_is_created_owner_only(tmp_path):
    database = tmp_path / "neuve.sqlite3"
    app = create_app(base_config(f"sqlite:///{database}", tmp_path / "instance"))
    with app.app_context():
        db.create_all()
        db.session.add(Structure(nom="CCAS"))
        db.session.commit()
        for path in tmp_path.glob("neuve.sqlite3*"):
            assert _mode(path) == 0o600, path.name
        db.engine.dispose()


def test_the_generated_secret_key_and_its_folder_are_owner_only(tmp_path, monkeypatch):
    import config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    instance = tmp_path / "neuf"
    config.load_secret_key(instance)
    assert _mode(instance) == 0o700 and _mode(instance / "secret_key") == 0o600


def test_a_refused_value_is_not_repeated_in_the_database_error(app):
    session = db.session
    # PostgreSQL quotes a value it cannot read ('invalid input syntax for type integer: "Dupont"'); SQLite
    # names the problem only. Either way the message, hence a log or a traceback, carries no data.
    statement = {
        "postgresql": "SELECT CAST(:value AS integer)",
        "sqlite": "SELECT json_extract(:value, '$')",
    }[session.get_bind().dialect.name]
    with pytest.raises(sa.exc.DatabaseError) as refused:
        session.execute(sa.text(statement), {"value": "Dupont 06 12 34 56 78"})
    session.rollback()
    assert "Dupont" not in str(refused.value) and "06 12" not in str(refused.value)
    assert "Dupont" not in str(refused.value.orig)


def test_run_core_reads_what_the_session_has_not_written_yet(app):
    from core.database import run_core

    db.session.add(Structure(nom="Maison France Services"))
    count = sa.select(sa.func.count()).select_from(Structure.__table__)
    assert run_core(count).scalar_one() == 1  # flushed first, as Session.execute's autoflush would
    with db.session.no_autoflush:
        db.session.add(Structure(nom="Centre social"))
        assert run_core(count).scalar_one() == 1  # autoflush off: left pending
    assert run_core(count).scalar_one() == 2


def test_run_core_writes_inside_the_session_transaction(app):
    from core.database import run_core

    db.session.add(Structure(nom="CCAS"))
    db.session.commit()
    run_core(sa.insert(Structure.__table__), {"nom": "Association"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Structure)) == 2
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Structure)) == 1


def test_table_ecrite_sees_every_way_a_request_writes_a_table(app, structure):
    """The ORM's flush, an ORM bulk statement and a Core statement on the connection are all seen; a read is
    not; a request starts with nothing written (the menu's count of messages relies on it: core.templating).
    Each request below has its own application context, as under a server."""
    from core.database import run_core, table_written

    def written() -> set[str]:
        return {name for name in ("structure", "journal", "compte") if table_written(name)}

    assert not table_written("structure")  # outside a request
    with app.app_context(), app.test_request_context("/"):
        db.session.scalars(sa.select(Structure)).all()
        run_core(sa.select(sa.func.count()).select_from(Structure.__table__)).scalar_one()
        assert written() == set()
        db.session.add(Structure(nom="Centre social"))
        db.session.flush()
        assert written() == {"structure"}
        db.session.rollback()
        assert written() == {"structure"}  # sent, then rolled back: what was read before may be out of date
    with app.app_context(), app.test_request_context("/"):
        assert written() == set()
        db.session.execute(sa.update(Structure).where(Structure.id == structure.id).values(commune="Agen"))
        assert written() == {"structure"}
        db.session.rollback()
    with app.app_context(), app.test_request_context("/"):
        run_core(sa.delete(Structure.__table__).where(Structure.__table__.c.id == -1))
        assert written() == {"structure"}
        db.session.rollback()


@pytest.fixture
def transactions_app(make_app):
    """The app with pages that read, write without committing, leave ORM changes pending, or fail; and the
    COMMIT and ROLLBACK statements its engine sends, as ``app.fins``."""
    from core.access import public
    from core.database import run_core

    app = make_app(TESTING=False)
    lecture = sa.select(sa.func.count()).select_from(Structure.__table__)

    @app.get("/lit")
    @public
    def lit():
        return str(run_core(lecture).scalar_one())

    @app.get("/ecrit-sans-valider")
    @public
    def ecrit_sans_valider():
        run_core(sa.insert(Structure.__table__), {"nom": "Envoyée, jamais validée"})
        return "refusé"

    @app.get("/ecrit-en-texte")
    @public
    def ecrit_en_texte():
        db.session.execute(sa.text("UPDATE structure SET commune = 'Agen'"))
        return "refusé"

    @app.get("/modifie-sans-envoyer")
    @public
    def modifie_sans_envoyer():
        run_core(lecture).scalar_one()
        db.session.add(Structure(nom="En attente"))
        return "refusé"

    @app.get("/echoue")
    @public
    def echoue():
        run_core(lecture).scalar_one()
        raise RuntimeError("panne")

    @app.get("/prepares")
    @public
    def prepares():
        return str(db.session.scalar(sa.text("SELECT count(*) FROM pg_prepared_statements")))

    app.fins = []
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "commit", lambda _conn: app.fins.append("COMMIT"))
    sa.event.listen(engine, "rollback", lambda _conn: app.fins.append("ROLLBACK"))
    return app


def _dialect(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


def test_a_request_that_only_read_ends_with_commit_on_postgresql(transactions_app):
    """Same data either way, but psycopg forgets the statements it prepared at a ROLLBACK (issue 8, item 19);
    SQLite's driver does not, and a request there ends as before."""
    client = transactions_app.test_client()
    assert client.get("/lit").status_code == 200
    expected = "COMMIT" if _dialect(transactions_app) == "postgresql" else "ROLLBACK"
    assert transactions_app.fins == [expected]


@pytest.mark.parametrize("url", ["/ecrit-sans-valider", "/ecrit-en-texte", "/modifie-sans-envoyer", "/echoue"])
def test_a_request_that_wrote_without_committing_or_failed_is_rolled_back(transactions_app, url):
    client = transactions_app.test_client()
    client.get(url)
    assert transactions_app.fins == ["ROLLBACK"]
    with transactions_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Structure)) == 0


def test_the_statements_prepared_by_postgresql_survive_a_read_only_request(transactions_app):
    """On PostgreSQL, psycopg prepares a statement run five times on a connection; a ROLLBACK deallocated them
    all, so pages that only read never ran a prepared statement. (SQLite has no such view: run there, the test
    checks the requests only read.)"""
    client = transactions_app.test_client()
    for _ in range(6):
        assert client.get("/lit").status_code == 200
    if _dialect(transactions_app) == "postgresql":
        assert transactions_app.fins == ["COMMIT"] * 6
        assert int(client.get("/prepares").get_data(as_text=True)) >= 1
    else:
        assert transactions_app.fins == ["ROLLBACK"] * 6
