"""Workshop tables: Atelier, Seance, Inscription, Presence."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ateliers import periode
from ateliers.constants import (
    RESULTATS_SUIVI,
    STATUTS_ATELIER,
    STATUTS_INSCRIPTION,
    STATUTS_PRESENCE,
    SUITES_SUIVI,
)
from ateliers.dropout import NIVEAUX_RISQUE, REGLES
from core.constants import MOTIFS_SORTIE
from core.disponibilites import CODES
from core.models import Apprenant, Compte, Structure, in_list
from core.timeutil import structure_zone, to_local, utcnow
from evaluations.models import EvaluationCompetence, Module
from extensions import db

atelier_animateur = sa.Table(
    "atelier_animateur",
    db.metadata,
    sa.Column("atelier_id", sa.ForeignKey("atelier.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("compte_id", sa.ForeignKey("compte.id"), primary_key=True),
)


seance_animateur = sa.Table(
    "seance_animateur",
    db.metadata,
    sa.Column("seance_id", sa.ForeignKey("seance.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("compte_id", sa.ForeignKey("compte.id"), primary_key=True),
)


class Fermeture(db.Model):
    """A day or a period when the structure is closed: no séance is planned then."""

    __tablename__ = "fermeture"
    __table_args__ = (
        sa.CheckConstraint("fin_on >= debut_on", name="periode"),
        sa.Index("ix_fermeture_structure", "structure_id", "debut_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(sa.ForeignKey("structure.id"))
    debut_on: Mapped[date]
    fin_on: Mapped[date]
    motif: Mapped[str] = mapped_column(sa.String(120), default="")


class Atelier(db.Model):
    """One run of the six modules for a group, on one weekday half-day, in one curriculum version."""

    __tablename__ = "atelier"
    __table_args__ = (
        sa.CheckConstraint(in_list("statut", STATUTS_ATELIER), name="statut"),
        sa.CheckConstraint(f"demi_journee BETWEEN 0 AND {len(CODES) - 1}", name="demi_journee"),
        sa.CheckConstraint("capacite BETWEEN 1 AND 30", name="capacite"),
        sa.CheckConstraint("taille_min BETWEEN 1 AND capacite", name="taille_min"),
        sa.CheckConstraint("ecart_max BETWEEN 0 AND 100", name="ecart_max"),
        # The capacity rule, held by the database itself: places are taken by a conditional UPDATE of this
        # counter, so two mediators confirming at once can never exceed the capacity.
        sa.CheckConstraint("places_prises BETWEEN 0 AND capacite", name="places_prises"),
        sa.CheckConstraint("niveau_cible IS NULL OR niveau_cible BETWEEN 0 AND 3", name="niveau_cible"),
        sa.Index("ix_atelier_structure_statut", "structure_id", "statut"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(sa.ForeignKey("structure.id"))
    intitule: Mapped[str] = mapped_column(sa.String(160))
    curriculum_version: Mapped[int] = mapped_column(default=1)
    # Index into core.disponibilites.CODES: 0 = lundi matin, 1 = lundi après-midi, ...
    demi_journee: Mapped[int]
    capacite: Mapped[int] = mapped_column(default=4)
    taille_min: Mapped[int] = mapped_column(default=3)
    # Largest score difference accepted inside the group (placement points).
    ecart_max: Mapped[int] = mapped_column(default=20)
    # Inscriptions holding a place (inscrit or terminé; an abandon frees its place).
    places_prises: Mapped[int] = mapped_column(default=0)
    niveau_cible: Mapped[int | None]
    lieu: Mapped[str] = mapped_column(sa.String(160), default="")
    statut: Mapped[str] = mapped_column(sa.String(12), default="projet")
    start_on: Mapped[date | None]
    is_locked: Mapped[bool] = mapped_column(default=False)
    # The structure's day the alerts were last recomputed for (every save, and the daily sweep of
    # ateliers.alertes_quotidiennes, which skips a workshop already computed for its structure's today).
    alertes_calculees_on: Mapped[date | None]
    # Why the closed workshop was last unlocked for a correction, as typed; the journal only says it was.
    motif_deverrouillage: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    structure: Mapped[Structure] = relationship()
    animateurs: Mapped[list[Compte]] = relationship(secondary=atelier_animateur)
    seances: Mapped[list[Seance]] = relationship(
        back_populates="atelier", order_by="Seance.numero", cascade="all, delete-orphan"
    )
    inscriptions: Mapped[list[Inscription]] = relationship(back_populates="atelier", cascade="all, delete-orphan")


class Seance(db.Model):
    """One three-hour meeting of a workshop, covering one module."""

    __tablename__ = "seance"
    __table_args__ = (
        sa.UniqueConstraint("atelier_id", "numero"),
        sa.CheckConstraint("numero BETWEEN 1 AND 6", name="numero"),
        sa.CheckConstraint("ends_at > starts_at", name="horaires"),
        sa.Index("ix_seance_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    atelier_id: Mapped[int] = mapped_column(sa.ForeignKey("atelier.id", ondelete="CASCADE"))
    numero: Mapped[int]
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]

    atelier: Mapped[Atelier] = relationship(back_populates="seances")
    module: Mapped[Module] = relationship()
    # Who co-runs this séance (mediator and volunteers); a volunteer takes attendance for their séances.
    animateurs: Mapped[list[Compte]] = relationship(secondary=seance_animateur)
    presences: Mapped[list[Presence]] = relationship(back_populates="seance", cascade="all, delete-orphan")

    @property
    def jour(self) -> date:
        """The séance's day in its structure's time zone, the day the rules on dates (future, over) compare with;
        who was enrolled at the séance compares moments (``Inscription.was_enrolled_at``)."""
        return to_local(self.starts_at, structure_zone(self.atelier.structure)).date()


class Inscription(db.Model):
    """A learner's place in a workshop; one per learner and workshop."""

    __tablename__ = "inscription"
    __table_args__ = (
        sa.UniqueConstraint("atelier_id", "apprenant_id"),
        sa.CheckConstraint(in_list("statut", STATUTS_INSCRIPTION), name="statut"),
        sa.CheckConstraint(f"motif_sortie IS NULL OR {in_list('motif_sortie', MOTIFS_SORTIE)}", name="motif_sortie"),
        sa.CheckConstraint("statut = 'abandon' OR motif_sortie IS NULL", name="motif_si_abandon"),
        sa.CheckConstraint("minutes_suivies >= 0", name="minutes_suivies"),
        # A running inscription has no end; a closed one (terminé, abandon) has the moment it ended.
        sa.CheckConstraint(
            "(statut = 'inscrit' AND ended_at IS NULL) OR (statut != 'inscrit' AND ended_at IS NOT NULL)",
            name="fin_si_close",
        ),
        sa.CheckConstraint("ended_at IS NULL OR ended_at >= joined_at", name="periode"),
        sa.Index("ix_inscription_apprenant", "apprenant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    atelier_id: Mapped[int] = mapped_column(sa.ForeignKey("atelier.id", ondelete="CASCADE"))
    apprenant_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenant.id"))
    statut: Mapped[str] = mapped_column(sa.String(10), default="inscrit")
    motif_sortie: Mapped[str | None] = mapped_column(sa.String(20))
    # When the learner took the place (naive UTC): a séance counts for them only if it starts after this moment,
    # so a place taken in the afternoon starts at the next séance (ateliers.periode). A workshop planned after its
    # first séances were held on paper sets it for the group's members to the start of séance 1's day.
    joined_at: Mapped[datetime]
    # When the inscription closed (naive UTC), None while it runs: the moment an abandon was recorded, or for
    # those closed with the workshop the end of its last séance (or the closing, if later). Séances starting
    # from this moment on are no longer theirs; earlier ones stay (their sheets and attendance keep them).
    ended_at: Mapped[datetime | None]
    minutes_suivies: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    atelier: Mapped[Atelier] = relationship(back_populates="inscriptions")
    apprenant: Mapped[Apprenant] = relationship()
    presences: Mapped[list[Presence]] = relationship(back_populates="inscription", cascade="all, delete-orphan")
    evaluations: Mapped[list[EvaluationCompetence]] = relationship(cascade="all, delete-orphan")

    def position_at(self, seance: Seance) -> str:
        """Where ``seance`` falls for this learner: before they joined, enrolled, or after they left."""
        return periode.position(self.joined_at, self.ended_at, seance.starts_at)

    def was_enrolled_at(self, seance: Seance) -> bool:
        """True when the learner was enrolled when ``seance`` started (``ateliers.periode.enrolled_at``)."""
        return periode.enrolled_at(self.joined_at, self.ended_at, seance.starts_at)


class Presence(db.Model):
    """Attendance of one enrolled learner at one séance; one per learner and séance."""

    __tablename__ = "presence"
    __table_args__ = (
        sa.UniqueConstraint("seance_id", "inscription_id"),
        sa.CheckConstraint(in_list("statut", STATUTS_PRESENCE), name="statut"),
        sa.CheckConstraint("minutes BETWEEN 0 AND 600", name="minutes"),
        sa.CheckConstraint("departure_at IS NULL OR arrival_at IS NULL OR departure_at > arrival_at", name="horaires"),
        sa.Index("ix_presence_inscription", "inscription_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seance_id: Mapped[int] = mapped_column(sa.ForeignKey("seance.id", ondelete="CASCADE"))
    inscription_id: Mapped[int] = mapped_column(sa.ForeignKey("inscription.id", ondelete="CASCADE"))
    statut: Mapped[str] = mapped_column(sa.String(14))
    arrival_at: Mapped[datetime | None]
    departure_at: Mapped[datetime | None]
    minutes: Mapped[int] = mapped_column(default=0)
    compte_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compte.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    seance: Mapped[Seance] = relationship(back_populates="presences")
    inscription: Mapped[Inscription] = relationship(back_populates="presences")


class Alerte(db.Model):
    """A dropout warning that holds for an inscription (ateliers.dropout rule), until it no longer does.

    One row per inscription, rule and séance (``seance_numero`` 0 when the rule has no séance), so recomputing
    the alerts after each save updates rows instead of piling them up. ``traitee_par_suivi_id`` is the call that
    covered the alert (every alert open when a call is recorded); an alert raised, or raised again, after the
    call has none, and puts the person back on the "À rappeler" list. ``is_historique``: the alert is about
    séances held before the workshop was entered in the app (keyed in afterwards from paper): history, not a
    call to make today.
    """

    __tablename__ = "alerte"
    __table_args__ = (
        sa.UniqueConstraint("inscription_id", "regle", "seance_numero"),
        sa.CheckConstraint(in_list("regle", REGLES), name="regle"),
        sa.CheckConstraint(in_list("niveau_risque", NIVEAUX_RISQUE), name="niveau_risque"),
        sa.CheckConstraint("seance_numero BETWEEN 0 AND 6", name="seance_numero"),
        sa.Index("ix_alerte_ouverte", "resolved_at", "inscription_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inscription_id: Mapped[int] = mapped_column(sa.ForeignKey("inscription.id", ondelete="CASCADE"))
    regle: Mapped[str] = mapped_column(sa.String(30))
    niveau_risque: Mapped[str] = mapped_column(sa.String(20))
    seance_numero: Mapped[int] = mapped_column(default=0)
    module_numero: Mapped[int | None]
    message: Mapped[str] = mapped_column(sa.String(255))
    is_historique: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    traitee_par_suivi_id: Mapped[int | None] = mapped_column(sa.ForeignKey("suivi.id", ondelete="SET NULL"))

    inscription: Mapped[Inscription] = relationship()


class Suivi(db.Model):
    """A follow-up call about a person in a workshop (an inscription), not about one alert: it covers every alert
    open when it was recorded (``Alerte.traitee_par_suivi_id``). Outcome, reason code (never medical free text),
    next step, and with the next step "rappeler" the day of the next call (``rappel_on``)."""

    __tablename__ = "suivi"
    __table_args__ = (
        sa.CheckConstraint(in_list("resultat", RESULTATS_SUIVI), name="resultat"),
        sa.CheckConstraint(f"motif IS NULL OR {in_list('motif', MOTIFS_SORTIE)}", name="motif"),
        sa.CheckConstraint(in_list("suite", SUITES_SUIVI), name="suite"),
        sa.CheckConstraint("suite != 'abandon' OR motif IS NOT NULL", name="abandon_motive"),
        sa.CheckConstraint("(suite = 'rappeler') = (rappel_on IS NOT NULL)", name="rappel_date"),
        sa.Index("ix_suivi_inscription", "inscription_id", "appel_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inscription_id: Mapped[int] = mapped_column(sa.ForeignKey("inscription.id", ondelete="CASCADE"))
    appel_on: Mapped[date]
    resultat: Mapped[str] = mapped_column(sa.String(16))
    motif: Mapped[str | None] = mapped_column(sa.String(20))
    suite: Mapped[str] = mapped_column(sa.String(20))
    rappel_on: Mapped[date | None]
    compte_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compte.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inscription: Mapped[Inscription] = relationship()
    compte: Mapped[Compte | None] = relationship()


class Rattrapage(db.Model):
    """A catch-up of a missed module, planned then done; once done it counts for that module's skills."""

    __tablename__ = "rattrapage"
    __table_args__ = (
        sa.UniqueConstraint("inscription_id", "module_id"),
        sa.CheckConstraint("fait_on IS NULL OR prevu_at IS NOT NULL", name="fait_si_prevu"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inscription_id: Mapped[int] = mapped_column(sa.ForeignKey("inscription.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id"))
    seance_id: Mapped[int | None] = mapped_column(sa.ForeignKey("seance.id", ondelete="SET NULL"))
    prevu_at: Mapped[datetime | None]
    fait_on: Mapped[date | None]
    compte_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compte.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inscription: Mapped[Inscription] = relationship()
    module: Mapped[Module] = relationship()
