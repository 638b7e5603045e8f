"""Attestation numbers and verification codes. Pure: no Flask, no database.

- The **number** is what people quote on the phone: the structure's code, the year of issue and a sequence
  that the database hands out per structure and year (``attestations.services``), ``CCAS-DEMO-2026-00012``.
- The **verification code** is what proves the paper genuine: 12 characters drawn with ``secrets`` from an
  alphabet of 31 symbols that has no 0/O, no 1/I/L (59 bits of randomness: guessing one valid code among a
  million issued takes about 2^39 tries, far beyond the rate limit of the public page), printed in three
  groups of four, ``7KQ2-XM9D-R4TB``. It is stored without its dashes, so a lookup is one unique index seek.
- A code typed by a person is understood with spaces, dashes, dots or in lower case (:func:`normaliser_code`).
"""

from __future__ import annotations

import re
import secrets

# Digits 2-9 and the capital letters without I, L and O: nothing that reads as another symbol.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LONGUEUR_CODE = 12
TAILLE_GROUPE = 4
# Separators a person may type between the groups (space, no-break spaces, dashes of every kind, dots).
_SEPARATEURS = re.compile(r"[\s\-\u2010-\u2015\u2212._]+")
_CODE_STOCKE = re.compile(f"[{ALPHABET}]{{{LONGUEUR_CODE}}}")
# A structure's code inside the number: capitals, digits and dashes, 2 to 12 characters.
CODE_STRUCTURE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,10}[A-Z0-9]")
_CODE_PAR_DEFAUT = re.compile(r"S([1-9][0-9]*)")


def nouveau_code() -> str:
    """A fresh verification code as stored: ``LONGUEUR_CODE`` symbols of ``ALPHABET`` from ``secrets``."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LONGUEUR_CODE))


def code_groupe(code: str) -> str:
    """The stored code as printed and shown: groups of four joined by dashes, ``7KQ2-XM9D-R4TB``."""
    return "-".join(code[i : i + TAILLE_GROUPE] for i in range(0, len(code), TAILLE_GROUPE))


def normaliser_code(saisie: str | None) -> str | None:
    """The stored form of a code typed by a person, or None when it cannot be one.

    Separators (spaces, dashes, dots) are dropped and letters put in upper case, so ``7kq2 xm9d r4tb`` and
    ``7KQ2-XM9D-R4TB`` are the same code. Anything else than ``LONGUEUR_CODE`` symbols of ``ALPHABET`` then
    (a 0, an O, a 1, an I or an L, a letter missing, 200 characters) is None: not a code, no database lookup.
    """
    if not saisie or len(saisie) > 60:
        return None
    code = _SEPARATEURS.sub("", saisie).upper()
    return code if _CODE_STOCKE.fullmatch(code) else None


def numero(code_structure: str, annee: int, sequence: int) -> str:
    """The attestation's number: ``CCAS-DEMO-2026-00012`` (five digits at least, more past 99,999).

    :raise ValueError: when ``code_structure`` is not 2 to 12 capitals, digits and inner dashes, or
        ``sequence`` is below 1.
    """
    if not CODE_STRUCTURE.fullmatch(code_structure) or sequence < 1:
        raise ValueError(f"numéro impossible : {code_structure!r}, {sequence}")
    return f"{code_structure}-{annee:04d}-{sequence:05d}"


def code_structure_par_defaut(structure_id: int) -> str:
    """The code a structure's numbers carry until its admin sets one: ``S`` and its id, ``S7``."""
    return f"S{structure_id}"


def code_structure_par_defaut_de(code_structure: str) -> int | None:
    """The id of the structure whose default code ``code_structure`` is (``S7``: 7), None for any other code."""
    trouve = _CODE_PAR_DEFAUT.fullmatch(code_structure)
    return int(trouve.group(1)) if trouve else None
