"""Email through a real SMTP relay (smtplib): the message composed with ``email.message.EmailMessage``, sent over
STARTTLS, implicit TLS ("ssl") or, for a relay on the same machine, a plain connection; login when configured.

The settings come from the environment through ``config.py`` (``SMTP_*``, README "Configuration"). The password
is held in :class:`ParametresSmtp` (left out of its ``repr``) and given to ``smtplib`` only: it never reaches a
log, the error stored with a failed message (:class:`EchecEnvoi` reasons are built from the error's kind and the
server's reply code, never from its text, which may echo an address) or a page.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from core.messagerie.transports import EchecEnvoi, Envoi

log = logging.getLogger(__name__)

SECURITES = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class ParametresSmtp:
    """How to reach the SMTP relay.

    :param hote: host name; ``port``: TCP port (587 for STARTTLS, 465 for "ssl").
    :param securite: one of ``SECURITES``; "starttls" refuses to send when the server does not offer STARTTLS.
    :param utilisateur: login (empty: no AUTH); ``mot_de_passe``: never shown by ``repr``.
    :param expediteur: the From address; the From name is the learner's structure.
    :param delai: seconds to wait for the server; ``ca_file``: PEM of the authority to trust (None: the system's).
    """

    hote: str
    port: int
    securite: str
    utilisateur: str
    mot_de_passe: str = field(repr=False)
    expediteur: str
    delai: float = 20.0
    ca_file: str | None = None

    def __post_init__(self) -> None:
        if self.securite not in SECURITES:
            raise ValueError(f"SMTP_SECURITY doit valoir {', '.join(SECURITES)} (reçu : {self.securite!r})")
        if not self.expediteur or "@" not in self.expediteur:
            raise ValueError("SMTP_FROM (l'adresse d'expédition) est obligatoire avec SMTP_HOST")

    @classmethod
    def depuis_config(cls, config: Mapping) -> ParametresSmtp | None:
        """The settings of the application's ``config``; None when ``SMTP_HOST`` is empty (emails are sent by hand).

        :raise ValueError: for an unknown ``SMTP_SECURITY`` or a missing ``SMTP_FROM``.
        """
        if not config.get("SMTP_HOST"):
            return None
        return cls(
            hote=config["SMTP_HOST"],
            port=int(config.get("SMTP_PORT") or 587),
            securite=config.get("SMTP_SECURITY") or "starttls",
            utilisateur=config.get("SMTP_USERNAME") or "",
            mot_de_passe=config.get("SMTP_PASSWORD") or "",
            expediteur=config.get("SMTP_FROM") or "",
            delai=float(config.get("SMTP_TIMEOUT") or 20),
            ca_file=config.get("SMTP_CA_FILE") or None,
        )


def composer(envoi: Envoi, expediteur: str) -> EmailMessage:
    """The email of ``envoi``: one text/plain UTF-8 part (the text composed for the learner, dates in French
    already), then each of its files as an attachment (multipart/mixed; without files, a single part), the
    subject encoded for any header (RFC 2047), From "<structure name> <expediteur>", To the learner, Date,
    Message-ID, ``Content-Language: fr`` and ``Auto-Submitted: auto-generated`` (RFC 3834: no out-of-office
    reply loops)."""
    local, _, domaine = expediteur.partition("@")
    email = EmailMessage()
    email["Subject"] = envoi.objet
    email["From"] = Address(display_name=envoi.expediteur, username=local, domain=domaine)
    email["To"] = Address(display_name=envoi.nom, addr_spec=envoi.destinataire)
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain=domaine)
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(envoi.corps, subtype="plain", charset="utf-8")
    for piece in envoi.pieces_jointes:
        maintype, _, subtype = piece.type_media.partition("/")
        email.add_attachment(piece.contenu, maintype=maintype, subtype=subtype, filename=piece.nom)
    # After set_content and add_attachment, which replace the Content-* headers (or move them into the text part).
    email["Content-Language"] = "fr"
    return email


class TransportSmtp:
    """The email backend: one SMTP connection per message (the sweep sends few, a minute apart)."""

    manuel = False

    def __init__(self, parametres: ParametresSmtp):
        self.parametres = parametres

    def envoyer(self, envoi: Envoi) -> None:
        """Send ``envoi`` through the relay.

        :raise EchecEnvoi: the server is unreachable, refused TLS, the login, the sender or the message (tried
            again later), or refused the recipient for good (5xx: ``definitif``).
        """
        if not envoi.destinataire:
            raise EchecEnvoi("Plus d'adresse électronique pour cette personne : choisir un autre moyen.", True)
        email = composer(envoi, self.parametres.expediteur)
        try:
            self._envoyer(email, envoi.destinataire)
        except EchecEnvoi:
            raise
        except Exception as erreur:  # every failure becomes a reason without personal data
            raise raison_de(erreur) from None

    def _contexte_tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.parametres.ca_file)

    def _envoyer(self, email: EmailMessage, destinataire: str) -> None:
        p = self.parametres
        if p.securite == "ssl":
            connexion = smtplib.SMTP_SSL(p.hote, p.port, timeout=p.delai, context=self._contexte_tls())
        else:
            connexion = smtplib.SMTP(p.hote, p.port, timeout=p.delai)
        with connexion:
            connexion.ehlo()
            if p.securite == "starttls":
                if not connexion.has_extn("starttls"):
                    raise EchecEnvoi("Le serveur d'envoi ne propose pas de connexion chiffrée (STARTTLS).")
                connexion.starttls(context=self._contexte_tls())
                connexion.ehlo()
            if p.utilisateur:
                connexion.login(p.utilisateur, p.mot_de_passe)
            connexion.send_message(email, from_addr=p.expediteur, to_addrs=[destinataire])


def raison_de(erreur: BaseException) -> EchecEnvoi:
    """The :class:`EchecEnvoi` for an ``smtplib``/socket error: its kind and the server's reply code only (the
    reply's text may quote an address; the exception's text may quote the login)."""
    if isinstance(erreur, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _texte in erreur.recipients.values()})
        code = codes[0] if codes else 0
        definitif = 500 <= code < 600
        return EchecEnvoi(f"Adresse du destinataire refusée par le serveur d'envoi (code {code}).", definitif)
    if isinstance(erreur, smtplib.SMTPAuthenticationError):
        return EchecEnvoi(f"Identifiant ou mot de passe SMTP refusé par le serveur (code {erreur.smtp_code}).")
    if isinstance(erreur, smtplib.SMTPSenderRefused):
        return EchecEnvoi(f"Adresse d'expédition refusée par le serveur (code {erreur.smtp_code}).")
    if isinstance(erreur, smtplib.SMTPNotSupportedError):
        return EchecEnvoi("Le serveur d'envoi ne propose pas ce qui est demandé (connexion ou identification).")
    if isinstance(erreur, smtplib.SMTPServerDisconnected):
        return EchecEnvoi("Le serveur d'envoi a coupé la connexion.")
    if isinstance(erreur, smtplib.SMTPResponseException):
        return EchecEnvoi(f"Message refusé par le serveur d'envoi (code {erreur.smtp_code}).")
    if isinstance(erreur, ssl.SSLError):
        return EchecEnvoi("Connexion chiffrée impossible avec le serveur d'envoi (certificat ou TLS).")
    if isinstance(erreur, TimeoutError):
        return EchecEnvoi("Le serveur d'envoi ne répond pas (délai dépassé).")
    if isinstance(erreur, OSError):
        return EchecEnvoi(f"Serveur d'envoi injoignable ({type(erreur).__name__}).")
    log.error("unexpected SMTP failure: %s", type(erreur).__name__)
    return EchecEnvoi(f"Échec de l'envoi ({type(erreur).__name__}).")
