import stat

from config import _database_url, from_environment, load_secret_key


def test_secret_key_generated_once_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_secret_key(tmp_path)
    assert len(first) == 64
    assert load_secret_key(tmp_path) == first
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_secret_key_from_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "venue-de-l-environnement")
    assert load_secret_key(tmp_path) == "venue-de-l-environnement"
    assert not (tmp_path / "secret_key").exists()


def test_database_url_defaults_to_sqlite_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert _database_url(tmp_path) == f"sqlite:///{tmp_path / 'ateliers.sqlite3'}"


def test_database_url_names_the_psycopg_driver(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db/ateliers")
    assert _database_url(tmp_path) == "postgresql+psycopg://u:p@db/ateliers"


def test_cookies_secure_outside_development(monkeypatch):
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    assert from_environment()["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("APP_ENV", "development")
    assert from_environment()["SESSION_COOKIE_SECURE"] is False
