"""Sign-in: checking credentials, the server-side record of each signed-in session, failed sign-ins.

A session cookie carries the random token of a :class:`Connexion` row and nothing else that grants access:
logout deletes the row, so a copied cookie stops working everywhere (issue 8, item 12). Failed sign-ins are
counted per email address, whoever sends them (item 17; the rule is :mod:`core.lockout`); a browser where the
account signed in before carries a signed "known browser" cookie and is not locked out by others' failures.
A session also ends after ``SESSION_IDLE_MINUTES`` without a request (issue 13, item 5: CCAS computers are
shared), checked here on every request against the row's ``last_seen_at``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app, flash, g, redirect, request
from flask_login import login_url
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from core.francais import nombre
from core.lockout import locked_until
from core.messagerie.boite import nombre_a_envoyer_de
from core.models import Compte, Connexion, EchecConnexion
from core.timeutil import utcnow
from extensions import db

# Checked against when the email is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("mot-de-passe-factice")

KNOWN_BROWSER_COOKIE = "poste_connu"
KNOWN_BROWSER_DAYS = 180
KNOWN_BROWSER_MAX_ACCOUNTS = 5

# A session's ``last_seen_at`` is written at most this often: a page view costs no write most of the time, and
# the idle limit holds to the minute.
TOUCH_EVERY = timedelta(seconds=60)
IDLE_MESSAGE = (
    "Votre session a pris fin après {} sans activité, pour protéger les données sur cet ordinateur partagé. "
    "Connectez-vous à nouveau."
)


def init_login_manager(manager) -> None:
    manager.login_view = "auth.login"
    manager.login_message = "Connectez-vous pour accéder à cette page."
    manager.login_message_category = "info"
    manager.session_protection = "basic"

    @manager.user_loader
    def load_compte(token: str) -> Compte | None:
        return compte_of_token(token, utcnow())

    @manager.unauthorized_handler
    def to_login_page():
        """Flask-Login's own answer (the login page, ``?next=`` this page), saying why when the session ended
        for inactivity."""
        flash(idle_message() if ended_for_inactivity() else manager.login_message, manager.login_message_category)
        return redirect(login_url(manager.login_view, next_url=request.url))


def idle_limit() -> timedelta:
    """How long a session may go without a request (``SESSION_IDLE_MINUTES``)."""
    return timedelta(minutes=float(current_app.config["SESSION_IDLE_MINUTES"]))


def idle_message() -> str:
    """The login page's French sentence after a session ended for inactivity ("après 30 minutes sans activité")."""
    minutes = round(idle_limit().total_seconds() / 60)
    duree = nombre(minutes // 60, "heure") if minutes >= 60 and minutes % 60 == 0 else nombre(minutes, "minute")
    return IDLE_MESSAGE.format(duree)


def ended_for_inactivity() -> bool:
    """Whether this request's session was just ended for inactivity (by :func:`compte_of_token`)."""
    return bool(g.get("session_ended_idle"))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def compte_of_token(token: str | None, now: datetime) -> Compte | None:
    """The active account whose open session has ``token`` at ``now``, or None (unknown, ended or expired).

    One query, the account's structure joined (every page shows it) and the structure's messages still to send
    counted (the menu shows them: :attr:`Compte.messages_a_envoyer`); the account comes back with
    ``connexion_token`` set, so ``get_id()`` gives the token again. A session idle for longer than
    :func:`idle_limit` is ended here (its row deleted, committed at once, and the request marked so that the
    login page says why); an active one has its ``last_seen_at`` moved to ``now`` when it is
    :data:`TOUCH_EVERY` old or more (committed at once: nothing else is pending when the account is loaded).
    """
    if not token or len(token) > 100:
        return None
    row = db.session.execute(_compte_of_token_statement(), {"token_hash": _digest(token), "now": now}).first()
    if row is None:
        return None
    compte, connexion_id, last_seen_at, messages_a_envoyer = row
    if last_seen_at <= now - idle_limit():
        db.session.execute(sa.delete(Connexion).where(Connexion.id == connexion_id))
        db.session.commit()
        g.session_ended_idle = True
        return None
    if now - last_seen_at >= TOUCH_EVERY:
        db.session.execute(sa.update(Connexion).where(Connexion.id == connexion_id).values(last_seen_at=now))
        db.session.commit()
    compte.connexion_token = token
    compte.messages_a_envoyer = messages_a_envoyer
    return compte


@cache
def _compte_of_token_statement() -> sa.Select:
    """Built once per process: every signed-in request runs it (building it each time cost more than running it).

    The menu's count rides along: as a statement of its own it came after the page's commit, and on PostgreSQL
    cost four round trips (the connection checked out again, its ping, BEGIN, the count, ROLLBACK; issue 8,
    item 19)."""
    return (
        sa.select(Compte, Connexion.id, Connexion.last_seen_at, nombre_a_envoyer_de(Compte.structure_id))
        .options(joinedload(Compte.structure, innerjoin=True))
        .join(Connexion, Connexion.compte_id == Compte.id)
        .where(
            Connexion.token_hash == sa.bindparam("token_hash"),
            Connexion.expires_at > sa.bindparam("now"),
            Compte.is_active.is_(True),
        )
    )


def open_connexion(compte: Compte, lifetime: timedelta, now: datetime | None = None) -> str:
    """Record a new signed-in session of ``compte`` lasting ``lifetime`` from ``now`` and return its token
    (flushes). ``now`` defaults to this module's clock, the one :func:`load_compte` checks expiry against.

    Sessions of any account that ended by expiry are deleted on the way, so the table keeps only open ones.
    """
    now = now or utcnow()
    db.session.execute(sa.delete(Connexion).where(Connexion.expires_at <= now))
    token = secrets.token_urlsafe(32)
    db.session.add(
        Connexion(
            compte_id=compte.id, token_hash=_digest(token), created_at=now, last_seen_at=now, expires_at=now + lifetime
        )
    )
    db.session.flush()
    compte.connexion_token = token
    return token


def close_connexion(token: str | None) -> None:
    """End the signed-in session of ``token``: every copy of its cookie is refused from now on (flushes)."""
    if token:
        db.session.execute(sa.delete(Connexion).where(Connexion.token_hash == _digest(token)))


def close_connexions(compte: Compte, keep_token: str | None = None) -> None:
    """End every open session of ``compte`` (new password, deactivation), but ``keep_token``'s if given."""
    statement = sa.delete(Connexion).where(Connexion.compte_id == compte.id)
    if keep_token:
        statement = statement.where(Connexion.token_hash != _digest(keep_token))
    db.session.execute(statement)


def authenticate(email: str, password: str) -> Compte | None:
    """Return the active account matching ``email`` and ``password``, else None (same answer for both faults).

    Its ``last_login_at`` is set when the sign-in completes (after the second factor, if any), not here.
    """
    compte = db.session.scalar(sa.select(Compte).where(Compte.email == normalize_email(email)))
    if compte is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not compte.check_password(password) or not compte.is_active:
        return None
    return compte


def normalize_email(email: str) -> str:
    return email.strip().lower()


# --- Failed sign-ins per email address ----------------------------------------------------------------------


def email_key(email: str) -> str:
    """A keyed hash of the normalised address: counts its failures and names it in the known-browser cookie."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"connexion:" + normalize_email(email).encode(), hashlib.sha256).hexdigest()


def _lock_settings() -> tuple[int, timedelta]:
    config = current_app.config
    return int(config["LOGIN_ACCOUNT_FAILURES"]), timedelta(minutes=int(config["LOGIN_ACCOUNT_LOCK_MINUTES"]))


def sign_in_locked_until(email: str, now: datetime) -> datetime | None:
    """When sign-in to ``email`` from an unknown browser opens again, or None when it is open at ``now``."""
    limit, window = _lock_settings()
    failures = db.session.scalars(
        sa.select(EchecConnexion.created_at).where(
            EchecConnexion.cle == email_key(email), EchecConnexion.created_at > now - window
        )
    )
    return locked_until(list(failures), now, limit, window)


def record_failure(email: str, now: datetime) -> None:
    """Count a failed sign-in for ``email`` (flushes); failures past the window, of any address, are purged."""
    _limit, window = _lock_settings()
    db.session.execute(sa.delete(EchecConnexion).where(EchecConnexion.created_at <= now - window))
    db.session.add(EchecConnexion(cle=email_key(email), created_at=now))
    db.session.flush()


def _known_browser_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="poste-connu")


def known_browser_keys(cookie: str | None) -> list[str]:
    """The address keys a browser's known-browser cookie vouches for (empty if absent, forged or too old)."""
    if not cookie:
        return []
    try:
        keys = _known_browser_serializer().loads(cookie, max_age=KNOWN_BROWSER_DAYS * 86400)
    except BadSignature:
        return []
    return [key for key in keys if isinstance(key, str)] if isinstance(keys, list) else []


def known_browser_cookie(cookie: str | None, email: str) -> str:
    """The known-browser cookie's new value after a sign-in to ``email`` (the latest accounts first)."""
    key = email_key(email)
    keys = [key, *(k for k in known_browser_keys(cookie) if k != key)][:KNOWN_BROWSER_MAX_ACCOUNTS]
    return _known_browser_serializer().dumps(keys)
