"""What happens in a séance: attendance, the skills grid (and the final evaluation), each learner's progress."""

from __future__ import annotations

import re
from collections import Counter

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ateliers import avancement, dropout, fournisseurs, periode
from ateliers import competences as competences_service
from ateliers import presences as presences_service
from ateliers import progression as progression_service
from ateliers.constants import STATUTS_PRESENCE
from ateliers.routes.blueprints import PRINTERS, READERS, ateliers_bp
from ateliers.routes.commun import (
    atelier_or_404,
    dans_ordre_vu,
    horaire,
    inscription_or_404,
    seance_or_404,
)
from ateliers.verrou import AtelierClos
from core import journal, versions
from core.access import roles_required
from core.francais import de, nombre
from core.text import name_seen_by
from core.timeutil import structure_today, structure_zone
from evaluations.constants import RESULTATS_COMPETENCE
from extensions import db


@ateliers_bp.route("/<int:atelier_id>/seances/<int:numero>/presences", methods=["GET", "POST"])
@roles_required(*PRINTERS)
def presences(atelier_id: int, numero: int):
    atelier = atelier_or_404(atelier_id, animateurs=False)
    seance = seance_or_404(atelier, numero)
    inscrits = dans_ordre_vu(presences_service.inscrits_de_seance(atelier, seance))
    if request.method == "GET":
        actuel = presences_service.instantane_presences(atelier, seance)
        journal.consultation(current_user, "atelier", atelier.id, f"présences de la séance {numero}")
        db.session.commit()
        return _render_presences(atelier, seance, inscrits, _valeurs_presences(actuel, inscrits), {}, actuel)
    saisies = {
        i.id: presences_service.Saisie(
            request.form.get(f"statut-{i.id}") or None,
            request.form.get(f"arrivee-{i.id}", ""),
            request.form.get(f"depart-{i.id}", ""),
        )
        for i in inscrits
    }
    # The CSRF token was checked before the view (CSRFProtect): a stale page gets the French 400 page.
    typed = {i.id: (s.statut, s.arrivee, s.depart) for i, s in ((i, saisies[i.id]) for i in inscrits)}
    vu = versions.lire(request.form.get(versions.CHAMP))
    try:
        changees = presences_service.enregistrer_presences(
            current_user, atelier, seance, saisies, structure_today(current_user.structure), vu=vu
        )
        db.session.commit()
    except versions.ModifieEntreTemps as conflit:
        db.session.rollback()
        return _presences_modifiees(atelier, seance, typed, conflit)
    except presences_service.PresencesRefusees as error:
        db.session.rollback()
        if not error.erreurs:
            flash(error.message, "error")
        return _render_presences(atelier, seance, inscrits, typed, error.erreurs, vu, message=error.message)
    except sa.exc.IntegrityError:
        # Someone saved this séance at the same instant: the unique (séance, inscription) rule refused ours.
        db.session.rollback()
        flash(
            "Les présences de cette séance viennent d'être enregistrées par quelqu'un d'autre : rien n'a été "
            "modifié. Vérifiez ci-dessous puis enregistrez à nouveau.",
            "error",
        )
        return _render_presences(atelier, seance, inscrits, typed, {}, vu)
    flash(f"Présences de la séance {numero} enregistrées ({nombre(len(changees), 'modification')}).", "success")
    return redirect(url_for("ateliers.presences", atelier_id=atelier_id, numero=numero))


def dans_l_ordre_de(inscrits, changements, personne_de):
    """``changements`` (``core.versions.Changement``) in the order the page lists the learners ``inscrits``,
    each learner's in the snapshot's order; ``personne_de`` gives the inscription id of a change's key. Someone
    no longer on the list comes last."""
    rangs = {inscription.id: rang for rang, inscription in enumerate(inscrits)}
    return sorted(changements, key=lambda c: rangs.get(personne_de(c.cle), len(rangs)))


