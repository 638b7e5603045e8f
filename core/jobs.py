"""The account sweep run by the scheduler (``scheduler.py``): accounts unused for six months are deactivated.

Idempotent: a deactivated account is no longer a candidate, so a second run finds nothing. One structure at a
time, in its own transaction, journaled with counts (never names). The structure's admins are told: the
accounts page lists the accounts deactivated for inactivity (``core.comptes.desactives_pour_inactivite``)
until an admin reactivates them, and, when SMTP is configured, each active admin gets an email with the count.
A structure's last active admin is never deactivated, so somebody can always reactivate the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from core import auth, journal
from core.francais import de, nombre
from core.inactivite import derniere_utilisation, est_inactif, seuil_inactivite
from core.messagerie.email_smtp import ParametresSmtp, TransportSmtp
from core.messagerie.transports import EchecEnvoi, Envoi
from core.models import Compte, Structure
from extensions import db

log = logging.getLogger(__name__)


@dataclass
class BilanInactivite:
    """What a run did, in counts: accounts deactivated per structure id, admins emailed, structures failed."""

    desactives: dict[int, int] = field(default_factory=dict)
    courriels: int = 0
    echecs: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.desactives.values())


def desactiver_comptes_inactifs(now: datetime) -> BilanInactivite:
    """Deactivate every active account unused for six months at ``now`` (naive UTC; rule: :mod:`core.inactivite`),
    end their sessions, journal each structure's count, tell its admins; commits one structure at a time.

    :return: the counts; a structure whose transaction failed is logged by id, rolled back and retried next run.
    """
    seuil = seuil_inactivite(now)
    candidats = sa.select(Compte.structure_id).where(
        Compte.is_active.is_(True),
        Compte.created_at < seuil,
        sa.or_(Compte.last_login_at.is_(None), Compte.last_login_at < seuil),
        sa.or_(Compte.reactive_at.is_(None), Compte.reactive_at < seuil),
    )
    structure_ids = sorted(set(db.session.scalars(candidats.distinct())))
    bilan = BilanInactivite()
    for structure_id in structure_ids:
        try:
            desactives = _desactiver_structure(structure_id, now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("inactive accounts of structure %s: run failed", structure_id)
            bilan.echecs.append(structure_id)
            continue
        if desactives:
            bilan.desactives[structure_id] = desactives
            bilan.courriels += _prevenir_admins(structure_id, desactives)
    log.info("inactive accounts: %s deactivated", bilan.total)
    return bilan


def _desactiver_structure(structure_id: int, now: datetime) -> int:
    structure = db.session.scalar(sa.select(Structure).where(Structure.id == structure_id).with_for_update())
    comptes = db.session.scalars(
        sa.select(Compte).where(Compte.structure_id == structure.id, Compte.is_active.is_(True)).order_by(Compte.id)
    ).all()
    inactifs = {c.id: c for c in comptes if est_inactif(c.created_at, c.last_login_at, c.reactive_at, now)}
    # (by id: Flask-Login's UserMixin compares accounts by their session token, None for all of them here)
    if not any(c.role == "admin" and c.id not in inactifs for c in comptes):
        # Keep the most recently used admin: the structure must keep someone who can reactivate the others.
        admins = sorted((c for c in inactifs.values() if c.role == "admin"), key=_derniere_utilisation)
        if admins:
            del inactifs[admins[-1].id]
    for compte in inactifs.values():
        compte.is_active = False
        compte.desactive_inactivite_at = now
        auth.close_connexions(compte)
    if inactifs:
        db.session.flush()
        journal.record(
            None,
            "modification",
            "compte",
            None,
            f"désactivation pour inactivité (6 mois) : {nombre(len(inactifs), 'compte')}",
            structure_id=structure.id,
        )
    return len(inactifs)


def _derniere_utilisation(compte: Compte) -> datetime:
    return derniere_utilisation(compte.created_at, compte.last_login_at, compte.reactive_at)


def _prevenir_admins(structure_id: int, desactives: int) -> int:
    """Email each active admin of the structure the count, when SMTP is configured; the emails sent."""
    parametres = ParametresSmtp.depuis_config(current_app.config)
    if parametres is None:
        return 0
    structure = db.session.get(Structure, structure_id)
    admins = db.session.scalars(
        sa.select(Compte).where(Compte.structure_id == structure_id, Compte.role == "admin", Compte.is_active.is_(True))
    ).all()
    adresse = (current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    page = f"{adresse}/admin/comptes" if adresse else "la page « Comptes » de l'application"
    envoyes = 0
    for admin in admins:
        corps = (
            f"Bonjour {admin.prenom},\n\n"
            f"{nombre(desactives, 'compte inutilisé', 'comptes inutilisés')} depuis six mois "
            f"{'a été désactivé' if desactives == 1 else 'ont été désactivés'} dans les Ateliers numériques "
            f"{de(structure.nom)}. Vous pouvez les réactiver depuis {page}.\n"
        )
        envoi = Envoi(
            0, "email", admin.email, admin.nom_complet, "Comptes désactivés pour inactivité", corps, structure.nom
        )
        try:
            TransportSmtp(parametres).envoyer(envoi)
        except EchecEnvoi as echec:
            log.warning("inactivity notice to admin account %s not sent: %s", admin.id, echec.raison)
            continue
        envoyes += 1
    return envoyes
