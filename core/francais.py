"""French wording for generated sentences: elision before a vowel or a mute h, and agreement with a number.

Every sentence the app builds around a name or a count goes through these two rules, so that the pages say
"Progression d'Ana", "2 compétences acquises" and never "de Ana" or "compétence(s)" (issue 9, item 10).
Source: the elision rules of the Académie française ("Dire, ne pas dire", élision) and the Banque de
dépannage linguistique de l'OQLF ("Élision", "h aspiré").
"""

from __future__ import annotations

import unicodedata

VOYELLES = frozenset("aeiouyàâäéèêëîïôöùûüÿæœ")
# Words starting with an aspirate h (no elision): the common nouns the app may put after "de", and first
# names or surnames usually said with an aspirate h. Any other h is treated as mute ("d'Hélène", "d'Hugo").
H_ASPIRE = frozenset(
    {
        "haut",
        "hall",
        "handicap",
        "hasard",
        "hausse",
        "hors",
        "hollande",
        "hongrie",
        "huit",
        "huitième",
        "hameau",
        "harcèlement",
        "hernandez",
        "hugues",
        "hubert",
    }
)
COURTS_ELIDES = {"de": "d'", "le": "l'", "la": "l'", "que": "qu'", "je": "j'", "ne": "n'", "se": "s'"}


def _premier_mot(texte: str) -> str:
    mot = unicodedata.normalize("NFC", texte.strip()).split(" ", 1)[0] if texte.strip() else ""
    return mot.split("-", 1)[0].lower()


def elide_devant(texte: str) -> bool:
    """Whether a short word ("de", "le", "que"...) elides before ``texte``.

    True before a vowel ("Ana", "Émile", "Yves": y then a consonant), before a mute h ("Hélène"); False before
    a consonant, a y followed by a vowel ("Yasmine", "Yacine"), an aspirate h (``H_ASPIRE``), a digit or an
    empty text.
    """
    mot = _premier_mot(texte)
    if not mot:
        return False
    premiere = mot[0]
    if premiere == "y":
        return len(mot) > 1 and mot[1] not in VOYELLES
    if premiere == "h":
        return mot not in H_ASPIRE and len(mot) > 1
    return premiere in VOYELLES


def avec(court: str, texte: str) -> str:
    """``court`` ("de", "le", "la", "que", "je", "ne", "se", any case) joined to ``texte``, elided where French
    elides: ``avec("de", "Ana")`` -> ``"d'Ana"``, ``avec("de", "Marc")`` -> ``"de Marc"``,
    ``avec("De", "Hugo")`` -> ``"D'Hugo"``. A word without an elided form is joined with a space.
    """
    elide = COURTS_ELIDES.get(court.lower())
    if elide and elide_devant(texte):
        forme = elide if court[:1].islower() else elide.capitalize()
        return f"{forme}{texte.strip()}"
    return f"{court} {texte.strip()}"


def de(texte: str) -> str:
    """``"de " + texte`` with elision: ``de("Ana")`` -> ``"d'Ana"``, ``de("Hélène")`` -> ``"d'Hélène"``,
    ``de("Yasmine")`` -> ``"de Yasmine"``."""
    return avec("de", texte)


INVARIABLES = frozenset({"non", "pas", "très", "plus"})
PREPOSITIONS = frozenset({"de", "du", "des", "d'", "à", "au", "aux", "en", "avec", "sans", "sur", "par", "pour"})


def _pluriel_regulier(singulier: str) -> str:
    mots = []
    for position, mot in enumerate(singulier.split(" ")):
        if mot.lower() in PREPOSITIONS or mot.lower().startswith("d'"):
            mots.extend(singulier.split(" ")[position:])
            break
        mots.append(mot if mot[-1:] in "sxz" or mot.lower() in INVARIABLES else f"{mot}s")
    return " ".join(mots)


def nombre(n: int, singulier: str, pluriel: str | None = None) -> str:
    """``n`` followed by the noun phrase agreeing with it: ``nombre(1, "compétence acquise")`` ->
    ``"1 compétence acquise"``, ``nombre(2, "compétence acquise", "compétences acquises")`` ->
    ``"2 compétences acquises"``; 0 takes the singular, as French does ("0 absence"). ``pluriel`` defaults to
    each word of ``singulier`` with an "s" (words ending in s, x or z unchanged), "non" unchanged, and
    nothing after a preposition: ``"séance de rattrapage"`` -> ``"séances de rattrapage"``.
    """
    return f"{n} {accord(n, singulier, pluriel)}"


def accord(n: int, singulier: str, pluriel: str | None = None) -> str:
    """The noun phrase of :func:`nombre` without the number, for a figure shown apart (a home-page tile):
    ``accord(3, "personne à rappeler", "personnes à rappeler")`` -> ``"personnes à rappeler"``."""
    if pluriel is None:
        pluriel = _pluriel_regulier(singulier)
    return singulier if abs(n) < 2 else pluriel
