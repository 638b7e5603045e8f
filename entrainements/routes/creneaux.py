"""The structure's weekly practice slots: list, create, edit, stop and run again (issue 10, item 1)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ateliers.services import animateurs_of
from core import versions
from core.access import get_in_structure_or_404, roles_required
from core.errors import DomainError
from core.forms import reprendre
from core.francais import nombre
from core.timeutil import structure_zone, utcnow
from entrainements import queries, services
from entrainements.constants import JOURS_SEMAINE
from entrainements.forms import CreneauForm
from entrainements.models import Creneau
from entrainements.routes.blueprints import READERS, WRITERS, entrainements_bp
from extensions import db


def _choix_animateurs(form: CreneauForm, creneau: Creneau | None = None) -> CreneauForm:
    """Offer the structure's active mediators and volunteers (and the slot's animateur, even if no longer one)."""
    comptes = animateurs_of(current_user.structure_id)
    if creneau is not None and creneau.animateur is not None and creneau.animateur not in comptes:
        comptes.append(creneau.animateur)
    form.animateur.choices = [("", "Personne en particulier"), *((c.id, c.nom_complet) for c in comptes)]
    return form


def _champ_en_erreur(form, error: DomainError) -> None:
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        form.form_errors.append(error.message)


@entrainements_bp.get("/creneaux", endpoint="creneaux")
@roles_required(*READERS)
def creneaux():
    return render_template(
        "entrainements/creneaux.html",
        creneaux=queries.creneaux_de(current_user.structure_id),
        jours=JOURS_SEMAINE,
        peut_modifier=current_user.role in WRITERS,
    )


def _render_formulaire(form: CreneauForm, creneau: Creneau | None = None, conflit=None, changements=None):
    return render_template(
        "entrainements/creneau_form.html",
        form=form,
        creneau=creneau,
        conflit=conflit,
        changements=changements or [],
    )


@entrainements_bp.get("/creneaux/nouveau", endpoint="nouveau_creneau")
@roles_required(*WRITERS)
def nouveau_creneau():
    return _render_formulaire(_choix_animateurs(CreneauForm(formdata=None)))


@entrainements_bp.post("/creneaux/nouveau", endpoint="creer_creneau")
@roles_required(*WRITERS)
def creer_creneau():
    form = _choix_animateurs(CreneauForm())
    if not form.validate_on_submit():
        return _render_formulaire(form)
    try:
        creneau = services.creer_creneau(current_user, form.to_data())
    except DomainError as error:
        db.session.rollback()
        _champ_en_erreur(form, error)
        return _render_formulaire(form)
    db.session.commit()
    flash(f"Créneau du {JOURS_SEMAINE[creneau.jour_semaine]} enregistré.", "success")
    return redirect(url_for("entrainements.creneaux"))


# One rule per address holding an id (GET shows, POST saves): a huge id is then a plain 404 for both methods
# (with two rules, the converter's refusal would surface as 405 for the second method).
@entrainements_bp.route("/creneaux/<int:creneau_id>", methods=["GET", "POST"], endpoint="creneau")
@roles_required(*WRITERS)
def creneau(creneau_id: int):
    if request.method == "POST":
        return _modifier_creneau(creneau_id)
    creneau = get_in_structure_or_404(Creneau, creneau_id)
    instantane = services.instantane_creneau(creneau)
    form = CreneauForm(formdata=None, data=CreneauForm.initial_data(instantane))
    form.version.data = versions.jeton(instantane)
    return _render_formulaire(_choix_animateurs(form, creneau), creneau)


def _modifier_creneau(creneau_id: int):
    creneau = get_in_structure_or_404(Creneau, creneau_id)
    form = _choix_animateurs(CreneauForm(), creneau)
    if not form.validate_on_submit():
        return _render_formulaire(form, creneau)
    donnees = form.to_data()
    try:
        services.modifier_creneau(
            current_user, creneau, donnees, now=utcnow(), vu=versions.lire(request.form.get(versions.CHAMP))
        )
    except versions.ModifieEntreTemps as conflit:
        db.session.rollback()
        creneau = get_in_structure_or_404(Creneau, creneau_id)
        form, changements = reprendre(
            conflit,
            donnees.instantane(),
            CreneauForm.initial_data,
            lambda data: CreneauForm(formdata=None, data=data),
            zone=structure_zone(current_user.structure),
        )
        return _render_formulaire(_choix_animateurs(form, creneau), creneau, conflit, changements), 409
    except DomainError as error:
        db.session.rollback()
        _champ_en_erreur(form, error)
        return _render_formulaire(form, get_in_structure_or_404(Creneau, creneau_id))
    db.session.commit()
    flash("Créneau modifié.", "success")
    return redirect(url_for("entrainements.creneaux"))


@entrainements_bp.post("/creneaux/<int:creneau_id>/desactiver", endpoint="desactiver_creneau")
@roles_required(*WRITERS)
def desactiver_creneau(creneau_id: int):
    creneau = get_in_structure_or_404(Creneau, creneau_id)
    try:
        annulees = services.desactiver_creneau(current_user, creneau, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("entrainements.creneaux"))
    db.session.commit()
    suite = (
        f" {nombre(len(annulees), 'réservation annulée', 'réservations annulées')} : les personnes sont prévenues "
        "et seront réservées ailleurs."
        if annulees
        else ""
    )
    flash(f"Créneau désactivé.{suite}", "success")
    return redirect(url_for("entrainements.creneaux"))


@entrainements_bp.post("/creneaux/<int:creneau_id>/reactiver", endpoint="reactiver_creneau")
@roles_required(*WRITERS)
def reactiver_creneau(creneau_id: int):
    creneau = get_in_structure_or_404(Creneau, creneau_id)
    try:
        services.reactiver_creneau(current_user, creneau, now=utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("entrainements.creneaux"))
    db.session.commit()
    flash("Créneau réactivé.", "success")
    return redirect(url_for("entrainements.creneaux"))
