"""The director's indicators, each a pure function over plain rows (what ``pilotage.queries`` returns).

Pure: no Flask, no database, no clock: what depends on the day takes ``today``. A figure that has nothing to
count over (an empty period, no learner started) is ``None``, shown "aucune donnée", never a division by zero.
Rates are floats from 0 to 1.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

NUMEROS_SEANCES = (1, 2, 3, 4, 5, 6)


def taux(numerateur: int, denominateur: int) -> float | None:
    """``numerateur / denominateur``, or ``None`` when there is nothing to divide by."""
    return numerateur / denominateur if denominateur else None


def mediane(valeurs: Sequence[float]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count); ``None`` for no value."""
    return float(statistics.median(valeurs)) if valeurs else None


def centile(valeurs: Sequence[float], rang: int) -> float | None:
    """Nearest-rank percentile: the smallest value that ``rang`` % of the values do not exceed (for 90: the
    delay that 9 people in 10 did not exceed); ``None`` for no value.

    :raise ValueError: ``rang`` outside 1-100.
    """
    if not 1 <= rang <= 100:
        raise ValueError(f"centile {rang} hors de 1-100")
    if not valeurs:
        return None
    ordonnees = sorted(valeurs)
    return float(ordonnees[math.ceil(rang / 100 * len(ordonnees)) - 1])


@dataclass(frozen=True)
class Comptage:
    """A ``GROUP BY`` row: a code (a status, a reason, a rule, a niveau...) and how many rows have it."""

    cle: str | int | None
    nombre: int


@dataclass(frozen=True)
class Part:
    """One line of a breakdown: the code, its count, and its share of the total (``None`` for a zero total)."""

    cle: str | int | None
    nombre: int
    part: float | None


def repartition(comptages: Iterable[Comptage], ordre: Sequence[str | int] = ()) -> tuple[Part, ...]:
    """Counts summed per code with their share of the total, codes of ``ordre`` first (each shown, 0 when
    absent), then any other code in the order met. Shares are ``None`` when the total is 0."""
    totaux: dict[str | int | None, int] = {cle: 0 for cle in ordre}
    for comptage in comptages:
        totaux[comptage.cle] = totaux.get(comptage.cle, 0) + comptage.nombre
    total = sum(totaux.values())
    return tuple(Part(cle, nombre, taux(nombre, total)) for cle, nombre in totaux.items())


# -- waiting --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DelaiAttente:
    """A person's first séance: the day they were put on the waiting list and the local day of their first
    séance (the first of any of their workshops held while they were enrolled)."""

    inscrit_on: date
    premiere_seance_on: date


@dataclass(frozen=True)
class Delais:
    personnes: int
    mediane_jours: float | None
    centile_90_jours: float | None


def delais_attente(lignes: Iterable[DelaiAttente], today: date) -> Delais:
    """Days from the waiting list to the first séance, for the first séances held by ``today`` (a later one,
    planned but not held, is not counted yet)."""
    jours = [
        max(0, (ligne.premiere_seance_on - ligne.inscrit_on).days)
        for ligne in lignes
        if ligne.premiere_seance_on <= today
    ]
    return Delais(len(jours), mediane(jours), centile(jours, 90))


# -- workshops ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Places:
    """Workshops whose first séance was held in the period: how many, their capacities summed, and the
    inscriptions holding a place at that first séance."""

    ateliers: int
    offertes: int
    prises: int

    @property
    def remplissage(self) -> float | None:
        return taux(self.prises, self.offertes)


# -- attendance -----------------------------------------------------------------------------------------------

PRESENT = ("present", "retard")


@dataclass(frozen=True)
class PresencesParStatut:
    """Attendance rows of séances held in the period, per status, with the minutes attended summed."""

    statut: str
    nombre: int
    minutes: int


@dataclass(frozen=True)
class Assiduite:
    presences_notees: int
    taux: float | None
    retards: int
    heures_apprenants: float
    heures_animateurs: float


def assiduite(lignes: Iterable[PresencesParStatut], minutes_animateurs: int) -> Assiduite:
    """Rate of attendance over the attendance noted (present or late, out of every status noted), late
    arrivals, learner-hours (minutes attended by those present or late) and staff-hours (``minutes_animateurs``:
    each séance held's length once per person co-running it), hours as floats."""
    lignes = list(lignes)
    notees = sum(ligne.nombre for ligne in lignes)
    presents = sum(ligne.nombre for ligne in lignes if ligne.statut in PRESENT)
    retards = sum(ligne.nombre for ligne in lignes if ligne.statut == "retard")
    minutes = sum(ligne.minutes for ligne in lignes if ligne.statut in PRESENT)
    return Assiduite(notees, taux(presents, notees), retards, minutes / 60, minutes_animateurs / 60)


