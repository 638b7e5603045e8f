"""Forms of the core package. They check shape only; rules on records live in services."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from email_validator import EmailNotValidError, validate_email
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SearchField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    widgets,
)
from wtforms.meta import DefaultMeta
from wtforms.validators import (
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from core import disponibilites, versions
from core.bounds import MAX_ID
from core.constants import CANAUX, FORMATS_EXPORT, ROLES, TRANCHES_AGE
from core.disponibilites import AUCUNE_DEMI_JOURNEE
from core.ouverture import FUSEAUX, METROPOLE, SUBDIVISIONS, feries_declarables
from core.passwords import MAX_LENGTH, MIN_LENGTH, password_refusal
from core.text import display_phone, has_control_characters, normalize_phone
from core.timeutil import parse_date_fr, structure_today

REQUIRED = "Ce champ est obligatoire."
CONTROL_CHARACTERS = (
    "Ce texte contient un caractère invisible non autorisé (caractère de contrôle, souvent venu d'un "
    "copier-coller) : retapez-le au clavier."
)
EMAIL_INVALID = "Adresse électronique invalide : vérifiez l'arobase @ et le point, par exemple prenom.nom@exemple.fr."


def no_control_characters(_form, field) -> None:
    """Refuse a text holding a control character (NUL, escape...); multi-line boxes keep tab and new lines.

    PostgreSQL refuses NUL in text, and no control character belongs in a name, an address or a reason.
    Run first on every text field of every form (see :class:`AppForm`): nothing else sees such a value.

    :raise StopValidation: with a French message, shown beside the field.
    """
    data = field.data
    if isinstance(data, str) and has_control_characters(data, multiline=isinstance(field, TextAreaField)):
        raise StopValidation(CONTROL_CHARACTERS)


class AppForm(FlaskForm):
    """Base of every form of the app: WTForms' own messages ("Not a valid choice.", "Field cannot be longer
    than 80 characters."...) come in French, from the catalogue WTForms ships; every text field
    (``StringField`` and its kinds: search, phone, email, password, hidden, multi-line) gets
    :func:`no_control_characters` as its first validator."""

    class Meta:
        locales = ("fr_FR", "fr")

        def get_translations(self, form):
            # Flask-WTF's translations need Flask-Babel, which the app does without: WTForms' catalogue, cached.
            return DefaultMeta.get_translations(self, form)

        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, StringField):
                field.validators = [no_control_characters, *field.validators]
            return field


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def stripped(value):
    return value.strip() if isinstance(value, str) else value


def staff_email(_form, field) -> None:
    """Validate a staff sign-in address; intranet domains such as ``ccas.local`` are accepted.

    email_validator refuses special-use domains like ``.local`` outright, yet municipal intranets (and the
    demo accounts) use them for staff addresses. Learners' addresses stay strictly validated.
    """
    local, _, domain = field.data.rpartition("@")
    probe = f"{local}@{domain.removesuffix('.local')}.fr" if domain.endswith(".local") else field.data
    try:
        validate_email(probe, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationError(EMAIL_INVALID) from None


class EntierField(IntegerField):
    """A whole number, with a French message when what was typed is not one."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Saisissez un nombre entier.") from None


DATE_INVALID = "Saisissez une date au format jj/mm/aaaa, par exemple 30/03/2026."


class DateFrField(DateField):
    """A typed date: ``jj/mm/aaaa`` (or ``j/m/aaaa``), as people write it where the browser shows a plain text
    box, or ISO ``aaaa-mm-jj``, as browsers with a date picker send it (the input stays ``type="date"``).

    Anything else, or a day that does not exist, gives a French message asking for jj/mm/aaaa, and the text
    typed is shown again as it was. An empty box gives no date and no message: ``InputRequired`` or
    ``Optional`` decide. Whether a date is within a sensible range is the service's rule.
    """

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        texte = " ".join(valuelist).strip()
        self.data = None
        if not texte:
            return
        try:
            self.data = parse_date_fr(texte)
        except ValueError:
            raise ValueError(DATE_INVALID) from None


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class VersionField(HiddenField):
    """The hidden ``version`` field of a form editing rows others may edit (``core.versions``)."""


def montrer(field, valeur: Any) -> str:
    """A value of ``field`` (in its data form) as the page words it: a choice's label (each one, for a list),
    oui / non for a box, else the text."""
    if field.type == "BooleanField":
        return "oui" if valeur else "non"
    options = getattr(field, "choices", None) or ()
    paires = ((c.value, c.label) if isinstance(c, SelectChoice) else c[:2] for c in options)
    libelles = {str(value): str(label) for value, label in paires}
    if isinstance(valeur, list | tuple):
        return ", ".join(libelles.get(str(v), str(v)) for v in valeur) or "aucun choix"
    texte = "" if valeur is None else str(valeur)
    return libelles.get(texte, texte)  # an empty value may be a choice too ("" for the métropole)


