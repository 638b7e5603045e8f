"""Use cases of the core package. Services change rows and ``flush()``; the caller commits once."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from core import auth, disponibilites, journal, queries, reseaux, versions
from core.comptes import marquer_reactive
from core.errors import DomainError
from core.models import Apprenant, Compte, Structure
from core.ouverture import FUSEAUX, SUBDIVISIONS, Ouverture, fuseaux_possibles
from core.passwords import password_refusal
from core.timeutil import structure_today, utcnow
from extensions import db


class PossibleDuplicate(DomainError):
    """The learner seems to exist already; the caller may confirm and try again."""

    def __init__(self, candidates: list[Apprenant]):
        super().__init__(
            "Une personne semblable existe déjà. Vérifiez la liste ci-dessous ; s'il s'agit bien d'une autre "
            "personne, cochez la case de confirmation et enregistrez à nouveau.",
            field="confirmer_doublon",
        )
        self.candidates = candidates


class SansDisponibilite(DomainError):
    """A person on the waiting list would have no half-day ticked: no group proposal can ever include them
    (``ateliers.grouping`` places people only at their half-days). The caller shows the message beside the
    availability field, keeps what was typed and asks for a confirmation (field ``sans_disponibilite``)."""

    def __init__(self) -> None:
        super().__init__(disponibilites.AUCUNE_DEMI_JOURNEE, field="disponibilites")


def _changed_fields(obj, data: dict) -> list[str]:
    return [name for name, value in data.items() if getattr(obj, name) != value]


def create_apprenant(auteur: Compte, data: dict, confirm_duplicate: bool = False) -> Apprenant:
    """Register a learner in the author's structure and journal it.

    :raise PossibleDuplicate: when someone with the same name, phone or email exists and it is not confirmed.
    """
    if not confirm_duplicate:
        candidates = queries.possible_duplicates(auteur.structure_id, data)
        if candidates:
            raise PossibleDuplicate(candidates)
    apprenant = Apprenant(structure_id=auteur.structure_id, last_contact_on=structure_today(auteur.structure), **data)
    db.session.add(apprenant)
    db.session.flush()
    journal.record(auteur, "creation", "apprenant", apprenant.id)
    return apprenant


# What the learner's form shows and edits: the snapshot of ``core.versions`` for that page.
CHAMPS_FICHE = (
    "prenom",
    "nom",
    "telephone",
    "email",
    "adresse",
    "code_postal",
    "commune",
    "tranche_age",
    "disponibilites",
    "canal_prefere",
)


def instantane_apprenant(apprenant: Apprenant) -> dict:
    """The learner's record as the edit form shows it (model values of :data:`CHAMPS_FICHE`)."""
    return {name: getattr(apprenant, name) for name in CHAMPS_FICHE}


def update_apprenant(
    auteur: Compte,
    apprenant: Apprenant,
    data: dict,
    confirm_duplicate: bool = False,
    vu: Mapping[str, object] | None = None,
    confirm_sans_disponibilite: bool = True,
) -> list[str]:
    """Apply ``data`` to the learner, journal the names of the changed fields (never their values).

    :param vu: what the edit page showed (``core.versions.lire``); None (callers that are not that page) skips
        the check. The learner's row is locked first, so two saves run one at a time.
    :param confirm_sans_disponibilite: False to refuse emptying the availability of a person on the waiting
        list (the edit page asks first); callers that are not a page leave it True.
    :raise core.versions.ModifieEntreTemps: the record changed since the page showed ``vu``; nothing written.
    :raise SansDisponibilite: when ``data`` empties a waiting person's availability, not confirmed; nothing
        written.
    :raise PossibleDuplicate: when the new name, phone or email matches another learner, unless confirmed.
    """
    if vu is not None:
        versions.verrouiller(apprenant)
        versions.exiger_inchange(vu, instantane_apprenant(apprenant), versions.par_journal("apprenant", apprenant.id))
    changed = _changed_fields(apprenant, data)
    if not changed:
        return []
    if (
        not confirm_sans_disponibilite
        and "disponibilites" in changed
        and data["disponibilites"] == 0
        and apprenant.statut == "en_attente"
    ):
        raise SansDisponibilite()
    identity_changed = {"nom", "prenom", "telephone", "email"} & set(changed)
    if identity_changed and not confirm_duplicate:
        candidates = queries.possible_duplicates(apprenant.structure_id, data, exclude_id=apprenant.id)
        if candidates:
            raise PossibleDuplicate(candidates)
    for name in changed:
        setattr(apprenant, name, data[name])
    db.session.flush()
    journal.record(auteur, "modification", "apprenant", apprenant.id, "champs : " + ", ".join(sorted(changed)))
    return changed


