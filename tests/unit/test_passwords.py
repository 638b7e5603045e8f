"""The password policy (issue 8, item 18): length, one repeated character, guessable passwords."""

from __future__ import annotations

import pytest

from core.passwords import MAX_LENGTH, password_refusal

PERSONNE = ("Lucie", "Roux", "lucie.roux@ccas-bias.fr")


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("court", "12 caractères au moins"),
        (" " * 12, "seul caractère répété (espaces compris)"),
        ("a" * 12, "seul caractère répété"),
        ("x" * (MAX_LENGTH + 1), f"{MAX_LENGTH} caractères au plus"),
        ("123456789012", "les plus courants"),
        ("motdepasse123", "les plus courants"),
        ("azertyuiop12", "les plus courants"),
        ("iloveyou1234", "les plus courants"),
        ("passwordpassword", "répète un même motif"),
        ("abcdefghijkl", "suite trop simple"),
        ("lucie-roux-lucie", "le nom de la personne"),
        ("Lucie.Roux_2026", "le nom de la personne"),
        ("ccas-bias-atelier", "les mots de l'application"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason_in_french(password, reason):
    refusal = password_refusal(password, PERSONNE)
    assert refusal is not None and reason in refusal


@pytest.mark.parametrize(
    "password", ["une phrase de passe", "jardin-bleu-mouette-lointaine", "Tc9#vL2q!xW7", "z" * 64 + "Jk8#" * 16]
)
def test_long_or_random_passwords_are_accepted(password):
    assert len(password) <= MAX_LENGTH
    assert password_refusal(password, PERSONNE) is None
