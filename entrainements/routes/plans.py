"""A learner's practice plan (decline, pause, resume), the skills' practice resources and the structure's
practice rules."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from core import journal, versions
from core.access import roles_required
from core.timeutil import structure_today, utcnow
from entrainements import suivi_plan, vue_plan
from entrainements.forms_seances import ReglesForm, RessourceForm, StatutPlanForm
from entrainements.plan import ReglesEntrainement
from entrainements.routes.blueprints import READERS, WRITERS, entrainements_bp
from evaluations.curriculum import current_curriculum_version
from evaluations.models import Competence, Module
from extensions import db


def _plan_or_404(plan_id: int):
    plan = vue_plan.plan_de_structure_or_none(plan_id, current_user.structure_id)
    if plan is None:
        abort(404)
    return plan


def _render_plan(plan, form):
    vus = {p.id: p for p in vue_plan.plans_de(plan.apprenant_id)}
    return render_template("entrainements/plan.html", plan=plan, vu=vus[plan.id], form=form)


@entrainements_bp.get("/plans/<int:plan_id>")
@roles_required(*READERS)
def plan(plan_id: int):
    plan = _plan_or_404(plan_id)
    form = StatutPlanForm(plan.statut, formdata=None)
    form.version.data = versions.jeton(suivi_plan.instantane_plan(plan))
    journal.consultation(current_user, "plan_entrainement", plan.id, "plan")
    db.session.commit()
    return _render_plan(plan, form)


@entrainements_bp.post("/plans/<int:plan_id>/statut")
@roles_required(*WRITERS)
def changer_statut(plan_id: int):
    """Decline, pause or resume the plan; refused or stale, the plan's page again with the reason beside the
    choice."""
    plan = _plan_or_404(plan_id)
    form = StatutPlanForm(plan.statut)
    if not form.validate_on_submit():
        return _render_plan(plan, form)
    vu = versions.lire(form.version.data)
    try:
        annulees = suivi_plan.changer_statut(
            current_user,
            plan,
            form.statut.data,
            today=structure_today(current_user.structure),
            now=utcnow(),
            vu=vu,
        )
        db.session.commit()
    except versions.ModifieEntreTemps as conflit:
        db.session.rollback()
        plan = _plan_or_404(plan_id)
        form = StatutPlanForm(plan.statut, formdata=None)
        form.version.data = versions.jeton(conflit.actuel)
        form.statut.errors = [conflit.message]
        return _render_plan(plan, form), 409
    except suivi_plan.ChangementRefuse as error:
        db.session.rollback()
        plan = _plan_or_404(plan_id)
        form.statut.errors = [error.message]
        return _render_plan(plan, form)
    message = {
        "decline": "Refus enregistré : plus aucune réservation ni aucun message pour ces entraînements.",
        "suspendu": "Entraînements en pause : ni réservation ni message tant qu'ils ne reprennent pas.",
        "actif": "Entraînements repris : les prochains seront réservés automatiquement.",
    }[form.statut.data]
    if annulees:
        message += f" Réservations annulées : {annulees}."
    flash(message, "success")
    return redirect(url_for("entrainements.plan", plan_id=plan_id))


def _competences_du_referentiel() -> list[Competence]:
    version = current_curriculum_version()
    if version is None:
        return []
    return list(
        db.session.scalars(
            sa.select(Competence)
            .join(Module, Module.id == Competence.module_id)
            .where(Module.version == version)
            .options(joinedload(Competence.module))
            .order_by(Module.numero, Competence.numero)
        )
    )


@entrainements_bp.get("/ressources")
@roles_required("admin")
def ressources():
    return render_template("entrainements/ressources.html", competences=_competences_du_referentiel())


@entrainements_bp.route("/ressources/<int:competence_id>", methods=["GET", "POST"])
@roles_required("admin")
def ressource(competence_id: int):
    competence = db.session.get(Competence, competence_id, options=[joinedload(Competence.module)])
    if competence is None:
        abort(404)
    form = RessourceForm(data={"titre": competence.ressource_titre, "url": competence.ressource_url})
    if not form.validate_on_submit():
        return render_template("entrainements/ressource.html", competence=competence, form=form)
    competence.ressource_titre = form.titre.data or None
    competence.ressource_url = form.url.data or None
    journal.record(current_user, "modification", "competence", competence.id, "ressource d'entraînement")
    db.session.commit()
    flash(f"Exercice de la compétence {competence.code} enregistré.", "success")
    return redirect(url_for("entrainements.ressources"))


@entrainements_bp.route("/reglages", methods=["GET", "POST"])
@roles_required("admin")
def reglages():
    structure = current_user.structure
    actuelles = ReglesEntrainement.from_dict(structure.regles_entrainement or {})
    form = ReglesForm(data=ReglesForm.initial_data(actuelles))
    if not form.validate_on_submit():
        return render_template("entrainements/reglages.html", form=form)
    structure.regles_entrainement = form.regles().to_dict()
    journal.record(current_user, "modification", "structure", structure.id, "règles des entraînements")
    db.session.commit()
    flash(
        "Règles des entraînements enregistrées : elles valent pour les plans faits à partir de maintenant.", "success"
    )
    return redirect(url_for("entrainements.reglages"))
