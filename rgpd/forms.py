"""The confirmation of an erasure on request, and the structure's retention period."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from core.forms import AppForm, EntierField, VersionField

MOT_DE_CONFIRMATION = "effacer"
# The retention period a structure may set, in months (the CHECK of ``structure.conservation_mois``).
MOIS_MIN, MOIS_MAX = 12, 120


class EffacementForm(AppForm):
    """The mediator types the word "effacer" to confirm: an erasure cannot be undone."""

    confirmation = StringField(
        "Pour confirmer, tapez le mot « effacer »",
        validators=[InputRequired("Tapez le mot « effacer » pour confirmer."), Length(max=40)],
        description="L'effacement est définitif : il ne peut pas être annulé.",
    )

    def validate_confirmation(self, field) -> None:
        if (field.data or "").strip().lower() != MOT_DE_CONFIRMATION:
            raise ValidationError("Tapez exactement le mot « effacer » pour confirmer, ou revenez à la fiche.")


class ConservationForm(AppForm):
    """How long the structure keeps a learner's data after the last contact (``Structure.conservation_mois``)."""

    conservation_mois = EntierField(
        "Durée de conservation après le dernier contact, en mois",
        validators=[
            InputRequired("Indiquez un nombre de mois."),
            NumberRange(
                MOIS_MIN, MOIS_MAX, f"Choisissez entre {MOIS_MIN} et {MOIS_MAX} mois (24 mois : deux ans, l'usage)."
            ),
        ],
        description="Passé ce délai sans contact (séance, appel, entraînement, positionnement), les données de la "
        "personne sont anonymisées chaque nuit : les statistiques restent.",
    )
    version = VersionField()
