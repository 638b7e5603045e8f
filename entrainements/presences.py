"""Attendance of one practice occurrence and the skills practised there, with their level that day.

Each booking of the occurrence is closed through ``entrainements.reservations.liberer``: "venu" (honoree),
"absent" (absente, a no-show) or "annulé par la personne" (annulee, motif "apprenant"). For those who came, each
skill of the entraînement gets its level that day as a dated :class:`ResultatEntrainement`. A save from a page
older than the last save is refused (``core.versions``, :func:`instantane_presences` being what the page shows);
every line is checked before anything is written. Flushes only; the route commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from core import journal, versions
from core.errors import DomainError
from core.models import Apprenant, Compte
from core.text import name_sort_key
from core.timeutil import structure_zone, to_local
from entrainements.models import Entrainement, Occurrence, Reservation, ResultatEntrainement
from entrainements.reservations import liberer
from entrainements.textes import quand
from evaluations.constants import RESULTATS_COMPETENCE
from evaluations.models import Competence
from extensions import db

# What the page offers for a booking -> the booking's closing status.
PRESENCES = {
    "venu": "Venu",
    "absent": "Absent (pas venu, sans prévenir)",
    "annule": "Annulé par la personne",
}
_STATUT_RESERVATION = {"venu": "honoree", "absent": "absente", "annule": "annulee"}
_PRESENCE_DE = {statut: presence for presence, statut in _STATUT_RESERVATION.items()}
# The bookings an attendance page lists: running, or closed at the session (the person came, did not come, or
# cancelled themselves). A booking moved or cancelled by the structure is no longer this session's.
_LISTEES = sa.or_(
    Reservation.statut.in_(("reservee", "honoree", "absente")),
    sa.and_(Reservation.statut == "annulee", Reservation.motif_annulation == "apprenant"),
)


class PresencesRefusees(DomainError):
    """The save was refused; ``erreurs`` maps a form field (``statut-<reservation id>``,
    ``c-<reservation id>-<competence id>``) to its French message, empty when the whole page is refused."""

    def __init__(
        self, erreurs: dict[str, str], message: str = "Les présences de l'entraînement ne sont pas enregistrées."
    ) -> None:
        super().__init__(message)
        self.erreurs = erreurs


@dataclass
class Ligne:
    """One booked learner on the attendance page: the booking, the learner, and the skills to practise (in the
    order of the entraînement's list)."""

    reservation: Reservation
    apprenant: Apprenant
    competences: list[Competence] = field(default_factory=list)

    @property
    def presence(self) -> str:
        """ "venu", "absent", "annule", or "" while the booking is still running."""
        return _PRESENCE_DE.get(self.reservation.statut, "")


def lignes_de(occurrence: Occurrence, role: str = "mediateur") -> list[Ligne]:
    """The learners booked at ``occurrence`` (``_LISTEES``), each with the skills of their entraînement, in the
    order an account of ``role`` reads their names (``core.text.name_sort_key``: never by a surname a volunteer
    cannot see). Three queries whatever the number of learners."""
    reservations = list(
        db.session.scalars(
            sa.select(Reservation)
            .where(Reservation.occurrence_id == occurrence.id, _LISTEES)
            .options(
                joinedload(Reservation.entrainement).joinedload(Entrainement.apprenant),
                selectinload(Reservation.resultats),
            )
        ).unique()
    )
    ids = {cid for r in reservations for cid in r.entrainement.competences}
    competences = (
        {
            c.id: c
            for c in db.session.scalars(
                sa.select(Competence).where(Competence.id.in_(ids)).options(joinedload(Competence.module))
            )
        }
        if ids
        else {}
    )
    lignes = [
        Ligne(r, r.entrainement.apprenant, [competences[c] for c in r.entrainement.competences if c in competences])
        for r in reservations
    ]
    return sorted(
        lignes,
        key=lambda ligne: name_sort_key(role, ligne.apprenant.prenom, ligne.apprenant.nom, ligne.reservation.id),
    )


def instantane_presences(occurrence: Occurrence, lignes: list[Ligne] | None = None) -> dict[str, str]:
    """What the attendance page of ``occurrence`` shows, read from the database: ``statut-<reservation id>``
    ("" while running) and ``c-<reservation id>-<competence id>`` (the level stored, else ""). The snapshot of
    ``core.versions`` for this page."""
    valeurs = {}
    for ligne in lignes if lignes is not None else lignes_de(occurrence):
        rid = ligne.reservation.id
        valeurs[f"statut-{rid}"] = ligne.presence
        stockes = {r.competence_id: r.resultat for r in ligne.reservation.resultats}
        for competence in ligne.competences:
            valeurs[f"c-{rid}-{competence.id}"] = stockes.get(competence.id, "")
    return valeurs


def refus_trop_tot(occurrence: Occurrence, now: datetime) -> str | None:
    """The French reason attendance cannot be noted yet (the session has not started at ``now``, naive UTC),
    or why it cannot be noted at all (the occurrence is cancelled); None when it can."""
    if occurrence.annulee_at is not None:
        return "Ce créneau a été annulé ce jour-là : il n'y a pas de présences à noter."
    if now < occurrence.starts_at:
        debut = to_local(occurrence.starts_at, structure_zone(occurrence.creneau.structure))
        return f"L'entraînement n'a pas encore commencé : les présences se notent à partir du {quand(debut)}."
    return None


def _auteurs(lignes: list[Ligne]) -> dict[str, versions.Auteur]:
    """Form field -> who last saved it and when (the booking's closing, each skill's level)."""
    comptes = {
        c.id: f"{c.prenom} {c.nom}"
        for c in db.session.scalars(
            sa.select(Compte).where(
                Compte.id.in_(
                    {ligne.reservation.cloturee_par_id for ligne in lignes}
                    | {r.compte_id for ligne in lignes for r in ligne.reservation.resultats}
                )
            )
        )
    }
    auteurs: dict[str, versions.Auteur] = {}
    for ligne in lignes:
        reservation = ligne.reservation
        auteurs[f"statut-{reservation.id}"] = (comptes.get(reservation.cloturee_par_id), reservation.cloturee_at)
        for resultat in reservation.resultats:
            auteurs[f"c-{reservation.id}-{resultat.competence_id}"] = (
                comptes.get(resultat.compte_id),
                resultat.evaluated_at,
            )
    return auteurs


def _verifier(
    lignes: list[Ligne], statuts: Mapping[int, str], niveaux: Mapping[tuple[int, int], str]
) -> dict[str, str]:
    """The French message of each refused field; empty when everything typed can be saved."""
    erreurs: dict[str, str] = {}
    par_id = {ligne.reservation.id: ligne for ligne in lignes}
    for rid, statut in statuts.items():
        ligne = par_id.get(rid)
        if ligne is None:
            continue
        if statut and statut not in PRESENCES:
            erreurs[f"statut-{rid}"] = "Choisissez venu, absent ou annulé par la personne."
        elif ligne.presence and statut != ligne.presence:
            erreurs[f"statut-{rid}"] = (
                f"Déjà noté « {PRESENCES[ligne.presence].lower()} » : cela ne se change plus ici. "
                "Voyez la médiatrice pour corriger."
            )
    for (rid, cid), niveau in niveaux.items():
        ligne = par_id.get(rid)
        if ligne is None:
            continue
        cle = f"c-{rid}-{cid}"
        statut = statuts.get(rid, ligne.presence) or ""
        if cid not in {c.id for c in ligne.competences}:
            erreurs[cle] = "Cette compétence n'est pas à travailler à cet entraînement."
        elif niveau not in RESULTATS_COMPETENCE:
            erreurs[cle] = "Choisissez non acquis, avec aide ou acquis."
        elif statut != "venu":
            erreurs[cle] = "Un niveau ne se note que pour une personne venue : choisissez « venu » ou laissez vide."
    return erreurs


def enregistrer_presences(
    auteur: Compte,
    occurrence: Occurrence,
    statuts: Mapping[int, str],
    niveaux: Mapping[tuple[int, int], str],
    *,
    now: datetime,
    vu: Mapping[str, object] | None = None,
) -> int:
    """Save the attendance of ``occurrence`` and the levels of the skills practised, in one go.

    :param statuts: reservation id -> "venu" / "absent" / "annule" ("" or missing: not noted yet); a booking
        already closed must keep its status.
    :param niveaux: (reservation id, competence id) -> a ``RESULTATS_COMPETENCE`` code, only for people who came;
        a skill left out of a booking marked "venu" loses a level stored before.
    :param now: the present moment (naive UTC): the session must have started.
    :param vu: what the page showed (``core.versions.lire``); None skips the check. The occurrence's row is
        locked first, so two saves run one after the other.
    :return: the number of bookings whose attendance or levels changed.
    :raise core.versions.ModifieEntreTemps: the attendance changed since the page showed ``vu``.
    :raise PresencesRefusees: too early, a cancelled occurrence, or fields refused (``erreurs``); nothing written.
    """
    if vu is not None:
        versions.verrouiller(occurrence)
    refus = refus_trop_tot(occurrence, now)
    if refus:
        raise PresencesRefusees({}, refus)
    lignes = lignes_de(occurrence)
    if vu is not None:
        versions.exiger_inchange(vu, instantane_presences(occurrence, lignes), lambda _noms: _auteurs(lignes))
    erreurs = _verifier(lignes, statuts, niveaux)
    if erreurs:
        raise PresencesRefusees(erreurs)

    changees = 0
    for ligne in lignes:
        reservation = ligne.reservation
        statut = statuts.get(reservation.id, ligne.presence) or ""
        change = False
        if statut and not ligne.presence:
            liberer(
                reservation,
                _STATUT_RESERVATION[statut],
                now=now,
                motif="apprenant" if statut == "annule" else None,
                compte_id=auteur.id,
            )
            change = True
        if statut == "venu":
            change |= _enregistrer_niveaux(auteur, ligne, niveaux, now)
        if change:
            changees += 1
            niveaux_notes = sum(1 for (rid, _cid) in niveaux if rid == reservation.id)
            journal.record(
                auteur,
                "modification",
                "reservation",
                reservation.id,
                f"présence entraînement : {reservation.statut} ; niveaux notés : {niveaux_notes}",
            )
    db.session.flush()
    return changees


def _enregistrer_niveaux(auteur: Compte, ligne: Ligne, niveaux: Mapping[tuple[int, int], str], now: datetime) -> bool:
    """Upsert the levels typed for ``ligne`` (a learner who came) and drop those left blank; True if any changed."""
    reservation = ligne.reservation
    stockes = {r.competence_id: r for r in reservation.resultats}
    change = False
    for competence in ligne.competences:
        niveau = niveaux.get((reservation.id, competence.id), "")
        resultat = stockes.get(competence.id)
        if not niveau:
            if resultat is not None:
                reservation.resultats.remove(resultat)
                change = True
            continue
        if resultat is None:
            reservation.resultats.append(
                ResultatEntrainement(
                    competence_id=competence.id, resultat=niveau, compte_id=auteur.id, evaluated_at=now
                )
            )
            change = True
        elif resultat.resultat != niveau:
            resultat.resultat, resultat.compte_id, resultat.evaluated_at = niveau, auteur.id, now
            change = True
    return change


def peut_noter(compte: Compte, occurrence: Occurrence) -> bool:
    """Whether ``compte`` may record this occurrence's attendance and print its sheet: the mediation team of
    its structure, or the volunteer who runs its slot (``Creneau.animateur_id``)."""
    if compte.structure_id != occurrence.structure_id:
        return False
    if compte.role in ("admin", "mediateur"):
        return True
    return compte.role == "benevole" and occurrence.creneau.animateur_id == compte.id
