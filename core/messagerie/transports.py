"""What every channel's backend offers the ``envoyer`` sweep (which backend each channel uses:
``core.messagerie.canaux``).

A transport sends one :class:`Envoi` or raises :class:`EchecEnvoi`. A *manual* transport sends nothing: its
messages stay in the outbox for the mediator, who sends them by hand (an SMS from the structure's phone, an email
from her mailbox, a printed letter) and marks them sent (``Message.envoye_par_id``). Letters are always manual;
emails are manual until SMTP is configured (``SMTP_HOST``); SMS are manual unless an SMS provider is configured
(``SMS_PROVIDER``, see :mod:`core.messagerie.sms`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Piece:
    """A file sent with a message: ``nom`` as the learner sees it, ``type_media`` ("application/pdf"), the bytes."""

    nom: str
    type_media: str
    contenu: bytes


@dataclass(frozen=True)
class Envoi:
    """One message as a transport sends it, read from the outbox row and the learner at sending time.

    :param message_id: the outbox row (for logs: ids only, never a name or an address).
    :param canal: a ``CANAUX_MESSAGE`` code.
    :param destinataire: the email address, or the phone number in E.164 for an SMS.
    :param nom: the learner's name as the email's ``To`` shows it ("Josiane Martin").
    :param objet: the email subject; ``corps``: the plain text composed for the channel.
    :param expediteur: the structure's name (the email's ``From`` name).
    :param pieces_jointes: the files sent with it (an email attaches them), stored with the message.
    """

    message_id: int
    canal: str
    destinataire: str
    nom: str
    objet: str
    corps: str
    expediteur: str
    pieces_jointes: tuple[Piece, ...] = ()


class EchecEnvoi(Exception):
    """An attempt to send failed.

    :param raison: in French, for the mediator; no personal data, no password (it is stored in
        ``Message.derniere_erreur`` and logged).
    :param definitif: True when trying again cannot help (the server refused the address for good): the message
        is dropped ("abandonne") instead of tried again.
    """

    def __init__(self, raison: str, definitif: bool = False):
        super().__init__(raison)
        self.raison = raison
        self.definitif = definitif


class Transport(Protocol):
    """A channel's backend. ``manuel``: True when it sends nothing and the mediator sends by hand."""

    manuel: bool

    def envoyer(self, envoi: Envoi) -> None:
        """Send ``envoi``; raise :class:`EchecEnvoi` when it could not be sent."""


class Manuel:
    """The transport of a channel the mediator works by hand: the sweep never calls it."""

    manuel = True

    def envoyer(self, envoi: Envoi) -> None:
        raise RuntimeError("un message à envoyer à la main ne passe pas par l'envoi automatique")
