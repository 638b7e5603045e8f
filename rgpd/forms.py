"""The confirmation of an erasure on request."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import InputRequired, Length, ValidationError

from core.forms import AppForm

MOT_DE_CONFIRMATION = "effacer"


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
