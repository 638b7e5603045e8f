"""The structure's data protection officer (DPO): the admin's setting printed on the information notice and the
register entry (core.information). Flushes only; the view commits."""

from __future__ import annotations

from collections.abc import Mapping

from core import journal, versions
from core.errors import DomainError
from core.models import Compte, Structure
from extensions import db

CHAMPS = ("dpo_nom", "dpo_contact")


def instantane_dpo(structure: Structure) -> dict:
    """The DPO fields as the settings page shows them."""
    return {name: getattr(structure, name) or "" for name in CHAMPS}


def modifier_dpo(
    auteur: Compte, structure: Structure, data: Mapping[str, str], vu: Mapping[str, object] | None = None
) -> list[str]:
    """Set the structure's DPO name and contact; journal the names of the fields changed (never their values).

    :param data: ``dpo_nom`` (160 characters at most) and ``dpo_contact`` (255), stripped; empty clears.
    :param vu: what the page showed (``core.versions.lire``); None skips the check. The row is locked first.
    :return: the names of the fields changed (none: nothing written).
    :raise core.versions.ModifieEntreTemps: the DPO changed since the page showed ``vu``; nothing written.
    :raise DomainError: the structure is not the author's.
    """
    if structure.id != auteur.structure_id:
        raise DomainError("Vous ne pouvez modifier que votre structure.")
    if vu is not None:
        versions.verrouiller(structure)
        versions.exiger_inchange(vu, instantane_dpo(structure), versions.par_journal("structure", structure.id))
    changed = [name for name in CHAMPS if (getattr(structure, name) or "") != data[name]]
    for name in changed:
        setattr(structure, name, data[name])
    if changed:
        db.session.flush()
        journal.record(auteur, "modification", "structure", structure.id, f"DPO : {', '.join(changed)}")
    return changed
