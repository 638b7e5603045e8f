"""Use cases of the ateliers package. Services change rows and ``flush()``; the caller commits once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ateliers import periode, planning
from ateliers.models import Atelier, Fermeture, Inscription, Seance
from ateliers.queries import animateur_propose, ouverture_de
from ateliers.verrou import exiger_ouvert
from core import journal, versions
from core.bounds import require_date_in_window
from core.errors import DomainError
from core.models import Apprenant, Compte
from core.timeutil import date_fr, local_to_utc, to_local, utcnow
from evaluations.curriculum import modules_of_version
from extensions import db

STATUT_CHANGES = {"en_attente", "retire", "oriente"}


def instantane_attente(apprenant: Apprenant) -> dict[str, str | None]:
    """What a row of the waiting list shows and its status form changes: the learner's status."""
    return {"statut": apprenant.statut}


def change_waiting_status(
    auteur: Compte, apprenant: Apprenant, statut: str, today: date, vu: Mapping[str, object] | None = None
) -> None:
    """Put a learner back on the waiting list, withdraw them, or orient them elsewhere.

    :param vu: what the list showed of the learner (``core.versions.lire``); None skips the check. The
        learner's row is locked first, so two changes run one at a time.
    :raise core.versions.ModifieEntreTemps: the status changed since the list showed ``vu``; nothing written.
    :raise DomainError: for a learner enrolled in a workshop (their inscription decides), or an unknown status.
    """
    if statut not in STATUT_CHANGES:
        raise DomainError("Statut inconnu.", field="statut")
    if vu is not None:
        versions.verrouiller(apprenant)
        versions.exiger_inchange(vu, instantane_attente(apprenant), versions.par_journal("apprenant", apprenant.id))
    if apprenant.statut == "inscrit":
        raise DomainError("Cette personne est inscrite à un atelier : son statut suit son inscription.", field="statut")
    if statut == apprenant.statut:
        return
    if statut == "en_attente" or apprenant.en_attente_depuis_on is None:
        apprenant.en_attente_depuis_on = today  # back on the list: the waiting time starts again
    previous = apprenant.statut
    apprenant.statut = statut
    apprenant.updated_at = utcnow()
    db.session.flush()
    journal.record(auteur, "modification", "apprenant", apprenant.id, f"liste d'attente : {previous} -> {statut}")


# --- Planning a workshop: six séances, animateurs, closures, moves ------------------------------------------


def seance_planifiee(seance: Seance, zone: ZoneInfo) -> planning.SeancePlanifiee:
    """A stored séance as the pure planning rules see it: day and wall-clock hours in ``zone``, the structure's."""
    debut, fin = to_local(seance.starts_at, zone), to_local(seance.ends_at, zone)
    return planning.SeancePlanifiee(seance.numero, debut.date(), debut.time(), fin.time(), zone)


