"""The structure's retention period (``Structure.conservation_mois``), set by its admin."""

from __future__ import annotations

from collections.abc import Mapping

from core import journal, versions
from core.errors import DomainError
from core.models import Compte, Structure
from extensions import db
from rgpd.forms import MOIS_MAX, MOIS_MIN


def instantane_conservation(structure: Structure) -> dict:
    """What the settings page shows and changes (``core.versions``)."""
    return {"conservation_mois": structure.conservation_mois}


def regler_conservation(
    auteur: Compte, structure: Structure, mois: int, vu: Mapping[str, object] | None = None
) -> bool:
    """Set how many months ``structure`` keeps a learner's data after the last contact. Flush only; journaled
    (the new value, a number).

    :param mois: between ``MOIS_MIN`` (12) and ``MOIS_MAX`` (120).
    :param vu: what the page showed (``core.versions.lire``); None skips the check. The structure's row is locked.
    :return: True when the value changed.
    :raise core.versions.ModifieEntreTemps: someone changed it since the page showed ``vu``; nothing written.
    :raise DomainError: beside ``conservation_mois``: out of range, or not the author's structure.
    """
    if structure.id != auteur.structure_id:
        raise DomainError("Vous ne pouvez modifier que votre structure.", "conservation_mois")
    if not MOIS_MIN <= mois <= MOIS_MAX:
        raise DomainError(f"Choisissez entre {MOIS_MIN} et {MOIS_MAX} mois.", "conservation_mois")
    if vu is not None:
        versions.verrouiller(structure)
        versions.exiger_inchange(
            vu, instantane_conservation(structure), versions.par_journal("structure", structure.id)
        )
    if structure.conservation_mois == mois:
        return False
    structure.conservation_mois = mois
    journal.record(auteur, "modification", "structure", structure.id, f"conservation : {mois} mois")
    db.session.flush()
    return True
