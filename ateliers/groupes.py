"""Groups from the waiting list: the grouping problem read from the database, the proposal's checks, and
confirming one group (its inscriptions, its places taken). Services flush; the caller commits once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from ateliers import grouping
from ateliers.attente import Candidature, waiting_candidates
from ateliers.models import Atelier, Inscription
from ateliers.queries import GROUPABLE_STATUTS, groupable_ateliers, member_scores
from core import journal
from core.errors import DomainError
from core.models import Apprenant, Compte
from extensions import db


class StaleProposal(DomainError):
    """The waiting list or the workshops changed since the proposal was made: nothing was written."""

    def __init__(self, detail: str):
        super().__init__(
            "La proposition n'est plus à jour : "
            + detail
            + " Rien n'a été enregistré ; voici une nouvelle proposition."
        )


class WarningsNotAccepted(DomainError):
    """The groups break a soft rule (score range, minimum size) that the mediator has not accepted."""

    def __init__(self, warnings: list[str]):
        super().__init__("Cochez la case d'acceptation pour confirmer malgré les avertissements.")
        self.warnings = warnings


@dataclass(frozen=True)
class Plan:
    """A grouping problem as the pure rule sees it, with the rows it came from."""

    candidatures: dict[int, Candidature]
    ateliers: dict[int, Atelier]
    candidats: list[grouping.Candidat]
    prevus: list[grouping.AtelierPrevu]

    def known(self, assignment: dict[int, list[int]]) -> dict[int, list[int]]:
        """``assignment`` without the workshops and people this plan does not hold (every workshop present)."""
        return {
            atelier_id: [i for i in assignment.get(atelier_id, []) if i in self.candidatures]
            for atelier_id in self.ateliers
        }


def plan_atelier(auteur: Compte, data: dict) -> Atelier:
    """Create a planned workshop (statut "projet") in the author's structure."""
    atelier = Atelier(structure_id=auteur.structure_id, statut="projet", **data)
    db.session.add(atelier)
    db.session.flush()
    return atelier


def build_plan(structure_id: int, atelier_ids: list[int], today: date) -> Plan:
    """Load the structure's waiting candidates and the chosen workshops (with their members' scores).

    :raise DomainError: when a chosen workshop is not one of the structure's workshops open to grouping.
    """
    ateliers = {a.id: a for a in groupable_ateliers(structure_id) if a.id in set(atelier_ids)}
    if set(atelier_ids) - set(ateliers):
        raise DomainError("Un des ateliers choisis n'accepte plus de nouveaux membres.", field="ateliers")
    scores = member_scores(structure_id, list(ateliers))
    candidatures = {c.apprenant.id: c for c in waiting_candidates(structure_id)}
    candidats = [
        grouping.Candidat(
            id=c.apprenant.id,
            score=c.score,
            disponibilites=c.apprenant.disponibilites,
            attente_jours=c.attente_jours(today),
        )
        for c in candidatures.values()
    ]
    prevus = [
        grouping.AtelierPrevu(
            id=a.id,
            demi_journee=a.demi_journee,
            capacite=a.capacite,
            taille_min=a.taille_min,
            membres=tuple(scores[a.id]),
            ecart_max=a.ecart_max,
        )
        for a in ateliers.values()
    ]
    return Plan(candidatures, ateliers, candidats, prevus)


def check_assignment(plan: Plan, assignment: dict[int, list[int]]) -> dict[int, list[grouping.Probleme]]:
    """The problems of each workshop's group as assigned by hand (``assignment``: workshop id -> learner ids),
    the score range checked against each workshop's own ``ecart_max``."""
    prevus = {p.id: p for p in plan.prevus}
    problems = {}
    for atelier_id, apprenant_ids in assignment.items():
        newcomers = [(plan.candidatures[i].score, plan.candidatures[i].apprenant.disponibilites) for i in apprenant_ids]
        problems[atelier_id] = grouping.verifier_groupe(prevus[atelier_id], newcomers)
    return problems