def reprendre(
    conflit: versions.ModifieEntreTemps,
    saisi: Mapping[str, Any],
    donnees: Callable[[Mapping[str, Any]], dict],
    formulaire: Callable[[dict], FlaskForm],
    zone: ZoneInfo | None = None,
) -> tuple[FlaskForm, list[str]]:
    """The form to show again after a stale save was refused, and the changes in French for the page's summary.

    The form holds what the person changed from what they saw (``saisi``, in the snapshot's names and form) and
    the stored value elsewhere (``versions.fusionner``); each change also sits beside its field, and the
    ``version`` field carries the snapshot of now, so one click saves again.

    :param donnees: a snapshot -> the form's data (e.g. ``lambda v: Form.initial_data(SimpleNamespace(**v))``).
    :param formulaire: form data -> a new form showing it (``formdata=None``).
    :param zone: the structure's clock, for the time of each change (Paris by default).
    """
    form = formulaire(donnees(versions.fusionner(saisi, conflit.vu, conflit.actuel)))
    avant, apres = donnees({**conflit.actuel, **conflit.vu}), donnees(conflit.actuel)
    lignes = []
    for changement in conflit.changements:
        field = form._fields.get(changement.cle)
        if field is None:
            continue
        ancien, nouveau = montrer(field, avant.get(changement.cle)), montrer(field, apres.get(changement.cle))
        lignes.append(versions.decrire(changement, field.label.text, ancien, nouveau, zone=zone))
        note = versions.decrire(changement, "Enregistré entre-temps", ancien, nouveau, zone=zone)
        field.errors = [*field.errors, note]
    form.version.data = versions.jeton(conflit.actuel)
    return form, lignes


class LoginForm(AppForm):
    email = EmailField("Adresse électronique", validators=[InputRequired(REQUIRED)], filters=[stripped])
    password = PasswordField("Mot de passe", validators=[InputRequired(REQUIRED)])


# The confirmation asked when a person on the waiting list would have no half-day (core.services.SansDisponibilite).
SANS_DISPONIBILITE = "Enregistrer sans disponibilités : je les compléterai plus tard"


class IdentiteForm(AppForm):
    """Who the person is: the fields any screen registering a learner starts with (phone checked, normalised)."""

    prenom = StringField(
        "Prénom",
        validators=[InputRequired(REQUIRED), Length(max=80, message="80 caractères au plus.")],
        filters=[stripped],
    )
    nom = StringField(
        "Nom",
        validators=[InputRequired(REQUIRED), Length(max=80, message="80 caractères au plus.")],
        filters=[stripped],
    )
    telephone = TelField(
        "Téléphone", validators=[Optional()], filters=[stripped], description="Par exemple 06 12 34 56 78."
    )
    confirmer_doublon = BooleanField("Il s'agit bien d'une autre personne : enregistrer quand même")

    def validate_telephone(self, field):
        if field.data:
            try:
                field.normalized = normalize_phone(field.data)
            except ValueError as error:
                raise ValidationError(str(error)) from None

    def identite(self) -> dict:
        """The person's identity as model fields (phone in E.164 form)."""
        return {
            "prenom": self.prenom.data,
            "nom": self.nom.data,
            "telephone": getattr(self.telephone, "normalized", None),
        }


