"""Sign-in: loading the account behind a session and checking credentials."""

from __future__ import annotations

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from core.models import Compte
from core.timeutil import utcnow
from extensions import db

# Checked against when the email is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("mot-de-passe-factice")
MIN_PASSWORD_LENGTH = 12


def init_login_manager(manager) -> None:
    manager.login_view = "auth.login"
    manager.login_message = "Connectez-vous pour accéder à cette page."
    manager.login_message_category = "info"
    manager.session_protection = "basic"

    @manager.user_loader
    def load_compte(session_id: str) -> Compte | None:
        compte_id, _, version = session_id.partition(":")
        if not compte_id.isdigit() or not version.isdigit():
            return None
        compte = db.session.get(Compte, int(compte_id))
        if compte is None or not compte.is_active or compte.session_version != int(version):
            return None
        return compte


def authenticate(email: str, password: str) -> Compte | None:
    """Return the active account matching ``email`` and ``password``, else None (same answer for both faults)."""
    compte = db.session.scalar(sa.select(Compte).where(Compte.email == normalize_email(email)))
    if compte is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not compte.check_password(password) or not compte.is_active:
        return None
    compte.last_login_at = utcnow()
    return compte


def normalize_email(email: str) -> str:
    return email.strip().lower()
