"""Closing a workshop after module 6, and the explicit, journaled unlock that a later correction needs.

Closing turns each running inscription into "terminé" or "abandon" (with its reason code), totals the minutes
attended from the attendance, resolves the open alerts, marks the workshop "termine" and locks it: attendance,
skills and inscriptions are then refused (``ateliers.verrou.exiger_ouvert``) until someone unlocks it with a
reason. Re-locking after the correction needs no reason. Services flush; the route commits.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

import sqlalchemy as sa
from blinker import Namespace

from ateliers.models import Atelier, Inscription, Presence
from ateliers.presences import inscrits_de_seance, recalculer
from ateliers.suivis import abandonner
from core import journal, versions
from core.constants import MOTIFS_SORTIE
from core.errors import DomainError
from core.francais import nombre
from core.models import Compte
from evaluations.models import Competence, EvaluationCompetence
from extensions import db

signaux = Namespace()
# Sent by :func:`cloturer_atelier` once the workshop is closed, inside its transaction, with the workshop as sender
# and ``now`` (naive UTC), ``today`` (the structure's day) and ``auteur`` (the closing account). The practice plans
# and the attestations connect to it from ``app.register_blueprints`` (ateliers imports neither); a receiver flushes
# only, and an error it raises undoes the closing. A receiver may return a notice for the closing confirmation: a
# ``(category, French sentence)`` pair ("success" or "info"), naming nobody (it becomes a flash).
atelier_cloture = signaux.signal("atelier-cloture")

DECISIONS = {"termine": "A suivi l'atelier jusqu'au bout (terminé)", "abandon": "Abandon"}


def empechements_cloture(atelier: Atelier, today: date) -> list[str]:
    """Why ``atelier`` cannot be closed yet, in French; empty when it can."""
    if atelier.is_locked:
        return ["L'atelier est déjà clos."]
    if atelier.statut not in ("planifie", "en_cours") or not atelier.seances:
        return ["Seul un atelier planifié ou en cours peut être clos."]
    derniere = atelier.seances[-1]
    if derniere.jour > today:
        return [f"La dernière séance (séance {derniere.numero}) n'a pas encore eu lieu."]
    notees = set(db.session.execute(_presences_notees_statement(), {"seances": [s.id for s in atelier.seances]}).all())
    manquantes = [
        seance.numero
        for seance in atelier.seances
        if any((seance.id, i.id) not in notees for i in inscrits_de_seance(atelier, seance) if i.statut == "inscrit")
    ]
    if manquantes:
        liste = ", ".join(str(n) for n in manquantes)
        return [f"Les présences ne sont pas notées pour tout le monde aux séances : {liste}. Notez-les d'abord."]
    return []


@cache
def _presences_notees_statement() -> sa.Select:
    """Built once per process: the workshop page asks on every request once the last séance is over."""
    return sa.select(Presence.seance_id, Presence.inscription_id).where(
        Presence.seance_id.in_(sa.bindparam("seances", expanding=True))
    )


def sans_evaluation_finale(atelier: Atelier) -> list[Inscription]:
    """Running inscriptions with no judgement of the final scenario yet: a warning before closing, not a refusal."""
    en_cours = [i for i in atelier.inscriptions if i.statut == "inscrit"]
    if not en_cours:
        return []
    evaluees = set(
        db.session.scalars(
            sa.select(EvaluationCompetence.inscription_id)
            .join(Competence, Competence.id == EvaluationCompetence.competence_id)
            .where(
                EvaluationCompetence.inscription_id.in_([i.id for i in en_cours]),
                Competence.is_evaluation_finale.is_(True),
            )
        )
    )
    manquantes = [i for i in en_cours if i.id not in evaluees]
    return sorted(manquantes, key=lambda i: (i.apprenant.nom.lower(), i.apprenant.prenom.lower()))


def cloturer_atelier(
    auteur: Compte, atelier: Atelier, decisions: dict[int, tuple[str, str | None]], today: date, *, now: datetime
) -> list[tuple[str, str]]:
    """Close ``atelier``: each running inscription becomes terminé or abandon, then the workshop is locked.

    :param decisions: inscription id -> ("termine" | "abandon", reason code for an abandon), for every
        running inscription.
    :param now: the closing moment (naive UTC). Each running inscription ends then, or at the end of the last
        séance if that is later, so it stays on every séance it was enrolled at.
    :raise DomainError: beside ``decision-<id>`` for a missing decision, beside ``motif-<id>`` for an abandon
        without a reason; otherwise (no field) when the workshop cannot be closed yet (see
        :func:`empechements_cloture`). Messages name nobody: they end up in the session cookie as flashes.
        The workshop's row is locked first: of two closings at once, the second finds it closed.

    Once closed, :data:`atelier_cloture` is sent (the practice plans and the attestations of those who finished
    are made then).

    :return: the notices its receivers returned, ``(category, sentence)``, for the closing confirmation.
    """
    versions.verrouiller(atelier)
    raisons = empechements_cloture(atelier, today)
    if raisons:
        raise DomainError(" ".join(raisons))
    en_cours = [i for i in atelier.inscriptions if i.statut == "inscrit"]
    for inscription in en_cours:
        decision, motif = decisions.get(inscription.id, (None, None))
        if decision not in DECISIONS:
            raise DomainError("Choisissez terminé ou abandon pour chaque personne.", f"decision-{inscription.id}")
        if decision == "abandon" and motif not in MOTIFS_SORTIE:
            raise DomainError("Indiquez le motif de l'abandon.", f"motif-{inscription.id}")
    fin = max(now, atelier.seances[-1].ends_at)
    for inscription in en_cours:
        decision, motif = decisions[inscription.id]
        if decision == "abandon":
            abandonner(auteur, inscription, motif, fin)
        else:
            inscription.statut = "termine"
            inscription.ended_at = fin
    # Minutes totalled from the attendance for everyone; closed inscriptions have no open alert left.
    recalculer(atelier, list(atelier.inscriptions), today)
    atelier.statut = "termine"
    atelier.is_locked = True
    terminees = sum(i.statut == "termine" for i in atelier.inscriptions)
    heures = sum(i.minutes_suivies for i in atelier.inscriptions) / 60
    journal.record(
        auteur,
        "modification",
        "atelier",
        atelier.id,
        f"clôture : {nombre(terminees, 'inscription terminée')}, "
        f"{nombre(len(en_cours) - terminees, 'abandon à la clôture', 'abandons à la clôture')}, "
        f"{heures:.1f} h suivies au total",
    )
    db.session.flush()
    reponses = atelier_cloture.send(atelier, now=now, today=today, auteur=auteur)
    return [avis for _receiver, avis in reponses if avis]


def deverrouiller(auteur: Compte, atelier: Atelier, motif: str) -> None:
    """Unlock a closed workshop for a correction; flush only.

    The reason, free text typed by staff, is kept on the workshop (``motif_deverrouillage``, 200 characters
    at most); the journal records that the workshop was unlocked, never the text (DESIGN.md section 7).

    :raise DomainError: beside "motif" when it is missing or too short; not closed.
    """
    motif = (motif or "").strip()
    versions.verrouiller(atelier)  # of two unlocks at once, the second finds it unlocked
    if not atelier.is_locked:
        raise DomainError("Cet atelier n'est pas verrouillé.")
    if len(motif) < 5:
        raise DomainError("Indiquez en quelques mots ce qu'il faut corriger (5 caractères au moins).", "motif")
    atelier.is_locked = False
    atelier.motif_deverrouillage = motif[:200]
    journal.record(auteur, "modification", "atelier", atelier.id, "déverrouillage pour correction")
    db.session.flush()


def reverrouiller(auteur: Compte, atelier: Atelier, today: date) -> None:
    """Lock again a closed workshop once corrected; hours are totalled again from the attendance.

    ``today`` is the structure's day (``core.timeutil.structure_today``).
    """
    versions.verrouiller(atelier)  # of two relocks at once, the second finds it locked
    if atelier.statut != "termine" or atelier.is_locked:
        raise DomainError("Seul un atelier clos puis déverrouillé peut être reverrouillé.")
    recalculer(atelier, list(atelier.inscriptions), today)
    atelier.is_locked = True
    journal.record(auteur, "modification", "atelier", atelier.id, "reverrouillage après correction")
    db.session.flush()
