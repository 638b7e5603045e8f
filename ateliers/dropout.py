"""Dropout alerts: which learners the mediator should call, and why. Pure: no Flask, no database.

``dropout_alerts(parcours, today, seuils, titres_modules)`` takes one learner's course in one workshop
(:class:`Parcours`: placement niveau, when they joined and left, one :class:`SeanceSuivie` per séance of the
workshop, the count of skills judged "acquis" per module) and returns the alerts that hold on ``today``, as
:class:`Alerte` values, most severe first. It is recomputed for the whole workshop whenever attendance or
skills are saved, and each day by the scheduler's sweep (``ateliers.alertes_quotidiennes``): an alert depends
on ``today``. The service compares the alerts' :attr:`Alerte.cle` with the ones it already stored. The thresholds are a
:class:`Seuils`, stored per structure as JSON (:meth:`Seuils.to_dict`, :meth:`Seuils.from_dict`).

Which séances count ("held"): those at which the learner was enrolled (``ateliers.periode``: the séance started
after ``joined_at`` and before ``ended_at``), dated on or before ``today``, whose attendance was taken
(``statut`` is not None). A séance in the future, or whose attendance is not taken yet, or that started before
the learner joined (the same day included: a place taken at 16:00 starts at the next séance) or after they left,
is ignored, whatever its status: a learner who joined late to replace someone from the waiting list is never
absent for séances held before they joined.

What counts as absent, per status:

- ``present`` and ``retard``: attended (a late arrival is a presence);
- ``absent``: absent without excuse;
- ``absent_excuse``: absent with an excuse. It does not trigger ``absence_non_excusee``, but it is an absence
  for every other rule (start of the workshop, consecutive absences, attendance rate): an excused absence
  still means a missed module, and an excuse at every séance is how people drift away.

Catch-ups (``rattrapee``): once a catch-up of the séance's module has been *done* (a planned one is not
enough), that absence no longer triggers the alerts that ask for action on it (``absence_non_excusee`` and
``absence_debut`` for that séance) and it ends a run of consecutive absences like a presence does (the learner
came back). It still counts as an absence in the attendance rate, which measures the group séances attended.
The flag means nothing on a séance the learner attended.

Rules, with their risk level (``RISQUE_PAR_REGLE``) and the default thresholds of the reference
(``shared/reference/curriculum.md``, "Dropout: what mediators see and do"):

- ``absence_non_excusee`` (a_rappeler): every held séance with status ``absent`` and no catch-up gives one
  alert, for that séance and its module, so the list shows each missed module to catch up. Off when
  ``seuils.toute_absence_non_excusee`` is False.
- ``absence_debut`` (risque): absent (excused or not, not caught up) at one of ``seuils.seances_critiques``
  (séance numbers, default 1 and 2). One alert naming every such séance; its ``seance`` is the first of them.
  The numbers are the workshop's séances: for a late joiner who missed them, the rule does not apply.
- ``absences_consecutives`` (abandon_probable): at least ``seuils.absences_consecutives`` (default 2) held
  séances in a row, in the workshop's order, all absences not caught up. A séance whose attendance is not
  taken ends the run (nobody knows whether the learner came). One alert, for the most recent such run; its
  ``seance`` is the séance at which that run reached the threshold, so it does not move while the run goes on
  but a new run later is a new alert.
- ``assiduite_faible`` (risque): once at least ``seuils.taux_apres_seance`` séances (default 3) are held since
  joining, (present + late) / held < ``seuils.taux_minimum`` (default 0.8, strictly under: 4 of 5 is not an
  alert). One alert with ``seance`` and ``module`` None: it is a state that goes away when the rate recovers.
- ``niveau_sans_acquis`` (risque of discouragement): the learner's placement niveau is known and at most
  ``seuils.niveau_fragile`` (default 0, "débutant complet"), the séance of module ``seuils.module_sans_acquis``
  (default 2) is held (attendance taken, whatever the status), and no skill of modules 1 to that module is
  "acquis". One alert, for that séance and module. Until the skills of the séance are saved, the rule sees none
  acquired: saving them recomputes the alerts.

Two rules can point at the same séance (an unexcused absence at séance 1 is also an absence at the start):
each gives its own alert, and :func:`risque_principal` picks the one to show first. Every alert about today
puts the learner on the "À rappeler" list (:func:`a_rappeler`; until a call covers it, ``ateliers.rappels``);
``niveau_risque`` says how urgent the call is. An alert whose séances all started before the workshop was
entered in the app (``Parcours.atelier_cree_at``: keyed in afterwards from paper) is ``is_historique``: history,
not a call to make. For consecutive absences that is the run's last séance, for the rate every séance held.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from fractions import Fraction

from ateliers.constants import STATUTS_PRESENCE
from ateliers.periode import enrolled_at
from core.francais import nombre
from evaluations.constants import NIVEAUX

REGLES = {
    "absence_non_excusee": "Absence non excusée",
    "absence_debut": "Absence en début d'atelier",
    "absences_consecutives": "Absences consécutives",
    "assiduite_faible": "Assiduité faible",
    "niveau_sans_acquis": "Débutant sans compétence acquise",
    "entrainements_manques": "Entraînements manqués",
}

# Rules raised after the workshop by other parts of the application (``entrainements.jobs.relancer``: two no-shows
# at a practice session), not by :func:`dropout_alerts`: the workshop's recomputation never resolves them, they
# stay open on a finished inscription, and only a call covers them (``ateliers.suivis.enregistrer_suivi``).
REGLES_APRES_ATELIER = frozenset({"entrainements_manques"})

# Most severe first: the order of the list page.
NIVEAUX_RISQUE = {
    "abandon_probable": "Abandon probable",
    "risque": "Risque de décrochage",
    "a_rappeler": "À rappeler",
}

RISQUE_PAR_REGLE = {
    "absence_non_excusee": "a_rappeler",
    "absence_debut": "risque",
    "absences_consecutives": "abandon_probable",
    "assiduite_faible": "risque",
    "niveau_sans_acquis": "risque",
    "entrainements_manques": "a_rappeler",
}

NUMEROS = range(1, 7)
PRESENT = frozenset({"present", "retard"})
ABSENT = frozenset({"absent", "absent_excuse"})

_SEVERITE = {code: rank for rank, code in enumerate(NIVEAUX_RISQUE)}
_ORDRE_REGLE = {code: rank for rank, code in enumerate(REGLES)}


@dataclass(frozen=True)
class SeanceSuivie:
    """One séance of the workshop as seen for one learner.

    ``jour`` is the séance's local day (compared with ``today``), ``starts_at`` its start (naive UTC, compared
    with the learner's joining and leaving moments). ``statut`` is one of ``STATUTS_PRESENCE``, or None while
    attendance is not taken (or the séance is to come). ``rattrapee`` is True once a catch-up of the séance's
    module has been done.

    :raise ValueError: séance number outside 1-6 or unknown status.
    """

    numero: int
    module: int
    jour: date
    starts_at: datetime
    statut: str | None = None
    rattrapee: bool = False

    def __post_init__(self) -> None:
        if self.numero not in NUMEROS:
            raise ValueError(f"Numéro de séance hors de 1 à 6 : {self.numero}.")
        if self.statut is not None and self.statut not in STATUTS_PRESENCE:
            raise ValueError(f"Statut de présence inconnu : {self.statut}.")

    @property
    def is_absence_active(self) -> bool:
        """Absent (excused or not) and not caught up: the absences that ask the mediator to act."""
        return self.statut in ABSENT and not self.rattrapee


@dataclass(frozen=True)
class Parcours:
    """One learner's course in one workshop: what the rules read.

    ``niveau`` is the placement niveau (0-3, None when unknown); ``joined_at`` and ``ended_at`` when the learner
    took and left their place (naive UTC, ``ended_at`` None while enrolled); ``seances`` the workshop's séances,
    any order, one per number; ``competences_acquises_par_module`` the number of skills judged "acquis" per
    module number (missing modules: none); ``atelier_cree_at`` when the workshop was entered in the app (naive
    UTC; None: before every séance), to tell the alerts about séances keyed in afterwards from paper.

    :raise ValueError: two séances with the same number, or niveau outside 0-3.
    """

    inscription_id: int
    niveau: int | None
    joined_at: datetime
    seances: tuple[SeanceSuivie, ...]
    competences_acquises_par_module: Mapping[int, int] = field(default_factory=dict)
    ended_at: datetime | None = None
    atelier_cree_at: datetime | None = None

    def __post_init__(self) -> None:
        numeros = [seance.numero for seance in self.seances]
        if len(numeros) != len(set(numeros)):
            raise ValueError("Deux séances portent le même numéro.")
        if self.niveau is not None and self.niveau not in NIVEAUX:
            raise ValueError(f"Niveau hors de 0 à 3 : {self.niveau}.")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Seuils:
    """The thresholds of the rules, one set per structure; the defaults are the reference's.

    :raise ValueError: with a French message when a value is out of range (see :meth:`from_dict`).
    """

    toute_absence_non_excusee: bool = True
    seances_critiques: tuple[int, ...] = (1, 2)
    absences_consecutives: int = 2
    taux_minimum: float = 0.8
    taux_apres_seance: int = 3
    niveau_fragile: int = 0
    module_sans_acquis: int = 2

    def __post_init__(self) -> None:
        if not isinstance(self.toute_absence_non_excusee, bool):
            raise ValueError("« Toute absence non excusée » doit valoir oui ou non.")
        critiques = self.seances_critiques
        if isinstance(critiques, str | bytes) or not isinstance(critiques, Iterable):
            raise ValueError("Les séances critiques doivent être une liste de numéros de séance (1 à 6).")
        critiques = tuple(critiques)
        if not all(_is_int(numero) and numero in NUMEROS for numero in critiques):
            raise ValueError("Les séances critiques doivent être des numéros de séance de 1 à 6.")
        object.__setattr__(self, "seances_critiques", tuple(sorted(set(critiques))))
        if not _is_int(self.absences_consecutives) or self.absences_consecutives not in NUMEROS:
            raise ValueError("Le nombre d'absences consécutives doit être un nombre entier de 1 à 6.")
        taux = self.taux_minimum
        if isinstance(taux, bool) or not isinstance(taux, int | float) or not 0 <= taux <= 1:
            raise ValueError("Le taux minimum d'assiduité doit être un nombre de 0 à 1 (0.8 pour 80 %).")
        object.__setattr__(self, "taux_minimum", float(taux))
        if not _is_int(self.taux_apres_seance) or self.taux_apres_seance not in NUMEROS:
            raise ValueError("Le nombre de séances avant de contrôler l'assiduité doit être un nombre entier de 1 à 6.")
        if not _is_int(self.niveau_fragile) or self.niveau_fragile not in NIVEAUX:
            raise ValueError("Le niveau fragile doit être un niveau de 0 à 3.")
        if not _is_int(self.module_sans_acquis) or self.module_sans_acquis not in NUMEROS:
            raise ValueError("Le module où vérifier les compétences acquises doit être un numéro de 1 à 6.")

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Seuils:
        """Thresholds from their stored JSON form; a missing key takes its default.

        :raise ValueError: with a French message for an unknown key or a bad value: a rate outside 0-1, a
            count under 1, a séance or module number outside 1-6, a niveau outside 0-3.
        """
        if not isinstance(data, Mapping):
            raise ValueError("Les seuils d'alerte doivent être un objet JSON.")
        noms = {f.name for f in fields(cls)}
        inconnus = sorted(str(key) for key in data if key not in noms)
        if inconnus:
            raise ValueError("Réglage d'alerte inconnu : " + ", ".join(inconnus) + ".")
        return cls(**data)

    def to_dict(self) -> dict[str, object]:
        """The JSON-ready form stored per structure (séances critiques as a list)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["seances_critiques"] = list(self.seances_critiques)
        return data


