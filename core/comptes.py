"""Accounts looked after by their owners and their admins (issue 13, item 5): a password changed by its owner,
a one-time reset link made by an admin, reactivation after the inactivity job, the TOTP second factor.

Services change rows and ``flush()``; the caller commits once. Journal rows carry ids and codes only.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

import sqlalchemy as sa

from core import auth, journal, totp
from core.errors import DomainError
from core.francais import de
from core.messagerie.email_smtp import ParametresSmtp, TransportSmtp
from core.messagerie.transports import EchecEnvoi, Envoi
from core.models import Compte, JetonReinitialisation, Structure
from core.passwords import password_refusal
from extensions import db

log = logging.getLogger(__name__)

DUREE_LIEN = timedelta(hours=24)

LIEN_INCONNU = (
    "Ce lien de réinitialisation n'est pas valable : vérifiez qu'il a été recopié en entier, ou demandez un "
    "nouveau lien à l'administrateur de votre structure."
)
LIEN_UTILISE = (
    "Ce lien a déjà servi : un lien ne permet de choisir un mot de passe qu'une fois. Si ce n'était pas vous, "
    "prévenez l'administrateur de votre structure et demandez-lui un nouveau lien."
)
LIEN_EXPIRE = (
    "Ce lien a expiré : il n'était valable que 24 heures. Demandez un nouveau lien à l'administrateur de votre "
    "structure. Votre mot de passe n'a pas changé."
)
LIEN_REMPLACE = (
    "Ce lien a été remplacé par un lien plus récent : utilisez le dernier lien reçu, ou demandez-en un nouveau "
    "à l'administrateur de votre structure."
)
CODE_REFUSE = (
    "Code refusé : saisissez les 6 chiffres affichés en ce moment par l'application (un code ne sert qu'une fois)."
)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _personal(compte: Compte) -> tuple[str | None, ...]:
    return (compte.prenom, compte.nom, compte.email)


# --- password changed by its owner ---------------------------------------------------------------------------


def changer_mot_de_passe(compte: Compte, actuel: str, nouveau: str) -> None:
    """Set the owner's new password after checking the current one; the account's other sessions end, the one
    in use (``compte.connexion_token``) stays.

    :raise DomainError: beside "actuel" when the current password is wrong; beside "nouveau" when the policy of
        :mod:`core.passwords` refuses the new one or it is the current one.
    """
    if not compte.check_password(actuel):
        raise DomainError("Mot de passe actuel incorrect.", field="actuel")
    if nouveau == actuel:
        raise DomainError("Choisissez un mot de passe différent de l'actuel.", field="nouveau")
    refusal = password_refusal(nouveau, _personal(compte))
    if refusal:
        raise DomainError(refusal, field="nouveau")
    compte.set_password(nouveau)
    auth.close_connexions(compte, keep_token=compte.connexion_token)
    db.session.flush()
    journal.record(compte, "modification", "compte", compte.id, "mot de passe changé par son titulaire")


# --- reset link made by an admin -----------------------------------------------------------------------------


def creer_lien(auteur: Compte, compte: Compte, now: datetime) -> str:
    """Make a one-time reset link for ``compte`` valid :data:`DUREE_LIEN` from ``now``; return its token (only
    its SHA-256 is stored). The account's earlier unused links stop working.

    :raise DomainError: the account is not in the author's structure, or is deactivated (reactivate it first).
    """
    if compte.structure_id != auteur.structure_id:
        raise DomainError("Ce compte n'appartient pas à votre structure.")
    if not compte.is_active:
        raise DomainError("Ce compte est désactivé : réactivez-le d'abord (case « Compte actif »), puis créez le lien.")
    # Earlier links still open end now (the link page then says a newer one replaced them).
    db.session.execute(
        sa.update(JetonReinitialisation)
        .where(
            JetonReinitialisation.compte_id == compte.id,
            JetonReinitialisation.used_at.is_(None),
            JetonReinitialisation.expires_at > now,
        )
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        JetonReinitialisation(
            compte_id=compte.id,
            auteur_id=auteur.id,
            token_hash=_digest(token),
            created_at=now,
            expires_at=now + DUREE_LIEN,
        )
    )
    db.session.flush()
    journal.record(auteur, "modification", "compte", compte.id, "lien de réinitialisation du mot de passe créé")
    return token


def jeton_valable(token: str | None, now: datetime) -> JetonReinitialisation:
    """The reset link of ``token`` if it may still be used at ``now``.

    :raise DomainError: with the French reason: unknown, already used, replaced by a newer link, expired, or its
        account deactivated since.
    """
    jeton = None
    if token and len(token) <= 100:
        jeton = db.session.scalar(
            sa.select(JetonReinitialisation).where(JetonReinitialisation.token_hash == _digest(token))
        )
    if jeton is None:
        raise DomainError(LIEN_INCONNU)
    if jeton.used_at is not None:
        raise DomainError(LIEN_UTILISE)
    if jeton.expires_at <= now:
        remplace = jeton.expires_at < jeton.created_at + DUREE_LIEN
        raise DomainError(LIEN_REMPLACE if remplace else LIEN_EXPIRE)
    if not jeton.compte.is_active:
        raise DomainError("Ce compte est désactivé : adressez-vous à l'administrateur de votre structure.")
    return jeton


def reinitialiser(token: str | None, nouveau: str, now: datetime) -> Compte:
    """Set the password chosen through a reset link, spend the link, end every session of the account.

    The link's row is locked first (``FOR UPDATE`` on PostgreSQL), so two submissions of one link cannot both
    succeed.

    :raise DomainError: without a field when the link cannot be used (see :func:`jeton_valable`); beside
        "nouveau" when the policy of :mod:`core.passwords` refuses the password. Nothing is written then.
    """
    jeton = jeton_valable(token, now)
    db.session.refresh(jeton, with_for_update=True)
    jeton = jeton_valable(token, now)  # as it is now that it is locked
    compte = jeton.compte
    refusal = password_refusal(nouveau, _personal(compte))
    if refusal:
        raise DomainError(refusal, field="nouveau")
    spent = db.session.execute(
        sa.update(JetonReinitialisation)
        .where(JetonReinitialisation.id == jeton.id, JetonReinitialisation.used_at.is_(None))
        .values(used_at=now)
    )
    if spent.rowcount != 1:
        raise DomainError(LIEN_UTILISE)
    compte.set_password(nouveau)
    auth.close_connexions(compte)
    db.session.flush()
    journal.record(compte, "modification", "compte", compte.id, "mot de passe choisi par lien de réinitialisation")
    return compte


def lien_envoye_par_courriel(config: Mapping, compte: Compte, lien: str) -> bool:
    """Email the reset ``lien`` to the account's address when SMTP is configured; True when the relay took it.

    Nothing is stored (the link exists only in this email, or on the admin's page when this returns False);
    a failure is logged with the account's id only.
    """
    parametres = ParametresSmtp.depuis_config(config)
    if parametres is None or not compte.email:
        return False
    corps = (
        f"Bonjour {compte.prenom},\n\n"
        f"L'administrateur {de(compte.structure.nom)} vous permet de choisir un nouveau mot de passe pour les "
        "Ateliers numériques. Ouvrez ce lien (valable 24 heures, une seule fois) :\n\n"
        f"{lien}\n\n"
        "Si vous n'avez rien demandé, ne faites rien : votre mot de passe actuel reste valable.\n"
    )
    envoi = Envoi(
        message_id=0,
        canal="email",
        destinataire=compte.email,
        nom=compte.nom_complet,
        objet="Choisir un nouveau mot de passe",
        corps=corps,
        expediteur=compte.structure.nom,
    )
    try:
        TransportSmtp(parametres).envoyer(envoi)
    except EchecEnvoi as echec:
        log.warning("reset link for account %s not emailed: %s", compte.id, echec.raison)
        return False
    return True


# --- accounts deactivated for inactivity ---------------------------------------------------------------------


def desactives_pour_inactivite(structure_id: int) -> list[Compte]:
    """The structure's accounts the inactivity job deactivated and no admin has reactivated, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Compte)
            .where(
                Compte.structure_id == structure_id,
                Compte.is_active.is_(False),
                Compte.desactive_inactivite_at.is_not(None),
            )
            .order_by(Compte.desactive_inactivite_at, Compte.nom, Compte.prenom)
        )
    )