# -- dropout --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParcoursCommences:
    """Inscriptions started in the period (first séance attended in it), grouped by how they stand:
    ``statut`` (inscrit, termine, abandon), ``motif`` (the leaving reason code of an abandon) and
    ``derniere_seance`` (the number of the last séance they attended, 1-6)."""

    statut: str
    motif: str | None
    derniere_seance: int
    nombre: int


@dataclass(frozen=True)
class Abandons:
    commences: int
    abandons: int
    taux: float | None
    par_motif: tuple[Part, ...]
    # Share of the learners started still enrolled at each séance 1-6 (None when none started).
    survie: tuple[tuple[int, float | None], ...]


def abandons(lignes: Iterable[ParcoursCommences], motifs: Sequence[str]) -> Abandons:
    """Abandon rate among the learners started, abandons by reason code (every code of ``motifs`` listed, 0
    when absent), and the survival curve: at séance ``k``, the share of the learners started who had not left
    after an earlier séance (an abandon whose last séance attended is before ``k``)."""
    lignes = list(lignes)
    commences = sum(ligne.nombre for ligne in lignes)
    sortis = [ligne for ligne in lignes if ligne.statut == "abandon"]
    nombre_abandons = sum(ligne.nombre for ligne in sortis)
    par_motif = repartition((Comptage(ligne.motif, ligne.nombre) for ligne in sortis), motifs)
    survie = tuple(
        (k, taux(commences - sum(ligne.nombre for ligne in sortis if ligne.derniere_seance < k), commences))
        for k in NUMEROS_SEANCES
    )
    return Abandons(commences, nombre_abandons, taux(nombre_abandons, commences), par_motif, survie)


@dataclass(frozen=True)
class Appel:
    """Calls made in the period, grouped by outcome (``resultat``) and next step (``suite``)."""

    resultat: str
    suite: str
    nombre: int


@dataclass(frozen=True)
class RetourApresAppel:
    """Learners called in the period about an alert raised during their workshop while a séance was still to
    come (``appeles``), and those of them present or late at a later séance of that workshop (``revenus``)."""

    appeles: int
    revenus: int

    @property
    def part(self) -> float | None:
        return taux(self.revenus, self.appeles)


# -- skills ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AcquisCompetence:
    """One skill at the final evaluations held in the period: learners judged, and those judged "acquis"."""

    module_numero: int
    module_titre: str
    competence_numero: int
    libelle: str
    evalues: int
    acquis: int


@dataclass(frozen=True)
class AcquisModule:
    numero: int
    titre: str
    evalues: int
    acquis: int

    @property
    def part(self) -> float | None:
        return taux(self.acquis, self.evalues)


def acquis_par_module(lignes: Iterable[AcquisCompetence]) -> tuple[AcquisModule, ...]:
    """Per module, in module order: judgements of its skills at the final evaluation, and the share "acquis"
    (every skill judgement weighs the same)."""
    modules: dict[int, AcquisModule] = {}
    for ligne in sorted(lignes, key=lambda ligne: (ligne.module_numero, ligne.competence_numero)):
        avant = modules.get(ligne.module_numero, AcquisModule(ligne.module_numero, ligne.module_titre, 0, 0))
        modules[ligne.module_numero] = AcquisModule(
            avant.numero, avant.titre, avant.evalues + ligne.evalues, avant.acquis + ligne.acquis
        )
    return tuple(modules.values())


# -- practice -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entrainements:
    reserves: int
    honores: int
    absents: int
    a_venir: int
    refuses: int

    @property
    def taux_honores(self) -> float | None:
        """Honoured out of the bookings whose attendance is known (honoured or no-show)."""
        return taux(self.honores, self.honores + self.absents)


def entrainements(reservations: Iterable[Comptage], refuses: int) -> Entrainements:
    """From the bookings of days in the period per status (``reservee``, ``honoree``, ``absente``,
    ``annulee``) and the practice sessions refused: booked = every booking not cancelled."""
    par_statut = {comptage.cle: comptage.nombre for comptage in reservations}
    honores, absents, a_venir = (par_statut.get(statut, 0) for statut in ("honoree", "absente", "reservee"))
    return Entrainements(honores + absents + a_venir, honores, absents, a_venir, refuses)
