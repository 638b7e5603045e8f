"""The director's dashboard: the structure's figures over a chosen period, each chart as its own SVG image.

Read-only for every role that opens it (direction, and admin and mediator who see the same page). The
figures are those of the signed-in account's structure only: a structure id of another structure in a chart's
address is a 404, as for any record.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user

from ateliers.dropout import REGLES
from core import journal
from core.access import roles_required
from core.timeutil import structure_today, utcnow
from extensions import db
from pilotage import queries, tableau_de_bord
from pilotage.forms import PeriodeForm
from pilotage.periode import Periode

pilotage_bp = Blueprint("pilotage", __name__, url_prefix="/pilotage")

LECTEURS = ("direction", "admin", "mediateur")
# The chart's SVG carries reportlab's style attributes: as an image (<img>) it runs no script and loads nothing;
# its own policy lets it draw them, and nothing else, while the pages keep core.security's strict policy.
POLITIQUE_SVG = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def _periode_de(form: PeriodeForm) -> Periode | None:
    return form.periode() if form.validate() else None


def _structure_ou_404(structure_id: int) -> int:
    """:raise 404: a structure other than the account's own."""
    if structure_id != current_user.structure_id:
        abort(404)
    return structure_id


@pilotage_bp.get("/")
@roles_required(*LECTEURS)
def index():
    structure = current_user.structure
    today = structure_today(structure)
    form = PeriodeForm(request.args, today=today)
    periode = _periode_de(form)
    sections = []
    if periode is not None:
        ctx = tableau_de_bord.contexte([structure.id], periode, utcnow(), today)
        sections = tableau_de_bord.sections(ctx)
    a_risque = queries.a_risque([structure.id])
    journal.record(current_user, "consultation", "pilotage", structure.id, f"personnes à risque ({len(a_risque)})")
    db.session.commit()
    return render_template(
        "pilotage/index.html",
        form=form,
        periode=periode,
        sections=sections,
        a_risque=a_risque,
        regles=REGLES,
        structure=structure,
        cellule_fr=tableau_de_bord.cellule_fr,
        pourcent=tableau_de_bord.pourcent,
        url_graphique=lambda nom: url_for(
            "pilotage.graphique",
            structure_id=structure.id,
            graphique=nom,
            type="dates",
            debut=periode.debut.isoformat(),
            fin=periode.fin.isoformat(),
        ),
    )


@pilotage_bp.get("/structures/<int:structure_id>/graphiques/<graphique>.svg")
@roles_required(*LECTEURS)
def graphique(structure_id: int, graphique: str):
    """One chart of the dashboard over the period of the query string, as an SVG image.

    :raise 404: another structure, an unknown chart, or a period the form refuses.
    """
    from pilotage import graphiques  # chart stack (reportlab) loaded on first use

    structure_ou_404 = _structure_ou_404(structure_id)
    section = tableau_de_bord.SECTION_DU_GRAPHIQUE.get(graphique)
    today = structure_today(current_user.structure)
    periode = _periode_de(PeriodeForm(request.args, today=today))
    if section is None or periode is None:
        abort(404)
    ctx = tableau_de_bord.contexte([structure_ou_404], periode, utcnow(), today)
    calculee = tableau_de_bord.SECTIONS[section](ctx)
    contenu = graphiques.svg(calculee.graphique(graphique), calculee.tableau(graphique))
    reponse = Response(contenu, mimetype="image/svg+xml")
    reponse.headers["Content-Security-Policy"] = POLITIQUE_SVG
    return reponse