def reactiver(auteur: Compte, compte: Compte, now: datetime) -> bool:
    """Reactivate ``compte``: it counts as used at ``now`` (six months again before the job deactivates it).

    :return: False when it was active already (nothing written).
    :raise DomainError: the account is not in the author's structure.
    """
    if compte.structure_id != auteur.structure_id:
        raise DomainError("Ce compte n'appartient pas à votre structure.")
    if compte.is_active:
        return False
    compte.is_active = True
    marquer_reactive(compte, now)
    db.session.flush()
    journal.record(auteur, "modification", "compte", compte.id, "champs : is_active (réactivation)")
    return True


def marquer_reactive(compte: Compte, now: datetime) -> None:
    """Note that an admin made ``compte`` active again at ``now`` (any page that does it calls this)."""
    compte.desactive_inactivite_at = None
    compte.reactive_at = now


# --- TOTP second factor --------------------------------------------------------------------------------------


def secret_en_cours(compte: Compte, cle: str) -> str:
    """The secret the enrolment page shows: the one being enrolled, or a new one stored encrypted (flushes).

    :param cle: the application's ``SECRET_KEY`` (the encryption key is derived from it, :mod:`core.totp`).
    :raise DomainError: the second factor is already active (turn it off first).
    """
    if compte.has_totp:
        raise DomainError("La double authentification est déjà active pour ce compte.")
    secret = totp.dechiffrer(compte.totp_secret_chiffre, cle) if compte.totp_secret_chiffre else None
    if secret is None:
        secret = totp.nouveau_secret()
        compte.totp_secret_chiffre = totp.chiffrer(secret, cle)
        compte.totp_dernier_pas = None
        db.session.flush()
    return secret


