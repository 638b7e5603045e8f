"""Closing a workshop after its last séance, and unlocking it for a correction."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ateliers import cloture as cloture_service
from ateliers.forms import (
    DeverrouillageForm,
)
from ateliers.routes.blueprints import WRITERS, ateliers_bp
from ateliers.routes.commun import (
    atelier_or_404,
    dans_ordre_vu,
    field_error,
    membres,
)
from ateliers.routes.planning import render_detail
from core.access import roles_required
from core.constants import MOTIFS_SORTIE
from core.errors import DomainError
from core.timeutil import structure_today, utcnow
from extensions import db


@ateliers_bp.route("/<int:atelier_id>/cloture", methods=["GET", "POST"])
@roles_required(*WRITERS)
def cloture(atelier_id: int):
    atelier = atelier_or_404(atelier_id)
    today = structure_today(current_user.structure)
    en_cours = [i for i in membres(atelier) if i.statut == "inscrit"]
    decisions = {i.id: ("termine", None) for i in en_cours}
    erreurs: dict[str, str] = {}
    if request.method == "POST":
        decisions = {
            i.id: (request.form.get(f"decision-{i.id}") or None, request.form.get(f"motif-{i.id}") or None)
            for i in en_cours
        }
        try:
            avis = cloture_service.cloturer_atelier(current_user, atelier, decisions, today, now=utcnow())
        except DomainError as error:
            db.session.rollback()
            if error.field:
                erreurs[error.field] = error.message
            flash(error.message, "error")
            atelier = atelier_or_404(atelier_id)
            en_cours = [i for i in membres(atelier) if i.statut == "inscrit"]
        else:
            db.session.commit()
            flash("Atelier clos : inscriptions, heures suivies et grille finale sont verrouillées.", "success")
            for categorie, texte in avis:
                flash(texte, categorie)
            return redirect(url_for("ateliers.detail", atelier_id=atelier_id))
    return render_template(
        "ateliers/cloture.html",
        atelier=atelier,
        en_cours=en_cours,
        decisions=decisions,
        erreurs=erreurs,
        empechements=cloture_service.empechements_cloture(atelier, today),
        sans_finale=dans_ordre_vu(cloture_service.sans_evaluation_finale(atelier)),
        choix=cloture_service.DECISIONS,
        motifs=MOTIFS_SORTIE,
    )


@ateliers_bp.post("/<int:atelier_id>/deverrouiller")
@roles_required(*WRITERS)
def deverrouiller(atelier_id: int):
    atelier = atelier_or_404(atelier_id)
    form = DeverrouillageForm()
    if form.validate_on_submit():
        try:
            cloture_service.deverrouiller(current_user, atelier, form.motif.data)
        except DomainError as error:
            db.session.rollback()
            field_error(form, error)
        else:
            db.session.commit()
            flash(
                "Atelier déverrouillé : corrigez puis reverrouillez-le. Le motif est noté sur la page de l'atelier.",
                "success",
            )
            return redirect(url_for("ateliers.detail", atelier_id=atelier_id))
    return render_detail(atelier_or_404(atelier_id), deverrouillage=form)


@ateliers_bp.post("/<int:atelier_id>/reverrouiller")
@roles_required(*WRITERS)
def reverrouiller(atelier_id: int):
    atelier = atelier_or_404(atelier_id)
    try:
        cloture_service.reverrouiller(current_user, atelier, structure_today(atelier.structure))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("Atelier reverrouillé ; les heures suivies ont été recalculées.", "success")
    return redirect(url_for("ateliers.detail", atelier_id=atelier_id))
