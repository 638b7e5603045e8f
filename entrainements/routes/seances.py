"""One practice occurrence: its attendance with the skills practised, and its printable practice sheet."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from core import journal, versions
from core.access import get_in_structure_or_404, roles_required
from core.francais import nombre
from core.text import name_seen_by
from core.timeutil import horaire_fr, structure_zone, to_local, utcnow
from entrainements import presences as presences_service
from entrainements.models import Creneau, Occurrence
from entrainements.routes.blueprints import entrainements_bp
from evaluations.constants import RESULTATS_COMPETENCE
from extensions import db

# The mediation team, and a volunteer for the slots they run (checked per occurrence: presences.peut_noter).
NOTEURS = ("admin", "mediateur", "benevole")
CHAMP_NIVEAU = re.compile(r"^c-(\d+)-(\d+)$")
CHAMP_STATUT = re.compile(r"^statut-(\d+)$")
PARTIE = "Une personne qui n'est plus sur la liste"


def occurrence_notable_or_404(occurrence_id: int) -> Occurrence:
    """The occurrence of the current structure, if the signed-in account may note it (404 otherwise: a
    volunteer cannot probe the slots others run)."""
    occurrence = get_in_structure_or_404(
        Occurrence, occurrence_id, joinedload(Occurrence.creneau).joinedload(Creneau.structure)
    )
    if not presences_service.peut_noter(current_user, occurrence):
        abort(404)
    return occurrence


def _saisies() -> tuple[dict[int, str], dict[tuple[int, int], str]]:
    """The statuses and levels posted: reservation id -> status, (reservation id, competence id) -> level;
    blank levels left out."""
    statuts, niveaux = {}, {}
    for cle, valeur in request.form.items():
        if match := CHAMP_STATUT.match(cle):
            statuts[int(match.group(1))] = valeur
        elif (match := CHAMP_NIVEAU.match(cle)) and valeur:
            niveaux[int(match.group(1)), int(match.group(2))] = valeur
    return statuts, niveaux


@entrainements_bp.route("/occurrences/<int:occurrence_id>/presences", methods=["GET", "POST"])
@roles_required(*NOTEURS)
def presences(occurrence_id: int):
    occurrence = occurrence_notable_or_404(occurrence_id)
    if request.method == "GET":
        lignes = presences_service.lignes_de(occurrence, current_user.role)
        actuel = presences_service.instantane_presences(occurrence, lignes)
        return _render(occurrence, lignes, actuel, {}, actuel)
    statuts, niveaux = _saisies()
    saisi = {
        **{f"statut-{rid}": v for rid, v in statuts.items()},
        **{f"c-{rid}-{cid}": v for (rid, cid), v in niveaux.items()},
    }
    vu = versions.lire(request.form.get(versions.CHAMP))
    try:
        changees = presences_service.enregistrer_presences(
            current_user, occurrence, statuts, niveaux, now=utcnow(), vu=vu
        )
        db.session.commit()
    except versions.ModifieEntreTemps as conflit:
        db.session.rollback()
        return _modifiees(occurrence, saisi, conflit)
    except presences_service.PresencesRefusees as error:
        db.session.rollback()
        lignes = presences_service.lignes_de(occurrence, current_user.role)
        valeurs = {**presences_service.instantane_presences(occurrence, lignes), **saisi}
        if not error.erreurs:
            flash(error.message, "error")
        return _render(occurrence, lignes, valeurs, error.erreurs, vu, message=error.message)
    except sa.exc.IntegrityError:
        db.session.rollback()
        flash(
            "Ces présences viennent d'être enregistrées par quelqu'un d'autre : rien n'a été modifié. "
            "Vérifiez ci-dessous puis enregistrez à nouveau.",
            "error",
        )
        lignes = presences_service.lignes_de(occurrence, current_user.role)
        valeurs = {**presences_service.instantane_presences(occurrence, lignes), **saisi}
        return _render(occurrence, lignes, valeurs, {}, vu), 409
    flash(
        f"Présences de l'entraînement enregistrées ({nombre(changees, 'personne modifiée', 'personnes modifiées')}).",
        "success",
    )
    return redirect(url_for("entrainements.presences", occurrence_id=occurrence.id))


def _modifiees(occurrence: Occurrence, saisi: dict[str, str], conflit: versions.ModifieEntreTemps):
    """The page after a refused stale save: the changes listed and beside their fields, what was typed kept,
    the values stored now wherever the person changed nothing."""
    lignes = presences_service.lignes_de(occurrence, current_user.role)
    valeurs = versions.fusionner(saisi, conflit.vu, conflit.actuel)
    zone = structure_zone(occurrence.creneau.structure)
    noms = {
        ligne.reservation.id: name_seen_by(current_user.role, ligne.apprenant.prenom, ligne.apprenant.nom)
        for ligne in lignes
    }
    codes = {(ligne.reservation.id, c.id): c.code for ligne in lignes for c in ligne.competences}

    def montrer(cle: str, valeur) -> str:
        if cle.startswith("statut-"):
            return presences_service.PRESENCES.get(valeur, "non noté").lower()
        return RESULTATS_COMPETENCE.get(valeur, "non évalué").lower()

    resumes, notes = [], {}
    for changement in conflit.changements:
        avant, apres = montrer(changement.cle, changement.avant), montrer(changement.cle, changement.apres)
        if match := CHAMP_NIVEAU.match(changement.cle):
            rid, cid = int(match.group(1)), int(match.group(2))
            libelle = f"{noms.get(rid, PARTIE)}, {codes.get((rid, cid), 'une compétence')}"
        else:
            libelle = noms.get(int(changement.cle.partition("-")[2]), PARTIE)
        resumes.append(versions.decrire(changement, libelle, avant, apres, zone=zone))
        notes[changement.cle] = versions.decrire(changement, "Enregistré entre-temps", avant, apres, zone=zone)
    page = _render(occurrence, lignes, valeurs, notes, conflit.actuel, message=conflit.message, changements=resumes)
    return page, 409


def _render(occurrence, lignes, valeurs, erreurs, vu, message=None, changements=None):
    """The attendance page; ``vu`` is the snapshot its ``version`` field carries."""
    zone = structure_zone(occurrence.creneau.structure)
    return render_template(
        "entrainements/presences.html",
        occurrence=occurrence,
        lignes=lignes,
        valeurs=valeurs,
        erreurs=erreurs,
        message=message if erreurs or changements is not None else None,
        changements=changements,
        version=versions.jeton(vu) if vu is not versions.ILLISIBLE else "",
        horaire=horaire_fr(to_local(occurrence.starts_at, zone), to_local(occurrence.ends_at, zone)),
        presences=presences_service.PRESENCES,
        resultats=RESULTATS_COMPETENCE,
        trop_tot=presences_service.refus_trop_tot(occurrence, utcnow()),
    )


@entrainements_bp.get("/occurrences/<int:occurrence_id>/fiche.pdf")
@roles_required(*NOTEURS)
def fiche(occurrence_id: int):
    from entrainements import fiche_pdf  # PDF stack loaded on first use (core/pdf.py)

    occurrence = occurrence_notable_or_404(occurrence_id)
    lignes = presences_service.lignes_de(occurrence, current_user.role)
    zone = structure_zone(occurrence.creneau.structure)
    contenu = fiche_pdf.fiche_entrainement(
        fiche_pdf.FicheEntrainement(
            structure=occurrence.creneau.structure.nom,
            lieu=occurrence.creneau.lieu,
            debut=to_local(occurrence.starts_at, zone),
            fin=to_local(occurrence.ends_at, zone),
            apprenants=[
                fiche_pdf.ApprenantFiche(
                    nom=name_seen_by(current_user.role, ligne.apprenant.prenom, ligne.apprenant.nom),
                    rang=ligne.reservation.entrainement.rang,
                    competences=[
                        fiche_pdf.CompetenceFiche(c.code, c.libelle, c.ressource_titre, c.ressource_url)
                        for c in ligne.competences
                    ],
                )
                for ligne in lignes
                if ligne.reservation.statut in ("reservee", "honoree")
            ],
        )
    )
    journal.record(current_user, "export", "occurrence", occurrence.id, "fiche d'entraînement")
    db.session.commit()
    reponse = Response(contenu, mimetype="application/pdf")
    reponse.headers["Content-Disposition"] = f'inline; filename="fiche-entrainement-{occurrence.jour.isoformat()}.pdf"'
    return reponse
