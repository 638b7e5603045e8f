"""The TOTP second factor (RFC 6238: 6 digits, 30-second steps, SHA-1, what every authenticator app reads).
Pure: no Flask, no database; moments and keys are passed in.

The codes come from pyotp (pinned in requirements.txt). A code is accepted for the current step and one step
either side (a phone's clock a little off, a code typed as it changed), and never twice: the caller keeps the
last step accepted and passes it back, so a code seen over a shoulder or replayed is refused, and so is any
older one. The secret is stored encrypted (Fernet, from the ``cryptography`` package, imported on first use)
with a key derived from the application's ``SECRET_KEY``: a copy of the database alone does not give the
secrets; changing ``SECRET_KEY`` makes every enrolled account enrol again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import UTC, datetime

import pyotp

FENETRE = 1  # steps accepted before and after the current one
CHIFFRES = 6
CODE = re.compile(r"[0-9]{6}")


def nouveau_secret() -> str:
    """A new random secret (32 base-32 characters, 160 bits)."""
    return pyotp.random_base32()


def en_groupes(secret: str) -> str:
    """The secret as it is typed by hand into an app: groups of four characters ("ABCD EFGH ...")."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def lien_application(secret: str, compte: str, emetteur: str) -> str:
    """The ``otpauth://`` address the enrolment QR code carries.

    :param compte: what the app shows under the code (the account's email address).
    :param emetteur: who it is for ("Ateliers numériques – CCAS de Saint-Médard").
    """
    return pyotp.TOTP(secret).provisioning_uri(name=compte, issuer_name=emetteur)


def normaliser_code(saisi: str) -> str:
    """The code as typed, without spaces (apps show "123 456")."""
    return re.sub(r"\s", "", saisi or "")


def pas_accepte(secret: str, code: str, now: datetime, dernier_pas: int | None) -> int | None:
    """The time step ``code`` matches, if it may be accepted at ``now``; None when refused.

    :param now: naive UTC (pyotp would read a naive datetime as local time: it is made aware here).
    :param dernier_pas: the last step accepted for this secret (None: none yet); that step and older ones are
        refused, so a code works once.
    :return: the matching step among the current one and ``FENETRE`` either side, or None (wrong, reused, too
        old or not six digits).
    """
    code = normaliser_code(code)
    if not CODE.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret)
    courant = totp.timecode(now.replace(tzinfo=UTC))
    for pas in range(courant - FENETRE, courant + FENETRE + 1):
        if dernier_pas is not None and pas <= dernier_pas:
            continue
        if hmac.compare_digest(totp.generate_otp(pas), code):
            return pas
    return None


def code_a(secret: str, now: datetime) -> str:
    """The code an app shows at ``now`` (naive UTC): for tests and the demo."""
    return pyotp.TOTP(secret).at(now.replace(tzinfo=UTC))


def _fernet(cle_application: str):
    from cryptography.fernet import Fernet  # loaded on first use: the scheduler process never needs it

    derivee = hashlib.sha256(b"ateliers:totp:" + cle_application.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derivee))


def chiffrer(secret: str, cle_application: str) -> str:
    """``secret`` encrypted for storage (authenticated: a changed value does not decrypt)."""
    return _fernet(cle_application).encrypt(secret.encode()).decode()


def dechiffrer(chiffre: str, cle_application: str) -> str | None:
    """The secret of :func:`chiffrer`'s ``chiffre``; None when it does not decrypt with this key (the
    application's key changed since enrolment, or the value was altered)."""
    from cryptography.fernet import InvalidToken

    try:
        return _fernet(cle_application).decrypt(chiffre.encode()).decode()
    except InvalidToken:
        return None
