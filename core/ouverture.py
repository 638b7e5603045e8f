"""Which days a structure can hold an appointment (séance, move, catch-up, practice session), and why not.

Pure rule: plain data in, plain data out; no Flask, no database, no clock. :class:`Ouverture` holds what decides
it for one structure: its public holidays (French ones, those of its subdivision: Alsace, Moselle, overseas),
minus the ones it declares as worked, and its closures; plus its time zone, in which its days and wall-clock
hours are. Every planner asks :meth:`Ouverture.refus` and shows its answer: ``vendredi 1er mai 2026 est férié
(Fête du Travail)``, ``la structure est fermée du lundi 3 août 2026 au vendredi 21 août 2026 (congés d'été)``.

Public holidays come from the ``holidays`` library (``holidays.France``, names asked in French, since they
otherwise depend on the process locale). Source of the law: Code du travail L3133-1 (the eleven holidays),
L3134-13 (Alsace-Moselle: Good Friday, 26 December), L3422-2 and local texts (abolition of slavery overseas);
L3133-4: 1 May is the only holiday that no one may declare as worked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

import holidays

from core.timeutil import DEFAULT_ZONE, date_fr, get_zone

# Subdivisions of France whose public holidays differ from metropolitan France (None), as the ``holidays``
# library codes them, with their French name and the time zones a structure there may be in (first: default).
SUBDIVISIONS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "6AE": ("Alsace (Bas-Rhin, Haut-Rhin)", ("Europe/Paris",)),
    "57": ("Moselle", ("Europe/Paris",)),
    "971": ("Guadeloupe", ("America/Guadeloupe",)),
    "972": ("Martinique", ("America/Martinique",)),
    "973": ("Guyane", ("America/Cayenne",)),
    "974": ("La Réunion", ("Indian/Reunion",)),
    "976": ("Mayotte", ("Indian/Mayotte",)),
    "BL": ("Saint-Barthélemy", ("America/St_Barthelemy",)),
    "MF": ("Saint-Martin", ("America/Marigot",)),
    "PM": ("Saint-Pierre-et-Miquelon", ("America/Miquelon",)),
    "NC": ("Nouvelle-Calédonie", ("Pacific/Noumea",)),
    "PF": ("Polynésie française", ("Pacific/Tahiti", "Pacific/Marquesas", "Pacific/Gambier")),
    "WF": ("Wallis-et-Futuna", ("Pacific/Wallis",)),
    "TF": ("Terres australes et antarctiques françaises", ("Indian/Kerguelen",)),
}
METROPOLE = "France métropolitaine (hors Alsace-Moselle)"

# Time zones a structure may choose, with their French label.
FUSEAUX: Mapping[str, str] = {
    "Europe/Paris": "Heure de Paris (métropole, Alsace-Moselle)",
    "America/Guadeloupe": "Guadeloupe",
    "America/Martinique": "Martinique",
    "America/Cayenne": "Guyane",
    "Indian/Reunion": "La Réunion",
    "Indian/Mayotte": "Mayotte",
    "America/St_Barthelemy": "Saint-Barthélemy",
    "America/Marigot": "Saint-Martin",
    "America/Miquelon": "Saint-Pierre-et-Miquelon",
    "Pacific/Noumea": "Nouvelle-Calédonie",
    "Pacific/Tahiti": "Polynésie française (Tahiti, îles de la Société)",
    "Pacific/Marquesas": "Polynésie française (Marquises)",
    "Pacific/Gambier": "Polynésie française (Gambier)",
    "Pacific/Wallis": "Wallis-et-Futuna",
    "Indian/Kerguelen": "Terres australes et antarctiques françaises",
}

# Stable codes of the public holidays (stored in ``Structure.feries_travailles``) -> the library's French
# name. A library upgrade that renames one fails tests/unit/test_ouverture.py, never a structure's setting.
FERIES: Mapping[str, str] = {
    "jour_an": "Jour de l'an",
    "arrivee_evangile": "Arrivée de l'Évangile",
    "mi_careme": "Mi-Carême",
    "vendredi_saint": "Vendredi saint",
    "lundi_paques": "Lundi de Pâques",
    "fete_travail": "Fête du Travail",
    "fete_victoire": "Fête de la Victoire",
    "ascension": "Ascension",
    "lundi_pentecote": "Lundi de Pentecôte",
    "abolition_esclavage": "Abolition de l'esclavage",
    "saint_pierre_chanel": "Saint Pierre Chanel",
    "saints_pierre_paul": "Saints Pierre et Paul",
    "fete_autonomie": "Fête de l'autonomie",
    "fete_nationale": "Fête nationale",
    "victor_schoelcher": "Fête de Victor Schoelcher",
    "fete_territoire": "Fête du Territoire",
    "assomption": "Assomption",
    "prise_possession": "Fête de la prise de possession",
    "citoyennete": "Fête de la Citoyenneté",
    "toussaint": "Toussaint",
    "armistice": "Armistice",
    "matarii": "Matāri'i",
    "noel": "Noël",
    "saint_etienne": "Saint-Étienne",
}
CODES_FERIES: Mapping[str, str] = {nom: code for code, nom in FERIES.items()}
# Code du travail L3133-4: 1 May is off for everyone; no structure may declare it worked.
JAMAIS_TRAVAILLES = frozenset({"fete_travail"})


@dataclass(frozen=True)
class PeriodeFermeture:
    """The structure is closed from ``debut`` to ``fin`` (both included); ``motif`` is shown in the reason."""

    debut: date
    fin: date
    motif: str = ""


def periode(fermeture: date | tuple[date, date] | PeriodeFermeture) -> PeriodeFermeture:
    """A closure given as one day, a ``(first, last)`` pair or a :class:`PeriodeFermeture`, as the latter."""
    if isinstance(fermeture, PeriodeFermeture):
        return fermeture
    if isinstance(fermeture, tuple):
        return PeriodeFermeture(*fermeture)
    return PeriodeFermeture(fermeture, fermeture)


@dataclass(frozen=True)
class Ouverture:
    """When one structure is open: its holiday subdivision, the holidays it works, its closures, its zone.

    :param subdivision: a key of :data:`SUBDIVISIONS`, None for metropolitan France.
    :param feries_travailles: codes of :data:`FERIES` the structure declares as worked (Pentecost Monday for
        the journée de solidarité, for instance).
    :param fermetures: closure days, ``(first, last)`` periods or :class:`PeriodeFermeture` values.
    :param fuseau: IANA time zone of the structure (Europe/Paris by default).
    :raise ValueError: (French message) on an unknown subdivision, holiday code or time zone, 1 May declared
        worked, or a closure that ends before it starts.
    """

    subdivision: str | None = None
    feries_travailles: frozenset[str] = frozenset()
    fermetures: tuple[PeriodeFermeture, ...] = ()
    fuseau: str = DEFAULT_ZONE

    def __post_init__(self) -> None:
        if self.subdivision is not None and self.subdivision not in SUBDIVISIONS:
            raise ValueError(f"Subdivision inconnue pour les jours fériés : {self.subdivision!r}.")
        travailles = frozenset(self.feries_travailles)
        inconnus = sorted(travailles - FERIES.keys())
        if inconnus:
            raise ValueError(f"Jour férié inconnu : {', '.join(inconnus)}.")
        if travailles & JAMAIS_TRAVAILLES:
            raise ValueError("Le 1er mai est chômé pour tous : il ne peut pas être déclaré travaillé.")
        get_zone(self.fuseau)
        periodes = tuple(periode(f) for f in self.fermetures)
        for p in periodes:
            if p.fin < p.debut:
                raise ValueError(f"Période de fermeture invalide : du {date_fr(p.debut)} au {date_fr(p.fin)}.")
        object.__setattr__(self, "feries_travailles", travailles)
        object.__setattr__(self, "fermetures", periodes)

    @cached_property
    def zone(self) -> ZoneInfo:
        """The structure's time zone, in which its days and wall-clock hours are."""
        return get_zone(self.fuseau)

    def feries(self, jour: date) -> tuple[str, ...]:
        """French names of the public holidays on ``jour`` (worked or not); empty on an ordinary day."""
        return feries_de_l_annee(self.subdivision, jour.year).get(jour, ())

    def refus(self, jour: date) -> str | None:
        """Why ``jour`` cannot hold an appointment of the structure, as a French clause; None when it can.

        A public holiday is refused with its name unless the structure works it (two holidays on the same
        day: both must be worked); then a closure covering ``jour`` is refused with its dates and reason.
        """
        chomes = [nom for nom in self.feries(jour) if CODES_FERIES.get(nom) not in self.feries_travailles]
        if chomes:
            return f"{date_fr(jour)} est férié ({' et '.join(chomes)})"
        for p in self.fermetures:
            if p.debut <= jour <= p.fin:
                quand = f"le {date_fr(jour)}" if p.debut == p.fin else f"du {date_fr(p.debut)} au {date_fr(p.fin)}"
                return f"la structure est fermée {quand}" + (f" ({p.motif})" if p.motif else "")
        return None

    def accepte(self, jour: date) -> bool:
        """Whether ``jour`` can hold an appointment of the structure."""
        return self.refus(jour) is None

    def feries_annee(self, annee: int) -> list[tuple[date, str, bool]]:
        """The public holidays of ``annee`` in the structure's subdivision, in order: (day, French name(s),
        whether the structure works it)."""
        return [
            (jour, " et ".join(noms), all(CODES_FERIES.get(nom) in self.feries_travailles for nom in noms))
            for jour, noms in sorted(feries_de_l_annee(self.subdivision, annee).items())
        ]


