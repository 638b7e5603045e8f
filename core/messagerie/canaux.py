"""Which backend each channel uses, from the application's settings (README "Configuration")."""

from __future__ import annotations

from collections.abc import Mapping

from core.messagerie.email_smtp import ParametresSmtp, TransportSmtp
from core.messagerie.sms import fournisseur_sms
from core.messagerie.transports import Manuel, Transport


def transports(config: Mapping) -> dict[str, Transport]:
    """The transport of each channel (``CANAUX_MESSAGE`` code) for the application's ``config``.

    :raise ValueError: when the SMTP or SMS settings are inconsistent (``SMTP_HOST`` without ``SMTP_FROM``, an
        unknown ``SMTP_SECURITY`` or ``SMS_PROVIDER``): the scheduler refuses to start rather than lose messages.
    """
    parametres = ParametresSmtp.depuis_config(config)
    return {
        "email": TransportSmtp(parametres) if parametres is not None else Manuel(),
        "sms": fournisseur_sms(config),
        "courrier": Manuel(),
    }


def canaux_manuels(config: Mapping) -> frozenset[str]:
    """The channels whose messages the mediator sends by hand with this ``config``."""
    return frozenset(canal for canal, transport in transports(config).items() if transport.manuel)
