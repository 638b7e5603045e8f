"""Text and phone helpers for names and search. Pure: no Flask, no database."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import phonenumbers


def fold(text: str) -> str:
    """Lower-case, strip accents and collapse spaces, so "Élodie  LEFÈVRE" matches "elodie lefevre"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().replace("-", " ").replace("'", " ").split())


def normalize_phone(raw: str, region: str = "FR") -> str:
    """Return the E.164 form (``+33612345678``) of a French (or international) phone number.

    :raise ValueError: with a French message when the number is not a valid phone number.
    """
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValueError("Numéro de téléphone illisible : saisissez par exemple 06 12 34 56 78.") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("Ce numéro de téléphone n'existe pas : vérifiez le nombre de chiffres (10 en France).")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=4096)
def display_phone(e164: str | None) -> str:
    """Return the number as a French person writes it: ``06 12 34 56 78`` (international format abroad)."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 33:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_search(query: str) -> tuple[str, bool] | None:
    """Turn a typed phone fragment into a search on stored E.164 numbers: ``(fragment, is_prefix)``.

    A fragment typed from its start ("06 12", "+33 6 12") becomes the prefix "+33612"; bare digits
    ("56 78") are searched anywhere in the number. Returns None when the query has letters or fewer than
    4 digits, so it is searched as a name instead.
    """
    compact = "".join(ch for ch in query if not ch.isspace() and ch not in ".-/")
    if compact.startswith("+"):
        digits = compact[1:]
        return ("+" + digits, True) if digits.isdigit() and len(digits) >= 4 else None
    if not compact.isdigit() or len(compact) < 4:
        return None
    if compact.startswith("0"):
        return "+33" + compact[1:], True
    return compact, False
