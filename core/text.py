"""Text and phone helpers for names and search. Pure: no Flask, no database."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers

# Length of Apprenant.nom_recherche: every folded search key is cut to it, however long the name folds.
SEARCH_KEY_LENGTH = 170
# Unicode control characters (category Cc: C0, DEL, C1); multi-line text keeps tab, line feed, carriage return.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def fold(text: str) -> str:
    """Lower-case, strip accents and collapse spaces, so "Élodie  LEFÈVRE" matches "elodie lefevre"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().replace("-", " ").replace("'", " ").split())


def search_key(nom: str, prenom: str) -> str:
    """The folded "nom prenom" stored for accent-insensitive search, ``SEARCH_KEY_LENGTH`` characters at most.

    Folding can lengthen a name (a ligature such as "ﬃ" folds to "ffi", some characters to a dozen), so the
    key is cut to the column's length, here and wherever a key is compared, so that a search or a duplicate
    check on the same name always finds the same key.
    """
    return fold(f"{nom} {prenom}")[:SEARCH_KEY_LENGTH].rstrip()


def has_control_characters(text: str, multiline: bool = False) -> bool:
    """Whether ``text`` holds a control character (NUL, escape, C1...), which no field of the app accepts.

    :param multiline: text from a multi-line box, where tab, line feed and carriage return are allowed.
    """
    return (_CONTROL_MULTILINE if multiline else _CONTROL).search(text) is not None


def name_seen_by(role: str, prenom: str, nom: str) -> str:
    """A learner's name as an account of ``role`` may see it, on screen and on paper (DESIGN.md section 7): a
    volunteer (``"benevole"``) gets the first name and the surname's initial, ``"Josiane M."``; every other role
    the full name, ``"Josiane Martin"``. The initial is the surname's first letter or digit, upper case ("de la
    Tour" -> "D."); no initial when the surname has none.
    """
    if role != "benevole":
        return f"{prenom} {nom}"
    initial = next((char for char in unicodedata.normalize("NFC", nom) if char.isalnum()), "")
    return f"{prenom} {initial.upper()}." if initial else prenom


def name_sort_key(role: str, prenom: str, nom: str, ident: int) -> tuple[str, str, int]:
    """The key that orders a list of learners by what an account of ``role`` reads of each name
    (:func:`name_seen_by`, which puts the first name first), accents and case aside (:func:`fold`).

    First name, then what follows it on the screen (the surname's initial for a volunteer, who reads
    "Josiane M.", the surname for the other roles, who read "Josiane Martin"), then ``ident``: a stable id, so
    two "Josiane M." keep one order from page to page and on paper. Never by a surname the reader cannot see.
    """
    shown = name_seen_by(role, prenom, nom)
    return fold(prenom), fold(shown[len(prenom) :]), ident


# Phone numbers. The whole French numbering plan, overseas included, is written nationally with ten digits
# ("06 12 34 56 78", "0692 12 34 56"); the country code behind a national number depends on its first digits
# (ARCEP's plan: 0262 is La Réunion, +262). phonenumbers knows each territory's ranges, but read as
# metropolitan ("FR") it also accepts some overseas ranges (0263, 0269, 0596, 0508...), so a national number is
# tried in the overseas territories first, then in metropolitan France.
OVERSEAS_REGIONS = ("RE", "YT", "GP", "BL", "MF", "MQ", "GF", "PM")
# Country codes of French territories: their numbers are shown in their national form, others internationally.
FRENCH_COUNTRY_CODES = frozenset({33, 262, 508, 590, 594, 596, 681, 687, 689})
# National prefixes that ARCEP gives to an overseas territory: a number starting with one of them that no
# overseas range accepts is refused with the territory's name, never read as a metropolitan number.
OVERSEAS_PREFIXES = {
    "0262": "La Réunion",
    "0263": "La Réunion",
    "0692": "La Réunion",
    "0693": "La Réunion",
    "0269": "Mayotte",
    "0639": "Mayotte",
    "0590": "Guadeloupe, Saint-Martin ou Saint-Barthélemy",
    "0690": "Guadeloupe, Saint-Martin ou Saint-Barthélemy",
    "0691": "Guadeloupe, Saint-Martin ou Saint-Barthélemy",
    "0594": "Guyane",
    "0694": "Guyane",
    "0596": "Martinique",
    "0696": "Martinique",
    "0697": "Martinique",
    "0508": "Saint-Pierre-et-Miquelon",
}
# Saint-Pierre-et-Miquelon (+508) numbers have six digits; from the rest of France they are dialled 05 08 + six.
SPM_NATIONAL_PREFIX = "0508"
PHONE_UNREADABLE = "Numéro de téléphone illisible : saisissez par exemple 06 12 34 56 78."
PHONE_INVALID = "Ce numéro de téléphone n'existe pas : vérifiez le nombre de chiffres (10 en France)."
_PHONE_SEPARATORS = re.compile(r"[\s.\-/()]")


