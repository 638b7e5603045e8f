"""Shared fixtures: an application on a fresh database per test, factories, sign-in and query counting.

The database is SQLite by default (a copy of a template file built once per run). With TEST_DATABASE_URL
set (``make test`` does it for its second run), the same tests run on PostgreSQL, the tables emptied between
tests. Tests under services/, web/ and browser/ are marked ``db`` automatically.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from app import create_app
from core import auth
from core.models import Apprenant, Compte, Structure
from evaluations.curriculum import load_referentiel
from extensions import db, limiter

TEST_PASSWORD = "mot-de-passe-de-test"
_PASSWORD_HASH = generate_password_hash(TEST_PASSWORD)
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
DB_DIRECTORIES = {"services", "web", "browser"}

pytest_plugins = ["tests.ateliers_fixtures", "tests.attestations_fixtures", "tests.rgpd_fixtures"]


def pytest_collection_modifyitems(items):
    for item in items:
        if DB_DIRECTORIES & set(Path(str(item.fspath)).parts):
            item.add_marker(pytest.mark.db)


def base_config(database_uri: str, instance_path: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "cle-de-test-seulement",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "INSTANCE_PATH": str(instance_path),
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "LOGIN_RATE_LIMIT": "1000 per minute",
        # Tests move the clock weeks ahead after signing in; a session's 8-hour lifetime is tested on its own.
        "PERMANENT_SESSION_LIFETIME": timedelta(days=365),
        # Likewise the idle limit (30 minutes by default): tests/web/test_comptes_sessions.py tests it on its own.
        "SESSION_IDLE_MINUTES": 365 * 24 * 60,
        # Tests change the data and read the dashboards again at once; the cache is tested on its own
        # (tests/web/test_pilotage_cache.py).
        "PILOTAGE_CACHE_SECONDS": 0,
    }


def _empty_postgres(app) -> None:
    tables = ", ".join(table.name for table in db.metadata.sorted_tables)
    with app.app_context():
        # The journal refuses TRUNCATE (append-only): as the tables' owner, the tests lift that for this
        # one transaction; the application has no such statement.
        db.session.execute(sa.text("ALTER TABLE journal DISABLE TRIGGER journal_no_truncate"))
        db.session.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.session.execute(sa.text("ALTER TABLE journal ENABLE TRIGGER journal_no_truncate"))
        db.session.commit()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Build the schema (and the default curriculum) once; return how to give each test its own copy."""
    if POSTGRES_URL:
        app = create_app(base_config(POSTGRES_URL, tmp_path_factory.mktemp("instance")))
        with app.app_context():
            db.drop_all()
            db.create_all()
            db.engine.dispose()
        return {"kind": "postgresql"}
    directory = tmp_path_factory.mktemp("template")
    template = directory / "template.sqlite3"
    app = create_app(base_config(f"sqlite:///{template}", directory))
    with app.app_context():
        db.create_all()
        load_referentiel()
        db.session.commit()
        db.session.execute(sa.text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.engine.dispose()
    return {"kind": "sqlite", "path": template}


@pytest.fixture
def database_uri(database_template, tmp_path) -> str:
    if database_template["kind"] == "postgresql":
        return POSTGRES_URL
    copy = tmp_path / "test.sqlite3"
    shutil.copyfile(database_template["path"], copy)
    return f"sqlite:///{copy}"


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own application context, as in production.

    Tests hold an application context open for their factories; without this, every request would share
    that context's ``g`` and database session. After each request the test's session is expired, so what
    the test reads next comes from the database.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response


@pytest.fixture
def make_app(database_uri, tmp_path):
    """Return a factory building the app on this test's database, with config overrides."""
    created = []

    def factory(**overrides):
        application = create_app({**base_config(database_uri, tmp_path / "instance"), **overrides})
        application.test_client_class = IsolatedClient
        created.append(application)
        if POSTGRES_URL and len(created) == 1:
            _empty_postgres(application)
            with application.app_context():
                load_referentiel()
                db.session.commit()
        return application

    yield factory
    limiter.reset()
    for application in created:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    application = make_app()
    with application.app_context():
        yield application


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_structure(app):
    counter = iter(range(1, 10_000))

    def factory(**overrides) -> Structure:
        values = {"nom": f"CCAS de Test {next(counter)}", "commune": "Testville", **overrides}
        structure = Structure(**values)
        db.session.add(structure)
        db.session.commit()
        return structure

    return factory


@pytest.fixture
def structure(make_structure) -> Structure:
    return make_structure(nom="CCAS de Saint-Test")


@pytest.fixture
def make_compte(app, structure):
    counter = iter(range(1, 10_000))

    def factory(role: str = "mediateur", **overrides) -> Compte:
        number = next(counter)
        values = {
            "structure_id": structure.id,
            "email": f"{role}{number}@test.local",
            "prenom": f"Prénom{number}",
            "nom": f"Nom{number}",
            "role": role,
            "password_hash": _PASSWORD_HASH,
            **overrides,
        }
        if "structure" in values:
            values["structure_id"] = values.pop("structure").id
        compte = Compte(**values)
        db.session.add(compte)
        db.session.commit()
        return compte

    return factory


@pytest.fixture
def make_apprenant(app, structure):
    counter = iter(range(1, 100_000))

    def factory(**overrides) -> Apprenant:
        number = next(counter)
        values = {
            "structure_id": structure.id,
            "prenom": "Josiane",
            "nom": f"Testeur{number}",
            "telephone": f"+33199{number:06d}"[:12],
            "canal_prefere": "telephone",
            **overrides,
        }
        if "structure" in values:
            values["structure_id"] = values.pop("structure").id
        apprenant = Apprenant(**values)
        db.session.add(apprenant)
        db.session.commit()
        return apprenant

    return factory


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


def version_from(page: str, url: str, same_page: bool) -> str | None:
    """The hidden ``version`` field (core.versions) of the page's form posting to ``url``, if it has one."""
    for attributes, body in re.findall(r"<form\b([^>]*)>(.*?)</form>", page, re.S):
        action = re.search(r'action="([^"]*)"', attributes)
        if (html.unescape(action.group(1)) == url) if action else same_page:
            field = re.search(r'<input[^>]*name="version"[^>]*>', body)
            if field:
                return html.unescape(re.search(r'value="([^"]*)"', field.group(0)).group(1))
    return None


def open_session(compte: Compte) -> str:
    """Open a signed-in session of ``compte`` as a sign-in would, and return the token its cookie carries."""
    token = auth.open_connexion(compte, timedelta(hours=8))
    db.session.commit()
    return token


class Browser:
    """The test client with helpers to submit forms as a browser would (CSRF token and the form's ``version``
    read from the page)."""

    def __init__(self, client):
        self.client = client

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def submit(self, url, data: dict, form_url: str | None = None, **kwargs):
        page = self.client.get(form_url or url).get_data(as_text=True)
        posted = {**data, "csrf_token": csrf_token_from(page)}
        version = version_from(page, url, form_url in (None, url))
        if version is not None and "version" not in data:
            posted["version"] = version
        return self.client.post(url, data=posted, **kwargs)

    def login(self, compte: Compte, password: str = TEST_PASSWORD):
        response = self.submit("/connexion", {"email": compte.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response


@pytest.fixture
def browser(client) -> Browser:
    return Browser(client)


@pytest.fixture
def count_queries(app):
    """Context manager counting the SQL statements run inside it: ``with count_queries() as counter:``."""

    @contextmanager
    def counting():
        statements: list[str] = []

        def before_cursor_execute(_conn, _cursor, statement, *_args):
            statements.append(statement)

        engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", before_cursor_execute)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", before_cursor_execute)

    return counting


@pytest.fixture
def make_candidate(make_apprenant):
    """A learner on the waiting list with a completed placement: ``make_candidate(score=45, dispo=("mar-matin",))``."""
    from core.disponibilites import to_mask
    from core.timeutil import structure_today
    from evaluations.curriculum import current_questionnaire
    from evaluations.models import Positionnement

    def factory(
        score=40, niveau=1, dispo=("mar-matin",), waiting_days=30, statut="en_attente", today=None, **overrides
    ):
        today = today or structure_today(None)
        apprenant = make_apprenant(
            disponibilites=to_mask(dispo),
            statut=statut,
            en_attente_depuis_on=today - timedelta(days=waiting_days),
            **overrides,
        )
        db.session.add(
            Positionnement(
                apprenant_id=apprenant.id,
                questionnaire_id=current_questionnaire().id,
                mode="telephone",
                score=score,
                niveau=niveau,
                is_brouillon=False,
                completed_at=apprenant.created_at,
            )
        )
        db.session.commit()
        return apprenant

    return factory
