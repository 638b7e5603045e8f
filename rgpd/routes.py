"""A learner's data on request, from the learner's page: export (PDF for the person, JSON) and erasure; and the
structure's retention period (admin).

Export and erasure: admin and mediator only (the register's writers). Each export and each erasure is journaled
(ids and format, never the data). Views have four beats: parse, call, commit, respond.
"""

from __future__ import annotations

import json

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ateliers.routes.commun import download
from core import journal, versions
from core.access import get_in_structure_or_404, roles_required
from core.errors import DomainError
from core.forms import reprendre
from core.models import Apprenant
from core.timeutil import structure_zone, utcnow
from extensions import db
from rgpd import effacement, export, reglages
from rgpd.forms import ConservationForm, EffacementForm

rgpd_bp = Blueprint("rgpd", __name__)

GESTIONNAIRES = ("admin", "mediateur")


@rgpd_bp.get("/apprenants/<int:apprenant_id>/donnees.json")
@roles_required(*GESTIONNAIRES)
def export_json(apprenant_id: int):
    apprenant = get_in_structure_or_404(Apprenant, apprenant_id)
    donnees = export.donnees(apprenant, now=utcnow())
    journal.record(current_user, "export", "apprenant", apprenant.id, "données de la personne : json")
    db.session.commit()
    contenu = json.dumps(donnees, ensure_ascii=False, indent=2, sort_keys=False).encode()
    return download(contenu, "application/json", f"donnees-apprenant-{apprenant.id}.json")


@rgpd_bp.get("/apprenants/<int:apprenant_id>/donnees.pdf")
@roles_required(*GESTIONNAIRES)
def export_pdf(apprenant_id: int):
    from rgpd.export_pdf import export_pdf as rendre  # PDF stack loaded on first use

    apprenant = get_in_structure_or_404(Apprenant, apprenant_id)
    contenu = rendre(export.fiche(apprenant, now=utcnow()))
    journal.record(current_user, "export", "apprenant", apprenant.id, "données de la personne : pdf")
    db.session.commit()
    return download(contenu, "application/pdf", f"donnees-apprenant-{apprenant.id}.pdf")


@rgpd_bp.route("/apprenants/<int:apprenant_id>/effacer", methods=["GET", "POST"])
@roles_required(*GESTIONNAIRES)
def effacer(apprenant_id: int):
    apprenant = get_in_structure_or_404(Apprenant, apprenant_id)
    form = EffacementForm()
    if form.validate_on_submit():
        try:
            effacement.effacer(current_user, apprenant, now=utcnow())
        except effacement.EffacementRefuse as refus:
            db.session.rollback()
            return render_template("rgpd/effacer.html", apprenant=apprenant, form=form, refus=refus.message), 409
        db.session.commit()
        flash("Les données de la personne ont été effacées.", "success")
        return redirect(url_for("apprenants.detail", apprenant_id=apprenant.id))
    return render_template("rgpd/effacer.html", apprenant=apprenant, form=form, refus=effacement.motif_refus(apprenant))


@rgpd_bp.route("/admin/conservation", methods=["GET", "POST"])
@roles_required("admin")
def conservation():
    structure = current_user.structure
    form = ConservationForm(data=reglages.instantane_conservation(structure))
    conflit = changements = None
    if request.method == "GET":
        form.version.data = versions.jeton(reglages.instantane_conservation(structure))
    if form.validate_on_submit():
        mois = form.conservation_mois.data
        try:
            changed = reglages.regler_conservation(current_user, structure, mois, vu=versions.lire(form.version.data))
        except versions.ModifieEntreTemps as erreur:
            db.session.rollback()
            structure, conflit = current_user.structure, erreur
            form, changements = reprendre(
                conflit,
                {"conservation_mois": mois},
                dict,
                lambda valeurs: ConservationForm(formdata=None, data=valeurs),
                zone=structure_zone(structure),
            )
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field).errors.append(error.message)
        else:
            db.session.commit()
            flash("Durée de conservation enregistrée." if changed else "Aucune modification.", "success")
            return redirect(url_for("rgpd.conservation"))
    page = render_template("rgpd/conservation.html", form=form, conflit=conflit, changements=changements)
    return page, 409 if conflit else 200