@lru_cache(maxsize=512)
def feries_de_l_annee(subdivision: str | None, annee: int) -> Mapping[date, tuple[str, ...]]:
    """Public holidays of ``annee`` in ``subdivision`` (None: metropolitan France): day -> French names."""
    try:
        calendrier = holidays.France(years=annee, subdiv=subdivision, language="fr")
    except NotImplementedError:
        raise ValueError(f"Subdivision inconnue pour les jours fériés : {subdivision!r}.") from None
    return {jour: tuple(nom.split("; ")) for jour, nom in calendrier.items()}


def jours_feries(annees: Iterable[int], subdivision: str | None = None) -> set[date]:
    """Every public holiday of the given years in ``subdivision`` (None: metropolitan France).

    :raise ValueError: on a subdivision the library does not know.
    """
    return {jour for annee in annees for jour in feries_de_l_annee(subdivision, annee)}


@lru_cache(maxsize=32)
def feries_declarables(subdivision: str | None, annee: int) -> tuple[tuple[str, str], ...]:
    """``(code, name)`` of the holidays a structure of ``subdivision`` may declare as worked, in calendar order.

    The holidays of ``annee`` and the following years up to ten, so one falling on a Sunday this year is
    still offered; 1 May is never offered.
    """
    vus: dict[str, tuple[int, str]] = {}
    for decalage in range(10):
        for jour, noms in feries_de_l_annee(subdivision, annee + decalage).items():
            for nom in noms:
                code = CODES_FERIES.get(nom)
                if code and code not in JAMAIS_TRAVAILLES and code not in vus:
                    vus[code] = (jour.timetuple().tm_yday, nom)
    return tuple((code, nom) for code, (_rang, nom) in sorted(vus.items(), key=lambda item: item[1][0]))


def fuseaux_possibles(subdivision: str | None) -> tuple[str, ...]:
    """The time zones a structure of ``subdivision`` may be in, the usual one first."""
    return SUBDIVISIONS[subdivision][1] if subdivision else (DEFAULT_ZONE,)
