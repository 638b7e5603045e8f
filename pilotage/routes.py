"""The director's dashboard: the structure's figures over a chosen period, each chart as its own SVG image.

Read-only for every role that opens it (direction, and admin and mediator who see the same page). The
figures are those of the signed-in account's structure only: a structure id of another structure in a chart's
address is a 404, as for any record.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from ateliers.dropout import REGLES
from ateliers.routes.commun import download
from core import journal
from core.access import roles_required
from core.constants import FORMATS_EXPORT
from core.timeutil import heure_fr, structure_today, structure_zone, to_local, utcnow
from extensions import db
from pilotage import cache, queries, tableau_de_bord
from pilotage.forms import ExportPeriodeForm, PeriodeForm
from pilotage.periode import Periode
from pilotage.telechargement import exporter

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


def arguments_periode(periode: Periode) -> dict[str, str]:
    """The query string that gives ``periode`` back (as two dates), for the charts and the downloads of the
    director's and the network's dashboards."""
    return {"type": "dates", "debut": periode.debut.isoformat(), "fin": periode.fin.isoformat()}


def sections_de(structure_ids, periode: Periode, today) -> tuple[list, datetime]:
    """The dashboard's sections for ``structure_ids`` over ``periode`` (``today``: their day), and when they were
    computed: kept a few minutes (``pilotage.cache``), the same for the page, its charts and its downloads."""
    ids = tuple(sorted(structure_ids))
    return cache.obtenir(
        ("sections", ids, periode.debut, periode.fin, today),
        lambda: tableau_de_bord.sections(tableau_de_bord.contexte(ids, periode, utcnow(), today)),
    )


def svg_du_graphique(structure_ids, periode: Periode, today, section: str, graphique: str) -> bytes:
    """The SVG of the chart ``graphique`` (of the section ``section``) over the cached sections, kept as long."""
    from pilotage import graphiques  # chart stack (reportlab) loaded on first use

    def dessiner() -> bytes:
        sections, _ = sections_de(structure_ids, periode, today)
        calculee = next(s for s in sections if s.cle == section)
        return graphiques.svg(calculee.graphique(graphique), calculee.tableau(graphique))

    ids = tuple(sorted(structure_ids))
    return cache.obtenir(("svg", ids, periode.debut, periode.fin, today, graphique), dessiner)[0]


def calcule_a(moment: datetime, structure) -> dict:
    """What the page says of the figures' age: the local time they were computed, and the setting in minutes."""
    secondes = current_app.config.get("PILOTAGE_CACHE_SECONDS", 300)
    return {"calcule_a": heure_fr(to_local(moment, structure_zone(structure))), "minutes_cache": round(secondes / 60)}


def _page(form: PeriodeForm, status: int = 200):
    """The dashboard over the form's period (no figures when the form refuses it, the messages beside its
    fields), with the people at risk today (read afresh, never kept)."""
    structure = current_user.structure
    today = structure_today(structure)
    periode = _periode_de(form)
    arguments = arguments_periode(periode) if periode is not None else {}
    sections_html, moment = None, utcnow()
    if periode is not None:

        def rendre() -> Markup:
            sections, _ = sections_de([structure.id], periode, today)
            return Markup(  # nosec B704 # the output of an autoescaped template, not raw text
                render_template(
                    "pilotage/_sections.html",
                    sections=sections,
                    cellule_fr=tableau_de_bord.cellule_fr,
                    pourcent=tableau_de_bord.pourcent,
                    url_graphique=lambda nom: url_for(
                        "pilotage.graphique", structure_id=structure.id, graphique=nom, **arguments
                    ),
                )
            )

        sections_html, moment = cache.obtenir(("page", structure.id, periode.debut, periode.fin, today), rendre)
    a_risque = queries.a_risque([structure.id])
    journal.consultation(current_user, "pilotage", structure.id, f"personnes à risque ({len(a_risque)})")
    db.session.commit()
    return render_template(
        "pilotage/index.html",
        form=form,
        periode=periode,
        sections_html=sections_html,
        a_risque=a_risque,
        regles=REGLES,
        structure=structure,
        formats=FORMATS_EXPORT,
        arguments=arguments,
        **calcule_a(moment, structure),
    ), status


@pilotage_bp.get("/")
@roles_required(*LECTEURS)
def index():
    return _page(PeriodeForm(request.args, today=structure_today(current_user.structure)))


@pilotage_bp.get("/export")
@roles_required(*LECTEURS)
def export():
    """Every table of the dashboard (key figures first) over the period of the query string, as a CSV, XLSX or
    ODS file (``format``): counts and rates only, no one's name. Journaled as an export.

    A period or format the form refuses shows the dashboard with the message beside the field (400).
    """
    structure = current_user.structure
    today = structure_today(structure)
    form = ExportPeriodeForm(request.args, today=today)
    periode = _periode_de(form)
    if periode is None:
        return _page(form, 400)
    sections, _ = sections_de([structure.id], periode, today)
    reponse = exporter(
        current_user,
        tableau_de_bord.tableaux_de(sections),
        form.format.data or "csv",
        f"tableau-de-bord_{periode.debut.isoformat()}_{periode.fin.isoformat()}",
        objet="pilotage",
        objet_id=structure.id,
        details=f"tableau de bord du {periode.debut.isoformat()} au {periode.fin.isoformat()}",
    )
    db.session.commit()
    return reponse


@pilotage_bp.get("/rapport.pdf")
@roles_required(*LECTEURS)
def rapport():
    """The annual report for funders over the period of the query string: every section of the dashboard in
    plain French with its charts and tables, as one PDF (``pilotage.rapport_pdf``). Journaled as an export.

    A period the form refuses shows the dashboard with the message beside the field (400).
    """
    from pilotage.rapport_pdf import Rapport, rapport_annuel  # PDF stack loaded on first use

    structure = current_user.structure
    today = structure_today(structure)
    form = PeriodeForm(request.args, today=today)
    periode = _periode_de(form)
    if periode is None:
        return _page(form, 400)
    sections, _ = sections_de([structure.id], periode, today)
    contenu = rapport_annuel(Rapport(structure.nom, periode.libelle, today, sections))
    journal.record(
        current_user,
        "export",
        "pilotage",
        structure.id,
        f"rapport d'activité du {periode.debut.isoformat()} au {periode.fin.isoformat()} ; pdf",
    )
    db.session.commit()
    return download(
        contenu, "application/pdf", f"rapport-activite_{periode.debut.isoformat()}_{periode.fin.isoformat()}.pdf"
    )


@pilotage_bp.get("/structures/<int:structure_id>/graphiques/<graphique>.svg")
@roles_required(*LECTEURS)
def graphique(structure_id: int, graphique: str):
    """One chart of the dashboard over the period of the query string, as an SVG image.

    :raise 404: another structure, an unknown chart, or a period the form refuses.
    """
    structure_ou_404 = _structure_ou_404(structure_id)
    section = tableau_de_bord.SECTION_DU_GRAPHIQUE.get(graphique)
    today = structure_today(current_user.structure)
    periode = _periode_de(PeriodeForm(request.args, today=today))
    if section is None or periode is None:
        abort(404)
    contenu = svg_du_graphique([structure_ou_404], periode, today, section, graphique)
    reponse = Response(contenu, mimetype="image/svg+xml")
    reponse.headers["Content-Security-Policy"] = POLITIQUE_SVG
    return reponse
