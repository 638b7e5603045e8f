"""Forms of the attestations: the structure's attestation settings (admin)."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import BooleanField, StringField
from wtforms.validators import InputRequired, Length, Regexp, ValidationError

from attestations.images import ImageRefusee, verifier_image
from attestations.services import Parametres
from core.forms import AppForm, stripped


def _upper(value):
    return value.strip().upper() if isinstance(value, str) else value


class ParametresForm(AppForm):
    """The code in the attestations' numbers, the signatory, the logo and the signature image."""

    code_structure = StringField(
        "Code de la structure dans les numéros",
        filters=[_upper],
        validators=[
            InputRequired("Indiquez le code de la structure."),
            Regexp(
                r"^[A-Z0-9][A-Z0-9-]{0,10}[A-Z0-9]$",
                message="De 2 à 12 lettres, chiffres ou tirets (pas de tiret au début ni à la fin), "
                "par exemple CCAS-DEMO.",
            ),
        ],
        description="Les numéros des attestations commencent par ce code : CCAS-DEMO-2026-00012.",
    )
    signataire_nom = StringField(
        "Nom de la personne qui signe",
        filters=[stripped],
        validators=[Length(max=120)],
        description="Vide : la médiatrice qui émet l'attestation la signe.",
    )
    signataire_fonction = StringField(
        "Fonction de la personne qui signe", filters=[stripped], validators=[Length(max=120)]
    )
    logo = FileField("Logo de la structure (PNG ou JPEG, 300 Ko au plus)")
    retirer_logo = BooleanField("Retirer le logo")
    signature = FileField("Signature (image PNG ou JPEG, 300 Ko au plus)")
    retirer_signature = BooleanField("Retirer l'image de la signature")

    def validate_logo(self, field) -> None:
        _image_valide(field)

    def validate_signature(self, field) -> None:
        _image_valide(field)

    def to_data(self) -> Parametres:
        return Parametres(
            code_structure=self.code_structure.data,
            signataire_nom=self.signataire_nom.data or "",
            signataire_fonction=self.signataire_fonction.data or "",
            logo=_contenu(self.logo),
            signature=_contenu(self.signature),
            retirer_logo=self.retirer_logo.data,
            retirer_signature=self.retirer_signature.data,
        )


def _contenu(field) -> bytes | None:
    """The uploaded file's bytes, None when nothing was chosen."""
    fichier = field.data
    if not fichier or not getattr(fichier, "filename", ""):
        return None
    fichier.stream.seek(0)
    return fichier.read()


def _image_valide(field) -> None:
    contenu = _contenu(field)
    if contenu is not None:
        try:
            verifier_image(contenu)
        except ImageRefusee as error:
            raise ValidationError(str(error)) from error
