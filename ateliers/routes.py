"""Blueprints of the ateliers package: waiting list and homogeneous groups.

Views have four beats: parse, call a service, commit, respond.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ateliers import grouping, services
from ateliers.forms import (
    AtelierPrevuForm,
    ConfirmationForm,
    FiltresAttenteForm,
    ParametresPropositionForm,
    StatutAttenteForm,
)
from ateliers.queries import FiltresAttente, groupable_ateliers, paginate_waiting_list, waiting_matrix
from core import disponibilites, journal
from core.access import get_in_structure_or_404, roles_required
from core.errors import DomainError
from core.models import Apprenant
from core.timeutil import utcnow
from extensions import db

attente_bp = Blueprint("attente", __name__, url_prefix="/liste-attente")
groupes_bp = Blueprint("groupes", __name__, url_prefix="/groupes")

READERS = ("admin", "mediateur", "direction")
# What the mediator is told when the solver ran out of time before proving an objective.
OBJECTIFS_NON_PROUVES = {
    "minimum": "les groupes déjà commencés ne sont peut-être pas tous complétés au mieux",
    "places": "il serait peut-être possible de placer davantage de personnes",
    "attente": "le nombre de personnes placées est le meilleur possible, mais d'autres personnes attendant "
    "depuis plus longtemps pourraient peut-être passer avant",
    "ecarts": "le nombre de personnes placées et la priorité à l'ancienneté sont les meilleurs possibles ; "
    "des groupes plus homogènes existent peut-être",
}
WRITERS = ("admin", "mediateur")


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value not in (None, "") and str(value).isdigit() else None


@attente_bp.get("/")
@roles_required(*READERS)
def liste():
    form = FiltresAttenteForm(request.args)
    form.validate()
    filtres = FiltresAttente(
        statut=form.statut.data or None if "statut" in request.args else "en_attente",
        niveau=_int_or_none(form.niveau.data),
        demi_journee=_int_or_none(form.demi_journee.data),
    )
    page = paginate_waiting_list(current_user.structure_id, filtres, max(request.args.get("page", 1, type=int), 1))
    matrix = waiting_matrix(current_user.structure_id)
    journal.record(current_user, "consultation", "apprenant", None, f"liste d'attente, page {page.page}")
    db.session.commit()
    return render_template(
        "attente/liste.html",
        form=form,
        page=page,
        filtres=filtres,
        matrix=matrix,
        today=utcnow().date(),
        statut_form=StatutAttenteForm(),
        demi_journees=disponibilites.DEMI_JOURNEES,
        pager_args={key: value for key, value in request.args.items() if key != "page"},
    )


@attente_bp.post("/<int:apprenant_id>/statut")
@roles_required(*WRITERS)
def statut(apprenant_id: int):
    apprenant = get_in_structure_or_404(Apprenant, apprenant_id)
    form = StatutAttenteForm()
    if form.validate_on_submit():
        try:
            services.change_waiting_status(current_user, apprenant, form.statut.data, utcnow().date())
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(f"{apprenant.nom_complet} : statut mis à jour.", "success")
    else:
        flash("Choisissez un statut.", "error")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("attente.liste"))


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)


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
        candidate_id, chosen = _int_or_none(key.removeprefix("atelier-")), _int_or_none(value)
        if key.startswith("atelier-") and candidate_id is not None and chosen is not None:
            assignment.setdefault(chosen, []).append(candidate_id)
    return assignment


@groupes_bp.route("/proposition", methods=["GET", "POST"])
@roles_required(*WRITERS)
def proposition():
    """GET: a fresh proposal. POST "verifier": check the groups as moved by hand. POST "confirmer": enrol."""
    atelier_ids = [i for i in (_int_or_none(v) for v in request.values.getlist("atelier")) if i is not None]
    parametres = ParametresPropositionForm(request.values)
    if not atelier_ids or not parametres.validate():
        flash("Cochez au moins un atelier à remplir." if not atelier_ids else parametres.ecart_max.errors[0], "error")
        return redirect(url_for("groupes.index"))
    ecart_max = parametres.ecart_max.data if parametres.ecart_max.data is not None else 20
    today = utcnow().date()
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
                    current_user, plan, assignment, ecart_max, confirmation.accepter_avertissements.data, today
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
