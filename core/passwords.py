"""The password policy, applied wherever a password is set (account form, services, ``create-admin``).

Pure: no Flask, no database. Length from 12 to 128 characters, never one character repeated (twelve spaces),
and not guessable: zxcvbn (pinned in requirements.txt) estimates the guesses an attacker needs from its
ranked lists of the most common passwords, words and names, keyboard walks, sequences, repeats and dates,
plus the person's own names and address; a score below 3 (under 10^8 guesses) is refused. This is the
approach of NIST SP 800-63B section 5.1.1.2 (length, and a check against commonly used passwords) rather
than composition rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3
# Words of this application an attacker would try first, counted like the person's own names.
APP_WORDS = ("atelier", "ateliers", "numerique", "numérique", "ccas", "mediatrice", "médiatrice", "benevole")

TOO_EASY = (
    "Mot de passe trop facile à deviner : {}. Par exemple, enchaînez quatre mots sans rapport, séparés par des tirets."
)
PERSONAL = "il reprend le nom de la personne, son adresse ou les mots de l'application"
REASONS = (
    # (zxcvbn pattern, dictionary name or None, reason), the first that matches is given.
    ("dictionary", "passwords", "il fait partie des mots de passe les plus courants"),
    ("dictionary", "user_inputs", PERSONAL),
    ("repeat", None, "il répète un même motif (« 1111 », « abcabc »)"),
    ("sequence", None, "il contient une suite trop simple (« 123456 », « abcdef »)"),
    ("spatial", None, "il suit les touches du clavier (« azerty », « qwerty »)"),
    ("date", None, "il contient une date facile à deviner"),
    ("regex", None, "il contient une année facile à deviner"),
    ("dictionary", None, "il est fait de mots trop courants"),
)


def password_refusal(password: str, personal: Iterable[str | None] = ()) -> str | None:
    """Why ``password`` is refused, as a French sentence to show beside the field, or None when it is accepted.

    :param personal: what the account holder's password must not lean on (first name, surname, email address,
        structure name); empty values are ignored, an address also counts by its parts.
    """
    if len(password) < MIN_LENGTH:
        return f"Le mot de passe doit compter {MIN_LENGTH} caractères au moins."
    if len(password) > MAX_LENGTH:
        return f"Le mot de passe doit compter {MAX_LENGTH} caractères au plus."
    if len(set(password)) == 1:
        return "Un mot de passe fait d'un seul caractère répété (espaces compris) est refusé."
    if password.strip() == "":
        return "Un mot de passe fait seulement d'espaces est refusé."
    words = _user_inputs(personal)
    if _only_known_words(password, words):
        return TOO_EASY.format(PERSONAL)
    # Imported here: its ranked word lists take some 13 MB, which the scheduler and the web workers only pay
    # once a password is set.
    from zxcvbn import zxcvbn

    result = zxcvbn(password, user_inputs=words, max_length=MAX_LENGTH)
    if result["score"] >= MIN_SCORE:
        return None
    return TOO_EASY.format(_reason(result["sequence"]))


def _only_known_words(password: str, words: list[str]) -> bool:
    """True when the password is only the person's (or the application's) words and numbers, however joined:
    zxcvbn counts the separators of ``lucie-roux-2026`` as random characters and would accept it."""
    tokens = re.findall(r"[^\W_]+", password.casefold())
    known = set(words)
    return any(t in known for t in tokens) and all(t in known or t.isdigit() for t in tokens)


def _user_inputs(personal: Iterable[str | None]) -> list[str]:
    words = set(APP_WORDS)
    for value in personal:
        if not value:
            continue
        value = value.strip().casefold()
        words.add(value)
        words.update(part for part in value.replace("@", " ").replace(".", " ").replace("-", " ").split() if part)
    return sorted(words)


def _reason(matches: list[dict]) -> str:
    for pattern, dictionary, reason in REASONS:
        for match in matches:
            if match["pattern"] == pattern and dictionary in (None, match.get("dictionary_name")):
                return reason
    return "il est trop court ou trop simple pour sa longueur"
