"""Forms of the ateliers package. They check shape only; rules on records live in services."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ateliers.constants import RESULTATS_SUIVI, SUITES_SUIVI
from core import disponibilites
from core.constants import MOTIFS_SORTIE, STATUTS_ATTENTE
from core.forms import REQUIRED, EntierField, choices
from evaluations.constants import NIVEAUX

DEMI_JOURNEE_CHOICES = [(str(i), label) for i, (_code, label) in enumerate(disponibilites.DEMI_JOURNEES)]
WHOLE_NUMBER = "Saisissez un nombre entier."


class AtelierPrevuForm(FlaskForm):
    """A workshop the mediator plans before building groups."""

    intitule = StringField(
        "Intitulé (facultatif)",
        validators=[Optional(), Length(max=160)],
        description="Par défaut : « Atelier » suivi du jour et du moment.",
    )
    demi_journee = SelectField(
        "Demi-journée", choices=choices(DEMI_JOURNEE_CHOICES), validators=[InputRequired(REQUIRED)]
    )
    capacite = EntierField(
        "Capacité (places)",
        default=4,
        validators=[InputRequired(WHOLE_NUMBER), NumberRange(1, 30, "La capacité va de 1 à 30 places.")],
    )
    taille_min = EntierField(
        "Taille minimale du groupe",
        default=3,
        validators=[InputRequired(WHOLE_NUMBER), NumberRange(1, 30, "La taille minimale va de 1 à 30.")],
    )
    ecart_max = EntierField(
        "Écart de niveau maximal (points)",
        default=20,
        validators=[InputRequired(WHOLE_NUMBER), NumberRange(0, 100, "L'écart va de 0 à 100 points.")],
        description="Différence de score la plus grande acceptée dans le groupe.",
    )
    lieu = StringField("Lieu", validators=[Optional(), Length(max=160)])

    def validate_taille_min(self, field):
        if field.data is not None and self.capacite.data is not None and field.data > self.capacite.data:
            raise ValidationError("La taille minimale ne peut pas dépasser la capacité.")

    def to_data(self) -> dict:
        demi_journee = int(self.demi_journee.data)
        return {
            "intitule": self.intitule.data or f"Atelier du {disponibilites.DEMI_JOURNEES[demi_journee][1].lower()}",
            "demi_journee": demi_journee,
            "capacite": self.capacite.data,
            "taille_min": self.taille_min.data,
            "ecart_max": self.ecart_max.data,
            "lieu": self.lieu.data or "",
        }


class FiltresAttenteForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    statut = SelectField(
        "Statut",
        choices=choices([("", "Tous"), *STATUTS_ATTENTE.items()]),
        default="en_attente",
        validators=[Optional()],
    )
    niveau = SelectField(
        "Niveau", choices=choices([("", "Tous"), *((str(k), v) for k, v in NIVEAUX.items())]), validators=[Optional()]
    )
    demi_journee = SelectField(
        "Disponible le", choices=choices([("", "Toutes"), *DEMI_JOURNEE_CHOICES]), validators=[Optional()]
    )


class StatutAttenteForm(FlaskForm):
    statut = SelectField(
        "Nouveau statut",
        choices=choices([(k, v) for k, v in STATUTS_ATTENTE.items() if k in {"en_attente", "retire", "oriente"}]),
        validators=[InputRequired(REQUIRED)],
    )


class ParametresPropositionForm(FlaskForm):
    class Meta:
        csrf = False  # asking for a proposal changes nothing

    ecart_max = EntierField(
        "Écart de niveau maximal (points)",
        default=20,
        validators=[Optional(), NumberRange(0, 100, "L'écart va de 0 à 100 points.")],
    )


class ConfirmationForm(FlaskForm):
    """The CSRF token and the mediator's acceptance of warnings; the assignments are read from the request."""

    accepter_avertissements = BooleanField("J'accepte les avertissements ci-dessus (écart de niveau, groupe incomplet)")


class DateFrField(DateField):
    """A date (``AAAA-MM-JJ``, as browsers send it), with a French message when it is not one."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Saisissez une date valide (jj/mm/aaaa).") from None


class PlanificationForm(FlaskForm):
    """Start date, place and animateurs of a workshop to plan; the choices are the structure's animateurs."""

    debut = DateFrField("Date de début", validators=[InputRequired("Indiquez la date de la première séance.")])
    lieu = StringField("Lieu", validators=[Optional(), Length(max=160)])
    animateurs = SelectMultipleField("Animateurs", coerce=int, choices=[], validate_choice=False)

    def to_data(self) -> dict:
        return {"debut": self.debut.data, "lieu": (self.lieu.data or "").strip(), "animateur_ids": self.animateurs.data}


class DeplacementForm(FlaskForm):
    """A séance's new day, and whether the later séances follow it."""

    jour = DateFrField("Nouvelle date", validators=[InputRequired("Indiquez la nouvelle date.")])
    decaler = BooleanField("Décaler les séances suivantes")


class FermetureForm(FlaskForm):
    """A closure of the structure: one day (no end date) or a period."""

    debut_on = DateFrField("Fermée du (ou le)", validators=[InputRequired("Indiquez le premier jour de fermeture.")])
    fin_on = DateFrField("Au (facultatif)", validators=[Optional()], description="Laissez vide pour un seul jour.")
    motif = StringField("Motif", validators=[Optional(), Length(max=120)], description="Par exemple : congés d'été.")


class SuiviForm(FlaskForm):
    """The follow-up call after an alert: date, outcome, reason code (no free text) and next step."""

    appel_on = DateFrField("Date de l'appel", validators=[InputRequired("Indiquez la date de l'appel.")])
    resultat = SelectField(
        "Résultat", choices=choices([("", "—"), *RESULTATS_SUIVI.items()]), validators=[InputRequired(REQUIRED)]
    )
    motif = SelectField(
        "Motif",
        choices=choices([("", "—"), *MOTIFS_SORTIE.items()]),
        validators=[Optional()],
        description="Obligatoire en cas d'abandon.",
    )
    suite = SelectField(
        "Suite donnée", choices=choices([("", "—"), *SUITES_SUIVI.items()]), validators=[InputRequired(REQUIRED)]
    )
