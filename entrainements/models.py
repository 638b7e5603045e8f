"""Practice tables: Creneau (weekly slot), Occurrence (one dated occurrence of it), PlanEntrainement (a learner's
plan after a workshop), Entrainement (one rank of it), Reservation (a booking of an occurrence) and
ResultatEntrainement (a skill's level judged at a practice session).

Rules held by the database, not only in Python (DESIGN.md section 5): an occurrence's places are taken by a
conditional UPDATE of ``occurrence.places_prises`` (``entrainements.reservations``), which a CHECK keeps between
0 and the capacity; one running booking per entraînement and one per learner and day (partial unique indexes);
one occurrence per slot and day; one plan per inscription; one entraînement per plan and rank.
"""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ateliers.models import Inscription
from core.models import Apprenant, Compte, Structure, in_list
from core.timeutil import utcnow
from entrainements.constants import MOTIFS_ANNULATION, STATUTS_ENTRAINEMENT, STATUTS_PLAN, STATUTS_RESERVATION
from evaluations.constants import RESULTATS_COMPETENCE
from evaluations.models import Competence
from extensions import db

# A booking that holds a place and a learner's day: a running one, or one the learner came to.
RESERVATION_TENUE = "statut IN ('reservee', 'honoree')"


class Creneau(db.Model):
    """A weekly practice slot of a structure: weekday (0 Monday .. 5 Saturday), local start and end time,
    capacity (the number of practice computers, 1 to 30), place, and optionally who runs it (a volunteer may).
    A slot is never deleted once used: ``actif`` False stops its future occurrences."""

    __tablename__ = "creneau"
    __table_args__ = (
        sa.CheckConstraint("jour_semaine BETWEEN 0 AND 5", name="jour_semaine"),
        sa.CheckConstraint("fin > debut", name="horaires"),
        sa.CheckConstraint("capacite BETWEEN 1 AND 30", name="capacite"),
        sa.Index("ix_creneau_structure", "structure_id", "actif"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(sa.ForeignKey("structure.id"))
    jour_semaine: Mapped[int]
    debut: Mapped[time]
    fin: Mapped[time]
    capacite: Mapped[int] = mapped_column(default=4)
    lieu: Mapped[str] = mapped_column(sa.String(160))
    animateur_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compte.id"))
    actif: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    structure: Mapped[Structure] = relationship()
    animateur: Mapped[Compte | None] = relationship()


class Occurrence(db.Model):
    """One dated occurrence of a :class:`Creneau` (the row behind ``entrainements.creneaux.Occurrence``), created
    for the days the structure receives (``entrainements.creneaux.occurrences``) as the booking horizon reaches
    them. ``capacite`` is the slot's at that time; ``places_prises`` counts the bookings holding a place
    (``RESERVATION_TENUE``). ``annulee_at`` set: cancelled, its bookings are cancelled and rebooked elsewhere."""

    __tablename__ = "occurrence"
    __table_args__ = (
        sa.UniqueConstraint("creneau_id", "jour"),
        sa.CheckConstraint("capacite BETWEEN 1 AND 30", name="capacite"),
        sa.CheckConstraint("places_prises BETWEEN 0 AND capacite", name="places_prises"),
        sa.CheckConstraint("ends_at > starts_at", name="horaires"),
        sa.Index("ix_occurrence_structure_jour", "structure_id", "jour"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    creneau_id: Mapped[int] = mapped_column(sa.ForeignKey("creneau.id"))
    # Denormalised from the slot: the calendar and the sweeps read a structure's occurrences by day.
    structure_id: Mapped[int] = mapped_column(sa.ForeignKey("structure.id"))
    # The structure's local day, and the start and end as naive UTC moments (like Seance).
    jour: Mapped[date]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacite: Mapped[int]
    places_prises: Mapped[int] = mapped_column(default=0)
    annulee_at: Mapped[datetime | None]
    motif_annulation: Mapped[str | None] = mapped_column(sa.String(160))
    annulee_par_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compte.id"))

    creneau: Mapped[Creneau] = relationship()


class PlanEntrainement(db.Model):
    """The practice plan of a learner who finished a workshop (one per inscription): its entraînements, and
    whether it runs, is paused by a follow-up call (no booking, no message) or was declined by the learner."""

    __tablename__ = "plan_entrainement"
    __table_args__ = (
        sa.CheckConstraint(in_list("statut", STATUTS_PLAN), name="statut"),
        sa.Index("ix_plan_entrainement_apprenant", "apprenant_id"),
        sa.Index("ix_plan_entrainement_structure", "structure_id", "statut"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(sa.ForeignKey("structure.id"))
    inscription_id: Mapped[int] = mapped_column(sa.ForeignKey("inscription.id", ondelete="CASCADE"), unique=True)
    apprenant_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenant.id"))
    # The structure's local day of the workshop's last séance: the offsets count from it, and the planner books
    # the learners who finished longest ago first.
    fin_atelier_on: Mapped[date]
    statut: Mapped[str] = mapped_column(sa.String(10), default="actif")
    # When and by whom the status last changed (declined, paused, resumed).
    statut_on: Mapped[date | None]
    statut_par_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compte.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inscription: Mapped[Inscription] = relationship()
    apprenant: Mapped[Apprenant] = relationship()
    entrainements: Mapped[list[Entrainement]] = relationship(
        back_populates="plan", order_by="Entrainement.rang", cascade="all, delete-orphan"
    )


class Entrainement(db.Model):
    """One rank of a practice plan: target day, booking window (both ends included), skills to practise (ids,
    frozen when the plan is made), status, and while "à planifier" the planner's reason in French."""

    __tablename__ = "entrainement"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "rang"),
        sa.CheckConstraint(in_list("statut", STATUTS_ENTRAINEMENT), name="statut"),
        sa.CheckConstraint("rang >= 1", name="rang"),
        sa.CheckConstraint("debut_on <= cible_on AND cible_on <= fin_on", name="fenetre"),
        sa.CheckConstraint("absences >= 0", name="absences"),
        sa.Index("ix_entrainement_structure_statut", "structure_id", "statut", "debut_on"),
        sa.Index("ix_entrainement_apprenant", "apprenant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plan_entrainement.id", ondelete="CASCADE"))
    # Denormalised from the plan: the sweeps read what is due per structure, and a learner's day by learner.
    structure_id: Mapped[int] = mapped_column(sa.ForeignKey("structure.id"))
    apprenant_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenant.id"))
    rang: Mapped[int]
    cible_on: Mapped[date]
    debut_on: Mapped[date]
    fin_on: Mapped[date]
    competences: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    statut: Mapped[str] = mapped_column(sa.String(12), default="a_planifier")
    motif_non_planifie: Mapped[str | None] = mapped_column(sa.String(255))
    # No-shows so far: the first is rebooked once by the sweep, the second puts the learner on "À rappeler".
    absences: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[PlanEntrainement] = relationship(back_populates="entrainements")
    apprenant: Mapped[Apprenant] = relationship()
    reservations: Mapped[list[Reservation]] = relationship(back_populates="entrainement", order_by="Reservation.id")


class Reservation(db.Model):
    """A booking of an :class:`Occurrence` for an :class:`Entrainement`, by the sweep (``compte_id`` None) or by
    hand. ``jour`` and ``apprenant_id`` are copied so the database itself refuses a learner's second booking on a
    day; a cancelled or missed booking stays as history."""

    __tablename__ = "reservation"
    __table_args__ = (
        sa.CheckConstraint(in_list("statut", STATUTS_RESERVATION), name="statut"),
        sa.CheckConstraint(
            f"motif_annulation IS NULL OR {in_list('motif_annulation', MOTIFS_ANNULATION)}", name="motif_annulation"
        ),
        sa.CheckConstraint("(statut = 'annulee') = (motif_annulation IS NOT NULL)", name="annulation_motivee"),
        sa.Index(
            "uq_reservation_entrainement_en_cours",
            "entrainement_id",
            unique=True,
            sqlite_where=sa.text("statut = 'reservee'"),
            postgresql_where=sa.text("statut = 'reservee'"),
        ),
        sa.Index(
            "uq_reservation_apprenant_jour",
            "apprenant_id",
            "jour",
            unique=True,
            sqlite_where=sa.text(RESERVATION_TENUE),
            postgresql_where=sa.text(RESERVATION_TENUE),
        ),
        sa.Index("ix_reservation_occurrence", "occurrence_id", "statut"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entrainement_id: Mapped[int] = mapped_column(sa.ForeignKey("entrainement.id", ondelete="CASCADE"))
    occurrence_id: Mapped[int] = mapped_column(sa.ForeignKey("occurrence.id"))
    apprenant_id: Mapped[int] = mapped_column(sa.ForeignKey("apprenant.id"))
    jour: Mapped[date]
    statut: Mapped[str] = mapped_column(sa.String(10), default="reservee")
    motif_annulation: Mapped[str | None] = mapped_column(sa.String(20))
    compte_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compte.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the attendance was recorded (venue, absente) or the booking cancelled, and by whom.
    cloturee_at: Mapped[datetime | None]
    cloturee_par_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compte.id"))

    entrainement: Mapped[Entrainement] = relationship(back_populates="reservations")
    occurrence: Mapped[Occurrence] = relationship()
    resultats: Mapped[list[ResultatEntrainement]] = relationship(cascade="all, delete-orphan")


class ResultatEntrainement(db.Model):
    """A skill practised at a practice session and its level that day (``RESULTATS_COMPETENCE``), kept dated
    beside the workshop's judgements so the progress page shows how the skill evolved."""

    __tablename__ = "resultat_entrainement"
    __table_args__ = (
        sa.UniqueConstraint("reservation_id", "competence_id"),
        sa.CheckConstraint(in_list("resultat", RESULTATS_COMPETENCE), name="resultat"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reservation_id: Mapped[int] = mapped_column(sa.ForeignKey("reservation.id", ondelete="CASCADE"))
    competence_id: Mapped[int] = mapped_column(sa.ForeignKey("competence.id"))
    resultat: Mapped[str] = mapped_column(sa.String(12))
    compte_id: Mapped[int | None] = mapped_column(sa.ForeignKey("compte.id"))
    evaluated_at: Mapped[datetime] = mapped_column(default=utcnow)

    competence: Mapped[Competence] = relationship()
