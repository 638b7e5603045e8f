"""The ``envoyer`` sweep: send the outbox (DESIGN.md section 5, issue 10 item 5).

Run every minute by the scheduler (``scheduler.envoyer_messages``). Idempotent and safe beside another run: each
message is claimed by a conditional UPDATE before it is sent, and each step is its own short transaction (no
database lock is held while the SMTP server is talked to).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from core.messagerie.canaux import transports
from core.messagerie.transports import EchecEnvoi, Envoi, Piece, Transport
from core.models import Apprenant, Message, PieceJointe, Structure
from extensions import db

log = logging.getLogger(__name__)

# Wait before the next attempt after the n-th failed one (n = 1, 2, ...): 1 min, 5 min, 15 min, 1 h, then every
# 2 h. Short at first (a relay restarting), then sparse (a relay down for the night costs a dozen attempts).
ATTENTES = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
ATTENTE_MAX = timedelta(hours=2)
# How long a claimed message is held by the run that claimed it: if that run dies before recording the outcome,
# another run tries it again after this. Longer than any attempt (SMTP_TIMEOUT is 20 s per step).
DUREE_RESERVATION = timedelta(minutes=10)
# Messages handled by one run at most; the rest wait for the next run, a minute later.
LOT = 500

RAISON_TROP_TARD = "Pas envoyé à temps : le moment annoncé est passé."


def attente_apres(tentatives: int) -> timedelta:
    """The wait before the next attempt once ``tentatives`` attempts (1 or more) have failed (``ATTENTES``)."""
    if tentatives < 1:
        return timedelta(0)
    return ATTENTES[tentatives - 1] if tentatives <= len(ATTENTES) else ATTENTE_MAX


@dataclass(frozen=True)
class Bilan:
    """What one run did: messages sent, failed (to try again), dropped (moment passed or refused for good)."""

    envoyes: int = 0
    echecs: int = 0
    abandonnes: int = 0


def envoyer(now: datetime, transports_par_canal: Mapping[str, Transport] | None = None) -> Bilan:
    """Send the messages "a_envoyer" whose ``prochain_essai_at`` has come, each through its channel's transport.

    - Never at or after ``valable_jusqu_a``: such a message, on any channel (a manual SMS or letter too), becomes
      "abandonne" with the reason ``RAISON_TROP_TARD`` in ``derniere_erreur``.
    - Channels whose transport is manual (letters; SMS without a provider; email without SMTP) are left in the
      outbox for the mediator.
    - A failed attempt keeps the message "a_envoyer": ``tentatives`` + 1, the reason in ``derniere_erreur`` (no
      personal data, no password), the next attempt after :func:`attente_apres` (1 min, 5 min, 15 min, 1 h, then
      every 2 h). So an SMTP server that is down loses nothing: the message goes when it is back, unless its
      moment has passed. A refusal for good (the recipient's address refused, 5xx) drops it with the reason.
    - Claimed first (``prochain_essai_at`` pushed ``DUREE_RESERVATION`` ahead, ``tentatives`` + 1, by a
      conditional UPDATE that only one run can win), so two runs, or a run repeated, send a message once. A run
      that dies between sending and recording leaves the message to be tried again after the reservation: it
      may then be sent twice, never lost (at least once).
    - A message whose plan was paused or declined is not this sweep's concern: core does not know practice plans
      (it must not import ``entrainements``), so the domain marks such messages "abandonne" itself when it
      pauses, declines or cancels what they announce.

    :param now: the present moment, naive UTC.
    :param transports_par_canal: the transport of each channel; default: from the application's config
        (:func:`core.messagerie.canaux.transports`).
    :return: what was done (:class:`Bilan`).
    """
    if transports_par_canal is None:
        transports_par_canal = transports(current_app.config)
    abandonnes = _abandonner_perimes(now)
    automatiques = sorted(canal for canal, transport in transports_par_canal.items() if not transport.manuel)
    envoyes = echecs = 0
    if automatiques:
        candidats = db.session.scalars(
            sa.select(Message.id)
            .where(
                Message.statut == "a_envoyer",
                Message.canal.in_(automatiques),
                Message.prochain_essai_at <= now,
            )
            .order_by(Message.prochain_essai_at, Message.id)
            .limit(LOT)
        ).all()
        db.session.commit()
        for message_id in candidats:
            envoi = _reserver(message_id, now)
            if envoi is None:
                continue  # another run took it, or it was sent or dropped meanwhile
            try:
                try:
                    transports_par_canal[envoi.canal].envoyer(envoi)
                except EchecEnvoi:
                    raise
                except Exception as erreur:  # a backend's bug: tried again later, its text (may quote data) left out
                    raise EchecEnvoi(f"Échec de l'envoi ({type(erreur).__name__}).") from None
            except EchecEnvoi as echec:
                if echec.definitif:
                    abandonnes += 1
                else:
                    echecs += 1
                _noter_echec(message_id, echec, now)
            else:
                envoyes += 1
                _noter_envoi(message_id, now)
    return Bilan(envoyes=envoyes, echecs=echecs, abandonnes=abandonnes)


def _abandonner_perimes(now: datetime) -> int:
    """Drop every message still to send whose moment has come; one transaction. Returns how many."""
    resultat = db.session.execute(
        sa.update(Message)
        .where(
            Message.statut == "a_envoyer",
            Message.valable_jusqu_a.is_not(None),
            Message.valable_jusqu_a <= now,
        )
        .values(statut="abandonne", derniere_erreur=RAISON_TROP_TARD)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if resultat.rowcount:
        log.info("messages dropped, their moment passed: %s", resultat.rowcount)
    return resultat.rowcount


def _reserver(message_id: int, now: datetime) -> Envoi | None:
    """Claim one message for this run and read what sending it needs; None when another run has it."""
    pris = db.session.execute(
        sa.update(Message)
        .where(
            Message.id == message_id,
            Message.statut == "a_envoyer",
            Message.prochain_essai_at <= now,
            sa.or_(Message.valable_jusqu_a.is_(None), Message.valable_jusqu_a > now),
        )
        .values(prochain_essai_at=now + DUREE_RESERVATION, tentatives=Message.tentatives + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if pris != 1:
        db.session.rollback()
        return None
    ligne = db.session.execute(
        sa.select(
            Message.canal,
            Message.objet,
            Message.corps,
            Apprenant.prenom,
            Apprenant.nom,
            Apprenant.email,
            Apprenant.telephone,
            Structure.nom.label("structure"),
        )
        .join(Apprenant, Apprenant.id == Message.apprenant_id)
        .join(Structure, Structure.id == Message.structure_id)
        .where(Message.id == message_id)
    ).one()
    pieces = db.session.execute(
        sa.select(PieceJointe.nom_fichier, PieceJointe.type_media, PieceJointe.contenu)
        .where(PieceJointe.message_id == message_id)
        .order_by(PieceJointe.id)
    ).all()
    db.session.commit()
    return Envoi(
        message_id=message_id,
        canal=ligne.canal,
        destinataire=(ligne.email if ligne.canal == "email" else ligne.telephone) or "",
        nom=f"{ligne.prenom} {ligne.nom}",
        objet=ligne.objet,
        corps=ligne.corps,
        expediteur=ligne.structure,
        pieces_jointes=tuple(Piece(*piece) for piece in pieces),
    )


def _noter_envoi(message_id: int, now: datetime) -> None:
    # "envoye" even if a concurrent sweep dropped it meanwhile: it did go out.
    db.session.execute(
        sa.update(Message)
        .where(Message.id == message_id, Message.statut != "envoye")
        .values(statut="envoye", envoye_at=now, derniere_erreur=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    log.info("message %s sent", message_id)


def _noter_echec(message_id: int, echec: EchecEnvoi, now: datetime) -> None:
    tentatives = db.session.scalar(sa.select(Message.tentatives).where(Message.id == message_id)) or 1
    valeurs = {"derniere_erreur": echec.raison[:255]}
    if echec.definitif:
        valeurs["statut"] = "abandonne"
    else:
        valeurs["prochain_essai_at"] = now + attente_apres(tentatives)
    db.session.execute(
        sa.update(Message)
        .where(Message.id == message_id, Message.statut == "a_envoyer")
        .values(**valeurs)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    log.warning("message %s: attempt %s failed: %s", message_id, tentatives, echec.raison)