def confirm_groups(
    auteur: Compte,
    plan: Plan,
    assignment: dict[int, list[int]],
    accept_warnings: bool,
    today: date,
    *,
    now: datetime,
) -> list[Inscription]:
    """Enrol the learners of the groups in ``assignment`` (workshop id -> learner ids) from ``now`` (naive UTC),
    all of these groups or none; flush only. The groups screen confirms one group at a time: it passes that
    group alone, and the others stay proposed.

    Capacity is taken by a conditional UPDATE of ``atelier.places_prises`` (the database's CHECK holds it too)
    and each learner must still be waiting, so two confirmations at the same moment cannot overfill a
    workshop or enrol someone twice.

    :raise DomainError: when a group breaks a hard rule (availability, capacity) or names someone not waiting.
    :raise WarningsNotAccepted: when a group breaks a soft rule (score range, minimum) not accepted.
    :raise StaleProposal: when the waiting list or the workshops changed meanwhile; the caller rolls back.
    """
    unknown = {i for ids in assignment.values() for i in ids} - set(plan.candidatures)
    if unknown or set(assignment) - set(plan.ateliers):
        raise StaleProposal("une personne proposée n'est plus en attente.")
    problems = check_assignment(plan, assignment)
    blocking = [f"{plan.ateliers[a].intitule} : {p.message}" for a, ps in problems.items() for p in ps if p.bloquant]
    if blocking:
        raise DomainError(" ; ".join(blocking) + ".")
    warnings = [
        f"{plan.ateliers[a].intitule} : {p.message}" for a, ps in problems.items() for p in ps if not p.bloquant
    ]
    if warnings and not accept_warnings:
        raise WarningsNotAccepted(warnings)

    inscriptions = []
    for atelier_id, apprenant_ids in assignment.items():
        if not apprenant_ids:
            continue
        taken = db.session.execute(
            sa.update(Atelier)
            .where(
                Atelier.id == atelier_id,
                Atelier.statut.in_(GROUPABLE_STATUTS),
                Atelier.places_prises + len(apprenant_ids) <= Atelier.capacite,
            )
            .values(places_prises=Atelier.places_prises + len(apprenant_ids))
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:
            raise StaleProposal(f"l'atelier « {plan.ateliers[atelier_id].intitule} » n'a plus assez de places.")
        moved = db.session.execute(
            sa.update(Apprenant)
            .where(Apprenant.id.in_(apprenant_ids), Apprenant.statut == "en_attente")
            .values(statut="inscrit", last_contact_on=today)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != len(apprenant_ids):
            raise StaleProposal("une personne proposée a été inscrite ou retirée entre-temps.")
        for apprenant_id in apprenant_ids:
            inscription = Inscription(atelier_id=atelier_id, apprenant_id=apprenant_id, joined_at=now)
            db.session.add(inscription)
            inscriptions.append(inscription)
            journal.record(auteur, "modification", "apprenant", apprenant_id, f"inscrit à l'atelier {atelier_id}")
    db.session.flush()
    return inscriptions


@dataclass(frozen=True)
class GroupeVue:
    """What the proposal page shows of one workshop's group."""

    atelier: Atelier
    membres: list[Candidature]
    scores: list[int]
    problemes: list[grouping.Probleme]

    @property
    def taille(self) -> int:
        return self.atelier.places_prises + len(self.membres)

    @property
    def ecart(self) -> int | None:
        return max(self.scores) - min(self.scores) if self.scores else None


def describe_assignment(
    plan: Plan, assignment: dict[int, list[int]]
) -> tuple[list[GroupeVue], list[tuple[Candidature, str]]]:
    """The groups and the people left waiting, each with why in French (``grouping.raisons_attente`` read from
    these groups, proposed or moved by hand), ready for the page to format."""
    problems = check_assignment(plan, assignment)
    prevus = {p.id: p for p in plan.prevus}
    groupes = []
    for atelier_id, ids in assignment.items():
        membres = sorted((plan.candidatures[i] for i in ids), key=lambda c: (c.score, c.apprenant.nom_recherche))
        scores = [*prevus[atelier_id].membres, *(c.score for c in membres)]
        groupes.append(GroupeVue(plan.ateliers[atelier_id], membres, scores, problems[atelier_id]))
    reasons = grouping.raisons_attente(plan.candidats, plan.prevus, assignment)
    intitules = {atelier_id: atelier.intitule for atelier_id, atelier in plan.ateliers.items()}
    waiting = [(c, reasons[i].texte(intitules)) for i, c in plan.candidatures.items() if i in reasons]
    return groupes, waiting