def planifier_atelier(
    auteur: Compte,
    atelier: Atelier,
    debut: date,
    lieu: str,
    animateur_ids: list[int],
    today: date,
    a_posteriori: bool = False,
) -> list[Seance]:
    """Date the six séances of a confirmed group from ``debut``, assign the animateurs, mark it "planifie".

    A workshop that started on paper is planned with ``a_posteriori`` (the mediator's "saisie a posteriori"
    confirmation): its first séances may then be past, up to ``planning.RECUL_A_POSTERIORI`` back
    (``planning.refus_date_passee``). The group's members hold every séance planned: a member whose place was
    recorded after the first séance started is taken as enrolled from that séance's day
    (:func:`_garder_les_membres`), so the attendance and skills of the séances held on paper can be keyed in.
    ``Atelier.created_at`` stays the moment the workshop was put into the app.

    :param today: the structure's day (``core.timeutil.structure_today``).
    :raise DomainError: beside "debut": already planned, a first séance in the past without ``a_posteriori``
        or more than three months back, no member, no room for the séances (the structure's holidays and
        closures); beside "animateurs": an unknown animateur. The workshop's row is locked first: of two
        plannings at once, the second finds it planned.
    """
    versions.verrouiller(atelier)
    if atelier.seances or atelier.statut != "projet":
        raise DomainError("Cet atelier est déjà planifié : déplacez ses séances si besoin.", "debut")
    require_date_in_window(debut, today, "debut")
    membres = db.session.scalar(
        sa.select(sa.func.count(Inscription.id)).where(
            Inscription.atelier_id == atelier.id, Inscription.statut == "inscrit"
        )
    )
    if not membres:
        raise DomainError("Cet atelier n'a aucun membre : constituez d'abord le groupe.", "debut")
    animateurs = animateurs_of(atelier.structure_id, animateur_ids)
    if len(animateurs) != len(set(animateur_ids)):
        raise DomainError("Choisissez des animateurs de la structure (médiateurs ou bénévoles).", "animateurs")
    modules = modules_of_version(atelier.curriculum_version)
    if not modules:
        raise DomainError("Le référentiel de cet atelier n'a pas de modules.", "debut")
    try:
        ouverture = ouverture_de(atelier.structure)
        planifiees = planning.planifier_seances(atelier.demi_journee, debut, ouverture, nombre=len(modules))
    except ValueError as error:
        raise DomainError(str(error), "debut") from None
    refus = planning.refus_date_passee(planifiees[0].jour, today, a_posteriori)
    if refus:
        raise DomainError(refus, "debut")
    seances = [
        Seance(
            numero=planifiee.numero,
            module_id=module.id,
            starts_at=planifiee.starts_at,
            ends_at=planifiee.ends_at,
            animateurs=list(animateurs),
        )
        for planifiee, module in zip(planifiees, modules, strict=True)
    ]
    atelier.seances.extend(seances)
    atelier.animateurs = list(animateurs)
    atelier.start_on = planifiees[0].jour
    atelier.lieu = lieu
    atelier.statut = "planifie"
    db.session.flush()
    _garder_les_membres(atelier, {seances[0].numero: None}, ouverture.zone)
    a_posteriori = planifiees[0].jour < today
    details = f"planification à partir du {debut.isoformat()}" + (" (saisie a posteriori)" * a_posteriori)
    journal.record(auteur, "modification", "atelier", atelier.id, details)
    db.session.flush()
    return seances


def _garder_les_membres(atelier: Atelier, avant: Mapping[int, datetime | None], zone: ZoneInfo) -> list[Inscription]:
    """Keep the learners of ``atelier`` enrolled at the séances just dated or moved earlier; flush only.

    Who was enrolled at a séance compares moments (``ateliers.periode``): a séance counts for a learner when it
    starts after they joined. Dating a séance in the past (a workshop keyed in afterwards) or moving it earlier
    must not take it from the learners it belonged to. For each séance numbered in ``avant`` (its start before
    the change, None when it was just planned: then every running member holds it), an inscription that held
    it, or every running one, whose ``joined_at`` is not before the séance's new start gets ``joined_at`` set
    to the start of that séance's day on the structure's clock (``zone``). The séances before it are on
    earlier days (``planning`` keeps them in order), so no other séance is given to anyone.

    :return: the inscriptions whose ``joined_at`` moved.
    """
    changees: dict[int, Inscription] = {}
    for seance in atelier.seances:
        if seance.numero not in avant:
            continue
        ancien = avant[seance.numero]
        debut_du_jour = local_to_utc(to_local(seance.starts_at, zone).date(), time(0, 0), zone)
        for inscription in atelier.inscriptions:
            tenait = (
                inscription.statut == "inscrit"
                if ancien is None
                else periode.enrolled_at(inscription.joined_at, inscription.ended_at, ancien)
            )
            if tenait and inscription.joined_at >= seance.starts_at and debut_du_jour < inscription.joined_at:
                inscription.joined_at = debut_du_jour
                changees[inscription.id] = inscription
    db.session.flush()
    return list(changees.values())


def animateurs_of(structure_id: int, ids: list[int] | None = None) -> list[Compte]:
    """Active mediators and volunteers of the structure (only ``ids`` when given), by name."""
    if ids is not None and not ids:
        return []
    params = {"structure_id": structure_id} | ({"ids": list(ids)} if ids is not None else {})
    return list(db.session.scalars(_animateurs_statement(ids is not None), params))


@cache
def _animateurs_statement(some: bool) -> sa.Select:
    """Built once per process (see ``ateliers.queries``): the workshop page lists the co-runners every time."""
    statement = sa.select(Compte).where(animateur_propose()).order_by(Compte.nom, Compte.prenom)
    return statement.where(Compte.id.in_(sa.bindparam("ids", expanding=True))) if some else statement


