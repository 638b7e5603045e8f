"""The TOTP rule (core.totp): one step either side, never a code twice, the secret encrypted at rest."""

from datetime import datetime, timedelta

import pyotp
import pytest

from core import totp

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = datetime(2026, 12, 1, 9, 0, 10)  # naive UTC, 10 s into a 30-second step


def code(moment: datetime) -> str:
    """What an authenticator app shows at ``moment``, computed by pyotp from an aware time."""
    return pyotp.TOTP(SECRET).at((moment - datetime(1970, 1, 1)).total_seconds())


def test_the_current_code_is_accepted_and_gives_its_step():
    pas = totp.pas_accepte(SECRET, code(NOW), NOW, None)
    assert pas == int((NOW - datetime(1970, 1, 1)).total_seconds()) // 30


@pytest.mark.parametrize("ecart", [-30, 30])
def test_a_code_one_step_off_is_accepted(ecart):
    assert totp.pas_accepte(SECRET, code(NOW + timedelta(seconds=ecart)), NOW, None) is not None


@pytest.mark.parametrize("ecart", [-60, 60, -3600])
def test_a_code_two_steps_off_or_more_is_refused(ecart):
    assert totp.pas_accepte(SECRET, code(NOW + timedelta(seconds=ecart)), NOW, None) is None


def test_a_code_is_never_accepted_twice_nor_an_older_one():
    pas = totp.pas_accepte(SECRET, code(NOW), NOW, None)
    assert totp.pas_accepte(SECRET, code(NOW), NOW + timedelta(seconds=5), pas) is None
    assert totp.pas_accepte(SECRET, code(NOW - timedelta(seconds=30)), NOW, pas) is None
    # the next step's code is still accepted
    assert totp.pas_accepte(SECRET, code(NOW + timedelta(seconds=30)), NOW + timedelta(seconds=30), pas) == pas + 1


@pytest.mark.parametrize("saisi", ["", "12345", "1234567", "abcdef", "12 34 5"])
def test_a_malformed_code_is_refused(saisi):
    assert totp.pas_accepte(SECRET, saisi, NOW, None) is None


def test_spaces_typed_in_a_code_are_ignored():
    affiche = code(NOW)
    assert totp.pas_accepte(SECRET, f"{affiche[:3]} {affiche[3:]}", NOW, None) is not None


def test_code_a_is_what_the_app_shows():
    assert totp.code_a(SECRET, NOW) == code(NOW)


def test_secret_in_groups_and_the_app_link():
    assert totp.en_groupes("ABCDEFGHIJKL") == "ABCD EFGH IJKL"
    lien = totp.lien_application(SECRET, "awa@ccas.local", "Ateliers numériques (CCAS)")
    assert lien.startswith("otpauth://totp/") and f"secret={SECRET}" in lien and "issuer=" in lien


def test_the_secret_is_stored_encrypted_and_only_the_same_key_reads_it():
    chiffre = totp.chiffrer(SECRET, "cle-de-l-application")
    assert SECRET not in chiffre
    assert totp.dechiffrer(chiffre, "cle-de-l-application") == SECRET
    assert totp.dechiffrer(chiffre, "une-autre-cle") is None
    assert totp.dechiffrer(chiffre[:-4] + "AAAA", "cle-de-l-application") is None
