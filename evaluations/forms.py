"""Forms of the evaluations package. They check shape only; completeness and record rules live in services.

The placement form is built from a questionnaire version's content (``Questionnaire.contenu``): one field per
question, named by its code ("A1", "B4", "C2"...), so a new version of the data file needs no code change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wtforms import BooleanField, RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from core import disponibilites
from core.cache import cached
from core.constants import CANAUX
from core.disponibilites import AUCUNE_DEMI_JOURNEE
from core.forms import (
    REQUIRED,
    SANS_DISPONIBILITE,
    AppForm,
    IdentiteForm,
    MultiCheckboxField,
    VersionField,
    choices,
    stripped,
)
from evaluations.constants import MODES_POSITIONNEMENT
from evaluations.models import Questionnaire
from evaluations.scoring import SCORED_PARTS, VALID_ANSWERS
from evaluations.services import Saisie

FREE_TEXT_MAX = 500
MODE_REQUIRED = "Choisissez le mode : par téléphone ou en présentiel."


@dataclass(frozen=True)
class Partie:
    """One part of the questionnaire as the template shows it: its content and the form fields of its questions."""

    code: str
    titre: str
    contenu: dict
    questions: list[tuple[dict, object]] = field(default_factory=list)

    @property
    def is_scored(self) -> bool:
        return self.code in SCORED_PARTS


class _PositionnementBase(AppForm):
    mode = RadioField(
        "Mode du positionnement",
        choices=choices(MODES_POSITIONNEMENT.items()),
        validators=[InputRequired(MODE_REQUIRED)],
    )
    disponibilites = MultiCheckboxField(
        "Disponibilités (demi-journées)",
        choices=choices(disponibilites.DEMI_JOURNEES),
        description="Cochez les demi-journées où la personne peut venir.",
    )
    canal_prefere = RadioField(
        "Moyen de contact préféré",
        choices=choices(CANAUX.items()),
        default="telephone",
        validators=[InputRequired(REQUIRED)],
    )
    sans_disponibilite = BooleanField(SANS_DISPONIBILITE, description=AUCUNE_DEMI_JOURNEE)
    enregistrer = SubmitField("Enregistrer le brouillon")
    calculer = SubmitField("Calculer le niveau")
    version = VersionField()

    question_codes: tuple[str, ...] = ()
    parties: list[Partie]

    def to_saisie(self) -> Saisie:
        """The submitted answers as a plain value; empty answers are left out."""
        reponses = {}
        for code in self.question_codes:
            value = stripped(self[code].data)
            if value is not None and value != "":
                reponses[code] = value
        return Saisie(
            mode=self.mode.data,
            reponses=reponses,
            disponibilites=disponibilites.to_mask(self.disponibilites.data or []),
            canal_prefere=self.canal_prefere.data,
        )

    def mark_missing(self, codes) -> None:
        """Put "Réponse manquante" beside each question of ``codes``."""
        for code in codes:
            if code in self:
                self[code].errors = [*self[code].errors, "Réponse manquante"]


def _question_field(partie: dict, question: dict):
    label = f"{question['code']}. {question['libelle']}"
    if partie["code"] in SCORED_PARTS:
        echelle = partie["echelle"]
        return RadioField(
            label,
            choices=choices((value, echelle[value]) for value in VALID_ANSWERS),
            coerce=int,
            validators=[Optional()],
        )
    if question.get("libre"):
        return TextAreaField(
            label,
            validators=[Optional(), Length(max=FREE_TEXT_MAX, message=f"{FREE_TEXT_MAX} caractères au plus.")],
            filters=[stripped],
        )
    options = question.get("choix") or partie.get("choix") or []
    return RadioField(label, choices=choices((option, option) for option in options), validators=[Optional()])


def positionnement_form(questionnaire: Questionnaire, *, with_candidate: bool, **kwargs) -> _PositionnementBase:
    """Build the placement form for the questionnaire version ``questionnaire``.

    ``with_candidate`` adds the identity fields of a new candidate. ``kwargs`` go to the form (``data=`` to
    show a saved draft). The result has ``parties``: the parts in order, each with its (question, field) pairs.
    The form class of a version is built once per application: a version's content never changes.
    """
    contenu = questionnaire.contenu
    form_class = cached(
        "positionnement-form", (questionnaire.id, with_candidate), lambda: _form_class(contenu, with_candidate)
    )
    form = form_class(**kwargs)
    form.parties = [
        Partie(
            code=partie["code"],
            titre=partie["titre"],
            contenu=partie,
            questions=[(question, form[question["code"]]) for question in partie["questions"]],
        )
        for partie in contenu["parties"]
    ]
    return form


def _form_class(contenu: dict, with_candidate: bool) -> type[_PositionnementBase]:
    bases = (IdentiteForm, _PositionnementBase) if with_candidate else (_PositionnementBase,)
    attributes = {}
    for partie in contenu["parties"]:
        for question in partie["questions"]:
            attributes[question["code"]] = _question_field(partie, question)
    attributes["question_codes"] = tuple(attributes)
    return type("PositionnementForm", bases, attributes)


def initial_data(positionnement=None, apprenant=None) -> dict:
    """Field values showing a saved draft (its answers and mode) and the learner's availability and channel."""
    data = {}
    if positionnement is not None:
        data.update(positionnement.reponses or {})
        data["mode"] = positionnement.mode
    if apprenant is not None:
        data["disponibilites"] = disponibilites.from_mask(apprenant.disponibilites)
        data["canal_prefere"] = apprenant.canal_prefere
    return data
