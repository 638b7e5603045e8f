"""Forms of the ateliers package. They check shape only; rules on records live in services."""

from __future__ import annotations

from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ateliers import dropout
from ateliers.attente import FiltresAttente
from ateliers.constants import RESULTATS_SUIVI, SUITES_SUIVI
from ateliers.planning import LIBELLE_A_POSTERIORI
from core import disponibilites
from core.bounds import id_value
from core.constants import MOTIFS_SORTIE, STATUTS_ATTENTE
from core.forms import REQUIRED, AppForm, DateFrField, EntierField, MultiCheckboxField, VersionField, choices
from evaluations.constants import NIVEAUX

DEMI_JOURNEE_CHOICES = [(str(i), label) for i, (_code, label) in enumerate(disponibilites.DEMI_JOURNEES)]
WHOLE_NUMBER = "Saisissez un nombre entier."


class AtelierPrevuForm(AppForm):
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
        description="Différence de score la plus grande acceptée dans le groupe : la proposition de groupes et "
        "les remplacements après un abandon la respectent.",
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


class FiltresAttenteForm(AppForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    statut = SelectField(
        "Statut",
        choices=choices([("", "Tous"), *STATUTS_ATTENTE.items()]),
        default="en_attente",
        validators=[Optional()],
        invalid_choice_message="Choisissez un statut de la liste.",
    )
    niveau = SelectField(
        "Niveau",
        choices=choices([("", "Tous"), *((str(k), v) for k, v in NIVEAUX.items())]),
        validators=[Optional()],
        invalid_choice_message="Choisissez un niveau de la liste.",
    )
    demi_journee = SelectField(
        "Disponible le",
        choices=choices([("", "Toutes"), *DEMI_JOURNEE_CHOICES]),
        validators=[Optional()],
        invalid_choice_message="Choisissez une demi-journée de la liste.",
    )
    sans_disponibilite = BooleanField("Disponibilités à compléter seulement")

    def to_filtres(self) -> FiltresAttente:
        """The filters chosen; call only after :meth:`validate` succeeded (the choices are then known ones)."""
        return FiltresAttente(
            statut=self.statut.data or None,
            niveau=int(self.niveau.data) if self.niveau.data else None,
            demi_journee=int(self.demi_journee.data) if self.demi_journee.data else None,
            sans_disponibilite=bool(self.sans_disponibilite.data),
        )


# The statuses a mediator may give from the waiting list; the list page writes them without building the form.
CHOIX_STATUT_ATTENTE = choices([(k, v) for k, v in STATUTS_ATTENTE.items() if k in {"en_attente", "retire", "oriente"}])


class StatutAttenteForm(AppForm):
    statut = SelectField("Nouveau statut", choices=CHOIX_STATUT_ATTENTE, validators=[InputRequired(REQUIRED)])
    version = VersionField()


class ConfirmationForm(AppForm):
    """The CSRF token of the proposal page. The assignments (``atelier-<learner id>``), the group to confirm
    (``action=confirmer-<workshop id>``) and its accepted warnings (``accepter-<workshop id>``) are read from
    the request: their names depend on the people and workshops shown."""


def _champ_animateurs() -> SelectMultipleField:
    """The structure's animateurs to tick (choices set by the view; ids checked against them by the service)."""
    return SelectMultipleField(
        "Animateurs",
        coerce=id_value,
        choices=[],
        validate_choice=False,
        invalid_value_message="Choisissez les animateurs dans la liste.",
    )


class PlanificationForm(AppForm):
    """Start date, place and animateurs of a workshop to plan (the choices are the structure's animateurs), and
    the "saisie a posteriori" confirmation that a past start needs."""

    debut = DateFrField("Date de début", validators=[InputRequired("Indiquez la date de la première séance.")])
    lieu = StringField("Lieu", validators=[Optional(), Length(max=160)])
    animateurs = _champ_animateurs()

    a_posteriori = BooleanField(
        LIBELLE_A_POSTERIORI,
        description="Pour un atelier commencé sur papier : les séances passées (trois mois au plus) sont "
        "datées, puis leurs présences et leurs compétences se saisissent comme les autres.",
    )

    def to_data(self) -> dict:
        return {
            "debut": self.debut.data,
            "lieu": (self.lieu.data or "").strip(),
            "animateur_ids": self.animateurs.data or [],
            "a_posteriori": bool(self.a_posteriori.data),
        }


class DeplacementForm(AppForm):
    """A séance's new day, whether the later séances follow it, and the "saisie a posteriori" confirmation
    that a past day needs."""

    jour = DateFrField("Nouvelle date", validators=[InputRequired("Indiquez la nouvelle date.")])
    decaler = BooleanField("Décaler les séances suivantes")
    a_posteriori = BooleanField(LIBELLE_A_POSTERIORI)


class AnimateursSeanceForm(AppForm):
    """Who co-runs one séance (ids of the structure's animateurs), and whether the later séances follow."""

    animateurs = _champ_animateurs()
    suivantes = BooleanField("Appliquer aussi aux séances suivantes")


class FermetureForm(AppForm):
    """A closure of the structure: one day (no end date) or a period."""

    debut_on = DateFrField("Fermée du (ou le)", validators=[InputRequired("Indiquez le premier jour de fermeture.")])
    fin_on = DateFrField("Au (facultatif)", validators=[Optional()], description="Laissez vide pour un seul jour.")
    motif = StringField("Motif", validators=[Optional(), Length(max=120)], description="Par exemple : congés d'été.")


class DeverrouillageForm(AppForm):
    """Unlocking a closed workshop for a correction: the reason goes to the journal."""

    motif = StringField(
        "Motif de la correction",
        validators=[InputRequired("Indiquez ce qu'il faut corriger."), Length(max=200)],
        description="Par exemple : présence de la séance 4 mal notée pour une personne.",
    )


class SuiviForm(AppForm):
    """The follow-up call to a person: date, outcome, reason code (no free text), next step and, with the next
    step "rappeler", the day of the next call."""

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
    rappel_on = DateFrField(
        "Rappel prévu le",
        validators=[Optional()],
        description="Avec la suite « Rappeler à une date » : la personne revient dans la liste ce jour-là.",
    )


SEANCE_CHOICES = [(numero, f"Séance {numero}") for numero in range(1, 7)]
SEUIL_SEANCES = NumberRange(1, 6, "Indiquez un nombre de séances de 1 à 6.")


class SeuilsForm(AppForm):
    """The dropout-alert thresholds of the structure; the rate is typed in percent (80 for 0.8).

    ``titres_modules`` (module number -> title) names the modules in the "module où vérifier" choices.
    """

    toute_absence_non_excusee = BooleanField(
        "Toute absence non excusée met la personne à rappeler",
        description="Chaque absence sans excuse donne une alerte « à rappeler » pour la séance manquée. "
        "Valeur de référence : oui.",
    )
    seances_critiques = MultiCheckboxField(
        "Séances critiques du début d'atelier",
        coerce=int,
        choices=choices(SEANCE_CHOICES),
        invalid_value_message="Cochez des séances de 1 à 6.",
        invalid_choice_message="Cochez des séances de 1 à 6.",
        description="Une absence, même excusée, à l'une de ces séances signale un risque de décrochage. "
        "Aucune case cochée : règle désactivée. Valeur de référence : séances 1 et 2.",
    )
    absences_consecutives = EntierField(
        "Absences consécutives avant « abandon probable »",
        validators=[InputRequired(WHOLE_NUMBER), SEUIL_SEANCES],
        description="À partir de ce nombre d'absences de suite, excusées ou non, la personne est signalée en "
        "abandon probable. Valeur de référence : 2.",
    )
    taux_minimum = EntierField(
        "Taux minimum d'assiduité (%)",
        validators=[InputRequired(WHOLE_NUMBER), NumberRange(0, 100, "Indiquez un pourcentage de 0 à 100.")],
        description="Sous ce pourcentage de séances suivies (présent ou en retard), la personne est signalée "
        "en risque ; 0 désactive la règle. Valeur de référence : 80 %.",
    )
    taux_apres_seance = EntierField(
        "Contrôler l'assiduité après combien de séances",
        validators=[InputRequired(WHOLE_NUMBER), SEUIL_SEANCES],
        description="Le taux d'assiduité n'est calculé qu'après ce nombre de séances tenues depuis "
        "l'inscription. Valeur de référence : 3.",
    )
    niveau_fragile = SelectField(
        "Niveau fragile",
        coerce=int,
        choices=choices(NIVEAUX.items()),
        invalid_value_message="Choisissez un niveau de la liste.",
        invalid_choice_message="Choisissez un niveau de la liste.",
        description="Une personne placée à ce niveau ou en dessous, sans aucune compétence acquise au module "
        "ci-dessous, est signalée en risque de découragement. Valeur de référence : débutant complet.",
    )
    module_sans_acquis = SelectField(
        "Module où vérifier les compétences acquises",
        coerce=int,
        choices=[],
        invalid_value_message="Choisissez un module de 1 à 6.",
        invalid_choice_message="Choisissez un module de 1 à 6.",
        description="Une fois la séance de ce module tenue, la règle du niveau fragile regarde les compétences "
        "acquises des modules 1 jusqu'à lui. Valeur de référence : module 2.",
    )

    version = VersionField()

    def __init__(self, *args, titres_modules: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        titres = titres_modules or {}
        self.module_sans_acquis.choices = choices(
            (numero, f"Module {numero} : {titres[numero]}" if titres.get(numero) else f"Module {numero}")
            for numero in range(1, 7)
        )

    @staticmethod
    def initial_data(seuils: dropout.Seuils) -> dict:
        """Field values showing ``seuils`` (the rate as a whole percent)."""
        return {**seuils.to_dict(), "taux_minimum": round(seuils.taux_minimum * 100)}

    def to_seuils(self) -> dropout.Seuils:
        """The submitted thresholds.

        :raise ValueError: with a French message when :class:`dropout.Seuils` refuses a value.
        """
        return dropout.Seuils(
            toute_absence_non_excusee=bool(self.toute_absence_non_excusee.data),
            seances_critiques=tuple(self.seances_critiques.data or ()),
            absences_consecutives=self.absences_consecutives.data,
            taux_minimum=self.taux_minimum.data / 100,
            taux_apres_seance=self.taux_apres_seance.data,
            niveau_fragile=self.niveau_fragile.data,
            module_sans_acquis=self.module_sans_acquis.data,
        )


class HeureFrField(TimeField):
    """A time of day (``HH:MM``, as browsers send it), with a French message when it is not one."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Saisissez une heure valide, par exemple 14:00.") from None


class RattrapageForm(AppForm):
    """A catch-up to plan: the missed module (choices set by the view), day and time on the structure's clock,
    and the "saisie a posteriori" confirmation that a past day needs."""

    module = SelectField(
        "Module à rattraper",
        choices=[],
        validators=[InputRequired("Choisissez le module à rattraper.")],
        invalid_choice_message="Choisissez un module manqué dans la liste.",
    )
    jour = DateFrField("Date du rattrapage", validators=[InputRequired("Indiquez la date du rattrapage.")])
    heure = HeureFrField(
        "Heure", validators=[InputRequired("Indiquez l'heure du rattrapage.")], description="Par exemple 14:00."
    )
    a_posteriori = BooleanField("Saisie a posteriori : ce rattrapage a déjà eu lieu sur papier")


class RattrapageFaitForm(AppForm):
    """The day a planned catch-up was done; one per planned catch-up on the page (prefixed by its id)."""

    fait_on = DateFrField("Fait le", validators=[InputRequired("Indiquez le jour où le rattrapage a été fait.")])
