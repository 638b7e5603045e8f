"""Forms of the practice slots and of booking by hand. They check shape only; rules on records live in
``entrainements.services``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Any

from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ateliers.forms import HeureFrField
from core.bounds import id_or_none
from core.forms import REQUIRED, AppForm, DateFrField, EntierField, VersionField, choices, stripped
from entrainements.constants import JOURS_SEMAINE, MOTIFS_ANNULATION
from entrainements.creneaux import CAPACITE_MAXIMUM
from entrainements.services import MOTIFS_A_LA_MAIN, DonneesCreneau

CAPACITE = f"La capacité va de 1 à {CAPACITE_MAXIMUM} places (les ordinateurs d'entraînement)."


def _entier_ou_texte(valeur):
    """A weekday posted: its number, or the text as it came (refused as not offered, shown again)."""
    try:
        return int(valeur)
    except (TypeError, ValueError):
        return valeur


class CreneauForm(AppForm):
    """A weekly practice slot: weekday (Monday to Saturday), start and end, capacity, place, animateur (the
    structure's mediators and volunteers, choices set by the view; checked again by the service)."""

    jour_semaine = SelectField(
        "Jour",
        choices=choices(JOURS_SEMAINE.items()),
        coerce=_entier_ou_texte,
        validators=[InputRequired("Choisissez le jour du créneau.")],
        invalid_choice_message="Les créneaux vont du lundi au samedi : choisissez un de ces jours.",
    )
    debut = HeureFrField("Début", validators=[InputRequired("Indiquez l'heure de début, par exemple 14:00.")])
    fin = HeureFrField("Fin", validators=[InputRequired("Indiquez l'heure de fin, par exemple 16:00.")])
    capacite = EntierField(
        "Capacité (places)",
        default=4,
        validators=[InputRequired("Saisissez un nombre entier."), NumberRange(1, CAPACITE_MAXIMUM, CAPACITE)],
        description="Le nombre d'ordinateurs d'entraînement.",
    )
    lieu = StringField(
        "Lieu",
        validators=[InputRequired("Indiquez le lieu du créneau."), Length(max=160, message="160 caractères au plus.")],
        filters=[stripped],
    )
    animateur = SelectField(
        "Animateur (facultatif)",
        coerce=id_or_none,
        choices=[],
        validate_choice=False,
        description="Un bénévole peut animer le créneau : il notera les présences.",
    )
    version = VersionField()

    def validate_fin(self, field):
        if field.data is not None and self.debut.data is not None and field.data <= self.debut.data:
            raise ValidationError("L'heure de fin doit être après l'heure de début.")

    @staticmethod
    def initial_data(valeurs: Mapping[str, Any]) -> dict:
        """Field values from a slot's snapshot (``services.instantane_creneau``)."""
        return {
            "jour_semaine": valeurs.get("jour_semaine"),
            "debut": time.fromisoformat(valeurs["debut"]) if valeurs.get("debut") else None,
            "fin": time.fromisoformat(valeurs["fin"]) if valeurs.get("fin") else None,
            "capacite": valeurs.get("capacite"),
            "lieu": valeurs.get("lieu"),
            "animateur": valeurs.get("animateur"),
        }

    def to_data(self) -> DonneesCreneau:
        """The slot typed; call only after :meth:`validate` succeeded."""
        return DonneesCreneau(
            jour_semaine=self.jour_semaine.data,
            debut=self.debut.data,
            fin=self.fin.data,
            capacite=self.capacite.data,
            lieu=self.lieu.data,
            animateur_id=self.animateur.data,
        )


class SemaineForm(AppForm):
    """The week the calendar shows: any day of it, typed jj/mm/aaaa or sent by a date picker."""

    class Meta:
        csrf = False  # a GET choice of what to read changes nothing

    debut = DateFrField("Semaine du", validators=[Optional()])


class AnnulationOccurrenceForm(AppForm):
    """Why one dated occurrence is cancelled (kept on the occurrence; told to no one but the staff)."""

    motif = StringField(
        "Motif de l'annulation",
        validators=[InputRequired("Indiquez pourquoi ce créneau est annulé."), Length(max=160)],
        filters=[stripped],
        description="Par exemple : animateur absent, salle indisponible.",
    )


class ChoixOccurrenceForm(AppForm):
    """The occurrence chosen to book or move an entraînement to (choices set by the view; the service checks
    the occurrence is the structure's and has a place)."""

    occurrence = SelectField(
        "Créneau",
        coerce=id_or_none,
        choices=[],
        validate_choice=False,
        validators=[InputRequired("Choisissez un créneau.")],
    )


class AnnulationReservationForm(AppForm):
    """Who cancels a booking by hand."""

    motif = SelectField(
        "Qui annule",
        choices=choices((code, MOTIFS_ANNULATION[code]) for code in MOTIFS_A_LA_MAIN),
        validators=[InputRequired(REQUIRED)],
        invalid_choice_message="Choisissez qui annule dans la liste.",
    )