@dataclass(frozen=True)
class Alerte:
    """One rule that fired for a learner, in the mediator's words.

    ``regle`` is a key of ``REGLES``, ``niveau_risque`` a key of ``NIVEAUX_RISQUE``; ``seance`` and ``module``
    are the séance and module concerned, None for the attendance rate. ``is_historique``: every séance that
    made the rule fire started before the workshop was entered in the app (``Parcours.atelier_cree_at``): the
    mediator keyed it in afterwards from paper, so the alert is history, not a call to make today.
    """

    regle: str
    niveau_risque: str
    message: str
    seance: int | None
    module: int | None
    is_historique: bool = False

    @property
    def cle(self) -> tuple[str, int | None]:
        """What identifies this alert from one computation to the next: (rule, séance)."""
        return (self.regle, self.seance)

    @property
    def libelle(self) -> str:
        """The rule's French label."""
        return REGLES[self.regle]

    @property
    def libelle_risque(self) -> str:
        """The risk level's French label."""
        return NIVEAUX_RISQUE[self.niveau_risque]


def _ordre(alerte: Alerte) -> tuple[int, int, int]:
    seance = alerte.seance if alerte.seance is not None else len(NUMEROS) + 1
    return (_SEVERITE[alerte.niveau_risque], seance, _ORDRE_REGLE[alerte.regle])