def _valeurs_presences(champs: dict, inscrits) -> dict[int, tuple[str | None, str, str]]:
    """The page's values per learner from a snapshot of its fields (``statut-<id>``, ``arrivee-<id>``...)."""
    return {
        i.id: tuple(champs.get(f"{champ}-{i.id}", "") for champ in ("statut", "arrivee", "depart")) for i in inscrits
    }


def _presences_modifiees(atelier, seance, typed, conflit: versions.ModifieEntreTemps):
    """The attendance page after a refused stale save: the changes listed and beside their fields, what the
    person typed kept, the values stored now wherever they changed nothing."""
    inscrits = dans_ordre_vu(presences_service.inscrits_de_seance(atelier, seance))
    saisi = {
        f"{champ}-{ident}": valeur or ""
        for ident, ligne in typed.items()
        for champ, valeur in zip(("statut", "arrivee", "depart"), ligne, strict=True)
    }
    fusion = versions.fusionner(saisi, conflit.vu, conflit.actuel)
    zone = structure_zone(atelier.structure)
    noms = {i.id: name_seen_by(current_user.role, i.apprenant.prenom, i.apprenant.nom) for i in inscrits}

    def montrer(champ: str, valeur) -> str:
        if champ == "statut":
            return STATUTS_PRESENCE[valeur].lower() if valeur in STATUTS_PRESENCE else "non noté"
        return valeur or ""

    lignes, notes = [], {}
    for changement in dans_l_ordre_de(inscrits, conflit.changements, lambda cle: int(cle.partition("-")[2])):
        champ, _, ident = changement.cle.partition("-")
        avant, apres = montrer(champ, changement.avant), montrer(champ, changement.apres)
        nom = noms.get(int(ident), "Une personne qui n'est plus sur la liste")
        libelle = {"statut": nom, "arrivee": f"{nom}, heure d'arrivée", "depart": f"{nom}, heure de départ"}[champ]
        lignes.append(versions.decrire(changement, libelle, avant, apres, zone=zone))
        notes[changement.cle] = versions.decrire(changement, "Enregistré entre-temps", avant, apres, zone=zone)
    page = _render_presences(
        atelier,
        seance,
        inscrits,
        _valeurs_presences(fusion, inscrits),
        notes,
        conflit.actuel,
        message=conflit.message,
        changements=lignes,
    )
    return page, 409


def _render_presences(atelier, seance, inscrits, valeurs, erreurs, vu, message=None, changements=None):
    """The attendance page; ``vu`` is the snapshot its ``version`` field carries (what the save will compare)."""
    return render_template(
        "ateliers/presences.html",
        atelier=atelier,
        seance=seance,
        inscrits=inscrits,
        valeurs=valeurs,
        erreurs=erreurs,
        message=message if erreurs or changements is not None else None,
        changements=changements,
        version=versions.jeton(vu) if vu is not versions.ILLISIBLE else "",
        horaire=horaire(seance),
        statuts=STATUTS_PRESENCE,
        trop_tot=avancement.refus_saisie_trop_tot(seance.jour, structure_today(atelier.structure), "ses présences"),
    )


CHAMP_COMPETENCE = re.compile(r"^c-(\d+)-(\d+)$")


def _saisies_competences() -> dict[int, dict[int, str]]:
    """The judgements posted: inscription id -> competence id -> value, skills left blank left out."""
    saisies: dict[int, dict[int, str]] = {}
    for cle, valeur in request.form.items():
        match = CHAMP_COMPETENCE.match(cle)
        if match and valeur:
            saisies.setdefault(int(match.group(1)), {})[int(match.group(2))] = valeur
    return saisies


