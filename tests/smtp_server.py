"""A real SMTP server for the tests (aiosmtpd), on a free local port: plain, with login, with STARTTLS or TLS
from the first byte using a self-signed certificate generated here (cryptography)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

IDENTIFIANT = "ateliers@relais.test"
MOT_DE_PASSE = "Pa55-SMTP-tres-secret!"


def port_libre() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Boite:
    """The aiosmtpd handler: keeps what it receives."""

    def __init__(self) -> None:
        self.recus: list[tuple[str, list[str], EmailMessage]] = []
        # Recipients refused for good (550), as a real relay refuses an unknown mailbox.
        self.refuses: set[str] = set()
        # Logins accepted (identifier), refused (count).
        self.connectes: list[str] = []
        self.refus_de_connexion = 0

    def authentifier(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            IDENTIFIANT.encode(),
            MOT_DE_PASSE.encode(),
        )
        if ok:
            self.connectes.append(auth_data.login.decode())
        else:
            self.refus_de_connexion += 1
        return AuthResult(success=ok, handled=False)  # not handled: aiosmtpd answers 235 or 535

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuses:
            return f"550 5.1.1 <{address}>: mailbox unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        email = message_from_bytes(envelope.original_content, policy=policy.default)
        self.recus.append((envelope.mail_from, list(envelope.rcpt_tos), email))
        return "250 Message accepted for delivery"


def certificat_autosigne(dossier: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, and its key, as PEM files in ``dossier``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    cle = ec.generate_private_key(ec.SECP256R1())
    nom = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "relais de test")])
    maintenant = dt.datetime.now(dt.UTC)
    certificat = (
        x509.CertificateBuilder()
        .subject_name(nom)
        .issuer_name(nom)
        .public_key(cle.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(maintenant - dt.timedelta(days=1))
        .not_valid_after(maintenant + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(cle, hashes.SHA256())
    )
    chemin_certificat, chemin_cle = dossier / "relais.pem", dossier / "relais.key"
    chemin_certificat.write_bytes(certificat.public_bytes(serialization.Encoding.PEM))
    chemin_cle.write_bytes(
        cle.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return chemin_certificat, chemin_cle


@dataclass
class ServeurSmtp:
    """An aiosmtpd server on ``port``; :meth:`arreter` and :meth:`demarrer` stop it and start it again on the same
    port (the relay down, then back)."""

    mode: str = "plain"  # "plain", "login" (AUTH without TLS), "starttls", "ssl"
    dossier: Path | None = None
    port: int = field(default_factory=port_libre)
    boite: Boite = field(default_factory=Boite)
    certificat: Path | None = None
    _controller: Controller | None = None

    def __post_init__(self) -> None:
        if self.mode in ("starttls", "ssl"):
            self.certificat, self._cle = certificat_autosigne(self.dossier)

    def _contexte(self) -> ssl.SSLContext:
        contexte = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        contexte.load_cert_chain(self.certificat, self._cle)
        return contexte

    def demarrer(self) -> ServeurSmtp:
        options: dict = {}
        # aiosmtpd offers AUTH on a plain connection only when told, and does not see TLS from the first byte
        # as TLS: both modes say so (the "ssl" connection is encrypted all the same).
        if self.mode == "login":
            options = {"authenticator": self.boite.authentifier, "auth_require_tls": False}
        elif self.mode == "starttls":
            options = {
                "authenticator": self.boite.authentifier,
                "auth_required": True,
                "require_starttls": True,
                "tls_context": self._contexte(),
            }
        elif self.mode == "ssl":
            options = {
                "authenticator": self.boite.authentifier,
                "auth_require_tls": False,
                "ssl_context": self._contexte(),
            }
        self._controller = Controller(self.boite, hostname="127.0.0.1", port=self.port, **options)
        self._controller.start()
        return self

    def arreter(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def config(self, **overrides) -> dict:
        """The app's SMTP settings to reach this server."""
        values = {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": self.port,
            "SMTP_SECURITY": {"plain": "none", "login": "none"}.get(self.mode, self.mode),
            "SMTP_USERNAME": "" if self.mode == "plain" else IDENTIFIANT,
            "SMTP_PASSWORD": "" if self.mode == "plain" else MOT_DE_PASSE,
            "SMTP_FROM": "ateliers@ccas-saint-test.fr",
            "SMTP_TIMEOUT": 5,
            "SMTP_CA_FILE": str(self.certificat) if self.certificat else None,
        }
        return {**values, **overrides}