def normalize_phone(raw: str, region: str = "FR") -> str:
    """Return the E.164 form of a phone number typed as people write it in France, overseas included.

    Accepted: the ten-digit national form of every French territory (``06 12 34 56 78``, ``0692 12 34 56`` for
    La Réunion -> ``+262692123456``, ``0590``/``0690`` Guadeloupe, ``0596``/``0696`` Martinique, ``0594``/``0694``
    Guyane, ``0269``/``0639`` Mayotte, ``05 08`` + six digits Saint-Pierre-et-Miquelon), the international form
    (``+262 692 12 34 56``, ``00 33 6...``, ``+33 (0)6...``, any country), with spaces, dots, dashes or
    slashes. ``+33`` followed by an overseas number is read as that territory's number. ``region`` is the
    phonenumbers region of the structure: numbers written without a national prefix (the six digits of
    Saint-Pierre-et-Miquelon, with ``"PM"``) are read in it.

    :raise ValueError: with a French message for the person typing when the text is not a phone number, or
        when the number does not exist (naming the overseas territory when its prefix is one).
    """
    try:
        number = phonenumbers.parse(raw, region, keep_raw_input=True)
    except phonenumbers.NumberParseException:
        raise ValueError(PHONE_UNREADABLE) from None
    national = number.country_code_source == phonenumbers.CountryCodeSource.FROM_DEFAULT_COUNTRY
    if national and region != "FR" and phonenumbers.is_valid_number(number):
        return _e164(number)
    if number.country_code == 33 or national:
        return _from_french_plan("0" + str(number.national_number))
    if not phonenumbers.is_valid_number(number):
        raise ValueError(PHONE_INVALID)
    return _e164(number)


def _from_french_plan(digits: str) -> str:
    """E.164 of a national number of the French plan (``0`` and nine digits), overseas territories first."""
    if len(digits) != 10:
        raise ValueError(PHONE_INVALID)
    if digits.startswith(SPM_NATIONAL_PREFIX):
        candidates = [phonenumbers.parse("+508" + digits[4:], None)]
    else:
        candidates = [phonenumbers.parse(digits, region) for region in OVERSEAS_REGIONS]
    for number in candidates:
        if phonenumbers.is_valid_number(number):
            return _e164(number)
    territory = OVERSEAS_PREFIXES.get(digits[:4])
    if territory:
        raise ValueError(f"Ce numéro de téléphone n'existe pas ({territory}) : vérifiez les chiffres.")
    number = phonenumbers.parse(digits, "FR")
    if not phonenumbers.is_valid_number(number):
        raise ValueError(PHONE_INVALID)
    return _e164(number)


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=4096)
def display_phone(e164: str | None) -> str:
    """Return a stored number as people of its territory write it: ``06 12 34 56 78``, ``0692 12 34 56``
    (La Réunion), ``41 23 45`` (Saint-Pierre-et-Miquelon); numbers of other countries in the international form
    (``+32 470 12 34 56``); a value that is no number, as it is.
    """
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code not in FRENCH_COUNTRY_CODES:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    # phonenumbers writes a national prefix before Saint-Pierre-et-Miquelon's six digits; nobody dials it there.
    return national.removeprefix("0") if number.country_code == 508 else national


@lru_cache(maxsize=4096)
def tel_uri(e164: str | None) -> str:
    """The ``tel:`` link (RFC 3966) that dials a stored number from a phone or a tablet:
    ``tel:+33-6-12-34-56-78``; "" for no number or a value that is no number (shown without a link).
    """
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966)


# Country codes a national fragment ("0692 1...") may stand for: the national digits after the 0 begin the
# stored number after its country code in every French territory that writes numbers with a leading 0.
_NATIONAL_SEARCH_CODES = ("33", "262", "590", "594", "596")


def phone_search(query: str) -> list[tuple[str, bool]] | None:
    """Turn a typed phone number or fragment into searches on stored E.164 numbers: ``[(fragment, is_prefix)]``,
    any of which may match.

    A whole number in any accepted form ("0692 12 34 56", "+262 692...", "05 08 41 23 45") is searched exactly,
    through :func:`normalize_phone`. A fragment typed from its start is a prefix: "06 12" -> "+33612" or the
    overseas numbers written "06 12..." ("0692 1" -> "+2626921", "+3369..."); "+262 69" -> "+26269". Bare
    digits ("56 78", "41 23 45") are searched anywhere in the number. Returns None when the query has letters
    or fewer than 4 digits, so it is searched as a name instead.
    """
    compact = query.strip()
    if compact.startswith(("+", "00")):
        compact = compact.replace("(0)", "")
    compact = _PHONE_SEPARATORS.sub("", compact)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    digits = compact.removeprefix("+")
    if not digits.isdigit() or len(digits) < 4:
        return None
    try:
        return [(normalize_phone(compact), True)]
    except ValueError:
        pass
    if compact.startswith("+"):
        return [(compact, True)]
    if not compact.startswith("0"):
        return [(compact, False)]
    national = compact[1:]
    searches = [(f"+{code}{national}", True) for code in _NATIONAL_SEARCH_CODES]
    if compact.startswith(SPM_NATIONAL_PREFIX):
        searches.append(("+508" + compact[4:], True))
    return searches
