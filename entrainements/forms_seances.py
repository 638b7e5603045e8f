"""Forms of the practice plan's status, the skills' practice resources and the structure's practice rules.
They check shape only; the rules live in ``entrainements.suivi_plan`` and ``entrainements.plan``."""

from __future__ import annotations

from urllib.parse import urlsplit

from wtforms import RadioField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from core.forms import AppForm, EntierField, VersionField, choices, stripped
from entrainements.plan import ReglesEntrainement
from entrainements.suivi_plan import ACTIONS, TRANSITIONS


class StatutPlanForm(AppForm):
    """Decline, pause or resume a plan: the choices offered are those its status allows."""

    statut = RadioField("Que s'est-il passé ?", validators=[InputRequired("Choisissez ce que la personne a décidé.")])
    version = VersionField()

    def __init__(self, statut_actuel: str, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.statut.choices = choices(
            (statut, libelle) for statut, libelle in ACTIONS.items() if statut_actuel in TRANSITIONS[statut]
        )


def adresse_web(_form, field) -> None:
    """An http or https address with a host and no space (what a tablet can open from the sheet's QR code).

    :raise ValidationError: with a French message, shown beside the field.
    """
    if not field.data:
        return
    morceaux = urlsplit(field.data)
    if morceaux.scheme not in ("http", "https") or not morceaux.hostname or any(c.isspace() for c in field.data):
        raise ValidationError(
            "Adresse web attendue, commençant par https:// ou http://, par exemple https://www.lesbonsclics.fr/."
        )


class RessourceForm(AppForm):
    """The practice resource of one skill: a title and its address, both or neither."""

    titre = StringField("Titre de l'exercice", filters=[stripped], validators=[Optional(), Length(max=160)])
    url = StringField(
        "Adresse de l'exercice",
        filters=[stripped],
        validators=[Optional(), Length(max=500), adresse_web],
        description="Commence par https:// ; imprimée sur la fiche d'entraînement avec un QR code.",
    )

    def validate(self, extra_validators=None) -> bool:
        valide = super().validate(extra_validators)
        if valide and bool(self.titre.data) != bool(self.url.data):
            vide = self.url if self.titre.data else self.titre
            vide.errors = [*vide.errors, "Indiquez le titre et l'adresse, ou laissez les deux vides."]
            return False
        return valide


class ReglesForm(AppForm):
    """The structure's practice rules as people type them: the offsets as "7, 30, 90", the tolerance in percent.

    Each value is checked by ``entrainements.plan.ReglesEntrainement`` itself (its French ValueError shown beside
    the field it concerns); :meth:`regles` gives the checked rules.
    """

    decalages = StringField(
        "Délais des entraînements, en jours après la dernière séance",
        filters=[stripped],
        validators=[InputRequired("Indiquez au moins un délai, par exemple 7, 30, 90.")],
        description="Séparés par des virgules, en augmentant : par exemple 7, 30, 90.",
    )
    part_tolerance = EntierField(
        "Tolérance, en pourcentage du délai",
        validators=[
            InputRequired("Indiquez un pourcentage, par exemple 20."),
            NumberRange(0, 100, "Indiquez un pourcentage de 0 à 100."),
        ],
        description="20 % d'un délai de 30 jours : l'entraînement peut avoir lieu 6 jours avant ou après.",
    )
    tolerance_minimum = EntierField(
        "Tolérance minimale, en jours",
        validators=[InputRequired("Indiquez un nombre de jours, par exemple 1.")],
    )

    def _liste(self) -> tuple[int, ...]:
        morceaux = [m.strip() for m in self.decalages.data.replace(";", ",").split(",")]
        try:
            return tuple(int(m) for m in morceaux)
        except ValueError:
            raise ValidationError(
                "Des nombres entiers de jours séparés par des virgules, par exemple 7, 30, 90."
            ) from None

    def validate_decalages(self, _field) -> None:
        try:
            ReglesEntrainement(decalages=self._liste())
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def validate_part_tolerance(self, field) -> None:
        if field.data is None:  # not a whole number: EntierField said so
            return
        try:
            ReglesEntrainement(part_tolerance=field.data / 100)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def validate_tolerance_minimum(self, field) -> None:
        if field.data is None:
            return
        try:
            ReglesEntrainement(tolerance_minimum=field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def regles(self) -> ReglesEntrainement:
        """The rules typed, once the form validated."""
        return ReglesEntrainement(
            decalages=self._liste(),
            part_tolerance=self.part_tolerance.data / 100,
            tolerance_minimum=self.tolerance_minimum.data,
        )

    @staticmethod
    def initial_data(regles: ReglesEntrainement) -> dict:
        """The form's data showing ``regles``."""
        return {
            "decalages": ", ".join(str(j) for j in regles.decalages),
            "part_tolerance": round(regles.part_tolerance * 100),
            "tolerance_minimum": regles.tolerance_minimum,
        }