def confirmer_totp(compte: Compte, code: str, now: datetime, cle: str) -> None:
    """Turn the second factor on once the first code from the app is right at ``now``; journaled.

    :raise DomainError: beside "code" when the code is wrong (or enrolment was not started).
    """
    if compte.has_totp or not compte.totp_secret_chiffre:
        raise DomainError("Ouvrez d'abord la page d'activation pour obtenir le code QR.", field="code")
    if not verifier_code(compte, code, now, cle, en_cours=True):
        raise DomainError(CODE_REFUSE, field="code")
    compte.has_totp = True
    db.session.flush()
    journal.record(compte, "modification", "compte", compte.id, "double authentification activée")


def verifier_code(compte: Compte, code: str, now: datetime, cle: str, en_cours: bool = False) -> bool:
    """Whether ``code`` is the account's TOTP code at ``now`` (one step either side), never accepted before.

    The account's row is locked first, so one code sent twice at once is accepted once; an accepted code's
    step is stored (flushes).

    :param en_cours: check the secret being enrolled (not yet active).
    """
    if not (compte.has_totp or en_cours) or not compte.totp_secret_chiffre:
        return False
    db.session.refresh(compte, with_for_update=True)
    secret = totp.dechiffrer(compte.totp_secret_chiffre, cle)
    if secret is None:
        log.error("TOTP secret of account %s does not decrypt (SECRET_KEY changed?)", compte.id)
        return False
    pas = totp.pas_accepte(secret, code, now, compte.totp_dernier_pas)
    if pas is None:
        return False
    compte.totp_dernier_pas = pas
    db.session.flush()
    return True


def retirer_totp(auteur: Compte, compte: Compte) -> bool:
    """Turn the account's second factor off and forget its secret (its owner, or an admin of its structure for
    a lost phone); journaled. The next sign-in asks the password only.

    :return: False when it was not active (nothing written).
    :raise DomainError: the account is not in the author's structure.
    """
    if compte.structure_id != auteur.structure_id:
        raise DomainError("Ce compte n'appartient pas à votre structure.")
    if not compte.has_totp and not compte.totp_secret_chiffre:
        return False
    compte.has_totp, compte.totp_secret_chiffre, compte.totp_dernier_pas = False, None, None
    db.session.flush()
    journal.record(auteur, "modification", "compte", compte.id, "double authentification retirée")
    return True


def doit_activer_totp(compte: Compte) -> bool:
    """Whether ``compte`` must enrol before anything else: an admin without TOTP in a structure that requires it."""
    return compte.role == "admin" and not compte.has_totp and bool(compte.structure.is_totp_admin_obligatoire)


def regler_totp_admin(auteur: Compte, structure: Structure, obligatoire: bool) -> bool:
    """Set the structure's "second facteur obligatoire pour les admins"; journaled when it changes.

    :return: whether it changed.
    :raise DomainError: the structure is not the author's.
    """
    if structure.id != auteur.structure_id:
        raise DomainError("Vous ne pouvez modifier que votre structure.")
    if bool(structure.is_totp_admin_obligatoire) == obligatoire:
        return False
    structure.is_totp_admin_obligatoire = obligatoire
    db.session.flush()
    etat = "oui" if obligatoire else "non"
    journal.record(auteur, "modification", "structure", structure.id, f"second facteur obligatoire admins : {etat}")
    return True
