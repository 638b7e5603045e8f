"""Workshops and their planning: list, closures, the workshop page, séances planned and moved, co-runners,
calendar and attendance sheets."""

from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ateliers import avancement, fournisseurs, planning, queries, services
from ateliers import cloture as cloture_service
from ateliers.calendrier import calendrier_ics
from ateliers.forms import (
    AnimateursSeanceForm,
    DeplacementForm,
    DeverrouillageForm,
    FermetureForm,
    PlanificationForm,
)
from ateliers.models import Atelier, Fermeture, Seance
from ateliers.presences import inscrits_de_seance
from ateliers.routes.blueprints import PRINTERS, VIEWERS, WRITERS, ateliers_bp
from ateliers.routes.commun import (
    atelier_or_404,
    dans_ordre_vu,
    download,
    field_error,
    horaire,
    seance_or_404,
    seances_of_viewer,
    slugify,
)
from core import disponibilites, journal, versions
from core.access import get_in_structure_or_404, roles_required
from core.constants import ROLES
from core.errors import DomainError
from core.models import Compte
from core.text import name_seen_by
from core.timeutil import datetime_fr, structure_today, structure_zone, to_local, utcnow
from extensions import db


@ateliers_bp.get("/", endpoint="liste")
@roles_required(*VIEWERS)
def ateliers_liste():
    return _render_liste(FermetureForm())


def _render_liste(form: FermetureForm, status: int = 200):
    animateur_id = current_user.id if current_user.role == "benevole" else None
    today = structure_today(current_user.structure)
    return render_template(
        "ateliers/liste.html",
        ateliers=queries.ateliers_of(current_user.structure_id, animateur_id),
        fermetures=queries.fermetures_a_venir(current_user.structure_id, today),
        form=form,
        demi_journees=disponibilites.DEMI_JOURNEES,
    ), status


@ateliers_bp.post("/fermetures")
@roles_required(*WRITERS)
def fermeture():
    form = FermetureForm()
    if not form.validate_on_submit():
        return _render_liste(form)
    try:
        services.ajouter_fermeture(
            current_user,
            form.debut_on.data,
            form.fin_on.data,
            (form.motif.data or "").strip(),
            structure_today(current_user.structure),
        )
    except DomainError as error:
        db.session.rollback()
        field_error(form, error)
        return _render_liste(form)
    db.session.commit()
    flash("Fermeture enregistrée.", "success")
    return redirect(url_for("ateliers.liste"))


@ateliers_bp.post("/fermetures/<int:fermeture_id>/supprimer")
@roles_required(*WRITERS)
def supprimer_fermeture(fermeture_id: int):
    fermeture = get_in_structure_or_404(Fermeture, fermeture_id)
    try:
        services.supprimer_fermeture(current_user, fermeture)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("Fermeture supprimée. Les séances déjà planifiées ne bougent pas : déplacez-les si besoin.", "success")
    return redirect(url_for("ateliers.liste"))


@ateliers_bp.get("/<int:atelier_id>")
@roles_required(*VIEWERS)
def detail(atelier_id: int):
    if current_user.role not in WRITERS:
        return render_detail(atelier_or_404(atelier_id, animateurs=False))
    # A writer's page offers the structure's co-runners: read with the workshop, in the same statement.
    atelier, choix = queries.atelier_et_animateurs(current_user.structure_id, atelier_id)
    if atelier is None:
        abort(404)
    return render_detail(atelier, choix=choix)


