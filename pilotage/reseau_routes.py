"""The network's dashboard (coordination accounts): the director's figures for each structure of the network
the account's structure heads, side by side and for the whole network, and the network's charts as SVG images.

Aggregates only, never a person (DESIGN.md section 1). The perimeter is the signed-in account's network
(``core.reseaux``): the chart's address carries no structure id, so there is no other network to ask for.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user

from core import reseaux
from core.access import roles_required
from core.reseaux import ROLE_COORDINATION
from core.timeutil import structure_today, utcnow
from pilotage import reseau, tableau_de_bord
from pilotage.forms import PeriodeForm
from pilotage.routes import POLITIQUE_SVG

reseau_bp = Blueprint("pilotage_reseau", __name__, url_prefix="/pilotage/reseau")


@reseau_bp.get("")
@roles_required(ROLE_COORDINATION)
def index():
    structure = current_user.structure
    today = structure_today(structure)
    form = PeriodeForm(request.args, today=today)
    periode = form.periode() if form.validate() else None
    dirige = reseaux.reseau_dirige(structure.id)
    vue = None
    if dirige is not None and periode is not None:
        vue = reseau.vue(reseaux.membres(dirige.id), periode, utcnow(), today)
    return render_template(
        "pilotage/reseau.html",
        form=form,
        periode=periode,
        reseau=dirige,
        vue=vue,
        cellule_fr=tableau_de_bord.cellule_fr,
        pourcent=tableau_de_bord.pourcent,
        url_graphique=lambda nom: url_for(
            "pilotage_reseau.graphique",
            graphique=nom,
            type="dates",
            debut=periode.debut.isoformat(),
            fin=periode.fin.isoformat(),
        ),
    )


@reseau_bp.get("/graphiques/<graphique>.svg")
@roles_required(ROLE_COORDINATION)
def graphique(graphique: str):
    """One chart of the network's dashboard (all its structures) over the period of the query string, as an
    SVG image.

    :raise 404: the account's structure heads no network, an unknown chart, or a period the form refuses.
    """
    from pilotage import graphiques  # chart stack (reportlab) loaded on first use

    section = tableau_de_bord.SECTION_DU_GRAPHIQUE.get(graphique)
    today = structure_today(current_user.structure)
    form = PeriodeForm(request.args, today=today)
    periode = form.periode() if form.validate() else None
    structure_ids = reseaux.perimetre(current_user)
    if section is None or periode is None or not structure_ids:
        abort(404)
    calculee = tableau_de_bord.SECTIONS[section](tableau_de_bord.contexte(structure_ids, periode, utcnow(), today))
    contenu = graphiques.svg(calculee.graphique(graphique), calculee.tableau(graphique))
    reponse = Response(contenu, mimetype="image/svg+xml")
    reponse.headers["Content-Security-Policy"] = POLITIQUE_SVG
    return reponse
