"""Where a workshop stands, séance by séance, and the one thing the mediator has to do next. Pure.

Plain data in (:class:`EtatSeance`, read by ``ateliers.queries.etats_seances``), plain data out; no Flask, no
database, no clock: ``today`` is the structure's day, passed in. The workshop page shows each séance's state
and :func:`prochaine_action` as one line (issue 9, item 4: "what is still to do, at a glance").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from core.timeutil import date_fr

# Attendance and skills of a séance can be recorded from the day before it (the sheet prepared the evening
# before, a séance early in the morning), never earlier: what happens at a séance is known once it is held.
VEILLE = timedelta(days=1)


def refus_saisie_trop_tot(jour: date, today: date, quoi: str) -> str | None:
    """Why nothing can be recorded yet for a séance held on ``jour``, or None from the day before it on.

    :param quoi: what is to be recorded, as the sentence's subject: "ses présences", "ses compétences".
    :return: a French sentence for the page, shown before anything is typed.
    """
    if jour - today <= VEILLE:
        return None
    return (
        f"Cette séance a lieu le {date_fr(jour)}, dans plus d'un jour : {quoi} se notent à partir de la veille, "
        f"le {date_fr(jour - VEILLE)}."
    )


@dataclass(frozen=True)
class EtatSeance:
    """What has been recorded for one séance.

    ``attendus``: the learners enrolled at it (``ateliers.periode``) who have not left since, whose attendance is
    expected; ``notes``: how many of them have it stored. ``absents``: inscription ids of those absent (excused
    or not), in the page's order. ``a_juger``: the learners whose skills can be judged there (present, or absent
    with a catch-up of the module done); ``juges``: how many of them have a judgement on the séance's module
    (at the final evaluation, on the final scenario). ``rattrapages_prevus``: absences with a catch-up planned,
    not done yet; ``rattrapages_a_prevoir``: absences of learners still enrolled with no catch-up at all.
    """

    numero: int
    jour: date
    finale: bool = False
    attendus: int = 0
    notes: int = 0
    absents: tuple[int, ...] = ()
    a_juger: int = 0
    juges: int = 0
    rattrapages_prevus: int = 0
    rattrapages_a_prevoir: int = 0

    def tenue(self, today: date) -> bool:
        """True once the séance's day has come (``today`` included): what it needs can be recorded."""
        return self.jour <= today

    @property
    def presences_prises(self) -> bool:
        """Every expected learner has their attendance stored (true when nobody is expected)."""
        return self.notes >= self.attendus

    @property
    def competences_notees(self) -> bool:
        """Every learner who can be judged has at least one judgement (true when nobody can be)."""
        return self.juges >= self.a_juger

    @property
    def rattrapages_en_attente(self) -> int:
        return self.rattrapages_prevus + self.rattrapages_a_prevoir


@dataclass(frozen=True)
class Action:
    """The next thing to do for a workshop: a French sentence, what it is about and the séance concerned.

    ``quoi``: "planifier", "presences", "competences", "cloture", "reverrouiller", "attendre" (nothing is due
    before the séance ``numero``) or "aucune".
    """

    texte: str
    quoi: str
    numero: int | None = None


def prochaine_action(
    etats: Sequence[EtatSeance], today: date, *, statut: str, is_locked: bool, cloturable: bool
) -> Action:
    """The one thing to do next for a workshop in ``statut`` whose séances stand as ``etats``.

    In order: plan a workshop without séances; for the held séances (day up to ``today``), oldest first, take
    the attendance, then judge the skills ("Évaluation finale" at the final séance); once the last séance is
    held and everything is recorded, close the workshop (``cloturable``: ``ateliers.cloture`` finds nothing in
    the way); a closed workshop unlocked for a correction is to be locked again. Otherwise wait for the next
    séance, named with its day.
    """
    if is_locked:
        return Action("Atelier clos : plus rien à saisir.", "aucune")
    if statut == "termine":
        return Action("Reverrouiller l'atelier une fois la correction faite", "reverrouiller")
    if not etats:
        return Action("Planifier l'atelier", "planifier")
    ordonnes = sorted(etats, key=lambda e: e.numero)
    for etat in ordonnes:
        if not etat.tenue(today):
            break
        if not etat.presences_prises:
            return Action(f"Prendre les présences de la séance {etat.numero}", "presences", etat.numero)
        if not etat.competences_notees:
            if etat.finale:
                return Action(f"Évaluation finale (séance {etat.numero})", "competences", etat.numero)
            return Action(f"Noter les compétences de la séance {etat.numero}", "competences", etat.numero)
    a_venir = next((e for e in ordonnes if not e.tenue(today)), None)
    if a_venir is not None:
        return Action(
            f"Rien à saisir avant la séance {a_venir.numero}, le {date_fr(a_venir.jour)}", "attendre", a_venir.numero
        )
    if cloturable:
        return Action("Clôture de l'atelier", "cloture")
    return Action("Rien à saisir pour l'instant.", "aucune")
