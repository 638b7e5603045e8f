"""Core tables: Reseau, Structure, Compte and its sign-ins (Connexion, EchecConnexion), Apprenant, Journal."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core.constants import (
    CANAUX,
    CANAUX_MESSAGE,
    JOURNAL_ACTIONS,
    ROLES,
    STATUTS_ATTENTE,
    STATUTS_MESSAGE,
    TRANCHES_AGE,
    TYPES_MESSAGE,
    TYPES_STRUCTURE,
)
from core.disponibilites import ALL_MASK
from core.ouverture import FUSEAUX, SUBDIVISIONS
from core.text import SEARCH_KEY_LENGTH, search_key
from core.timeutil import DEFAULT_ZONE, utcnow
from extensions import db


def in_list(column: str, values) -> str:
    """SQL text of a CHECK that ``column`` takes one of ``values``."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class Reseau(db.Model):
    """A group of structures under one coordination (e.g. a département's Croix-Rouge sites).

    Its members are the structures whose ``reseau_id`` names it; exactly one of them, flagged
    ``is_tete_reseau``, is its head: the head's admin manages who belongs (``core.reseaux``) and its
    ``coordination`` accounts see the members' aggregates, never their learners.
    """

    __tablename__ = "reseau"

    id: Mapped[int] = mapped_column(primary_key=True)
    nom: Mapped[str] = mapped_column(sa.String(160), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Reseau {self.id}>"


class Structure(db.Model):
    """A place that runs workshops (CCAS, France Services, association); data is isolated per structure."""

    __tablename__ = "structure"
    __table_args__ = (
        # The head of a network belongs to it, and a network has at most one head (the service gives it one).
        sa.CheckConstraint("NOT is_tete_reseau OR reseau_id IS NOT NULL", name="tete_membre"),
        sa.Index(
            "uq_structure_tete_reseau",
            "reseau_id",
            unique=True,
            sqlite_where=sa.text("is_tete_reseau"),
            postgresql_where=sa.text("is_tete_reseau"),
        ),
        sa.CheckConstraint(in_list("type", TYPES_STRUCTURE), name="type"),
        sa.CheckConstraint(
            f"subdivision_feries IS NULL OR {in_list('subdivision_feries', SUBDIVISIONS)}", name="subdivision_feries"
        ),
        sa.CheckConstraint(in_list("fuseau_horaire", FUSEAUX), name="fuseau_horaire"),
        sa.CheckConstraint("conservation_mois BETWEEN 12 AND 120", name="conservation_mois"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nom: Mapped[str] = mapped_column(sa.String(160), unique=True)
    type: Mapped[str] = mapped_column(sa.String(20), default="ccas")
    commune: Mapped[str] = mapped_column(sa.String(120), default="")
    adresse: Mapped[str] = mapped_column(sa.String(255), default="")
    telephone: Mapped[str | None] = mapped_column(sa.String(20))
    # Dropout-alert thresholds of this structure (ateliers.dropout.Seuils.to_dict()); None: the defaults.
    seuils_decrochage: Mapped[dict | None] = mapped_column(sa.JSON)
    # Where its public holidays are those of (core.ouverture.SUBDIVISIONS: Alsace, Moselle, overseas); None:
    # metropolitan France. Its IANA time zone: its days and wall-clock hours (core.timeutil).
    subdivision_feries: Mapped[str | None] = mapped_column(sa.String(8))
    fuseau_horaire: Mapped[str] = mapped_column(sa.String(40), default=DEFAULT_ZONE)
    # Codes of the public holidays it works (core.ouverture.FERIES), e.g. Pentecost Monday (journée de solidarité).
    feries_travailles: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # The practice plan's rules of this structure (entrainements.plan.ReglesEntrainement.to_dict()); None: the
    # defaults (+7, +30, +90 days, ±20 %, at least 1 day).
    regles_entrainement: Mapped[dict | None] = mapped_column(sa.JSON)
    # How long a learner's data is kept after the last contact, in months (DESIGN.md section 7: 2 years); then
    # the retention job anonymises the learner (rgpd.jobs).
    conservation_mois: Mapped[int] = mapped_column(default=24)
    # "Second facteur obligatoire pour les admins": an admin account without TOTP is sent to its enrolment
    # before any other page (core.comptes_routes).
    is_totp_admin_obligatoire: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The network it belongs to (at most one), and whether it heads it.
    reseau_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reseau.id"), index=True)
    is_tete_reseau: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Its data protection officer (délégué à la protection des données), named on the information notice given
    # to learners and on the register entry (core.information): a person or a service, and how to reach them
    # (email, postal address, phone). Empty until the admin sets them.
    dpo_nom: Mapped[str] = mapped_column(sa.String(160), default="", server_default="")
    dpo_contact: Mapped[str] = mapped_column(sa.String(255), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Structure {self.id} {self.nom}>"


class Compte(UserMixin, db.Model):
    """A staff account; belongs to one structure and has one role."""

    __tablename__ = "compte"
    __table_args__ = (sa.CheckConstraint(in_list("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(sa.ForeignKey("structure.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    prenom: Mapped[str] = mapped_column(sa.String(80))
    nom: Mapped[str] = mapped_column(sa.String(80))
    role: Mapped[str] = mapped_column(sa.String(20))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # When the inactivity job (core.jobs) deactivated it; cleared when an admin reactivates it, which sets
    # ``reactive_at``: the inactivity rule (core.inactivite) counts that moment as a use.
    desactive_inactivite_at: Mapped[datetime | None]
    reactive_at: Mapped[datetime | None]
    # The TOTP second factor (core.totp): the secret encrypted with a key derived from SECRET_KEY, set at
    # enrolment; ``has_totp`` once a first code confirmed it; the last time step accepted (a code is never
    # accepted twice, nor one older than it).
    totp_secret_chiffre: Mapped[str | None] = mapped_column(sa.String(255))
    has_totp: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    totp_dernier_pas: Mapped[int | None] = mapped_column(sa.BigInteger)

    # Loaded with the signed-in account (core.auth joins it); other accounts (co-runners, authors) read it from
    # the session when they need it, instead of joining the structure's row to every account listed.
    structure: Mapped[Structure] = relationship()

    # The token of the Connexion this account was signed in or loaded through (core.auth sets it; not a column).
    connexion_token = None
    # The structure's messages still to send when the signed-in account was loaded (core.auth reads the menu's
    # count in the same statement; not a column), None for an account loaded otherwise.
    messages_a_envoyer = None

    def set_password(self, password: str) -> None:
        """Store the hash of ``password``; the caller ends the account's open sessions (core.auth)."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str | None:
        """What the session cookie carries (Flask-Login): the token of this sign-in, never the account id."""
        return self.connexion_token

    @property
    def nom_complet(self) -> str:
        return f"{self.prenom} {self.nom}"

    @property
    def role_label(self) -> str:
        return ROLES[self.role]

    def __repr__(self) -> str:
        return f"<Compte {self.id} {self.role}>"


class Connexion(db.Model):
    """One signed-in session of an account: a sign-in in one browser, until logout or ``expires_at``.

    The session cookie carries a random token; only its SHA-256 is stored. Logout deletes the row, so every
    copy of that cookie stops working at once, while the account's other browsers stay signed in. A password
    change or a deactivation deletes every row of the account. Never called ``Session`` (DESIGN.md section 2).
    """

    __tablename__ = "connexion"
    __table_args__ = (sa.Index("ix_connexion_expires_at", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    compte_id: Mapped[int] = mapped_column(sa.ForeignKey("compte.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    # The last request made with it (updated at most once a minute): past ``SESSION_IDLE_MINUTES`` without one,
    # the session is ended (core.auth).
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class JetonReinitialisation(db.Model):
    """A one-time link to choose a new password, made by an admin of the account's structure (core.comptes).

    Only the SHA-256 of the link's random token is stored; the link works once (``used_at``) and until
    ``expires_at`` (24 hours). Making a new link for an account ends its earlier unused ones.
    """

    __tablename__ = "jeton_reinitialisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    compte_id: Mapped[int] = mapped_column(sa.ForeignKey("compte.id", ondelete="CASCADE"), index=True)
    auteur_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compte.id", ondelete="SET NULL"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    compte: Mapped[Compte] = relationship(foreign_keys=[compte_id])


class EchecConnexion(db.Model):
    """A failed sign-in for one email address, to lock that address after too many (core.auth).

    ``cle`` is a keyed hash of the normalised address (unknown addresses count too, so the lock says nothing
    of which accounts exist); no address, client or password is stored. Rows older than the window are purged.
    """

    __tablename__ = "echec_connexion"
    __table_args__ = (
        sa.Index("ix_echec_connexion_cle_created", "cle", "created_at"),
        sa.Index("ix_echec_connexion_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cle: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Apprenant(db.Model):
    """A person who wants to follow, or follows, a workshop. Only the data DESIGN.md section 7 allows."""

    __tablename__ = "apprenant"
    __table_args__ = (
        sa.CheckConstraint(in_list("canal_prefere", CANAUX), name="canal_prefere"),
        sa.CheckConstraint(f"tranche_age IS NULL OR {in_list('tranche_age', TRANCHES_AGE)}", name="tranche_age"),
        sa.CheckConstraint(f"disponibilites BETWEEN 0 AND {ALL_MASK}", name="disponibilites"),
        sa.CheckConstraint(f"statut IS NULL OR {in_list('statut', STATUTS_ATTENTE)}", name="statut"),
        sa.CheckConstraint("statut IS NULL OR en_attente_depuis_on IS NOT NULL", name="attente_datee"),
        sa.Index("ix_apprenant_structure_statut", "structure_id", "statut", "en_attente_depuis_on"),
        sa.Index("ix_apprenant_structure_nom", "structure_id", "nom_recherche"),
        sa.Index("ix_apprenant_structure_telephone", "structure_id", "telephone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(sa.ForeignKey("structure.id"))
    prenom: Mapped[str] = mapped_column(sa.String(80))
    nom: Mapped[str] = mapped_column(sa.String(80))
    # Folded "nom prenom" (no accents, lower case) for accent-insensitive search on any database, cut to fit.
    nom_recherche: Mapped[str] = mapped_column(sa.String(SEARCH_KEY_LENGTH))
    telephone: Mapped[str | None] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    adresse: Mapped[str | None] = mapped_column(sa.String(255))
    code_postal: Mapped[str | None] = mapped_column(sa.String(10))
    commune: Mapped[str | None] = mapped_column(sa.String(120))
    tranche_age: Mapped[str | None] = mapped_column(sa.String(10))
    disponibilites: Mapped[int] = mapped_column(default=0)
    canal_prefere: Mapped[str] = mapped_column(sa.String(12), default="telephone")
    # Waiting list: status, and the day the person joined the list (waiting time counts from it).
    statut: Mapped[str | None] = mapped_column(sa.String(12))
    en_attente_depuis_on: Mapped[date | None]
    last_contact_on: Mapped[date | None]
    # When the person was anonymised (erasure on request, or the retention job; rgpd.effacement): names and
    # contact details replaced, ids, dates, statuses and skills kept for the statistics. None: never.
    anonymise_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    structure: Mapped[Structure] = relationship()

    @property
    def nom_complet(self) -> str:
        return f"{self.prenom} {self.nom}"

    def refresh_search_key(self) -> None:
        self.nom_recherche = search_key(self.nom, self.prenom)

    def __repr__(self) -> str:
        return f"<Apprenant {self.id}>"


@sa.event.listens_for(Apprenant, "before_insert")
@sa.event.listens_for(Apprenant, "before_update")
def _apprenant_search_key(_mapper, _connection, target: Apprenant) -> None:
    target.refresh_search_key()


class Message(db.Model):
    """A message to a learner in the outbox (convocation, rappel, annulation, attestation), on one channel.

    Written by the domain (a booking creates its convocation) with the text already composed for its channel,
    sent by the ``envoyer`` sweep (``core.messagerie``) or, for SMS and letters without a provider, by the
    mediator who marks it sent. ``cle`` names what the message is about and is unique (``"convocation:12"`` for
    reservation 12), so a sweep run twice writes it once. ``valable_jusqu_a`` (naive UTC) is the moment it speaks
    of: it is never sent from then on (DESIGN.md section 5). The recipient's address or number is read from the
    learner when sending, so a corrected address is used and no copy of it is kept here. ``corps`` is emptied
    after three months (retention); ``apprenant_id`` stays for the statistics.
    """

    __tablename__ = "message"
    __table_args__ = (
        sa.CheckConstraint(in_list("type", TYPES_MESSAGE), name="type"),
        sa.CheckConstraint(in_list("canal", CANAUX_MESSAGE), name="canal"),
        sa.CheckConstraint(in_list("statut", STATUTS_MESSAGE), name="statut"),
        sa.CheckConstraint("tentatives >= 0", name="tentatives"),
        sa.CheckConstraint("statut != 'envoye' OR envoye_at IS NOT NULL", name="envoye_date"),
        sa.Index("ix_message_a_envoyer", "statut", "prochain_essai_at"),
        sa.Index("ix_message_structure", "structure_id", "statut", "created_at"),
        sa.Index("ix_message_apprenant", "apprenant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(sa.ForeignKey("structure.id"))
    apprenant_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenant.id"))
    cle: Mapped[str] = mapped_column(sa.String(80), unique=True)
    type: Mapped[str] = mapped_column(sa.String(12))
    canal: Mapped[str] = mapped_column(sa.String(10))
    statut: Mapped[str] = mapped_column(sa.String(10), default="a_envoyer")
    # Subject (email) or title (letter); the body as plain text, composed for the channel.
    objet: Mapped[str] = mapped_column(sa.String(160), default="")
    corps: Mapped[str] = mapped_column(sa.Text, default="")
    valable_jusqu_a: Mapped[datetime | None]
    # Attempts made, the next one (backoff after a failure), the last error (no personal data, no password).
    tentatives: Mapped[int] = mapped_column(default=0)
    prochain_essai_at: Mapped[datetime] = mapped_column(default=utcnow)
    derniere_erreur: Mapped[str | None] = mapped_column(sa.String(255))
    envoye_at: Mapped[datetime | None]
    # The account that marked an SMS or a letter sent by hand; None when a backend sent it.
    envoye_par_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compte.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    apprenant: Mapped[Apprenant] = relationship()
    pieces_jointes: Mapped[list[PieceJointe]] = relationship(
        back_populates="message", order_by="PieceJointe.id", cascade="all, delete-orphan", passive_deletes=True
    )


class PieceJointe(db.Model):
    """A file sent with a message (an attestation's PDF): rendered when the message is deposited, in the web
    request, and stored here, so the ``envoyer`` sweep (the scheduler process, which never loads the PDF stack)
    attaches the bytes as they are. An email carries it as an attachment; a letter prints it after the letter.
    """

    __tablename__ = "piece_jointe"
    __table_args__ = (sa.Index("ix_piece_jointe_message", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("message.id", ondelete="CASCADE"))
    # The file's name as the learner sees it ("attestation-ccas-demo-2026-00012.pdf") and its media type.
    nom_fichier: Mapped[str] = mapped_column(sa.String(120))
    type_media: Mapped[str] = mapped_column(sa.String(80))
    contenu: Mapped[bytes] = mapped_column(sa.LargeBinary)

    message: Mapped[Message] = relationship(back_populates="pieces_jointes")


class Journal(db.Model):
    """Append-only audit trail of who viewed, changed or exported personal data.

    The database refuses UPDATE, an INSERT over an existing id (SQLite's INSERT OR REPLACE), TRUNCATE
    (PostgreSQL), and DELETE of rows younger than 12 months (the retention period); see the triggers below
    and in the migrations. The ORM refuses changes and deletions too, so a mistake fails at flush time.
    """

    __tablename__ = "journal"
    __table_args__ = (
        sa.CheckConstraint(in_list("action", JOURNAL_ACTIONS), name="action"),
        sa.Index("ix_journal_structure_created", "structure_id", "created_at"),
        sa.Index("ix_journal_objet", "objet", "objet_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    structure_id: Mapped[int | None] = mapped_column(sa.ForeignKey("structure.id"))
    compte_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compte.id"))
    action: Mapped[str] = mapped_column(sa.String(20))
    objet: Mapped[str] = mapped_column(sa.String(40))
    objet_id: Mapped[int | None]
    # What was done, never the personal data itself (field names, page number, export format).
    details: Mapped[str] = mapped_column(sa.String(255), default="")

    compte: Mapped[Compte | None] = relationship()


SQLITE_JOURNAL_TRIGGERS = (
    """CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END""",
    """CREATE TRIGGER journal_no_recent_delete BEFORE DELETE ON journal
WHEN OLD.created_at > datetime('now', '-12 months')
BEGIN SELECT RAISE(ABORT, 'journal rows are kept 12 months'); END""",
)
POSTGRESQL_JOURNAL_TRIGGERS = (
    """CREATE FUNCTION journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'journal is append-only';
  END IF;
  IF OLD.created_at > (now() AT TIME ZONE 'UTC') - interval '12 months' THEN
    RAISE EXCEPTION 'journal rows are kept 12 months';
  END IF;
  RETURN OLD;
END $$""",
    """CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON journal
FOR EACH ROW EXECUTE FUNCTION journal_append_only()""",
)
DROP_JOURNAL_TRIGGERS = {
    "sqlite": ("DROP TRIGGER IF EXISTS journal_no_update", "DROP TRIGGER IF EXISTS journal_no_recent_delete"),
    "postgresql": (
        "DROP TRIGGER IF EXISTS journal_append_only ON journal",
        "DROP FUNCTION IF EXISTS journal_append_only()",
    ),
}

# Added by migration 0006_journal_verrou, closing the two ways round the triggers above. On SQLite,
# INSERT OR REPLACE (REPLACE INTO) over an existing id deletes the old row without firing any DELETE trigger
# (recursive_triggers is off), so the row could be rewritten, backdated, then deleted: an insert may only
# bring a new id. On PostgreSQL, TRUNCATE fires no row trigger: it is refused outright (retention deletes
# expired rows one by one with DELETE). UPSERT (ON CONFLICT DO UPDATE) and MERGE go through the UPDATE and
# DELETE row triggers.
SQLITE_JOURNAL_LOCK_TRIGGERS = (
    """CREATE TRIGGER journal_no_replace BEFORE INSERT ON journal
WHEN EXISTS (SELECT 1 FROM journal WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END""",
)
POSTGRESQL_JOURNAL_LOCK_TRIGGERS = (
    """CREATE FUNCTION journal_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'journal is append-only';
END $$""",
    """CREATE TRIGGER journal_no_truncate BEFORE TRUNCATE ON journal
FOR EACH STATEMENT EXECUTE FUNCTION journal_no_truncate()""",
)
DROP_JOURNAL_LOCK_TRIGGERS = {
    "sqlite": ("DROP TRIGGER IF EXISTS journal_no_replace",),
    "postgresql": (
        "DROP TRIGGER IF EXISTS journal_no_truncate ON journal",
        "DROP FUNCTION IF EXISTS journal_no_truncate()",
    ),
}

for _statement in (*SQLITE_JOURNAL_TRIGGERS, *SQLITE_JOURNAL_LOCK_TRIGGERS):
    sa.event.listen(Journal.__table__, "after_create", sa.DDL(_statement).execute_if(dialect="sqlite"))
for _statement in (*POSTGRESQL_JOURNAL_TRIGGERS, *POSTGRESQL_JOURNAL_LOCK_TRIGGERS):
    sa.event.listen(Journal.__table__, "after_create", sa.DDL(_statement).execute_if(dialect="postgresql"))