def a_rappeler(alertes: Iterable[Alerte]) -> bool:
    """True when the learner belongs on the "À rappeler" list: any alert at all."""
    return any(alertes)


def risque_principal(alertes: Iterable[Alerte]) -> Alerte | None:
    """The alert to show first: the most severe, then the earliest séance; None when there is none."""
    return min(alertes, key=_ordre, default=None)


def _module_label(module: int, titres: Mapping[int, str]) -> str:
    titre = titres.get(module)
    return f"module {module} : {titre}" if titre else f"module {module}"


def _seance_label(seance: SeanceSuivie, titres: Mapping[int, str]) -> str:
    return f"séance {seance.numero} ({_module_label(seance.module, titres)})"


def _et(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " et " + items[-1]


def _modules_jusqua(module: int) -> str:
    """ "au module 1", "aux modules 1 et 2", "aux modules 1 à 3"."""
    if module == 1:
        return "au module 1"
    return f"aux modules 1 {'et' if module == 2 else 'à'} {module}"


def _pourcent(value: Fraction) -> str:
    """ "80 %", "75,5 %": to a tenth, rounded down, the tenth shown only when not zero."""
    tenths = int(value * 1000)
    return f"{tenths // 10} %" if tenths % 10 == 0 else f"{tenths // 10},{tenths % 10} %"


def _pourcent_sous(taux: Fraction, seuil: Fraction) -> str:
    """The rate to the nearest whole percent, unless that would no longer read as under the threshold."""
    arrondi = Fraction(int(taux * 100 + Fraction(1, 2)), 100)
    return _pourcent(arrondi if arrondi < seuil else taux)


def dropout_alerts(
    parcours: Parcours,
    today: date,
    seuils: Seuils = Seuils(),
    titres_modules: Mapping[int, str] | None = None,
) -> list[Alerte]:
    """The alerts that hold on ``today`` for one learner, most severe first (see the module docstring).

    :param parcours: the learner's séances, niveau, joining and leaving moments and acquired skills.
    :param today: séances after this day are ignored.
    :param seuils: the structure's thresholds.
    :param titres_modules: module number -> title, to name the module in messages ("module 2" without it).
    :return: alerts ordered by risk level (abandon probable, risque, à rappeler), then séance (the rate
        last), then rule; one per rule, except ``absence_non_excusee``: one per séance concerned.
    """
    titres = titres_modules or {}
    seances = sorted(parcours.seances, key=lambda seance: seance.numero)
    tenues = [
        seance
        for seance in seances
        if seance.statut is not None
        and seance.jour <= today
        and enrolled_at(parcours.joined_at, parcours.ended_at, seance.starts_at)
    ]
    alertes: list[Alerte] = []
    cree_at = parcours.atelier_cree_at

    def add(regle: str, message: str, seance: SeanceSuivie | None, causes: list[SeanceSuivie]) -> None:
        alertes.append(
            Alerte(
                regle=regle,
                niveau_risque=RISQUE_PAR_REGLE[regle],
                message=message,
                seance=seance.numero if seance else None,
                module=seance.module if seance else None,
                is_historique=cree_at is not None and all(cause.starts_at < cree_at for cause in causes),
            )
        )

    if seuils.toute_absence_non_excusee:
        for seance in tenues:
            if seance.statut == "absent" and not seance.rattrapee:
                add(
                    "absence_non_excusee", f"Absence sans excuse à la {_seance_label(seance, titres)}", seance, [seance]
                )

    debut = [s for s in tenues if s.numero in seuils.seances_critiques and s.is_absence_active]
    if debut:
        labels = [_seance_label(seance, titres) for seance in debut]
        texte = "Absence en début d'atelier : " if len(debut) == 1 else "Absences en début d'atelier : "
        add("absence_debut", texte + _et(labels), debut[0], debut)

    numeros_tenus = {seance.numero for seance in tenues}
    serie: list[SeanceSuivie] = []
    derniere_serie: list[SeanceSuivie] = []
    for seance in seances:
        if seance.numero in numeros_tenus and seance.is_absence_active:
            serie.append(seance)
            if len(serie) >= seuils.absences_consecutives:
                derniere_serie = list(serie)
        else:
            serie = []
    if derniere_serie:
        labels = [_seance_label(seance, titres) for seance in derniere_serie]
        add(
            "absences_consecutives",
            f"{len(derniere_serie)} absences de suite : " + _et(labels),
            derniere_serie[seuils.absences_consecutives - 1],
            derniere_serie,
        )

    if len(tenues) >= seuils.taux_apres_seance:
        suivies = sum(1 for seance in tenues if seance.statut in PRESENT)
        taux = Fraction(suivies, len(tenues))
        # str() gives the shortest decimal form: 0.8 is 4/5 exactly, so 4 séances of 5 are not under it.
        seuil = Fraction(str(seuils.taux_minimum))
        if taux < seuil:
            add(
                "assiduite_faible",
                f"Assiduité de {_pourcent_sous(taux, seuil)} "
                f"({nombre(suivies, 'séance suivie', 'séances suivies')} sur {len(tenues)}), "
                f"sous le seuil de {_pourcent(seuil)}",
                None,
                tenues,
            )

    if parcours.niveau is not None and parcours.niveau <= seuils.niveau_fragile:
        dernier_module = seuils.module_sans_acquis
        repere = next((seance for seance in tenues if seance.module == dernier_module), None)
        acquises = sum(
            parcours.competences_acquises_par_module.get(module, 0) for module in range(1, dernier_module + 1)
        )
        if repere is not None and acquises == 0:
            add(
                "niveau_sans_acquis",
                f"Niveau « {NIVEAUX[parcours.niveau].lower()} » et aucune compétence acquise "
                f"{_modules_jusqua(dernier_module)} : risque de découragement",
                repere,
                [repere],
            )

    return sorted(alertes, key=_ordre)