def instantane_calendrier(atelier: Atelier) -> dict[str, str]:
    """What the workshop page shows of its calendar, which a move changes: ``seance-<n>`` -> its start (UTC)."""
    return {f"seance-{s.numero}": s.starts_at.isoformat() for s in atelier.seances}


def instantane_animateurs(atelier: Atelier) -> dict[str, list[int]]:
    """What the workshop page shows of who co-runs each séance: ``animateurs-<n>`` -> account ids, sorted."""
    return {f"animateurs-{s.numero}": sorted(c.id for c in s.animateurs) for s in atelier.seances}


def deplacer_seance(
    auteur: Compte,
    atelier: Atelier,
    numero: int,
    nouveau_jour: date,
    decaler_suivantes: bool,
    today: date,
    vu: Mapping[str, object] | None = None,
    a_posteriori: bool = False,
    *,
    now: datetime | None = None,
) -> None:
    """Move séance ``numero`` to ``nouveau_jour`` (same hours); with ``decaler_suivantes`` the later ones follow.

    A séance already held stays where it is: its day is before ``today``, or it has started by ``now`` (a
    séance of this morning whose attendance was taken is held too). A séance may be moved into the past
    only as a "saisie a posteriori" (``a_posteriori``, the mediator's confirmation that it was held on paper),
    up to three months back (``planning.refus_date_passee``); the learners enrolled at a séance before the move
    stay enrolled at it (:func:`_garder_les_membres`).

    :param today: the structure's day (``core.timeutil.structure_today``).
    :param now: this moment (UTC, naive, like ``Seance.starts_at``); None checks the day only.
    :param vu: the calendar the page showed (``core.versions.lire``, :func:`instantane_calendrier`); None skips
        the check. The workshop's row is locked first, so two moves run one at a time.
    :raise core.versions.ModifieEntreTemps: a séance was moved since the page showed ``vu``; nothing written.
    :raise DomainError: beside the "jour" field, on a workshop not planned, a séance already held, a past day
        without ``a_posteriori`` or too far back, a day the structure cannot hold it (a public holiday it does
        not work, named; a closure, with its dates), or a day out of order.
    """
    if vu is not None:
        versions.verrouiller(atelier)
        versions.exiger_inchange(vu, instantane_calendrier(atelier), versions.par_journal("atelier", atelier.id))
    if not atelier.seances or atelier.statut not in ("planifie", "en_cours"):
        raise DomainError("Seules les séances d'un atelier planifié ou en cours peuvent être déplacées.", "jour")
    deplacee = next((s for s in atelier.seances if s.numero == numero), None)
    if deplacee is not None and (deplacee.jour < today or (now is not None and deplacee.starts_at <= now)):
        raise DomainError(
            f"La séance {numero} a déjà eu lieu, le {date_fr(deplacee.jour)} : une séance passée ne se déplace plus.",
            "jour",
        )
    require_date_in_window(nouveau_jour, today, "jour")
    refus = planning.refus_date_passee(nouveau_jour, today, a_posteriori)
    if refus:
        raise DomainError(refus, "jour")
    ouverture = ouverture_de(atelier.structure)
    try:
        deplacees = planning.deplacer_seance(
            [seance_planifiee(s, ouverture.zone) for s in atelier.seances],
            numero,
            nouveau_jour,
            decaler_suivantes,
            ouverture,
        )
    except ValueError as error:
        raise DomainError(str(error), "jour") from None
    par_numero = {seance.numero: seance for seance in atelier.seances}
    avances = {}
    for planifiee in deplacees:
        seance = par_numero[planifiee.numero]
        if planifiee.starts_at < seance.starts_at:
            avances[seance.numero] = seance.starts_at
        seance.starts_at, seance.ends_at = planifiee.starts_at, planifiee.ends_at
    atelier.start_on = min(p.jour for p in deplacees)
    _garder_les_membres(atelier, avances, ouverture.zone)
    details = (
        f"séance {numero} déplacée au {nouveau_jour.isoformat()}"
        + (" (suivantes décalées)" * decaler_suivantes)
        + (" (saisie a posteriori)" if nouveau_jour < today else "")
    )
    journal.record(auteur, "modification", "atelier", atelier.id, details)
    db.session.flush()


