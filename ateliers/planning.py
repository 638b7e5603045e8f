"""Dates of a workshop's séances: weekly on its half-day, around the days its structure cannot hold them.

Pure rules: plain data in, plain data out; no Flask, no database, no clock. Which days are possible (public
holidays of the structure's subdivision, minus those it works; its closures) and its time zone come in one
``core.ouverture.Ouverture`` value: every appointment the app plans asks the same rule. Days and wall-clock
times are the structure's; ``SeancePlanifiee.starts_at`` / ``ends_at`` give the naive UTC datetimes stored in
``Seance``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.disponibilites import CODES
from core.ouverture import Ouverture
from core.timeutil import PARIS, date_fr, local_to_utc

# Wall-clock hours of a séance, keyed by ``demi_journee % 2`` (0 morning, 1 afternoon).
HORAIRES: Mapping[int, tuple[time, time]] = {0: (time(9), time(12)), 1: (time(14), time(17))}

# How far after the first possible date séances are looked for before giving up: a workshop of six weeks
# never needs a year, so going further means the closures (or a typo in one) leave no room.
_HORIZON = timedelta(weeks=52)
_SEMAINE = timedelta(weeks=1)
_METROPOLE = Ouverture()

# How far back a séance may be dated when a workshop kept on paper is keyed in afterwards ("saisie a
# posteriori"): three months, long enough for a whole workshop (six weekly séances, a closure or two), short
# enough that a mistyped year or month is caught. Source: issue 9, item 3 (paper first, "not more than a few
# months back"); DESIGN.md section 1 (six weekly modules).
RECUL_A_POSTERIORI = timedelta(days=92)
LIBELLE_A_POSTERIORI = "Saisie a posteriori : ces séances ont déjà eu lieu sur papier"


@dataclass(frozen=True)
class SeancePlanifiee:
    """One planned séance: its number (module 1..n), its day and wall-clock hours in the zone ``fuseau``."""

    numero: int
    jour: date
    debut: time
    fin: time
    fuseau: ZoneInfo = PARIS

    @property
    def starts_at(self) -> datetime:
        """Start as a naive UTC datetime (summer time handled)."""
        return local_to_utc(self.jour, self.debut, self.fuseau)

    @property
    def ends_at(self) -> datetime:
        """End as a naive UTC datetime (summer time handled)."""
        return local_to_utc(self.jour, self.fin, self.fuseau)


def planifier_seances(
    demi_journee: int,
    debut: date,
    ouverture: Ouverture = _METROPOLE,
    nombre: int = 6,
    horaires: Mapping[int, tuple[time, time]] = HORAIRES,
) -> list[SeancePlanifiee]:
    """Séances 1..``nombre``, weekly on the weekday of ``demi_journee`` from ``debut``.

    The first séance is on the first such weekday on or after ``debut``. A day the structure cannot hold a
    séance (``ouverture.refus``: a public holiday it does not work, a closure) is skipped: that séance goes to
    the next week and the following ones shift, so there is never more than one séance a week. Hours are
    ``horaires[demi_journee % 2]``, wall-clock in the structure's zone.

    :param demi_journee: 0 (lundi matin) to 11 (samedi après-midi), see ``core.disponibilites``.
    :param ouverture: the structure's holidays, worked holidays, closures and time zone (metropolitan France,
        Europe/Paris, no closure by default).
    :raise ValueError: (French message) on a half-day outside 0-11, ``nombre`` below 1, hours that end before
        they start, or days so often closed that the séances do not fit within a year.
    """
    if not 0 <= demi_journee < len(CODES):
        raise ValueError(f"Demi-journée invalide : {demi_journee} (attendu de 0 à {len(CODES) - 1}).")
    if nombre < 1:
        raise ValueError(f"Nombre de séances invalide : {nombre} (au moins une séance).")
    heure_debut, heure_fin = horaires[demi_journee % 2]
    if heure_fin <= heure_debut:
        raise ValueError(f"Horaires invalides : la fin ({heure_fin:%H:%M}) doit suivre le début ({heure_debut:%H:%M}).")
    premier = debut + timedelta(days=(demi_journee // 2 - debut.weekday()) % 7)
    jours = _semaines_libres(ouverture, premier, nombre)
    return [
        SeancePlanifiee(numero, jour, heure_debut, heure_fin, ouverture.zone)
        for numero, jour in enumerate(jours, start=1)
    ]


def deplacer_seance(
    seances: Sequence[SeancePlanifiee],
    numero: int,
    nouveau_jour: date,
    decaler_suivantes: bool,
    ouverture: Ouverture = _METROPOLE,
) -> list[SeancePlanifiee]:
    """The séances, ordered by number, with séance ``numero`` moved to ``nouveau_jour`` at the same hours.

    With ``decaler_suivantes``, the later séances are planned again weekly after it, on the weekday of
    ``nouveau_jour``, skipping the days ``ouverture`` refuses (each keeps its hours); otherwise they keep their
    dates. Earlier séances never move. A later séance that already sits on a refused day is left as it is
    when not shifted: ``conflits`` reports it.

    :raise ValueError: (French message) when there is no séance ``numero``, when ``ouverture`` refuses the new
        day (the reason, with the holiday's name or the closure's dates), when it is not strictly after the
        previous séance, or, without shifting, not strictly before the next one.
    """
    ordonnees = sorted(seances, key=lambda s: s.numero)
    rang = next((i for i, s in enumerate(ordonnees) if s.numero == numero), None)
    if rang is None:
        raise ValueError(f"Il n'y a pas de séance n° {numero} dans cet atelier.")
    raison = ouverture.refus(nouveau_jour)
    if raison:
        raise ValueError(f"Impossible de placer la séance {numero} : {raison}.")
    precedente = ordonnees[rang - 1] if rang > 0 else None
    if precedente and nouveau_jour <= precedente.jour:
        raise ValueError(
            f"La séance {numero} doit avoir lieu après la séance {precedente.numero} du {date_fr(precedente.jour)}."
        )
    suivantes = ordonnees[rang + 1 :]
    if suivantes and not decaler_suivantes and nouveau_jour >= suivantes[0].jour:
        raise ValueError(
            f"La séance {numero} doit avoir lieu avant la séance {suivantes[0].numero} "
            f"du {date_fr(suivantes[0].jour)}, ou les séances suivantes doivent être décalées."
        )
    deplacee = replace(ordonnees[rang], jour=nouveau_jour)
    if decaler_suivantes and suivantes:
        jours = _semaines_libres(ouverture, nouveau_jour + _SEMAINE, len(suivantes))
        suivantes = [replace(s, jour=jour) for s, jour in zip(suivantes, jours, strict=True)]
    return [*ordonnees[:rang], deplacee, *suivantes]


def conflits(seances: Sequence[SeancePlanifiee], ouverture: Ouverture) -> list[str]:
    """French warnings, by séance number, for séances on a day ``ouverture`` refuses (with the reason)."""
    messages = []
    for seance in sorted(seances, key=lambda s: s.numero):
        raison = ouverture.refus(seance.jour)
        if raison:
            messages.append(f"La séance {seance.numero} est à déplacer : {raison}.")
    return messages


def premier_jour_a_posteriori(today: date) -> date:
    """The earliest day a séance may be put on by a "saisie a posteriori" (:data:`RECUL_A_POSTERIORI` back)."""
    return today - RECUL_A_POSTERIORI


CONSIGNE_SEANCES = (
    "S'il s'agit de séances déjà tenues sur papier, cochez « Saisie a posteriori » : vous pourrez ensuite saisir "
    "leurs présences et leurs compétences."
)


def refus_date_passee(jour: date, today: date, a_posteriori: bool, consigne: str = CONSIGNE_SEANCES) -> str | None:
    """Why a séance cannot be put on ``jour``, a day before ``today``, or None when it can.

    A day from ``today`` on is always accepted here (other rules still apply: ``Ouverture.refus``, order). A
    past day is accepted only as a "saisie a posteriori" (``a_posteriori``: the mediator confirmed she is
    keying in séances held on paper), and no further back than :data:`RECUL_A_POSTERIORI` (three months).

    :param jour: the day asked for, in the structure's calendar.
    :param today: the structure's day (``core.timeutil.structure_today``).
    :param consigne: what to do when the day is past, the sentence that follows "Le ... est passé." (séances
        by default; a catch-up says its own).
    :return: a French sentence to show beside the date, or None.
    """
    if jour >= today:
        return None
    limite = premier_jour_a_posteriori(today)
    if jour < limite:
        return (
            f"Le {date_fr(jour)} est trop loin dans le passé : une saisie a posteriori remonte au plus à trois mois, "
            f"soit le {date_fr(limite)}."
        )
    if not a_posteriori:
        return f"Le {date_fr(jour)} est passé. {consigne}"
    return None


def _semaines_libres(ouverture: Ouverture, premier: date, nombre: int) -> list[date]:
    """``nombre`` days ``ouverture`` accepts, one a week from ``premier`` on, the refused weeks skipped.

    :raise ValueError: when they do not fit within ``_HORIZON``.
    """
    jours: list[date] = []
    jour = premier
    while len(jours) < nombre:
        if jour - premier > _HORIZON:
            raise ValueError(
                f"Impossible de placer {nombre} séances dans l'année qui suit le {date_fr(premier)} : "
                "trop de jours fériés ou de fermetures."
            )
        if ouverture.accepte(jour):
            jours.append(jour)
        jour += _SEMAINE
    return jours