@ateliers_bp.route("/<int:atelier_id>/seances/<int:numero>/competences", methods=["GET", "POST"])
@roles_required(*PRINTERS)
def competences(atelier_id: int, numero: int):
    atelier = atelier_or_404(atelier_id, animateurs=False)
    seance = seance_or_404(atelier, numero)
    if competences_service.grille(atelier, seance).finale:
        return _evaluation_finale(atelier, seance, None)
    inscrits = dans_ordre_vu(presences_service.inscrits_de_seance(atelier, seance))
    if request.method == "GET":
        page = _render_competences(atelier, seance, inscrits, None, {})
        journal.consultation(current_user, "atelier", atelier.id, f"compétences de la séance {numero}")
        db.session.commit()
        return page
    vu = versions.lire(request.form.get(versions.CHAMP))
    saisies = _saisies_competences()
    typed = {(i, c): v for i, par_competence in saisies.items() for c, v in par_competence.items()}
    try:
        changees = competences_service.enregistrer_competences(
            current_user, atelier, seance, saisies, structure_today(current_user.structure), vu=vu
        )
        db.session.commit()
    except versions.ModifieEntreTemps as conflit:
        db.session.rollback()
        return _competences_modifiees(atelier, seance, typed, conflit)
    except (competences_service.InscriptionInconnue, competences_service.CompetenceInconnue):
        db.session.rollback()
        abort(404)
    except (competences_service.CompetencesRefusees, AtelierClos) as error:
        db.session.rollback()
        erreurs = getattr(error, "erreurs", {})
        flash(error.message + " Rien de ce que vous avez saisi n'est perdu.", "error")
        return _render_competences(atelier, seance, inscrits, typed, erreurs, vu)
    except sa.exc.IntegrityError:
        db.session.rollback()
        flash(ENREGISTREES_EN_MEME_TEMPS, "error")
        return _render_competences(atelier, seance, inscrits, typed, {}, vu)
    modifiees = nombre(len(changees), "personne modifiée", "personnes modifiées")
    flash(f"Compétences de la séance {numero} enregistrées ({modifiees}).", "success")
    return redirect(url_for("ateliers.competences", atelier_id=atelier_id, numero=numero))


ENREGISTREES_EN_MEME_TEMPS = (
    "Ces compétences viennent d'être enregistrées par quelqu'un d'autre : rien n'a été modifié. "
    "Vérifiez ci-dessous puis enregistrez à nouveau."
)


def _conflit_competences(atelier, seance, inscrits, typed, conflit: versions.ModifieEntreTemps):
    """After a refused stale save of judgements: the values to show ((inscription id, competence id) -> value:
    what the person typed, the judgement stored now wherever they changed nothing), the changes in French, and
    a note per form field saying what was saved meanwhile."""
    fusion = versions.fusionner({f"c-{i}-{c}": v for (i, c), v in typed.items()}, conflit.vu, conflit.actuel)
    valeurs = {}
    for cle, valeur in fusion.items():
        match = CHAMP_COMPETENCE.match(cle)
        if match and valeur:
            valeurs[int(match.group(1)), int(match.group(2))] = valeur
    noms = {i.id: name_seen_by(current_user.role, i.apprenant.prenom, i.apprenant.nom) for i in inscrits}
    zone = structure_zone(atelier.structure)
    codes = {c.id: c.code for c in competences_service.grille(atelier, seance).competences}
    lignes, notes = [], {}
    par_personne = dans_l_ordre_de(inscrits, conflit.changements, lambda cle: int(CHAMP_COMPETENCE.match(cle)[1]))
    for changement in par_personne:
        inscription_id, competence_id = (int(n) for n in CHAMP_COMPETENCE.match(changement.cle).groups())
        avant, apres = (RESULTATS_COMPETENCE.get(v, "non évalué").lower() for v in (changement.avant, changement.apres))
        code = codes.get(competence_id, "une compétence")
        nom = noms.get(inscription_id, "Une personne qui n'est plus sur la liste")
        lignes.append(versions.decrire(changement, f"{nom}, {code}", avant, apres, zone=zone))
        notes[changement.cle] = versions.decrire(changement, f"{code} enregistrée entre-temps", avant, apres, zone=zone)
    return valeurs, lignes, notes