def ajouter_fermeture(auteur: Compte, debut_on: date, fin_on: date | None, motif: str, today: date) -> Fermeture:
    """Add a closure day (``fin_on`` empty) or period of the author's structure.

    :raise DomainError: beside "fin_on" when the period ends before it starts or is already over.
    """
    require_date_in_window(debut_on, today, "debut_on")
    fin_on = fin_on or debut_on
    require_date_in_window(fin_on, today, "fin_on")
    if fin_on < debut_on:
        raise DomainError("La fin de la fermeture doit suivre son début.", "fin_on")
    if fin_on < today:
        raise DomainError("Cette fermeture est déjà passée.", "debut_on")
    fermeture = Fermeture(structure_id=auteur.structure_id, debut_on=debut_on, fin_on=fin_on, motif=motif)
    db.session.add(fermeture)
    db.session.flush()
    # The reason typed stays on the closure's row: the journal gets dates, never free text (DESIGN.md section 7).
    journal.record(auteur, "creation", "fermeture", fermeture.id, f"fermeture {_periode(fermeture)}")
    return fermeture


def _periode(fermeture: Fermeture) -> str:
    """The closure's days for the journal: "du 2026-05-01", or "du 2026-07-20 au 2026-08-14"."""
    if fermeture.debut_on == fermeture.fin_on:
        return f"du {fermeture.debut_on.isoformat()}"
    return f"du {fermeture.debut_on.isoformat()} au {fermeture.fin_on.isoformat()}"


# --- A freed place: enrol someone from the waiting list (late replacement) --------------------------------

STATUTS_REMPLACEMENT = ("planifie", "en_cours")


def seances_restantes(atelier: Atelier, now: datetime) -> list[Seance]:
    """The séances a newcomer joining at ``now`` (naive UTC) follows: those starting after it (``ateliers.periode``).

    A place taken on a séance's day once it has started begins at the next séance.
    """
    return [seance for seance in atelier.seances if periode.enrolled_at(now, None, seance.starts_at)]


def exiger_remplacable(atelier: Atelier, now: datetime) -> list[Seance]:
    """Check that ``atelier`` may take a newcomer at ``now`` (naive UTC) and return the séances they would follow.

    :raise AtelierClos: when the workshop is locked.
    :raise DomainError: when it is neither planned nor running, or its last séance has started.
    """
    exiger_ouvert(atelier)
    if atelier.statut not in STATUTS_REMPLACEMENT:
        raise DomainError("Seul un atelier planifié ou en cours peut accueillir une personne de la liste d'attente.")
    restantes = seances_restantes(atelier, now)
    if not restantes:
        raise DomainError("La dernière séance de cet atelier a déjà commencé : plus personne ne peut le rejoindre.")
    return restantes


