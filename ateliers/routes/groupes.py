"""Homogeneous level groups: workshops to fill, the solver's proposal, moves by hand, confirmation."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ateliers import grouping, services
from ateliers.forms import (
    AtelierPrevuForm,
    ConfirmationForm,
    ParametresPropositionForm,
)
from ateliers.queries import groupable_ateliers
from ateliers.routes.blueprints import WRITERS, groupes_bp
from core import disponibilites, journal
from core.access import roles_required
from core.bounds import id_or_none
from core.errors import DomainError
from core.timeutil import structure_today, utcnow
from extensions import db

OBJECTIFS_NON_PROUVES = {
    "minimum": "les groupes déjà commencés ne sont peut-être pas tous complétés au mieux",
    "places": "il serait peut-être possible de placer davantage de personnes",
    "attente": "le nombre de personnes placées est le meilleur possible, mais d'autres personnes attendant "
    "depuis plus longtemps pourraient peut-être passer avant",
    "ecarts": "le nombre de personnes placées et la priorité à l'ancienneté sont les meilleurs possibles ; "
    "des groupes plus homogènes existent peut-être",
}


@groupes_bp.get("/")
@roles_required(*WRITERS)
def index():
    return _render_index(AtelierPrevuForm())


def _render_index(form, status: int = 200):
    ateliers = groupable_ateliers(current_user.structure_id)
    spread = min((a.ecart_max for a in ateliers), default=20)
    return render_template(
        "groupes/index.html",
        form=form,
        ateliers=ateliers,
        ecart_max=spread,
        demi_journees=disponibilites.DEMI_JOURNEES,
    ), status


@groupes_bp.post("/ateliers")
@roles_required(*WRITERS)
def planifier():
    form = AtelierPrevuForm()
    if not form.validate_on_submit():
        return _render_index(form, 200)
    atelier = services.plan_atelier(current_user, form.to_data())
    db.session.commit()
    flash(f"Atelier « {atelier.intitule} » prévu.", "success")
    return redirect(url_for("groupes.index"))


def _assignment_from_form(plan: services.Plan) -> dict[int, list[int]]:
    """Read each person's select ("atelier-<learner id>": workshop id, or empty to leave them waiting).

    Every posted person is kept, even one who is no longer waiting: the service then refuses the stale proposal.
    """
    assignment: dict[int, list[int]] = {atelier_id: [] for atelier_id in plan.ateliers}
    for key, value in request.form.items():
        candidate_id, chosen = id_or_none(key.removeprefix("atelier-")), id_or_none(value)
        if key.startswith("atelier-") and candidate_id is not None and chosen is not None:
            assignment.setdefault(chosen, []).append(candidate_id)
    return assignment


@groupes_bp.route("/proposition", methods=["GET", "POST"])
@roles_required(*WRITERS)
def proposition():
    """GET: a fresh proposal. POST "verifier": check the groups as moved by hand. POST "confirmer": enrol."""
    atelier_ids = [i for i in (id_or_none(v) for v in request.values.getlist("atelier")) if i is not None]
    parametres = ParametresPropositionForm(request.values)
    if not atelier_ids or not parametres.validate():
        flash("Cochez au moins un atelier à remplir." if not atelier_ids else parametres.ecart_max.errors[0], "error")
        return redirect(url_for("groupes.index"))
    ecart_max = parametres.ecart_max.data if parametres.ecart_max.data is not None else 20
    today = structure_today(current_user.structure)
    try:
        plan = services.build_plan(current_user.structure_id, atelier_ids, today)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("groupes.index"))
    confirmation = ConfirmationForm()
    warnings: list[str] = []
    proposal = None
    if request.method == "POST" and confirmation.validate_on_submit():
        assignment = _assignment_from_form(plan)
        if request.form.get("action") == "confirmer":
            try:
                inscriptions = services.confirm_groups(
                    current_user,
                    plan,
                    assignment,
                    ecart_max,
                    confirmation.accepter_avertissements.data,
                    today,
                    now=utcnow(),
                )
            except services.StaleProposal as stale:
                db.session.rollback()
                flash(stale.message, "error")
                return redirect(url_for("groupes.proposition", atelier=atelier_ids, ecart_max=ecart_max))
            except services.WarningsNotAccepted as refused:
                warnings = refused.warnings
                confirmation.accepter_avertissements.errors = [refused.message]
            except DomainError as error:
                flash(error.message, "error")
            else:
                db.session.commit()
                flash(f"Groupes confirmés : {len(inscriptions)} inscription(s) enregistrée(s).", "success")
                return redirect(url_for("groupes.index"))
        assignment = plan.known(assignment)
    else:
        proposal = grouping.propose_groupes(
            plan.candidats, plan.prevus, ecart_max=ecart_max, time_limit=current_app.config["GROUPING_TIME_LIMIT"]
        )
        assignment = {atelier_id: list(ids) for atelier_id, ids in proposal.groupes.items()}
    groupes, waiting = services.describe_assignment(plan, assignment, ecart_max, proposal)
    journal.record(current_user, "consultation", "apprenant", None, "proposition de groupes")
    db.session.commit()
    return render_template(
        "groupes/proposition.html",
        plan=plan,
        groupes=groupes,
        waiting=waiting,
        warnings=warnings,
        proposition=proposal,
        atelier_ids=atelier_ids,
        ecart_max=ecart_max,
        confirmation=confirmation,
        today=today,
        demi_journees=disponibilites.DEMI_JOURNEES,
        OBJECTIFS_NON_PROUVES=OBJECTIFS_NON_PROUVES,
    )
