"""How many SMS segments a text costs, and a text kept in the GSM 7-bit alphabet where it can be.

An SMS carries 160 characters of the GSM 03.38 alphabet (3GPP TS 23.038), whose basic set has é, è, à, ù, ì, ò, É,
Ç and no ê, â, î, ô, û, ç, ë, ï; characters of its extension table (€ [ ] { } ~ ^ \\ |) count twice (an escape
and the character). One character outside the alphabet switches the whole text to UCS-2: 70 characters. A longer
text is cut in segments of 153 GSM-7 characters or 67 UCS-2 characters (the rest carries the joining header), each
billed as one SMS and some old phones show them apart. Encoding is done by the ``gsm0338`` codec (registered
as ``"gsm03.38"``), which writes an extension character as two bytes: its length is the septet count.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

GSM7_SEUL, GSM7_PARTIE = 160, 153
UCS2_SEUL, UCS2_PARTIE = 70, 67

# French quotation marks and the spaces inside them -> plain double quotes.
_GUILLEMETS = re.compile(r"\u00ab[\s\u00a0\u202f]*|[\s\u00a0\u202f]*\u00bb")
# Typography a French text may carry, as the GSM alphabet writes it.
_TYPOGRAPHIE = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u202f": " ",
        "\u0153": "oe",
        "\u0152": "OE",
    }
)


@dataclass(frozen=True)
class Segments:
    """A text's cost: ``encodage`` "GSM-7" or "UCS-2", ``unites`` (septets, or UTF-16 code units), ``nombre``
    of SMS segments."""

    encodage: str
    unites: int
    nombre: int


def septets(texte: str) -> int | None:
    """The GSM-7 septets of ``texte`` (an extension character counts 2); None when a character is outside the
    alphabet."""
    try:
        return len(texte.encode("gsm03.38"))
    except UnicodeEncodeError:
        return None


def segments(texte: str) -> Segments:
    """The SMS segments ``texte`` takes (see the module's docstring for the sizes)."""
    compte = septets(texte)
    if compte is not None:
        return Segments("GSM-7", compte, 1 if compte <= GSM7_SEUL else -(-compte // GSM7_PARTIE))
    unites = len(texte.encode("utf-16-le")) // 2
    return Segments("UCS-2", unites, 1 if unites <= UCS2_SEUL else -(-unites // UCS2_PARTIE))


def en_gsm7(texte: str) -> str:
    """``texte`` with each character outside the GSM-7 alphabet replaced by its letter without the accent when
    that letter is in it ("ê" -> "e", "ç" -> "c", "août" -> "aout", as the 1990 spelling allows) and French
    typography by its plain form (’ -> ', « » -> ", œ -> oe). A character with no such form (王) is kept: the
    text then goes as UCS-2, unchanged rather than garbled."""
    sortie = []
    for caractere in unicodedata.normalize("NFC", _GUILLEMETS.sub('"', texte).translate(_TYPOGRAPHIE)):
        if septets(caractere) is None:
            base = "".join(c for c in unicodedata.normalize("NFD", caractere) if not unicodedata.combining(c))
            if base and septets(base) is not None:
                caractere = base
        sortie.append(caractere)
    return "".join(sortie)
