"""Configuration read from the environment.

Every setting has a safe default for a single-site install: a SQLite file in ``instance/``. ``DATABASE_URL``
selects PostgreSQL (``postgresql+psycopg://user:pass@host/db``). ``SECRET_KEY`` comes from the environment or is
generated once into ``instance/secret_key`` with owner-only permissions; it is never written in the code.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_INSTANCE = BASE_DIR / "instance"
# The demo accounts' password, printed by `flask demo` and in the README: demo data only.
DEMO_PASSWORD = "atelier-demo-2026"  # nosec B105 # public on purpose, for the demo accounts only


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance_path / 'ateliers.sqlite3'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_secret_key(instance_path: Path) -> str:
    """Return ``SECRET_KEY`` from the environment, else from ``instance/secret_key`` (created 0600 if missing).

    The instance folder, when this creates it, is the owner's only (0700): the SQLite files live there too.
    """
    from_env = os.environ.get("SECRET_KEY", "").strip()
    if from_env:
        return from_env
    instance_path.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def from_environment(instance_path: Path | None = None) -> dict:
    """Build the configuration mapping for :func:`app.create_app` from environment variables.

    ``SECRET_KEY`` is not in it: :func:`app.create_app` resolves it (:func:`load_secret_key`) once the
    configuration passed by the caller is known, so tests never touch ``instance/``.
    """
    instance_path = Path(os.environ.get("INSTANCE_PATH", instance_path or DEFAULT_INSTANCE))
    development = os.environ.get("APP_ENV", "production") == "development"
    return {
        "INSTANCE_PATH": str(instance_path),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        # SQL parameters (names, phone numbers) never reach a log or an error message.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Served over plain HTTP on loopback only in development (`make run`); everywhere else behind HTTPS.
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", not development),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", not development),
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        # Minutes without a request after which a session ends (core.auth): CCAS computers are shared.
        "SESSION_IDLE_MINUTES": float(os.environ.get("SESSION_IDLE_MINUTES", "30")),
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "5 per minute; 30 per hour"),
        # The public attestation check (/verifier/<code>), per client address.
        "VERIFICATION_RATE_LIMIT": os.environ.get("VERIFICATION_RATE_LIMIT", "30 per minute; 300 per hour"),
        # The site's public address printed in the attestations' QR codes; empty: the address of the request.
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", ""),
        # Fixed domain of the calendar's event UIDs: the same events whatever host name the app is reached by.
        "ICS_UID_DOMAIN": os.environ.get("ICS_UID_DOMAIN", "ateliers-numeriques.local"),
        # Failed sign-ins for one email address, from anywhere, that lock it for new browsers (core.lockout).
        "LOGIN_ACCOUNT_FAILURES": int(os.environ.get("LOGIN_ACCOUNT_FAILURES", "10")),
        "LOGIN_ACCOUNT_LOCK_MINUTES": int(os.environ.get("LOGIN_ACCOUNT_LOCK_MINUTES", "15")),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (0: none, direct clients).
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT", "0")),
        # Largest request body accepted (bytes); a larger one gets the French 413 page. Forms here are small.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024))),
        "APPRENANTS_PER_PAGE": 25,
        # Seconds the dashboards' figures are kept before being computed again (pilotage/cache.py; 0: never kept).
        "PILOTAGE_CACHE_SECONDS": float(os.environ.get("PILOTAGE_CACHE_SECONDS", "300")),
        # Seconds the grouping solver may use for one proposal (DESIGN.md section 8: optimum under 1 s).
        "GROUPING_TIME_LIMIT": float(os.environ.get("GROUPING_TIME_LIMIT", "5")),
        "SCHEDULER_HEARTBEAT_SECONDS": int(os.environ.get("SCHEDULER_HEARTBEAT_SECONDS", "60")),
        "SCHEDULER_STANDBY_SECONDS": float(os.environ.get("SCHEDULER_STANDBY_SECONDS", "15")),
        # Days ahead the booking sweep books practice sessions (entrainements.jobs.reserver).
        "ENTRAINEMENTS_HORIZON_JOURS": int(os.environ.get("ENTRAINEMENTS_HORIZON_JOURS", "21")),
        # Backups (core.sauvegarde): their folder, how many the nightly job keeps, its hour (UTC), and the folder
        # of pg_dump/pg_restore (empty: Debian's folder of the server's major version, else the PATH). An empty
        # BACKUP_DIR is <INSTANCE_PATH>/sauvegardes (core.sauvegarde.dossier_des_sauvegardes).
        "BACKUP_DIR": os.environ.get("BACKUP_DIR", "").strip(),
        "BACKUP_KEEP": int(os.environ.get("BACKUP_KEEP", "14")),
        "BACKUP_HOUR": int(os.environ.get("BACKUP_HOUR", "2")),
        "PG_BINDIR": os.environ.get("PG_BINDIR", "").strip(),
        "DEMO_PASSWORD": DEMO_PASSWORD,
        # Outgoing email (core.messagerie.email_smtp). Without SMTP_HOST, emails stay in the outbox for the
        # mediator to send by hand. The password is read here only and never logged, stored or shown.
        "SMTP_HOST": os.environ.get("SMTP_HOST", "").strip(),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "587")),
        "SMTP_SECURITY": os.environ.get("SMTP_SECURITY", "starttls").strip().lower(),
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_FROM": os.environ.get("SMTP_FROM", "").strip(),
        "SMTP_TIMEOUT": float(os.environ.get("SMTP_TIMEOUT", "20")),
        "SMTP_CA_FILE": os.environ.get("SMTP_CA_FILE", "").strip() or None,
        # SMS backend (core.messagerie.sms.FOURNISSEURS); "manuel": the mediator sends them by hand.
        "SMS_PROVIDER": os.environ.get("SMS_PROVIDER", "manuel").strip().lower(),
    }