class ApprenantForm(IdentiteForm):
    version = VersionField()
    email = EmailField(
        "Adresse électronique (facultatif)",
        validators=[Optional(), Email(EMAIL_INVALID, check_deliverability=False), Length(max=254)],
        filters=[stripped],
    )
    adresse = StringField(
        "Adresse postale (pour les courriers)", validators=[Optional(), Length(max=255)], filters=[stripped]
    )
    code_postal = StringField(
        "Code postal",
        validators=[Optional(), Regexp(r"^[0-9]{5}$", message="Le code postal compte 5 chiffres, par exemple 47300.")],
        filters=[stripped],
    )
    commune = StringField("Commune", validators=[Optional(), Length(max=120)], filters=[stripped])
    tranche_age = SelectField(
        "Tranche d'âge", choices=choices([("", "Non renseignée"), *TRANCHES_AGE.items()]), validators=[Optional()]
    )
    disponibilites = MultiCheckboxField("Disponibilités", choices=choices(disponibilites.DEMI_JOURNEES))
    sans_disponibilite = BooleanField(SANS_DISPONIBILITE, description=AUCUNE_DEMI_JOURNEE)
    canal_prefere = RadioField(
        "Moyen de contact préféré",
        choices=choices(CANAUX.items()),
        default="telephone",
        validators=[InputRequired(REQUIRED)],
    )

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then what the preferred channel needs (run even when the field is empty)."""
        valid = super().validate(extra_validators)
        channel = self.canal_prefere.data
        needs = {
            "telephone": (self.telephone, "Un numéro est nécessaire pour un contact par téléphone ou SMS."),
            "sms": (self.telephone, "Un numéro est nécessaire pour un contact par téléphone ou SMS."),
            "email": (self.email, "Une adresse électronique est nécessaire pour un contact par courriel."),
            "courrier": (self.adresse, "Une adresse postale est nécessaire pour un contact par courrier."),
        }
        if channel in needs:
            field, message = needs[channel]
            if not field.data:
                field.errors = [*field.errors, message]
                valid = False
        return valid

    @staticmethod
    def initial_data(apprenant) -> dict:
        """Field values showing an existing learner (phone as written in France, half-days as codes)."""
        return {
            "prenom": apprenant.prenom,
            "nom": apprenant.nom,
            "telephone": display_phone(apprenant.telephone),
            "email": apprenant.email,
            "adresse": apprenant.adresse,
            "code_postal": apprenant.code_postal,
            "commune": apprenant.commune,
            "tranche_age": apprenant.tranche_age or "",
            "disponibilites": disponibilites.from_mask(apprenant.disponibilites),
            "canal_prefere": apprenant.canal_prefere,
        }

    def to_data(self) -> dict:
        """The submitted learner as a plain mapping of model fields."""
        return {
            **self.identite(),
            "email": (self.email.data or "").lower() or None,
            "adresse": self.adresse.data or None,
            "code_postal": self.code_postal.data or None,
            "commune": self.commune.data or None,
            "tranche_age": self.tranche_age.data or None,
            "disponibilites": disponibilites.to_mask(self.disponibilites.data or []),
            "canal_prefere": self.canal_prefere.data,
        }


class ApprenantSearchForm(AppForm):
    """The register's search, POSTed: names and phone numbers stay out of URLs and logs."""

    q = SearchField("Rechercher par nom ou téléphone", validators=[Optional(), Length(max=80)], filters=[stripped])


class ExportApprenantsForm(AppForm):
    """Downloading the register's list as a file, with the page's search carried in a hidden field (POSTed, like
    the search: names and numbers typed never go into a URL). Built with :attr:`PREFIX`: its fields sit on the
    page beside the search's own ``q``."""

    PREFIX = "export"

    q = HiddenField(validators=[Optional(), Length(max=80)], filters=[stripped])
    format = SelectField(
        "Format du fichier",
        choices=choices(FORMATS_EXPORT.items()),
        default="csv",
        invalid_choice_message="Choisissez un format de la liste : CSV, XLSX ou ODS.",
    )


