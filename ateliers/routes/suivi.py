"""Dropout follow-up: the call-back list, the follow-up call, alert thresholds, a freed place given to someone
waiting."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ateliers import dropout, fournisseurs, queries, rappels, services, suivis
from ateliers import seuils as seuils_service
from ateliers.forms import (
    SeuilsForm,
    SuiviForm,
)
from ateliers.models import Alerte, Atelier, Inscription, Seance
from ateliers.routes.blueprints import READERS, WRITERS, ateliers_bp
from ateliers.routes.commun import (
    atelier_or_404,
    field_error,
    horaire,
)
from core import journal, versions
from core.access import get_in_structure_or_404, roles_required
from core.errors import DomainError
from core.forms import reprendre
from core.francais import de, nombre
from core.models import Apprenant
from core.timeutil import date_fr, structure_today, structure_zone, utcnow
from evaluations.constants import NIVEAUX
from evaluations.curriculum import current_curriculum_version, curriculum
from extensions import db


@ateliers_bp.get("/a-rappeler")
@roles_required(*WRITERS)
def a_rappeler():
    liste = rappels.liste_a_rappeler(current_user.structure_id, structure_today(current_user.structure))
    journal.consultation(
        current_user,
        "alerte",
        None,
        f"liste à rappeler : {nombre(len(liste.a_rappeler), 'personne')}, "
        f"{nombre(len(liste.rappels_prevus), 'rappel prévu', 'rappels prévus')}",
    )
    db.session.commit()
    return render_template(
        "ateliers/a_rappeler.html", liste=liste, regles=dropout.REGLES, risques=dropout.NIVEAUX_RISQUE
    )


def _inscription_suivie_or_404(inscription_id: int) -> Inscription:
    """An inscription of the current structure (through its workshop), with its learner and workshop loaded."""
    inscription = db.session.scalar(
        sa.select(Inscription)
        .join(Atelier, Atelier.id == Inscription.atelier_id)
        .where(Inscription.id == inscription_id, Atelier.structure_id == current_user.structure_id)
        .options(joinedload(Inscription.apprenant), joinedload(Inscription.atelier))
    )
    if inscription is None:
        abort(404)
    return inscription


@ateliers_bp.route("/alertes/<int:alerte_id>/suivi", methods=["GET", "POST"])
@roles_required(*WRITERS)
def suivi_alerte(alerte_id: int):
    """The call used to be noted per alert: such a link (a bookmark, an open tab) leads to the person's call,
    keeping the method (308), so a form posted from an old page is still recorded."""
    inscription_id = db.session.scalar(
        sa.select(Alerte.inscription_id)
        .join(Inscription, Inscription.id == Alerte.inscription_id)
        .join(Atelier, Atelier.id == Inscription.atelier_id)
        .where(Alerte.id == alerte_id, Atelier.structure_id == current_user.structure_id)
    )
    if inscription_id is None:
        abort(404)
    return redirect(url_for("ateliers.suivi", inscription_id=inscription_id), code=308)


@ateliers_bp.route("/inscriptions/<int:inscription_id>/suivi", methods=["GET", "POST"])
@roles_required(*WRITERS)
def suivi(inscription_id: int):
    inscription = _inscription_suivie_or_404(inscription_id)
    today = structure_today(current_user.structure)
    form = SuiviForm() if request.method == "POST" else SuiviForm(formdata=None, appel_on=today)
    if request.method == "POST" and form.validate_on_submit():
        try:
            suivis.enregistrer_suivi(
                current_user,
                inscription,
                form.appel_on.data,
                form.resultat.data,
                form.motif.data or None,
                form.suite.data,
                today,
                now=utcnow(),
                rappel_on=form.rappel_on.data,
            )
        except DomainError as error:
            db.session.rollback()
            field_error(form, error)
            inscription = _inscription_suivie_or_404(inscription_id)
        else:
            db.session.commit()
            prenom = inscription.apprenant.prenom
            if form.suite.data == "rappeler":
                flash(f"Appel {de(prenom)} enregistré, rappel prévu le {date_fr(form.rappel_on.data)}.", "success")
            else:
                flash(f"Appel {de(prenom)} enregistré.", "success")
            if form.suite.data == "abandon":
                flash("Une place est libre : voici les personnes en attente qui peuvent la prendre.", "info")
                return redirect(url_for("ateliers.remplacement", atelier_id=inscription.atelier_id))
            if form.suite.data == "rattrapage_propose":
                manques = rappels.modules_manques([inscription.id]).get(inscription.id, [])
                module = next((m.numero for m in manques if not m.rattrapage_prevu), None)
                return redirect(url_for("ateliers.rattrapages", inscription_id=inscription.id, module=module))
            return redirect(url_for("ateliers.a_rappeler"))
    return _render_suivi(inscription, form, today)


def _render_suivi(inscription: Inscription, form: SuiviForm, today):
    """The call page: the person, why to call (every open alert about today), missed modules, earlier calls."""
    alertes = rappels.alertes_du_jour(inscription.id)
    if inscription.statut != "inscrit":
        # After the workshop (two practice sessions missed): only the steps that still mean something are offered;
        # the service says why beside the field if another comes (a page opened before the closing).
        form.suite.choices = [c for c in form.suite.choices if c.value in ("", *suivis.SUITES_APRES_ATELIER)]
    journal.consultation(current_user, "inscription", inscription.id, "appel de suivi")
    db.session.commit()
    return render_template(
        "ateliers/suivi.html",
        inscription=inscription,
        apprenant=inscription.apprenant,
        alertes=alertes,
        modules_manques=rappels.modules_manques([inscription.id]).get(inscription.id, []),
        suivis=rappels.suivis_de([inscription.id]).get(inscription.id, []),
        plans=fournisseurs.plans_de(inscription.apprenant_id),
        form=form,
        regles=dropout.REGLES,
        risques=dropout.NIVEAUX_RISQUE,
    )


def _titres_modules() -> dict[int, str]:
    """Module number -> title in the current curriculum (empty when none is loaded)."""
    version = current_curriculum_version()
    return {m.numero: m.titre for m in curriculum(version)} if version is not None else {}


def _render_seuils(form: SeuilsForm, titres_modules: dict[int, str], conflit=None, changements=None):
    return render_template(
        "ateliers/seuils.html",
        form=form,
        seuils=dropout.Seuils.from_dict(current_user.structure.seuils_decrochage or {}),
        reference=dropout.Seuils(),
        titres_modules=titres_modules,
        niveaux=NIVEAUX,
        peut_modifier=current_user.role in WRITERS,
        conflit=conflit,
        changements=changements,
    )


@ateliers_bp.get("/seuils", endpoint="seuils")
@roles_required(*READERS)
def seuils():
    actuels = dropout.Seuils.from_dict(current_user.structure.seuils_decrochage or {})
    titres = _titres_modules()
    form = SeuilsForm(formdata=None, titres_modules=titres, **SeuilsForm.initial_data(actuels))
    form.version.data = versions.jeton(seuils_service.instantane_seuils(current_user.structure))
    return _render_seuils(form, titres)


@ateliers_bp.post("/seuils", endpoint="enregistrer_seuils")
@roles_required(*WRITERS)
def enregistrer_seuils():
    """Save the thresholds typed, or with ``action=reference`` restore the reference ones (direction: 403)."""
    titres = _titres_modules()
    form = SeuilsForm(titres_modules=titres)
    if request.form.get("action") == "reference":
        nouveaux = dropout.Seuils()  # the CSRF token was checked before the view (CSRFProtect)
    elif not form.validate_on_submit():
        return _render_seuils(form, titres)
    else:
        try:
            nouveaux = form.to_seuils()
        except ValueError as error:
            form.form_errors.append(str(error))
            return _render_seuils(form, titres)
    structure = current_user.structure
    try:
        seuils_service.modifier_seuils(
            current_user,
            structure,
            nouveaux,
            structure_today(structure),
            vu=versions.lire(request.form.get(versions.CHAMP)),
        )
    except versions.ModifieEntreTemps as conflit:
        db.session.rollback()
        form, changements = reprendre(
            conflit,
            nouveaux.to_dict(),
            lambda valeurs: SeuilsForm.initial_data(dropout.Seuils.from_dict(valeurs)),
            lambda data: SeuilsForm(formdata=None, titres_modules=titres, data=data),
            zone=structure_zone(current_user.structure),
        )
        return _render_seuils(form, titres, conflit, changements), 409
    db.session.commit()
    flash("Seuils d'alerte enregistrés.", "success")
    return redirect(url_for("ateliers.seuils"))


@ateliers_bp.get("/<int:atelier_id>/remplacement")
@roles_required(*WRITERS)
def remplacement(atelier_id: int):
    return _render_remplacement(atelier_or_404(atelier_id))


@ateliers_bp.post("/<int:atelier_id>/remplacement/<int:apprenant_id>")
@roles_required(*WRITERS)
def inscrire_remplacant(atelier_id: int, apprenant_id: int):
    atelier = atelier_or_404(atelier_id)
    apprenant = get_in_structure_or_404(Apprenant, apprenant_id)
    try:
        inscription = services.inscrire_remplacant(
            current_user, atelier, apprenant, structure_today(current_user.structure), now=utcnow()
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _render_remplacement(atelier_or_404(atelier_id))
    db.session.commit()
    premiere = services.seances_restantes(atelier, inscription.joined_at)[0]
    flash(
        f"{apprenant.prenom} rejoint l'atelier « {atelier.intitule} » à partir de la séance {premiere.numero}.",
        "success",
    )
    return redirect(url_for("ateliers.detail", atelier_id=inscription.atelier_id))


def _render_remplacement(atelier: Atelier):
    """The replacement page: free places, séances left, and who could come (only when someone can)."""
    today = structure_today(current_user.structure)
    libres = atelier.capacite - atelier.places_prises
    try:
        restantes, refus = services.exiger_remplacable(atelier, utcnow()), None
    except DomainError as error:
        restantes, refus = [], error.message
    personnes = queries.remplacants(atelier, today) if libres > 0 and not refus else []
    journal.consultation(current_user, "apprenant", None, f"remplaçants pour l'atelier {atelier.id}")
    db.session.commit()
    return render_template(
        "ateliers/remplacement.html",
        atelier=atelier,
        libres=libres,
        restantes=restantes,
        arrivee=_arrivee_en_mots(atelier, restantes),
        refus=refus,
        personnes=personnes,
        horaire=horaire,
    )


def _arrivee_en_mots(atelier: Atelier, restantes: list[Seance]) -> str:
    """``arriverait à la séance 4 (module 4) et manquerait les séances 1, 2 et 3`` for a newcomer joining now.

    :param restantes: the séances the newcomer would follow (``services.seances_restantes``); the others are
        those they would miss.
    """
    if not restantes:
        return ""
    premiere = restantes[0]
    texte = f"arriverait à la séance {premiere.numero} (module {premiere.module.numero})"
    manquees = [str(s.numero) for s in atelier.seances if s not in restantes]
    if len(manquees) == 1:
        texte += f" et manquerait la séance {manquees[0]}"
    elif manquees:
        texte += f" et manquerait les séances {', '.join(manquees[:-1])} et {manquees[-1]}"
    return texte
