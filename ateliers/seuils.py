"""Changing the structure's dropout-alert thresholds, and recomputing the alerts they govern."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from ateliers import dropout, presences
from ateliers.models import Atelier, Inscription, Seance
from core import journal, versions
from core.errors import DomainError
from core.models import Compte, Structure
from extensions import db


def _resume_seuils(avant: dropout.Seuils, apres: dropout.Seuils) -> str:
    """What changed between two sets of thresholds, in short French words (for the journal)."""

    def montrer(nom: str, seuils: dropout.Seuils) -> str:
        valeur = getattr(seuils, nom)
        if nom == "toute_absence_non_excusee":
            return "oui" if valeur else "non"
        if nom == "seances_critiques":
            return "+".join(str(numero) for numero in valeur) or "aucune"
        if nom == "taux_minimum":
            return f"{round(valeur * 100)} %"
        return str(valeur)

    noms = {
        "toute_absence_non_excusee": "toute absence non excusée",
        "seances_critiques": "séances critiques",
        "absences_consecutives": "absences consécutives",
        "taux_minimum": "taux minimum",
        "taux_apres_seance": "taux après séance",
        "niveau_fragile": "niveau fragile",
        "module_sans_acquis": "module sans acquis",
    }
    changes = [
        f"{libelle} {montrer(nom, avant)} → {montrer(nom, apres)}"
        for nom, libelle in noms.items()
        if getattr(avant, nom) != getattr(apres, nom)
    ]
    return "seuils d'alerte : " + ("; ".join(changes) if changes else "inchangés")


def instantane_seuils(structure: Structure) -> dict[str, object]:
    """The thresholds as the settings page shows them (``dropout.Seuils.to_dict``, defaults filled in)."""
    return dropout.Seuils.from_dict(structure.seuils_decrochage or {}).to_dict()


def modifier_seuils(
    auteur: Compte,
    structure: Structure,
    seuils: dropout.Seuils,
    today: date,
    vu: Mapping[str, object] | None = None,
) -> int:
    """Store the dropout-alert thresholds of ``structure`` and recompute the alerts they govern; flushes.

    The alerts recomputed are those of every inscription still running (statut "inscrit") in the structure's
    workshops that are planned (have séances) and not closed (``is_locked``): an alert that no longer holds is
    resolved, one that now holds is opened.

    :param vu: what the settings page showed (``core.versions.lire``); None skips the check. The structure's
        row is locked first, so two saves run one at a time.
    :return: the number of inscriptions whose alerts were recomputed.
    :raise DomainError: when ``structure`` is not the author's.
    :raise core.versions.ModifieEntreTemps: the thresholds changed since the page showed ``vu``; nothing written.
    """
    if structure.id != auteur.structure_id:
        raise DomainError("Vous ne pouvez régler que les seuils de votre structure.")
    if vu is not None:
        versions.verrouiller(structure)
        versions.exiger_inchange(vu, instantane_seuils(structure), versions.par_journal("structure", structure.id))
    avant = dropout.Seuils.from_dict(structure.seuils_decrochage or {})
    structure.seuils_decrochage = seuils.to_dict()
    journal.record(auteur, "modification", "structure", structure.id, _resume_seuils(avant, seuils))
    db.session.flush()

    inscriptions = db.session.scalars(
        sa.select(Inscription)
        .join(Inscription.atelier)
        .where(
            Atelier.structure_id == structure.id,
            Atelier.is_locked.is_(False),
            Inscription.statut == "inscrit",
            sa.exists().where(Seance.atelier_id == Atelier.id),
        )
        .options(contains_eager(Inscription.atelier))
        .order_by(Inscription.atelier_id, Inscription.id)
    ).all()
    par_atelier: dict[int, list[Inscription]] = {}
    for inscription in inscriptions:
        par_atelier.setdefault(inscription.atelier_id, []).append(inscription)
    for groupe in par_atelier.values():
        presences.recalculer(groupe[0].atelier, groupe, today)
    return len(inscriptions)
