"""Text and phone helpers for names and search. Pure: no Flask, no database."""

from __future__ import annotations

import unicodedata

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


def phone_digits_query(query: str) -> str | None:
    """Return the national significant digits to search for when ``query`` looks like a phone number.

    "06 12 34" -> "612 34" digits without the trunk 0 ("61234"), so it matches the stored ``+3361234...``.
    Returns None when the query has fewer than 4 digits or contains letters.
    """
    compact = "".join(ch for ch in query if not ch.isspace() and ch not in ".-/")
    if compact.startswith("+33"):
        compact = compact[3:]
    if not compact.isdigit() or len(compact) < 4:
        return None
    return compact[1:] if compact.startswith("0") else compact
