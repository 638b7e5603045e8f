"""SMS behind a provider interface (DESIGN.md section 5).

The default, :class:`SmsManuel`, sends nothing: the SMS stays in the outbox, where the mediator reads the number
and the text to copy, sends it from the structure's phone and marks it sent. A real provider's HTTP API comes
as a subclass of :class:`FournisseurSms` registered in ``FOURNISSEURS`` under the name ``SMS_PROVIDER`` selects.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping

from core.messagerie.transports import EchecEnvoi, Envoi, Manuel


class SmsManuel(Manuel):
    """The default SMS backend: kept in the outbox for the mediator to send by hand."""


class FournisseurSms(ABC):
    """An SMS provider reached through its API. A subclass implements :meth:`envoyer_sms`."""

    manuel = False

    @abstractmethod
    def envoyer_sms(self, numero: str, texte: str) -> None:
        """Hand ``texte`` to the provider for ``numero`` (E.164).

        :raise EchecEnvoi: when the provider refused or did not answer (``definitif`` when the number is
            refused for good); the reason carries neither the number nor the text.
        """

    def envoyer(self, envoi: Envoi) -> None:
        if not envoi.destinataire:
            raise EchecEnvoi("Plus de numéro de portable pour cette personne : choisir un autre moyen.", True)
        self.envoyer_sms(envoi.destinataire, envoi.corps)


# Name (``SMS_PROVIDER``) -> factory taking the application's config. "manuel" is the default.
FOURNISSEURS: dict[str, Callable[[Mapping], Manuel | FournisseurSms]] = {"manuel": lambda _config: SmsManuel()}


def fournisseur_sms(config: Mapping) -> Manuel | FournisseurSms:
    """The SMS backend ``config["SMS_PROVIDER"]`` names ("manuel" when unset).

    :raise ValueError: for a name ``FOURNISSEURS`` does not know.
    """
    nom = (config.get("SMS_PROVIDER") or "manuel").strip().lower()
    if nom not in FOURNISSEURS:
        raise ValueError(f"SMS_PROVIDER inconnu : {nom!r} (connus : {', '.join(sorted(FOURNISSEURS))})")
    return FOURNISSEURS[nom](config)