def inscrire_remplacant(
    auteur: Compte, atelier: Atelier, apprenant: Apprenant, today: date, *, now: datetime
) -> Inscription:
    """Give a freed place of ``atelier`` to ``apprenant`` from the waiting list, from ``now``; flush only.

    The place is taken by a conditional UPDATE of ``atelier.places_prises`` and the learner must still be
    waiting (conditional UPDATE too), so two mediators at once can neither overfill the workshop nor enrol the
    same person twice. ``Inscription.joined_at`` is ``now`` (naive UTC): séances that started before it, the
    same day's included, are not theirs and never count as absences (:func:`seances_restantes`). ``today`` is
    the learner's last-contact day.

    :raise AtelierClos: when the workshop is locked.
    :raise DomainError: workshop not planned or running, or over; learner of another structure, already
        inscribed in this workshop or not waiting; no free place left. The caller rolls back.
    """
    restantes = exiger_remplacable(atelier, now)
    if apprenant.structure_id != atelier.structure_id:
        raise DomainError("Cette personne n'appartient pas à la structure de l'atelier.")
    deja_inscrit = db.session.scalar(
        sa.select(Inscription.id).where(Inscription.atelier_id == atelier.id, Inscription.apprenant_id == apprenant.id)
    )
    if deja_inscrit is not None:
        raise DomainError("Cette personne a déjà une inscription dans cet atelier.")
    if apprenant.statut != "en_attente":
        raise DomainError("Cette personne n'est pas sur la liste d'attente : elle ne peut pas prendre cette place.")
    taken = db.session.execute(
        sa.update(Atelier)
        .where(Atelier.id == atelier.id, Atelier.places_prises < Atelier.capacite)
        .values(places_prises=Atelier.places_prises + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        raise DomainError("Plus de place libre dans cet atelier.")
    moved = db.session.execute(
        sa.update(Apprenant)
        .where(Apprenant.id == apprenant.id, Apprenant.statut == "en_attente")
        .values(statut="inscrit", last_contact_on=today)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise DomainError("Cette personne vient d'être inscrite ou retirée de la liste d'attente entre-temps.")
    db.session.expire(atelier, ["places_prises"])
    db.session.expire(apprenant, ["statut", "last_contact_on", "updated_at"])
    inscription = Inscription(atelier_id=atelier.id, apprenant_id=apprenant.id, joined_at=now)
    db.session.add(inscription)
    db.session.flush()
    journal.record(
        auteur,
        "creation",
        "inscription",
        inscription.id,
        f"remplacement : apprenant {apprenant.id} rejoint l'atelier {atelier.id} à la séance {restantes[0].numero}",
    )
    db.session.flush()
    return inscription


# --- After planning: who co-runs a séance, closures removed -------------------------------------------------


def changer_animateurs(
    auteur: Compte,
    atelier: Atelier,
    numero: int,
    animateur_ids: list[int],
    suivantes: bool,
    today: date,
    vu: Mapping[str, object] | None = None,
) -> list[Seance]:
    """Set who co-runs séance ``numero`` (with ``suivantes``, every later séance too); flush only.

    A séance already held may still be corrected while the workshop is open: its animateurs are the record
    of who was there. ``Atelier.animateurs`` becomes everyone who co-runs at least one séance.

    :param vu: who co-ran each séance on the page (``core.versions.lire``, :func:`instantane_animateurs`); None
        skips the check. The workshop's row is locked first, so two changes run one at a time.
    :return: the séances changed, in order.
    :raise core.versions.ModifieEntreTemps: the co-runners changed since the page showed ``vu``; nothing written.
    :raise AtelierClos: when the workshop is locked.
    :raise DomainError: beside "animateurs": a séance the workshop does not have, no animateur chosen, or an
        account that is not an active mediator or volunteer of the workshop's structure.
    """
    if vu is not None:
        versions.verrouiller(atelier)
    exiger_ouvert(atelier)
    if vu is not None:
        versions.exiger_inchange(vu, instantane_animateurs(atelier), versions.par_journal("atelier", atelier.id))
    seance = next((s for s in atelier.seances if s.numero == numero), None)
    if seance is None:
        raise DomainError(f"Cet atelier n'a pas de séance {numero}.", "animateurs")
    ids = sorted(set(animateur_ids))
    if not ids:
        raise DomainError("Au moins un animateur par séance.", "animateurs")
    animateurs = animateurs_of(atelier.structure_id, ids)
    if len(animateurs) != len(ids):
        raise DomainError("Choisissez des animateurs de la structure (médiateurs ou bénévoles).", "animateurs")
    changees = [s for s in atelier.seances if s.numero == numero or (suivantes and s.numero > numero)]
    for changee in changees:
        changee.animateurs = list(animateurs)
    tous = {compte.id: compte for s in atelier.seances for compte in s.animateurs}
    atelier.animateurs = sorted(tous.values(), key=lambda c: (c.nom, c.prenom, c.id))
    # Account ids, not names: the journal says what was done, never the personal data itself.
    details = (
        f"animateurs de la séance {numero}"
        + (" et des suivantes" if suivantes and len(changees) > 1 else "")
        + " : comptes "
        + ", ".join(str(i) for i in ids)
        + (" (séance passée corrigée)" if seance.jour < today else "")
    )
    journal.record(auteur, "modification", "atelier", atelier.id, details)
    db.session.flush()
    return changees


def supprimer_fermeture(auteur: Compte, fermeture: Fermeture) -> None:
    """Delete a closure of the author's structure; flush only.

    The séances already planned stay where they are (a closure only steers new planning and moves).

    :raise DomainError: when the closure is not of the author's structure.
    """
    if fermeture.structure_id != auteur.structure_id:
        raise DomainError("Vous ne pouvez supprimer que les fermetures de votre structure.")
    journal.record(auteur, "modification", "fermeture", fermeture.id, f"fermeture {_periode(fermeture)} supprimée")
    db.session.delete(fermeture)
    db.session.flush()
