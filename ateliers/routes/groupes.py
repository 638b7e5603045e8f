"""Homogeneous level groups: workshops to fill, the solver's proposal, moves by hand, confirmation group by group.

The score range a group accepts is one rule, the workshop's own ``Atelier.ecart_max``, set when the workshop is
planned: the solver, the checks of a group moved by hand and, later, the replacement after an abandon all read
it. The screen has no spread setting of its own (it used to have one, which silently overwrote each
workshop's value at confirmation).
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ateliers import groupes as groupes_service
from ateliers import grouping
from ateliers.forms import AtelierPrevuForm, ConfirmationForm
from ateliers.queries import groupable_ateliers
from ateliers.routes.blueprints import WRITERS, groupes_bp
from core import disponibilites, journal
from core.access import roles_required
from core.bounds import id_or_none
from core.errors import DomainError
from core.francais import nombre
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
    """Workshops to fill, none ticked but the ones named by ``?atelier=<id>`` (the workshop she came from)."""
    return _render_index(AtelierPrevuForm())


def _ids(values) -> list[int]:
    return [i for i in (id_or_none(v) for v in values) if i is not None]


def _render_index(form, status: int = 200):
    return render_template(
        "groupes/index.html",
        form=form,
        ateliers=groupable_ateliers(current_user.structure_id),
        coches=set(_ids(request.args.getlist("atelier"))),
        demi_journees=disponibilites.DEMI_JOURNEES,
    ), status


@groupes_bp.post("/ateliers")
@roles_required(*WRITERS)
def planifier():
    form = AtelierPrevuForm()
    if not form.validate_on_submit():
        return _render_index(form, 200)
    atelier = groupes_service.plan_atelier(current_user, form.to_data())
    db.session.commit()
    flash(f"Atelier « {atelier.intitule} » prévu.", "success")
    return redirect(url_for("groupes.index", atelier=atelier.id))


def _assignment_from(values, plan: groupes_service.Plan) -> dict[int, list[int]]:
    """Read each person's choice ("atelier-<learner id>": workshop id, or empty to leave them waiting).

    Every posted person is kept, even one who is no longer waiting: the service then refuses the stale proposal.
    """
    assignment: dict[int, list[int]] = {atelier_id: [] for atelier_id in plan.ateliers}
    for key, value in values.items():
        candidate_id, chosen = id_or_none(key.removeprefix("atelier-")), id_or_none(value)
        if key.startswith("atelier-") and candidate_id is not None and chosen is not None:
            assignment.setdefault(chosen, []).append(candidate_id)
    return assignment


def _kept(atelier_ids: list[int], assignment: dict[int, list[int]]) -> dict:
    """The query string of the proposal page showing ``assignment`` as it is, for the workshops ``atelier_ids``."""
    args: dict = {"atelier": atelier_ids, "garder": 1}
    for atelier_id in atelier_ids:
        for apprenant_id in assignment.get(atelier_id, []):
            args[f"atelier-{apprenant_id}"] = atelier_id
    return args


@groupes_bp.route("/proposition", methods=["GET", "POST"])
@roles_required(*WRITERS)
def proposition():
    """GET: a fresh proposal, or with ``garder=1`` the groups given in the query string (the others after one
    was confirmed). POST ``action=verifier``: check the groups as moved by hand. POST ``action=confirmer-<id>``:
    enrol that one group (its warnings accepted with ``accepter-<id>``); the other groups stay proposed."""
    atelier_ids = _ids(request.values.getlist("atelier"))
    if not atelier_ids:
        flash("Cochez au moins un atelier à remplir.", "error")
        return redirect(url_for("groupes.index"))
    today = structure_today(current_user.structure)
    try:
        plan = groupes_service.build_plan(current_user.structure_id, atelier_ids, today)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("groupes.index"))
    confirmation = ConfirmationForm()
    erreurs: dict[int, str] = {}
    avertissements: dict[int, list[str]] = {}
    proposal = None
    action = request.form.get("action", "")
    if request.method == "POST" and confirmation.validate_on_submit():
        assignment = _assignment_from(request.form, plan)
        atelier_id = id_or_none(action.removeprefix("confirmer-")) if action.startswith("confirmer-") else None
        if atelier_id is not None:
            done = _confirm_one(plan, assignment, atelier_id, today, erreurs, avertissements)
            if done is not None:
                return done
        assignment = plan.known(assignment)
    elif request.args.get("garder"):
        assignment = plan.known(_assignment_from(request.args, plan))
    else:
        proposal = grouping.propose_groupes(
            plan.candidats, plan.prevus, time_limit=current_app.config["GROUPING_TIME_LIMIT"]
        )
        assignment = {atelier_id: list(ids) for atelier_id, ids in proposal.groupes.items()}
    groupes, waiting = groupes_service.describe_assignment(plan, assignment)
    journal.consultation(current_user, "apprenant", None, "proposition de groupes")
    db.session.commit()
    return render_template(
        "groupes/proposition.html",
        plan=plan,
        groupes=groupes,
        waiting=waiting,
        erreurs=erreurs,
        avertissements=avertissements,
        proposition=proposal,
        garde=bool(request.args.get("garder")),
        atelier_ids=atelier_ids,
        confirmation=confirmation,
        today=today,
        demi_journees=disponibilites.DEMI_JOURNEES,
        OBJECTIFS_NON_PROUVES=OBJECTIFS_NON_PROUVES,
    )


def _confirm_one(plan, assignment, atelier_id, today, erreurs, avertissements):
    """Enrol the group of ``atelier_id`` alone; the redirect on success or a stale proposal, else None with
    the refusal put in ``erreurs`` or ``avertissements`` (by workshop id) for the page."""
    if atelier_id not in plan.ateliers:
        flash("Cet atelier n'est plus parmi ceux à remplir.", "error")
        return redirect(url_for("groupes.index"))
    group = {atelier_id: assignment.get(atelier_id, [])}
    try:
        inscriptions = groupes_service.confirm_groups(
            current_user, plan, group, bool(request.form.get(f"accepter-{atelier_id}")), today, now=utcnow()
        )
    except groupes_service.StaleProposal as stale:
        db.session.rollback()
        flash(stale.message, "error")
        return redirect(url_for("groupes.proposition", atelier=list(plan.ateliers)))
    except groupes_service.WarningsNotAccepted as refused:
        avertissements[atelier_id] = refused.warnings
        erreurs[atelier_id] = refused.message
        return None
    except DomainError as error:
        erreurs[atelier_id] = error.message
        return None
    db.session.commit()
    intitule = plan.ateliers[atelier_id].intitule
    flash(
        f"Groupe « {intitule} » confirmé : {nombre(len(inscriptions), 'personne inscrite')}."
        + (" Les autres groupes restent proposés tels quels." if len(plan.ateliers) > 1 else ""),
        "success",
    )
    others = [i for i in plan.ateliers if i != atelier_id]
    if not others:
        return redirect(url_for("groupes.index"))
    return redirect(url_for("groupes.proposition", **_kept(others, plan.known(assignment))))