def _competences_modifiees(atelier, seance, typed, conflit: versions.ModifieEntreTemps):
    """The skills page after a refused stale save: the changes listed and beside each learner's grid, what the
    person typed kept, the judgements stored now wherever they changed nothing."""
    inscrits = dans_ordre_vu(presences_service.inscrits_de_seance(atelier, seance))
    valeurs, lignes, notes = _conflit_competences(atelier, seance, inscrits, typed, conflit)
    par_personne: dict[int, list[str]] = {}
    for cle, note in notes.items():
        par_personne.setdefault(int(CHAMP_COMPETENCE.match(cle).group(1)), []).append(note)
    erreurs = {inscription_id: " ; ".join(liste) for inscription_id, liste in par_personne.items()}
    page = _render_competences(
        atelier, seance, inscrits, valeurs, erreurs, conflit.actuel, message=conflit.message, changements=lignes
    )
    return page, 409


def _render_competences(atelier, seance, inscrits, valeurs, erreurs, vu=None, message=None, changements=None):
    """The skills page of séances 1 to 5; ``valeurs`` None shows the stored judgements, else what was typed.
    ``vu`` is the snapshot its ``version`` field carries (None: the judgements stored now)."""
    vue = competences_service.grille(atelier, seance)
    enregistres, statuts = competences_service.resultats_et_statuts([i.id for i in inscrits], seance.id)
    if valeurs is None:
        valeurs = {(i, c): e.resultat for i, par_competence in enregistres.items() for c, e in par_competence.items()}
    if vu is None:  # the judgements just read: the same snapshot as instantane_competences, without reading again
        vu = competences_service.instantane_de_grille(inscrits, vue.competences, enregistres)
    precedents = {}
    if vue.precedents:
        for inscription in inscrits:
            lignes = []
            for module in vue.precedents:
                compte = Counter(
                    enregistres[inscription.id][c.id].resultat
                    for c in module.competences
                    if c.id in enregistres[inscription.id]
                )
                lignes.append((module, compte, len(module.competences)))
            precedents[inscription.id] = lignes
    (module,) = vue.modules
    bloques = competences_service.empechements(
        atelier, seance, inscrits, {(i, seance.id): statut for i, statut in statuts.items()}
    )
    return render_template(
        "ateliers/competences.html",
        atelier=atelier,
        seance=seance,
        vue=vue,
        inscrits=inscrits,
        valeurs=valeurs,
        erreurs=erreurs,
        empeches={
            i: competences_service.raison_empechement(par_module[module.id], module)
            for i, par_module in bloques.items()
        },
        precedents=precedents,
        presences=statuts,
        horaire=horaire(seance),
        resultats=RESULTATS_COMPETENCE,
        statuts_presence=STATUTS_PRESENCE,
        version=versions.jeton(vu) if vu is not versions.ILLISIBLE else "",
        message=message,
        changements=changements,
        trop_tot=avancement.refus_saisie_trop_tot(seance.jour, structure_today(atelier.structure), "ses compétences"),
    )


@ateliers_bp.route("/<int:atelier_id>/seances/<int:numero>/competences/<int:inscription_id>", methods=["GET", "POST"])
@roles_required(*PRINTERS)
def evaluation_finale(atelier_id: int, numero: int, inscription_id: int):
    """The final evaluation of one learner; 404 at a séance that is not the final evaluation."""
    atelier = atelier_or_404(atelier_id, animateurs=False)
    seance = seance_or_404(atelier, numero)
    if not competences_service.grille(atelier, seance).finale:
        abort(404)
    return _evaluation_finale(atelier, seance, inscription_id)