def render_detail(
    atelier: Atelier,
    planification: PlanificationForm | None = None,
    deplacement=None,
    deverrouillage=None,
    animateurs_refuses=None,
    conflit: versions.ModifieEntreTemps | None = None,
    choix: list[Compte] | None = None,
):
    """The workshop page. ``deplacement`` and ``animateurs_refuses`` are ``(numero, form)`` when a move or a
    change of animateurs was refused; ``conflit`` when it was refused because the page was out of date.
    ``choix``: the co-runners to offer a writer when read already (``queries.atelier_et_animateurs``, which
    loaded the séances' co-runners too)."""
    if current_user.role in WRITERS:
        animateurs = (
            choix if choix is not None else queries.animateurs_et_seances(atelier.structure_id, atelier.seances)
        )
    else:
        animateurs = []
        queries.charger_animateurs(atelier.seances)
    choix_animateurs = [(c.id, f"{c.nom_complet} ({ROLES[c.role].lower()})") for c in animateurs]
    # The planning and unlocking forms only when the page shows them (a form costs ~0.1 ms to build).
    if planification is None and not atelier.seances:
        planification = PlanificationForm(formdata=None, lieu=atelier.lieu)
    if planification is not None:
        planification.animateurs.choices = choix_animateurs
    if deverrouillage is None and atelier.is_locked:
        deverrouillage = DeverrouillageForm(formdata=None)
    seances = seances_of_viewer(atelier)
    today = structure_today(atelier.structure)
    etats, ouverture = queries.etats_et_ouverture(atelier, seances)
    avertissements = []
    if seances:
        avertissements = planning.conflits([services.seance_planifiee(s, ouverture.zone) for s in seances], ouverture)
    cloturable = current_user.role in WRITERS and not cloture_service.empechements_cloture(atelier, today)
    action = avancement.prochaine_action(
        [etats[s.id] for s in seances], today, statut=atelier.statut, is_locked=atelier.is_locked, cloturable=cloturable
    )
    journal.consultation(current_user, "atelier", atelier.id, "page de l'atelier")
    db.session.commit()
    return render_template(
        "ateliers/detail.html",
        atelier=atelier,
        seances=seances,
        # Each séance's co-runners as the page writes them, by surname, and as its form ticks them: worked out
        # here, where the template's sort and map filters cost ~40 µs a séance.
        animateurs_par_seance={
            s.id: ", ".join(c.nom_complet for c in sorted(s.animateurs, key=lambda c: c.nom.lower())) for s in seances
        },
        coches_par_seance={s.id: {c.id for c in s.animateurs} for s in seances},
        membres=dans_ordre_vu(atelier.inscriptions),
        avertissements=avertissements,
        planification=planification,
        deplacement=deplacement or (None, None),
        animateurs_refuses=animateurs_refuses or (None, None),
        deverrouillage=deverrouillage,
        choix_animateurs=choix_animateurs,
        cloturable=cloturable,
        avis_attestations=fournisseurs.avis_attestations(atelier) if current_user.role in WRITERS else None,
        etats=etats,
        action=action,
        horaire=horaire,
        demi_journees=disponibilites.DEMI_JOURNEES,
        today=today,
        now=utcnow(),
        version_calendrier=versions.jeton(services.instantane_calendrier(atelier)),
        version_animateurs=versions.jeton(services.instantane_animateurs(atelier)),
        conflit=conflit,
        changements=_changements_planning(conflit, structure_zone(atelier.structure)) if conflit else None,
    )


def _changements_planning(conflit: versions.ModifieEntreTemps, zone) -> list[str]:
    """The changes to the calendar or to the co-runners since the page was opened, in French (``zone``: the
    structure's clock)."""
    lignes = []
    for changement in conflit.changements:
        quoi, _, numero = changement.cle.partition("-")
        if quoi == "seance":
            avant, apres = (
                datetime_fr(datetime.fromisoformat(v), zone=zone) if v else ""
                for v in (changement.avant, changement.apres)
            )
            lignes.append(versions.decrire(changement, f"Séance {numero}", avant, apres, zone=zone))
        else:
            avant, apres = (
                ", ".join(compte.nom_complet for i in v or () if (compte := db.session.get(Compte, i)))
                for v in (changement.avant, changement.apres)
            )
            lignes.append(versions.decrire(changement, f"Animateurs de la séance {numero}", avant, apres, zone=zone))
    return lignes


@ateliers_bp.post("/<int:atelier_id>/planifier")
@roles_required(*WRITERS)
def planifier_atelier(atelier_id: int):
    atelier = atelier_or_404(atelier_id)
    form = PlanificationForm()
    form.animateurs.choices = [(c.id, c.nom_complet) for c in services.animateurs_of(atelier.structure_id)]
    if not form.validate_on_submit():
        return render_detail(atelier, form)
    try:
        services.planifier_atelier(current_user, atelier, today=structure_today(atelier.structure), **form.to_data())
    except DomainError as error:
        db.session.rollback()
        field_error(form, error)
        return render_detail(atelier_or_404(atelier_id), form)
    db.session.commit()
    flash("Atelier planifié : six séances datées.", "success")
    return redirect(url_for("ateliers.detail", atelier_id=atelier_id))


@ateliers_bp.post("/<int:atelier_id>/seances/<int:numero>/deplacer")
@roles_required(*WRITERS)
def deplacer_seance(atelier_id: int, numero: int):
    atelier = atelier_or_404(atelier_id)
    seance_or_404(atelier, numero)
    form = DeplacementForm()
    if not form.validate_on_submit():
        return render_detail(atelier, deplacement=(numero, form))
    vu = versions.lire(request.form.get(versions.CHAMP))
    try:
        services.deplacer_seance(
            current_user,
            atelier,
            numero,
            form.jour.data,
            form.decaler.data,
            structure_today(atelier.structure),
            vu=vu,
            a_posteriori=form.a_posteriori.data,
            now=utcnow(),
        )
    except versions.ModifieEntreTemps as conflit:
        db.session.rollback()
        return render_detail(atelier_or_404(atelier_id), deplacement=(numero, form), conflit=conflit), 409
    except DomainError as error:
        db.session.rollback()
        field_error(form, error)
        return render_detail(atelier_or_404(atelier_id), deplacement=(numero, form))
    db.session.commit()
    flash(f"Séance {numero} déplacée.", "success")
    return redirect(url_for("ateliers.detail", atelier_id=atelier_id))