class CompteForm(AppForm):
    prenom = StringField("Prénom", validators=[InputRequired(REQUIRED), Length(max=80)], filters=[stripped])
    nom = StringField("Nom", validators=[InputRequired(REQUIRED), Length(max=80)], filters=[stripped])
    email = EmailField(
        "Adresse électronique (identifiant)",
        validators=[InputRequired(REQUIRED), Length(max=254), staff_email],
        filters=[stripped],
    )
    role = SelectField("Rôle", choices=choices(ROLES.items()), validators=[InputRequired(REQUIRED)])
    is_active = BooleanField("Compte actif", default=True)
    password = PasswordField(
        "Mot de passe",
        validators=[Optional(strip_whitespace=False)],
        description=f"{MIN_LENGTH} à {MAX_LENGTH} caractères, difficile à deviner : par exemple quatre mots sans "
        "rapport séparés par des tirets. Laissez vide pour ne pas le changer.",
    )
    password_confirm = PasswordField(
        "Confirmer le mot de passe", validators=[EqualTo("password", "Les deux mots de passe diffèrent.")]
    )
    version = VersionField()

    def __init__(self, *args, is_new: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_new = is_new
        if is_new:
            self.password.description = self.password.description.removesuffix(" Laissez vide pour ne pas le changer.")

    def validate_password(self, field):
        """The password policy (core.passwords), the account's names and address counted as guessable."""
        refusal = password_refusal(field.data, (self.prenom.data, self.nom.data, self.email.data))
        if refusal:
            raise ValidationError(refusal)

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then a password required for a new account (run even when the field is empty)."""
        valid = super().validate(extra_validators)
        if self.is_new and not self.password.data:
            self.password.errors = [*self.password.errors, "Choisissez un mot de passe pour le nouveau compte."]
            valid = False
        return valid

    def to_data(self) -> dict:
        return {
            "prenom": self.prenom.data,
            "nom": self.nom.data,
            "email": self.email.data.lower(),
            "role": self.role.data,
            "is_active": self.is_active.data,
            "password": self.password.data or None,
        }


class CalendrierStructureForm(AppForm):
    """Where the structure's public holidays are those of, its time zone, the holidays it works.

    The worked holidays offered are those of the subdivision shown (``subdivision`` of the posted form when it
    is one, else ``actuelle``), from the ``annee`` given (the structure's current year); a code posted for
    another subdivision is dropped.
    """

    subdivision_feries = SelectField(
        "Jours fériés applicables",
        choices=choices([("", METROPOLE), *((code, nom) for code, (nom, _zones) in SUBDIVISIONS.items())]),
        invalid_choice_message="Choisissez un territoire dans la liste.",
        description="L'Alsace, la Moselle et les outre-mer ont des jours fériés en plus de ceux de la métropole.",
    )
    fuseau_horaire = SelectField(
        "Fuseau horaire",
        choices=choices(FUSEAUX.items()),
        validators=[InputRequired(REQUIRED)],
        invalid_choice_message="Choisissez un fuseau horaire dans la liste.",
        description="Les dates et heures des séances, rattrapages et convocations sont celles de ce fuseau.",
    )
    feries_travailles = MultiCheckboxField(
        "Jours fériés travaillés",
        choices=[],
        validate_choice=False,
        description="Cochez les jours fériés où la structure est ouverte (par exemple le lundi de Pentecôte, "
        "journée de solidarité) : on pourra y prévoir séances et rattrapages. Le 1er mai est chômé pour tous.",
    )

    version = VersionField()

    def __init__(self, *args, actuelle: str | None = None, annee: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        annee = annee or structure_today(None).year
        postee = self.subdivision_feries.data
        subdivision = postee if postee in SUBDIVISIONS or postee == "" else actuelle
        self.feries_travailles.choices = choices(feries_declarables(subdivision or None, annee))

    @staticmethod
    def initial_data(structure) -> dict:
        """Field values showing ``structure``'s settings."""
        return {
            "subdivision_feries": structure.subdivision_feries or "",
            "fuseau_horaire": structure.fuseau_horaire,
            "feries_travailles": list(structure.feries_travailles or ()),
        }

    def to_data(self) -> dict:
        """The submitted settings as model fields; worked holidays limited to those offered, in their order."""
        coches = set(self.feries_travailles.data or ())
        return {
            "subdivision_feries": self.subdivision_feries.data or None,
            "fuseau_horaire": self.fuseau_horaire.data,
            "feries_travailles": [choice.value for choice in self.feries_travailles.choices if choice.value in coches],
        }


class ReseauForm(AppForm):
    """The name of the network the admin's structure will head (``core.reseaux.creer_reseau``)."""

    nom = StringField(
        "Nom du réseau",
        validators=[InputRequired(REQUIRED), Length(max=160)],
        filters=[stripped],
        description="Par exemple « Croix-Rouge du Lot-et-Garonne » : votre structure en sera la tête.",
    )


class AjoutStructureForm(AppForm):
    """The structure to add to the admin's network, among those that belong to none (given by the view)."""

    structure_id = SelectField(
        "Structure à ajouter",
        coerce=int,
        validators=[InputRequired("Choisissez une structure dans la liste.")],
        invalid_choice_message="Choisissez une structure dans la liste.",
        description="Seules les structures qui ne font partie d'aucun réseau sont proposées.",
    )

    def __init__(self, *args, structures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.structure_id.choices = [(s.id, f"{s.nom} ({s.commune})" if s.commune else s.nom) for s in structures]


class RetraitStructureForm(AppForm):
    """The member structure to take out of the admin's network (one button per row)."""

    structure_id = EntierField(
        "Structure",
        validators=[
            InputRequired("Choisissez une structure du réseau."),
            NumberRange(1, MAX_ID, "Choisissez une structure du réseau."),
        ],
    )


class DpoForm(AppForm):
    """The structure's data protection officer, printed on the learners' information notice and the register."""

    dpo_nom = StringField(
        "Délégué à la protection des données (DPO)",
        filters=[stripped],
        validators=[Length(max=160, message="160 caractères au plus.")],
        description="Une personne ou un service, par exemple « Service mutualisé RGPD de l'agglomération ».",
    )
    dpo_contact = StringField(
        "Comment le joindre",
        filters=[stripped],
        validators=[Length(max=255, message="255 caractères au plus.")],
        description="Adresse électronique, adresse postale ou téléphone, tel qu'il sera imprimé.",
    )

    version = VersionField()

    @staticmethod
    def initial_data(structure) -> dict:
        """Field values showing ``structure``'s DPO."""
        return {"dpo_nom": structure.dpo_nom or "", "dpo_contact": structure.dpo_contact or ""}

    def to_data(self) -> dict:
        return {"dpo_nom": self.dpo_nom.data or "", "dpo_contact": self.dpo_contact.data or ""}
