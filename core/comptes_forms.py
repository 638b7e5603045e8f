"""Forms of the account pages (core.comptes_routes). Shape only: the password policy and the codes are
checked by the services (core.comptes), whose messages the views put beside the field."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Regexp

from core.forms import REQUIRED, AppForm, stripped
from core.passwords import MAX_LENGTH, MIN_LENGTH

AIDE_MOT_DE_PASSE = (
    f"{MIN_LENGTH} à {MAX_LENGTH} caractères, difficile à deviner : par exemple quatre mots sans rapport séparés "
    "par des tirets."
)
DIFFERENTS = "Les deux mots de passe diffèrent."


class NouveauMotDePasseForm(AppForm):
    """A new password typed twice (the reset link's page)."""

    nouveau = PasswordField(
        "Nouveau mot de passe",
        validators=[InputRequired(REQUIRED), Length(max=MAX_LENGTH)],
        description=AIDE_MOT_DE_PASSE,
        render_kw={"autocomplete": "new-password"},
    )
    confirmation = PasswordField(
        "Confirmer le nouveau mot de passe",
        validators=[InputRequired(REQUIRED), EqualTo("nouveau", DIFFERENTS)],
        render_kw={"autocomplete": "new-password"},
    )


class ReinitialisationForm(NouveauMotDePasseForm):
    jeton = HiddenField()


class MotDePasseForm(NouveauMotDePasseForm):
    """The owner's password change: the current one first."""

    actuel = PasswordField(
        "Mot de passe actuel",
        validators=[InputRequired(REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )


class CodeForm(AppForm):
    """A TOTP code from the authenticator app (spaces allowed: apps show "123 456")."""

    code = StringField(
        "Code à 6 chiffres",
        validators=[
            InputRequired(REQUIRED),
            Regexp(r"^[0-9 ]{6,8}$", message="Le code compte 6 chiffres, par exemple 123456."),
        ],
        filters=[stripped],
        description="Le code affiché en ce moment par l'application d'authentification du téléphone.",
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class BoutonForm(AppForm):
    """A button that changes something: the CSRF token only."""


class SecuriteForm(AppForm):
    is_totp_admin_obligatoire = BooleanField("Second facteur obligatoire pour les admins")