@ateliers_bp.post("/<int:atelier_id>/seances/<int:numero>/animateurs")
@roles_required(*WRITERS)
def animateurs_seance(atelier_id: int, numero: int):
    atelier = atelier_or_404(atelier_id)
    seance_or_404(atelier, numero)
    form = AnimateursSeanceForm()
    if not form.validate_on_submit():
        return render_detail(atelier, animateurs_refuses=(numero, form))
    vu = versions.lire(request.form.get(versions.CHAMP))
    try:
        services.changer_animateurs(
            current_user,
            atelier,
            numero,
            form.animateurs.data or [],
            form.suivantes.data,
            structure_today(atelier.structure),
            vu=vu,
        )
    except versions.ModifieEntreTemps as conflit:
        db.session.rollback()
        return render_detail(atelier_or_404(atelier_id), animateurs_refuses=(numero, form), conflit=conflit), 409
    except DomainError as error:
        db.session.rollback()
        field_error(form, error)
        return render_detail(atelier_or_404(atelier_id), animateurs_refuses=(numero, form))
    db.session.commit()
    suite = " et des suivantes" if form.suivantes.data and numero < atelier.seances[-1].numero else ""
    flash(f"Animateurs de la séance {numero}{suite} changés.", "success")
    return redirect(url_for("ateliers.detail", atelier_id=atelier_id))


@ateliers_bp.get("/<int:atelier_id>/calendrier.ics")
@roles_required("admin", "mediateur", "direction")
def calendrier(atelier_id: int):
    atelier = atelier_or_404(atelier_id)
    if not atelier.seances:
        flash("Planifiez l'atelier avant d'exporter son calendrier.", "error")
        return redirect(url_for("ateliers.detail", atelier_id=atelier_id))
    contenu = calendrier_ics(
        atelier.intitule,
        atelier.lieu,
        [(s.numero, s.module.titre, s.starts_at, s.ends_at) for s in atelier.seances],
        uid_prefix=f"structure-{atelier.structure_id}-atelier-{atelier.id}",
        now=utcnow(),
        domaine=current_app.config["ICS_UID_DOMAIN"],
        fuseau=structure_zone(atelier.structure),
    )
    journal.record(current_user, "export", "atelier", atelier.id, "calendrier ICS")
    db.session.commit()
    return download(contenu, "text/calendar; charset=utf-8", f"{slugify(atelier.intitule)}.ics")


@ateliers_bp.get("/<int:atelier_id>/emargement.pdf")
@roles_required(*PRINTERS)
def emargement(atelier_id: int):
    atelier = atelier_or_404(atelier_id)
    seances = seances_of_viewer(atelier)
    if not seances:
        flash("Planifiez l'atelier avant d'imprimer les feuilles d'émargement.", "error")
        return redirect(url_for("ateliers.detail", atelier_id=atelier_id))
    return _feuilles(atelier, seances, f"emargement-{slugify(atelier.intitule)}.pdf")


@ateliers_bp.get("/<int:atelier_id>/seances/<int:numero>/emargement.pdf")
@roles_required(*PRINTERS)
def emargement_seance(atelier_id: int, numero: int):
    atelier = atelier_or_404(atelier_id)
    seance = seance_or_404(atelier, numero)
    return _feuilles(atelier, [seance], f"emargement-{slugify(atelier.intitule)}-seance-{numero}.pdf")


def _feuilles(atelier: Atelier, seances: list[Seance], filename: str):
    """The attendance sheets of ``seances``, each listing who was enrolled at that séance, even reprinted later."""
    from ateliers.emargement_pdf import FeuilleSeance, feuille_emargement  # PDF stack loaded on first use (core/pdf.py)

    zone = structure_zone(atelier.structure)
    feuilles = [
        FeuilleSeance(
            structure=atelier.structure.nom,
            atelier=atelier.intitule,
            lieu=atelier.lieu,
            numero=s.numero,
            module=s.module.titre,
            debut=to_local(s.starts_at, zone),
            fin=to_local(s.ends_at, zone),
            animateurs=[a.nom_complet for a in s.animateurs],
            apprenants=[
                name_seen_by(current_user.role, i.apprenant.prenom, i.apprenant.nom)
                for i in dans_ordre_vu(inscrits_de_seance(atelier, s))
            ],
        )
        for s in seances
    ]
    contenu = feuille_emargement(feuilles)
    numeros = ", ".join(str(s.numero) for s in seances)
    quelles = "séance" if len(seances) == 1 else "séances"
    journal.record(current_user, "export", "atelier", atelier.id, f"feuille d'émargement, {quelles} {numeros}")
    db.session.commit()
    return download(contenu, "application/pdf", filename)