def _evaluation_finale(atelier, seance, inscription_id: int | None):
    """The final evaluation, one learner at a time (``inscription_id``; 404 when not on the séance's list).

    ``inscription_id`` None is the séance's skills address: it shows the first learner whose evaluation is to
    do, and still takes the whole-grid form of a page opened before the evaluation went one learner at a time
    (its ``version`` covers every learner, so the save compares every learner's judgements).
    """
    vue = competences_service.grille(atelier, seance)
    inscrits = dans_ordre_vu(presences_service.inscrits_de_seance(atelier, seance))
    personne = None
    if inscription_id is not None:
        personne = next((i for i in inscrits if i.id == inscription_id), None)
        if personne is None:
            abort(404)
    if request.method == "GET":
        page = _render_finale(atelier, seance, vue, inscrits, personne)
        if personne is None:
            journal.consultation(current_user, "atelier", atelier.id, "évaluation finale")
        else:
            journal.consultation(current_user, "inscription", personne.id, "évaluation finale")
        db.session.commit()
        return page
    vu = versions.lire(request.form.get(versions.CHAMP))
    saisies = _saisies_competences()
    typed = {(i, c): v for i, par_competence in saisies.items() for c, v in par_competence.items()}
    if personne is None:
        personne = next((i for i in inscrits if i.id in saisies), None)
    try:
        changees = competences_service.enregistrer_competences(
            current_user,
            atelier,
            seance,
            saisies,
            structure_today(current_user.structure),
            vu=vu,
            personnes=None if inscription_id is None else [inscription_id],
        )
        db.session.commit()
    except versions.ModifieEntreTemps as conflit:
        db.session.rollback()
        valeurs, lignes, notes = _conflit_competences(atelier, seance, inscrits, typed, conflit)
        page = _render_finale(
            atelier, seance, vue, inscrits, personne, valeurs, notes, conflit.actuel, conflit.message, lignes
        )
        return page, 409
    except (competences_service.InscriptionInconnue, competences_service.CompetenceInconnue):
        db.session.rollback()
        abort(404)
    except (competences_service.CompetencesRefusees, AtelierClos) as error:
        db.session.rollback()
        flash(error.message + " Rien de ce que vous avez saisi n'est perdu.", "error")
        erreurs = {f"personne-{i}": texte for i, texte in getattr(error, "erreurs", {}).items()}
        return _render_finale(atelier, seance, vue, inscrits, personne, typed, erreurs, vu)
    except sa.exc.IntegrityError:
        db.session.rollback()
        flash(ENREGISTREES_EN_MEME_TEMPS, "error")
        return _render_finale(atelier, seance, vue, inscrits, personne, typed, {}, vu)
    if inscription_id is None:
        flash(f"Évaluation finale enregistrée ({nombre(len(changees), 'personne modifiée')}).", "success")
        return redirect(url_for("ateliers.competences", atelier_id=atelier.id, numero=seance.numero))
    nom = name_seen_by(current_user.role, personne.apprenant.prenom, personne.apprenant.nom)
    rien = "" if changees else " (rien n'avait changé)"
    flash(f"Évaluation finale {de(nom)} enregistrée{rien}.", "success")
    suivante = _voisines(inscrits, personne)[1]
    cible = suivante if suivante is not None and request.form.get("suite") else personne
    return redirect(
        url_for("ateliers.evaluation_finale", atelier_id=atelier.id, numero=seance.numero, inscription_id=cible.id)
    )


def _sections_finale(vue, bloques: dict[int, str]) -> list[tuple[str, str, list, str | None]]:
    """The parts of a learner's final evaluation, in the order the page shows them: the final scenario, then
    each module's other skills; each as (html id, title, skills, what the page says when the module is missed
    without a catch-up, or None). ``bloques``: module id -> that message."""
    scenario = [c for c in vue.competences if c.is_evaluation_finale]
    sections = [("scenario", "Mise en situation finale", scenario, None)]
    for module in vue.modules:
        autres = [c for c in module.competences if not c.is_evaluation_finale]
        sections.append((f"module-{module.id}", f"{module.code} — {module.titre}", autres, bloques.get(module.id)))
    return sections


def _voisines(inscrits, personne):
    """The learners before and after ``personne`` in the page's list (None at either end)."""
    rang = inscrits.index(personne)
    return (inscrits[rang - 1] if rang else None), (inscrits[rang + 1] if rang + 1 < len(inscrits) else None)


