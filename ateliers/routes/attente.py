"""The waiting list screen: filters, who waits by niveau and half-day, a learner's waiting status."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ateliers import services
from ateliers.attente import FiltresAttente, paginate_waiting_list, waiting_matrix
from ateliers.forms import (
    CHOIX_STATUT_ATTENTE,
    FiltresAttenteForm,
    StatutAttenteForm,
)
from ateliers.routes.blueprints import READERS, WRITERS, attente_bp
from core import disponibilites, journal, versions
from core.access import get_in_structure_or_404, roles_required
from core.bounds import page_number
from core.constants import STATUTS_ATTENTE
from core.errors import DomainError
from core.models import Apprenant
from core.timeutil import structure_today, structure_zone
from extensions import db


@attente_bp.get("/")
@roles_required(*READERS)
def liste():
    form = FiltresAttenteForm(request.args)
    # Filters that are not among the choices are shown beside their field and not applied.
    filtres = form.to_filtres() if form.validate() else FiltresAttente()
    page = paginate_waiting_list(current_user.structure_id, filtres, request.args.get("page", 1, type=page_number))
    matrix = waiting_matrix(current_user.structure_id)
    journal.consultation(current_user, "apprenant", None, f"liste d'attente, page {page.page}")
    db.session.commit()
    return render_template(
        "attente/liste.html",
        form=form,
        page=page,
        filtres=filtres,
        matrix=matrix,
        today=structure_today(current_user.structure),
        choix_statut=CHOIX_STATUT_ATTENTE,
        versions_statut=_versions_statut([c.apprenant for c in page.items]),
        demi_journees=disponibilites.DEMI_JOURNEES,
        pager_args={key: value for key, value in request.args.items() if key != "page"},
    )


def _versions_statut(apprenants) -> dict[int, str]:
    """Each row's ``version`` field (``core.versions``): rows showing the same status share one token, signed once
    (signing costs ~20 µs, a page has 25 rows and a handful of statuses)."""
    jetons: dict[str, str] = {}
    par_apprenant = {}
    for apprenant in apprenants:
        instantane = services.instantane_attente(apprenant)
        cle = repr(sorted(instantane.items()))
        if cle not in jetons:
            jetons[cle] = versions.jeton(instantane)
        par_apprenant[apprenant.id] = jetons[cle]
    return par_apprenant


@attente_bp.post("/<int:apprenant_id>/statut")
@roles_required(*WRITERS)
def statut(apprenant_id: int):
    apprenant = get_in_structure_or_404(Apprenant, apprenant_id)
    form = StatutAttenteForm()
    if form.validate_on_submit():
        try:
            services.change_waiting_status(
                current_user,
                apprenant,
                form.statut.data,
                structure_today(current_user.structure),
                vu=versions.lire(request.form.get("version")),
            )
        except versions.ModifieEntreTemps as conflit:
            db.session.rollback()
            flash(_statut_modifie(apprenant, conflit, form.statut.data), "error")
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(f"{apprenant.prenom} : statut mis à jour.", "success")
    else:
        flash("Choisissez un statut.", "error")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("attente.liste"))


def _statut_modifie(apprenant: Apprenant, conflit: versions.ModifieEntreTemps, choisi: str) -> str:
    """The refusal of a status change made from a stale list: what changed, and the choice not saved."""
    # The flash message travels in the session cookie: the learner is not named, only the staff author.
    zone = structure_zone(apprenant.structure)
    lignes = [
        versions.decrire(
            changement,
            "Statut",
            STATUTS_ATTENTE.get(changement.avant, "").lower(),
            STATUTS_ATTENTE.get(changement.apres, "").lower(),
            zone=zone,
        )
        for changement in conflit.changements
    ]
    return (
        "Statut non modifié : quelqu'un l'a changé depuis l'affichage de la liste. "
        + " ".join(f"{ligne}." for ligne in lignes)
        + f" Votre choix, « {STATUTS_ATTENTE[choisi].lower()} », n'est pas enregistré : choisissez à nouveau si besoin."
    )


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)
