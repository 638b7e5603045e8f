"""Catch-ups of a missed module: planning one, marking it done, cancelling it."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ateliers import rattrapages as rattrapages_service
from ateliers.constants import STATUTS_PRESENCE
from ateliers.forms import (
    RattrapageFaitForm,
    RattrapageForm,
)
from ateliers.models import Atelier, Inscription, Rattrapage
from ateliers.routes.blueprints import WRITERS, ateliers_bp
from ateliers.routes.commun import (
    field_error,
    horaire,
    inscription_or_404,
)
from core import journal, versions
from core.access import roles_required
from core.bounds import bounded_int
from core.errors import DomainError
from core.timeutil import date_fr, datetime_fr, structure_today, structure_zone
from evaluations.models import Module
from extensions import db

NUMERO_MODULE = bounded_int(1, 6)


def _rattrapage_or_404(rattrapage_id: int) -> Rattrapage:
    """A catch-up of the current structure (through its workshop), with its module and workshop loaded."""
    rattrapage = db.session.scalar(
        sa.select(Rattrapage)
        .join(Inscription, Inscription.id == Rattrapage.inscription_id)
        .join(Atelier, Atelier.id == Inscription.atelier_id)
        .where(Rattrapage.id == rattrapage_id, Atelier.structure_id == current_user.structure_id)
        .options(joinedload(Rattrapage.module))
        .options(joinedload(Rattrapage.inscription).joinedload(Inscription.atelier))
    )
    if rattrapage is None:
        abort(404)
    return rattrapage


def _rattrapage_form(lignes: list[rattrapages_service.ModuleManque], **data) -> RattrapageForm:
    """The planning form, its module choices limited to the missed modules not caught up yet."""
    form = RattrapageForm(formdata=None, **data) if data else RattrapageForm()
    form.module.choices = [
        ("", "—"),
        *(
            (str(ligne.seance.module_id), f"Module {ligne.seance.module.numero} : {ligne.seance.module.titre}")
            for ligne in lignes
            if ligne.is_manque and (ligne.rattrapage is None or ligne.rattrapage.fait_on is None)
        ),
    ]
    return form


def _render_rattrapages(
    inscription: Inscription, lignes, form: RattrapageForm, fait=(None, None), conflit=None, status: int = 200
):
    """The catch-up page. ``fait`` is ``(rattrapage id, form)`` when a "done" date was refused; ``conflit`` when
    a save was refused because the page was out of date."""
    today = structure_today(current_user.structure)
    refuse_id, refuse_form = fait
    faits = {}
    for ligne in lignes:
        rattrapage = ligne.rattrapage
        if rattrapage is None or rattrapage.fait_on is not None:
            continue
        if rattrapage.id == refuse_id:
            faits[rattrapage.id] = refuse_form
        else:
            prevu = rattrapages_service.jour_prevu(rattrapage)
            faits[rattrapage.id] = RattrapageFaitForm(
                formdata=None, prefix=f"r{rattrapage.id}", fait_on=prevu if prevu <= today else None
            )
    page = render_template(
        "ateliers/rattrapages.html",
        inscription=inscription,
        atelier=inscription.atelier,
        lignes=lignes,
        form=form,
        faits=faits,
        statuts=STATUTS_PRESENCE,
        horaire=horaire,
        today=today,
        version=versions.jeton(rattrapages_service.instantane_rattrapages(inscription)),
        conflit=conflit,
        changements=_changements_rattrapages(conflit, structure_zone(inscription.atelier.structure))
        if conflit
        else None,
    )
    journal.consultation(current_user, "inscription", inscription.id, "rattrapages")
    db.session.commit()
    return page, status


def _changements_rattrapages(conflit: versions.ModifieEntreTemps, zone) -> list[str]:
    """The changes to the learner's catch-ups since the page was opened, in French (``zone``: the structure's
    clock)."""
    lignes = []
    for changement in conflit.changements:
        quoi, _, module_id = changement.cle.partition("-")
        module = db.session.get(Module, int(module_id))
        if quoi == "prevu":
            montrer = lambda v: datetime_fr(datetime.fromisoformat(v), zone=zone) if v else "non prévu"  # noqa: E731
            libelle = f"Rattrapage du module {module.numero}, prévu le"
        else:
            montrer = lambda v: date_fr(date.fromisoformat(v)) if v else "pas fait"  # noqa: E731
            libelle = f"Rattrapage du module {module.numero}, fait le"
        lignes.append(
            versions.decrire(changement, libelle, montrer(changement.avant), montrer(changement.apres), zone=zone)
        )
    return lignes


@ateliers_bp.route("/inscriptions/<int:inscription_id>/rattrapages", methods=["GET", "POST"])
@roles_required(*WRITERS)
def rattrapages(inscription_id: int):
    inscription = inscription_or_404(inscription_id)
    lignes = rattrapages_service.modules_manques(inscription)
    if request.method == "GET":
        numero = request.args.get("module", type=NUMERO_MODULE)
        module_id = next((s.module_id for s in inscription.atelier.seances if s.module.numero == numero), "")
        return _render_rattrapages(inscription, lignes, _rattrapage_form(lignes, module=str(module_id)))
    form = _rattrapage_form(lignes)
    if not form.validate_on_submit():
        return _render_rattrapages(inscription, lignes, form)
    try:
        rattrapage = rattrapages_service.planifier_rattrapage(
            current_user,
            inscription,
            int(form.module.data),
            form.jour.data,
            form.heure.data,
            structure_today(current_user.structure),
            vu=versions.lire(request.form.get(versions.CHAMP)),
            a_posteriori=form.a_posteriori.data,
        )
        message = f"Rattrapage du module {rattrapage.module.numero} prévu."
        db.session.commit()
    except versions.ModifieEntreTemps as conflit:
        db.session.rollback()
        inscription = inscription_or_404(inscription_id)
        lignes = rattrapages_service.modules_manques(inscription)
        return _render_rattrapages(inscription, lignes, form, conflit=conflit, status=409)
    except DomainError as error:
        db.session.rollback()
        field_error(form, error)
    except sa.exc.IntegrityError:
        # A colleague planned this module for this learner at the same instant (unique inscription and module).
        db.session.rollback()
        flash(
            "Un rattrapage de ce module vient d'être prévu par quelqu'un d'autre : vérifiez ci-dessous puis "
            "enregistrez à nouveau.",
            "error",
        )
    else:
        flash(message, "success")
        return redirect(url_for("ateliers.rattrapages", inscription_id=inscription_id))
    inscription = inscription_or_404(inscription_id)
    return _render_rattrapages(inscription, rattrapages_service.modules_manques(inscription), form)


@ateliers_bp.post("/rattrapages/<int:rattrapage_id>/fait")
@roles_required(*WRITERS)
def rattrapage_fait(rattrapage_id: int):
    rattrapage = _rattrapage_or_404(rattrapage_id)
    inscription_id, numero = rattrapage.inscription_id, rattrapage.module.numero
    form = RattrapageFaitForm(prefix=f"r{rattrapage_id}")
    if form.validate_on_submit():
        try:
            rattrapages_service.marquer_fait(
                current_user,
                rattrapage,
                form.fait_on.data,
                structure_today(current_user.structure),
                vu=versions.lire(request.form.get("version")),
            )
        except versions.ModifieEntreTemps as conflit:
            db.session.rollback()
            inscription = inscription_or_404(inscription_id)
            lignes = rattrapages_service.modules_manques(inscription)
            fait = (rattrapage_id, form)
            return _render_rattrapages(
                inscription, lignes, _rattrapage_form(lignes, module=""), fait, conflit=conflit, status=409
            )
        except DomainError as error:
            db.session.rollback()
            field_error(form, error)
        else:
            db.session.commit()
            flash(f"Rattrapage du module {numero} noté comme fait.", "success")
            return redirect(url_for("ateliers.rattrapages", inscription_id=inscription_id))
    inscription = inscription_or_404(inscription_id)
    lignes = rattrapages_service.modules_manques(inscription)
    return _render_rattrapages(inscription, lignes, _rattrapage_form(lignes, module=""), fait=(rattrapage_id, form))


@ateliers_bp.post("/rattrapages/<int:rattrapage_id>/annuler")
@roles_required(*WRITERS)
def annuler_rattrapage(rattrapage_id: int):
    rattrapage = _rattrapage_or_404(rattrapage_id)
    inscription_id, numero = rattrapage.inscription_id, rattrapage.module.numero
    try:
        rattrapages_service.annuler_rattrapage(
            current_user, rattrapage, vu=versions.lire(request.form.get(versions.CHAMP))
        )
    except versions.ModifieEntreTemps as conflit:
        db.session.rollback()
        inscription = inscription_or_404(inscription_id)
        lignes = rattrapages_service.modules_manques(inscription)
        return _render_rattrapages(
            inscription, lignes, _rattrapage_form(lignes, module=""), conflit=conflit, status=409
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        inscription = inscription_or_404(inscription_id)
        lignes = rattrapages_service.modules_manques(inscription)
        return _render_rattrapages(inscription, lignes, _rattrapage_form(lignes, module=""))
    db.session.commit()
    flash(f"Rattrapage du module {numero} annulé.", "success")
    return redirect(url_for("ateliers.rattrapages", inscription_id=inscription_id))
