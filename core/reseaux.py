"""Networks of structures (``Reseau``): who belongs, who heads them, what a coordination account may see.

A structure belongs to at most one network; its head structure's admin creates it and manages its members;
the head's ``coordination`` accounts see the members' aggregates (the home page lists them, the network
dashboard sums them) and never a learner, a workshop's people, a phone or a name (DESIGN.md section 1).
Services flush; the caller commits once.
"""

from __future__ import annotations

import sqlalchemy as sa

from core import journal
from core.errors import DomainError
from core.models import Compte, Reseau, Structure
from extensions import db

ROLE_COORDINATION = "coordination"
REFUS_ROLE_COORDINATION = (
    "Le rôle « Coordination de réseau » est réservé aux comptes de la structure tête d'un réseau : créez "
    "d'abord le réseau (menu Réseau)."
)


def reseau_dirige(structure_id: int) -> Reseau | None:
    """The network that the structure ``structure_id`` heads, or None."""
    return db.session.scalar(
        sa.select(Reseau)
        .join(Structure, Structure.reseau_id == Reseau.id)
        .where(Structure.id == structure_id, Structure.is_tete_reseau.is_(True))
    )


def membres(reseau_id: int) -> list[Structure]:
    """The structures of the network ``reseau_id``, its head first, then by name."""
    return list(
        db.session.scalars(
            sa.select(Structure)
            .where(Structure.reseau_id == reseau_id)
            .order_by(Structure.is_tete_reseau.desc(), Structure.nom, Structure.id)
        )
    )


def perimetre(compte: Compte) -> list[int]:
    """Ids of the structures whose aggregates ``compte`` (a coordination account) may see: the members of the
    network its structure heads; none when it heads no network (the account then sees nothing)."""
    if compte.role != ROLE_COORDINATION:
        return []
    return list(
        db.session.scalars(
            sa.select(Structure.id)
            .where(
                Structure.reseau_id
                == sa.select(Structure.reseau_id)
                .where(Structure.id == compte.structure_id, Structure.is_tete_reseau.is_(True))
                .scalar_subquery()
            )
            .order_by(Structure.id)
        )
    )


def structures_sans_reseau() -> list[Structure]:
    """The structures that belong to no network (those a network's head may add), by name."""
    return list(db.session.scalars(sa.select(Structure).where(Structure.reseau_id.is_(None)).order_by(Structure.nom)))


def refus_role(structure_id: int, role: str) -> str | None:
    """Why ``role`` cannot be given to an account of the structure ``structure_id`` (French), or None.

    A coordination account belongs to the head structure of a network (DESIGN.md section 2).
    """
    if role == ROLE_COORDINATION and reseau_dirige(structure_id) is None:
        return REFUS_ROLE_COORDINATION
    return None


def _structure_verrouillee(structure_id: int) -> Structure | None:
    """The structure's row, locked until the commit (PostgreSQL), so two admins never add it at once."""
    return db.session.scalar(
        sa.select(Structure)
        .where(Structure.id == structure_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def creer_reseau(auteur: Compte, nom: str) -> Reseau:
    """Create a network named ``nom`` headed by the author's structure, and journal it.

    :param auteur: an admin account; its structure becomes the network's head and first member.
    :raise DomainError: beside ``nom``: the name is empty or taken, or the author's structure already belongs
        to a network.
    """
    nom = nom.strip()
    if not nom:
        raise DomainError("Donnez un nom au réseau.", field="nom")
    structure = _structure_verrouillee(auteur.structure_id)
    if structure.reseau_id is not None:
        raise DomainError("Votre structure fait déjà partie d'un réseau.", field="nom")
    if db.session.scalar(sa.select(Reseau.id).where(Reseau.nom == nom)) is not None:
        raise DomainError("Un réseau porte déjà ce nom : choisissez-en un autre.", field="nom")
    reseau = Reseau(nom=nom)
    db.session.add(reseau)
    db.session.flush()
    structure.reseau_id, structure.is_tete_reseau = reseau.id, True
    db.session.flush()
    journal.record(auteur, "creation", "reseau", reseau.id, f"tête : structure {structure.id}")
    return reseau


def _reseau_de_l_auteur(auteur: Compte) -> Reseau:
    reseau = reseau_dirige(auteur.structure_id)
    if reseau is None:
        raise DomainError("Votre structure n'est la tête d'aucun réseau.", field="structure_id")
    return reseau


def ajouter_structure(auteur: Compte, structure_id: int) -> Structure:
    """Add the structure ``structure_id`` to the network the author's structure heads, and journal it.

    :raise DomainError: beside ``structure_id``: the author's structure heads no network; the structure does
        not exist or already belongs to a network (this one or another: it must leave it first).
    """
    reseau = _reseau_de_l_auteur(auteur)
    structure = _structure_verrouillee(structure_id)
    if structure is None:
        raise DomainError("Choisissez une structure dans la liste.", field="structure_id")
    if structure.reseau_id == reseau.id:
        raise DomainError(f"{structure.nom} fait déjà partie du réseau.", field="structure_id")
    if structure.reseau_id is not None:
        raise DomainError(
            f"{structure.nom} fait déjà partie d'un autre réseau : elle doit d'abord le quitter.", field="structure_id"
        )
    structure.reseau_id = reseau.id
    db.session.flush()
    journal.record(auteur, "modification", "reseau", reseau.id, f"ajout : structure {structure.id}")
    return structure


def retirer_structure(auteur: Compte, structure_id: int) -> Structure:
    """Take the structure ``structure_id`` out of the network the author's structure heads, and journal it.

    :raise DomainError: beside ``structure_id``: the author's structure heads no network; the structure is not
        a member; it is the head (a network keeps its head).
    """
    reseau = _reseau_de_l_auteur(auteur)
    structure = _structure_verrouillee(structure_id)
    if structure is None or structure.reseau_id != reseau.id:
        raise DomainError("Cette structure ne fait pas partie du réseau.", field="structure_id")
    if structure.is_tete_reseau:
        raise DomainError("La structure tête ne peut pas quitter son réseau.", field="structure_id")
    structure.reseau_id = None
    db.session.flush()
    journal.record(auteur, "modification", "reseau", reseau.id, f"retrait : structure {structure.id}")
    return structure
