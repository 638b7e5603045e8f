"""The period form shared by the dashboard, the exports and the annual report (a GET form: it changes
nothing, so no CSRF token, and the chosen period stays in the address to be bookmarked or shared)."""

from __future__ import annotations

from datetime import date

from wtforms import SelectField
from wtforms.validators import NumberRange, Optional

from core.constants import FORMATS_EXPORT
from core.forms import AppForm, DateFrField, EntierField, choices
from pilotage.periode import TYPES_PERIODE, Periode, PeriodeRefusee, annee_civile, annee_scolaire, par_defaut, trimestre

PREMIERE_ANNEE = 2015


class PeriodeForm(AppForm):
    """``type`` = annee | scolaire | trimestre | dates; ``annee`` (the school year's September year),
    ``trimestre`` 1-4, ``debut`` and ``fin`` (jj/mm/aaaa or ISO). Call :meth:`periode` after :meth:`validate`."""

    class Meta:
        csrf = False  # a GET form changes nothing

    type = SelectField(
        "Période",
        choices=choices(TYPES_PERIODE.items()),
        default="annee",
        validators=[Optional()],
        invalid_choice_message="Choisissez un type de période de la liste.",
    )
    annee = EntierField("Année", validators=[Optional()])
    trimestre = SelectField(
        "Trimestre",
        choices=choices([("1", "1er trimestre"), ("2", "2e trimestre"), ("3", "3e trimestre"), ("4", "4e trimestre")]),
        default="1",
        validators=[Optional()],
        invalid_choice_message="Choisissez un trimestre de la liste.",
    )
    debut = DateFrField("Du", validators=[Optional()])
    fin = DateFrField("Au", validators=[Optional()])

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.annee.validators = [
            Optional(),
            NumberRange(
                PREMIERE_ANNEE, today.year + 1, f"Choisissez une année de {PREMIERE_ANNEE} à {today.year + 1}."
            ),
        ]

    def periode(self) -> Periode | None:
        """The period chosen, or ``None`` with a French message added beside the field at fault; the
        current year so far when nothing was chosen (a first visit)."""
        type_ = self.type.data or "annee"
        try:
            if type_ == "dates":
                if self.debut.data is None or self.fin.data is None:
                    champ = self.debut if self.debut.data is None else self.fin
                    if not champ.errors:
                        champ.errors = [*champ.errors, "Saisissez les deux dates de la période."]
                    return None
                return Periode(self.debut.data, self.fin.data)
            if self.annee.data is None:
                return par_defaut(self.today) if type_ == "annee" else self._annee_requise()
            if type_ == "scolaire":
                return annee_scolaire(self.annee.data)
            if type_ == "trimestre":
                return trimestre(self.annee.data, int(self.trimestre.data or 1))
            return annee_civile(self.annee.data)
        except PeriodeRefusee as refus:
            champ = getattr(self, refus.champ)
            champ.errors = [*champ.errors, str(refus)]
            return None

    def _annee_requise(self) -> None:
        self.annee.errors = [*self.annee.errors, "Saisissez l'année."]
        return None


class ExportPeriodeForm(PeriodeForm):
    """A period and a file format (GET): the exports of a period, such as La Coop's activities."""

    format = SelectField(
        "Format du fichier",
        choices=choices(FORMATS_EXPORT.items()),
        default="csv",
        validators=[Optional()],
        invalid_choice_message="Choisissez un format de la liste : CSV, XLSX ou ODS.",
    )
