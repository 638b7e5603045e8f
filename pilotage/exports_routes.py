"""Downloads: the mediator's learner list (personal data) and La Coop's collective activities (counts only).

Every download goes through :func:`pilotage.telechargement.exporter`, which journals it. The dashboard's own
download buttons (``/pilotage/``) call the same function with its tables.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from core.access import roles_required
from core.forms import ApprenantSearchForm, ExportApprenantsForm
from core.routes import REGISTER_EXPORTERS, afficher_liste
from core.timeutil import structure_today
from extensions import db
from pilotage import exports_queries, la_coop
from pilotage.forms import ExportPeriodeForm
from pilotage.telechargement import exporter

exports_bp = Blueprint("exports", __name__)

LA_COOP = ("admin", "mediateur")


@exports_bp.post("/apprenants/export")
@roles_required(*REGISTER_EXPORTERS)
def apprenants():
    """The register's list with its search (POSTed), every page, as a file. Journaled as an export of personal
    data; a bad format brings the list back with the message beside the format."""
    form = ExportApprenantsForm(prefix=ExportApprenantsForm.PREFIX)
    if not form.validate_on_submit():
        recherche = ApprenantSearchForm(formdata=None, q=form.q.data)
        return afficher_liste(recherche, form.q.data or None, export=form), 400
    recherche = form.q.data or None
    tableau = exports_queries.liste_apprenants(current_user.structure_id, recherche)
    response = exporter(
        current_user,
        [tableau],
        form.format.data,
        f"apprenants-{structure_today(current_user.structure).isoformat()}",
        objet="apprenant",
        details="liste des apprenants, " + ("recherche" if recherche else "liste entière"),
    )
    db.session.commit()
    return response


@exports_bp.get("/pilotage/la-coop")
@roles_required(*LA_COOP)
def la_coop_activites():
    """The séances held in a period as La Coop collective activities: the choice of period and format (no
    query string), or the file (``?type=…&format=csv``); a bad period or format shows the page with the message
    beside the field."""
    form = ExportPeriodeForm(request.args, today=structure_today(current_user.structure))
    periode = form.periode() if request.args and form.validate() else None
    if periode is None:
        return render_template("pilotage/la_coop.html", form=form), 400 if request.args else 200
    seances = exports_queries.seances_tenues([current_user.structure_id], periode)
    response = exporter(
        current_user,
        [la_coop.tableau(seances, periode.libelle)],
        form.format.data or "csv",
        f"la-coop_{periode.debut.isoformat()}_{periode.fin.isoformat()}",
        objet="la_coop",
        details=f"activités collectives du {periode.debut.isoformat()} au {periode.fin.isoformat()}",
    )
    db.session.commit()
    return response