def record_apprenant_view(auteur: Compte, apprenant_id: int | None, details: str = "") -> None:
    """Journal that ``auteur`` displayed a learner's data (a detail page, or a list when the id is None)."""
    journal.consultation(auteur, "apprenant", apprenant_id, details)


def _email_taken(email: str, exclude_id: int | None = None) -> bool:
    statement = sa.select(Compte.id).where(Compte.email == email)
    if exclude_id is not None:
        statement = statement.where(Compte.id != exclude_id)
    return db.session.scalar(statement) is not None


def _require_good_password(data: dict) -> None:
    """:raise DomainError: beside "password" when the policy of core.passwords refuses ``data["password"]``."""
    refusal = password_refusal(data["password"], (data["prenom"], data["nom"], data["email"]))
    if refusal:
        raise DomainError(refusal, field="password")


def _require_role_possible(structure_id: int, role: str) -> None:
    """:raise DomainError: beside "role" when ``role`` cannot be given in that structure (``core.reseaux``)."""
    refusal = reseaux.refus_role(structure_id, role)
    if refusal:
        raise DomainError(refusal, field="role")


def create_compte(auteur: Compte, data: dict) -> Compte:
    """Create a staff account in the author's structure.

    :raise DomainError: when the email is already used by another account, the password is refused, or the
        role is coordination in a structure that heads no network (``core.reseaux.refus_role``).
    """
    if _email_taken(data["email"]):
        raise DomainError("Un compte utilise déjà cette adresse.", field="email")
    _require_role_possible(auteur.structure_id, data["role"])
    _require_good_password(data)
    compte = Compte(
        structure_id=auteur.structure_id,
        prenom=data["prenom"],
        nom=data["nom"],
        email=data["email"],
        role=data["role"],
        is_active=data["is_active"],
    )
    compte.set_password(data["password"])
    db.session.add(compte)
    db.session.flush()
    journal.record(auteur, "creation", "compte", compte.id, f"rôle {compte.role}")
    return compte


# What the account form shows and edits (never the password): the snapshot of ``core.versions`` for that page.
CHAMPS_COMPTE = ("prenom", "nom", "email", "role", "is_active")


def instantane_compte(compte: Compte) -> dict:
    """The account as its edit form shows it (model values of :data:`CHAMPS_COMPTE`)."""
    return {name: getattr(compte, name) for name in CHAMPS_COMPTE}


