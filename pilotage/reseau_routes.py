"""The network's dashboard (coordination accounts): the director's figures for each structure of the network
the account's structure heads, side by side and for the whole network, and the network's charts as SVG images.

Aggregates only, never a person (DESIGN.md section 1). The perimeter is the signed-in account's network
(``core.reseaux``): the chart's address carries no structure id, so there is no other network to ask for.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from ateliers.routes.commun import download
from core import journal, reseaux
from core.access import roles_required
from core.constants import FORMATS_EXPORT
from core.reseaux import ROLE_COORDINATION
from core.timeutil import structure_today, utcnow
from extensions import db
from pilotage import cache, reseau, tableau_de_bord
from pilotage.forms import ExportPeriodeForm, PeriodeForm
from pilotage.periode import Periode
from pilotage.routes import POLITIQUE_SVG, arguments_periode, calcule_a, svg_du_graphique
from pilotage.telechargement import exporter

reseau_bp = Blueprint("pilotage_reseau", __name__, url_prefix="/pilotage/reseau")


def vue_de(membres, periode: Periode, today) -> tuple[reseau.VueReseau, datetime]:
    """The network's dashboard (``pilotage.reseau.vue``) over ``periode`` and when it was computed: kept a few
    minutes (``pilotage.cache``), the same for the page and its downloads."""
    cle = ("reseau", tuple(m.id for m in membres), periode.debut, periode.fin, today)
    return cache.obtenir(cle, lambda: reseau.vue(membres, periode, utcnow(), today))


def _page(form: PeriodeForm, status: int = 200):
    """The network's dashboard over the form's period (no figures when the form refuses it, the messages beside
    its fields)."""
    structure = current_user.structure
    today = structure_today(structure)
    periode = form.periode() if form.validate() else None
    dirige = reseaux.reseau_dirige(structure.id)
    arguments = arguments_periode(periode) if periode is not None else {}
    sections_html, moment = None, utcnow()
    if dirige is not None and periode is not None:
        membres = reseaux.membres(dirige.id)

        def rendre() -> Markup:
            vue, _ = vue_de(membres, periode, today)
            return Markup(  # nosec B704 # the output of an autoescaped template, not raw text
                render_template(
                    "pilotage/_reseau_sections.html",
                    vue=vue,
                    cellule_fr=tableau_de_bord.cellule_fr,
                    pourcent=tableau_de_bord.pourcent,
                    url_graphique=lambda nom: url_for("pilotage_reseau.graphique", graphique=nom, **arguments),
                )
            )

        cle = ("page-reseau", tuple(m.id for m in membres), periode.debut, periode.fin, today)
        sections_html, moment = cache.obtenir(cle, rendre)
    return render_template(
        "pilotage/reseau.html",
        form=form,
        periode=periode,
        reseau=dirige,
        vue=sections_html is not None,
        sections_html=sections_html,
        formats=FORMATS_EXPORT,
        arguments=arguments,
        **calcule_a(moment, structure),
    ), status


@reseau_bp.get("")
@roles_required(ROLE_COORDINATION)
def index():
    return _page(PeriodeForm(request.args, today=structure_today(current_user.structure)))


def _vue_ou_404(form: PeriodeForm):
    """``(network, period, dashboard)``: the network the account's structure heads and its dashboard over the
    form's period; ``(network, None, None)`` when the form refuses the period (the messages beside its fields).

    :raise 404: the account's structure heads no network.
    """
    dirige = reseaux.reseau_dirige(current_user.structure_id)
    if dirige is None:
        abort(404)
    periode = form.periode() if form.validate() else None
    if periode is None:
        return dirige, None, None
    today = structure_today(current_user.structure)
    return dirige, periode, vue_de(reseaux.membres(dirige.id), periode, today)[0]


@reseau_bp.get("/export")
@roles_required(ROLE_COORDINATION)
def export():
    """The network's dashboard over the period of the query string as a CSV, XLSX or ODS file (``format``):
    each section's key figures per structure and for the network, then the network's own tables. Counts, rates
    and structure names, never a person. Journaled as an export.

    A period or format the form refuses shows the page with the message beside the field (400).

    :raise 404: the account's structure heads no network.
    """
    form = ExportPeriodeForm(request.args, today=structure_today(current_user.structure))
    dirige, periode, vue = _vue_ou_404(form)
    if vue is None:
        return _page(form, 400)
    du_au = f"{periode.debut.isoformat()}_{periode.fin.isoformat()}"
    reponse = exporter(
        current_user,
        reseau.tableaux(vue),
        form.format.data or "csv",
        f"tableau-de-bord-reseau_{du_au}",
        objet="pilotage",
        objet_id=current_user.structure_id,
        details=f"tableau de bord du réseau {dirige.id} du {periode.debut.isoformat()} au {periode.fin.isoformat()}",
    )
    db.session.commit()
    return reponse


@reseau_bp.get("/rapport.pdf")
@roles_required(ROLE_COORDINATION)
def rapport():
    """The network's annual report over the period of the query string: the network's sections (all its
    structures together) in plain French with their charts and tables, and each section's key figures per
    structure, as one PDF (``pilotage.rapport_pdf``). Journaled as an export.

    A period the form refuses shows the page with the message beside the field (400).

    :raise 404: the account's structure heads no network.
    """
    from pilotage.rapport_pdf import Rapport, rapport_annuel  # PDF stack loaded on first use

    form = PeriodeForm(request.args, today=structure_today(current_user.structure))
    dirige, periode, vue = _vue_ou_404(form)
    if vue is None:
        return _page(form, 400)
    structure = current_user.structure
    contenu = rapport_annuel(
        Rapport(
            structure.nom,
            periode.libelle,
            structure_today(structure),
            vue.sections,
            reseau=dirige.nom,
            par_structure=reseau.tableaux_du_rapport(vue),
        )
    )
    journal.record(
        current_user,
        "export",
        "pilotage",
        structure.id,
        f"rapport d'activité du réseau {dirige.id} du {periode.debut.isoformat()} au {periode.fin.isoformat()} ; pdf",
    )
    db.session.commit()
    return download(
        contenu, "application/pdf", f"rapport-activite-reseau_{periode.debut.isoformat()}_{periode.fin.isoformat()}.pdf"
    )


@reseau_bp.get("/graphiques/<graphique>.svg")
@roles_required(ROLE_COORDINATION)
def graphique(graphique: str):
    """One chart of the network's dashboard (all its structures) over the period of the query string, as an
    SVG image.

    :raise 404: the account's structure heads no network, an unknown chart, or a period the form refuses.
    """
    section = tableau_de_bord.SECTION_DU_GRAPHIQUE.get(graphique)
    today = structure_today(current_user.structure)
    form = PeriodeForm(request.args, today=today)
    periode = form.periode() if form.validate() else None
    structure_ids = reseaux.perimetre(current_user)
    if section is None or periode is None or not structure_ids:
        abort(404)
    contenu = svg_du_graphique(structure_ids, periode, today, section, graphique)
    reponse = Response(contenu, mimetype="image/svg+xml")
    reponse.headers["Content-Security-Policy"] = POLITIQUE_SVG
    return reponse