def _render_finale(
    atelier, seance, vue, inscrits, personne, valeurs=None, erreurs=None, vu=None, message=None, changements=None
):
    """The final evaluation page of ``personne`` (None: the first learner whose evaluation is to do).

    Reads the group's judgements (plain columns, for the list's states and this learner's grid) and attendance
    in one query whatever the size of the group. ``valeurs``:
    (inscription id, competence id) -> what was typed, shown over the stored judgements; ``erreurs`` maps
    a form field, or ``personne-<id>``, to its message; ``vu`` is the snapshot the save compared (None: the
    judgements read here).
    """
    stockes, statuts_par_inscription = competences_service.jugements_et_statuts(
        [i.id for i in inscrits], [c.id for c in vue.competences]
    )
    etats = competences_service.etats_evaluation_finale(vue, inscrits, stockes)
    if personne is None and inscrits:
        personne = next((i for i in inscrits if not etats[i.id].faite), inscrits[0])
    contexte = {}
    if personne is not None:
        enregistres = stockes[personne.id]
        statuts = statuts_par_inscription[personne.id]
        bloques = competences_service.empechements(
            atelier, seance, [personne], {(personne.id, s): statut for s, statut in statuts.items()}
        ).get(personne.id, {})
        # What was typed (or kept after a refusal) over what is stored: a skill not posted (a disabled one, a
        # legacy whole-grid form) still shows its stored judgement.
        valeurs = {**{(personne.id, c): e.resultat for c, e in enregistres.items()}, **(valeurs or {})}
        prefixe = f"c-{personne.id}-"
        if vu is None:
            vu = competences_service.instantane_de_grille([personne], vue.competences, {personne.id: enregistres})
        elif vu is not versions.ILLISIBLE:
            # The page shows this learner only: its version carries their judgements, whatever the save compared.
            vu = {cle: valeur for cle, valeur in vu.items() if cle.startswith(prefixe)}
        raisons = {
            m.id: competences_service.raison_empechement(bloques[m.id], m) for m in vue.modules if m.id in bloques
        }
        numeros = {s.id: s.numero for s in atelier.seances}
        precedente, suivante = _voisines(inscrits, personne)
        contexte = {
            "nom": name_seen_by(current_user.role, personne.apprenant.prenom, personne.apprenant.nom),
            "statut": statuts.get(seance.id) if personne.was_enrolled_at(seance) else None,
            "valeurs": {c: v for (i, c), v in valeurs.items() if i == personne.id},
            "notee_a": {c: numeros.get(e.seance_id) for c, e in enregistres.items()},
            "absence": next((code for code in bloques.values() if code == periode.ABSENCE_A_LA_SEANCE), None),
            "bloques": raisons,
            "sections": _sections_finale(vue, raisons),
            "precedente": precedente,
            "suivante": suivante,
            "version": versions.jeton(vu) if vu is not versions.ILLISIBLE else "",
        }
    return render_template(
        "ateliers/evaluation_finale.html",
        atelier=atelier,
        seance=seance,
        vue=vue,
        inscrits=inscrits,
        etats=etats,
        personne=personne,
        erreurs=erreurs or {},
        horaire=horaire(seance),
        resultats=RESULTATS_COMPETENCE,
        statuts_presence=STATUTS_PRESENCE,
        message=message,
        changements=changements,
        trop_tot=avancement.refus_saisie_trop_tot(seance.jour, structure_today(atelier.structure), "ses compétences"),
        **contexte,
    )


@ateliers_bp.get("/inscriptions/<int:inscription_id>/progression")
@roles_required(*READERS)
def progression(inscription_id: int):
    inscription = inscription_or_404(inscription_id)
    atelier = inscription.atelier
    vue = progression_service.progression(inscription)
    suivi = {
        "alertes": vue.alertes,
        "historiques": vue.historiques,
        "suivis": vue.suivis,
        "regles": dropout.REGLES,
        "risques": dropout.NIVEAUX_RISQUE,
    }
    plans = [p for p in fournisseurs.plans_de(inscription.apprenant_id) if p.inscription_id == inscription.id]
    evolution = fournisseurs.evolution_apres_atelier(inscription.id) if plans else {}
    journal.consultation(current_user, "inscription", inscription.id, "progression")
    db.session.commit()
    return render_template(
        "ateliers/progression.html",
        inscription=inscription,
        atelier=atelier,
        vue=vue,
        suivi=suivi,
        plans=plans,
        evolution=evolution,
        resultats=RESULTATS_COMPETENCE,
        statuts_presence=STATUTS_PRESENCE,
        horaire=horaire,
    )