def update_compte(auteur: Compte, compte: Compte, data: dict, vu: Mapping[str, object] | None = None) -> list[str]:
    """Change an account; a new password or a deactivation ends its open sessions (the author's own current
    session excepted, when admins change their own password).

    :param vu: what the edit page showed (``core.versions.lire``); None skips the check. The account's row is
        locked first, so two saves run one at a time.
    :raise core.versions.ModifieEntreTemps: the account changed since the page showed ``vu``; nothing written.
    :raise DomainError: on an email already used, a password refused, when an admin would lock themselves out,
        or on the coordination role in a structure that heads no network.
    """
    if vu is not None:
        versions.verrouiller(compte)
        versions.exiger_inchange(vu, instantane_compte(compte), versions.par_journal("compte", compte.id))
    if _email_taken(data["email"], exclude_id=compte.id):
        raise DomainError("Un compte utilise déjà cette adresse.", field="email")
    _require_role_possible(compte.structure_id, data["role"])
    if data.get("password"):
        _require_good_password(data)
    if compte.id == auteur.id and not data["is_active"]:
        raise DomainError("Vous ne pouvez pas désactiver votre propre compte.", field="is_active")
    if compte.id == auteur.id and data["role"] != "admin":
        raise DomainError("Vous ne pouvez pas retirer votre propre rôle d'administrateur.", field="role")
    fields = {key: data[key] for key in ("prenom", "nom", "email", "role", "is_active")}
    changed = _changed_fields(compte, fields)
    for name in changed:
        setattr(compte, name, fields[name])
    if "is_active" in changed and compte.is_active:
        marquer_reactive(compte, utcnow())
    if data.get("password"):
        compte.set_password(data["password"])
        changed.append("mot de passe")
    if data.get("password") or ("is_active" in changed and not compte.is_active):
        auth.close_connexions(compte, keep_token=auteur.connexion_token if compte.id == auteur.id else None)
    if changed:
        db.session.flush()
        journal.record(auteur, "modification", "compte", compte.id, "champs : " + ", ".join(sorted(changed)))
    return changed


# What the structure's calendar form shows and edits: the snapshot of ``core.versions`` for that page.
CHAMPS_CALENDRIER = ("subdivision_feries", "fuseau_horaire", "feries_travailles")


def instantane_calendrier(structure: Structure) -> dict:
    """The structure's calendar settings as its form shows them (model values of :data:`CHAMPS_CALENDRIER`)."""
    return {
        "subdivision_feries": structure.subdivision_feries,
        "fuseau_horaire": structure.fuseau_horaire,
        "feries_travailles": list(structure.feries_travailles or ()),
    }


def modifier_calendrier(
    auteur: Compte, structure: Structure, data: dict, vu: Mapping[str, object] | None = None
) -> list[str]:
    """Set the structure's holiday subdivision, time zone and worked holidays; journal the fields changed.

    :param data: ``subdivision_feries`` (a key of ``core.ouverture.SUBDIVISIONS`` or None), ``fuseau_horaire``
        (IANA name), ``feries_travailles`` (codes of ``core.ouverture.FERIES``).
    :param vu: what the settings page showed (``core.versions.lire``); None skips the check. The structure's row
        is locked first, so two saves run one at a time.
    :return: the names of the fields changed (none: nothing written).
    :raise core.versions.ModifieEntreTemps: the settings changed since the page showed ``vu``; nothing written.
    :raise DomainError: beside its field: the structure is not the author's; a time zone that is not one of
        the subdivision's (La Réunion is on Indian/Reunion time); a holiday that cannot be worked (1 May).
    """
    if structure.id != auteur.structure_id:
        raise DomainError("Vous ne pouvez modifier que votre structure.")
    if vu is not None:
        versions.verrouiller(structure)
        versions.exiger_inchange(vu, instantane_calendrier(structure), versions.par_journal("structure", structure.id))
    subdivision, fuseau = data["subdivision_feries"], data["fuseau_horaire"]
    zones = fuseaux_possibles(subdivision)
    if fuseau not in zones:
        territoire = SUBDIVISIONS[subdivision][0] if subdivision else "la métropole"
        attendus = " ou ".join(f"« {FUSEAUX[zone]} »" for zone in zones)
        raise DomainError(f"Pour {territoire}, choisissez le fuseau {attendus}.", "fuseau_horaire")
    try:
        Ouverture(subdivision, frozenset(data["feries_travailles"]), (), fuseau)
    except ValueError as error:
        raise DomainError(str(error), "feries_travailles") from None
    changed = _changed_fields(structure, data)
    for name in changed:
        setattr(structure, name, data[name])
    if changed:
        db.session.flush()
        valeurs = f"subdivision {subdivision or 'métropole'}, fuseau {fuseau}, fériés travaillés " + (
            ", ".join(data["feries_travailles"]) or "aucun"
        )
        journal.record(auteur, "modification", "structure", structure.id, f"calendrier : {valeurs}")
    return changed
