"""The retention sweep run by the scheduler (``scheduler.py``, job ``rgpd_conservation``) and by
``flask --app app retention`` (DESIGN.md section 7, issue 13 item 3).

For each structure, in its own transaction (the structure's row locked first, like the practice sweeps):

- the learners whose last contact is more than the structure's ``conservation_mois`` months old, and who are in
  no running workshop (``rgpd.conservation.dus``), are anonymised (``rgpd.effacement.anonymiser``);
- the bodies of its messages created more than ``MESSAGES_MOIS`` (3) months ago are emptied and the files attached
  to them deleted (an attestation's PDF prints the name; a message still to send is left alone: the send sweep
  abandons it once the moment it speaks of has passed);
- its journal rows older than 12 months and a day are deleted (the database triggers refuse any younger row; the
  day's margin keeps clear of their own reckoning of "12 months").

Then the journal rows of no structure, likewise. Idempotent: what was anonymised, emptied or deleted is not found
again. Each structure where something happened gets one journal row with the counts (and each learner
anonymised one row with its id); no name anywhere. A dry run (``appliquer=False``) computes the same lists and
changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from ateliers.models import Inscription, Presence, Seance, Suivi
from core import journal, versions
from core.models import Apprenant, Journal, Message, PieceJointe, Structure
from core.timeutil import local_today, structure_zone, to_local
from entrainements.models import Reservation
from evaluations.models import Positionnement
from extensions import db
from rgpd.conservation import Contacts, dus, limite, mois_avant
from rgpd.effacement import anonymiser, supprimer_pieces_jointes

log = logging.getLogger(__name__)

MESSAGES_MOIS = 3
JOURNAL_MOIS = 12
# Beyond the 12 months, so the sweep never asks the triggers for a row they still guard.
JOURNAL_MARGE = timedelta(days=1)


@dataclass
class Rapport:
    """What a run did (or, dry, would do) for one structure (``structure_id`` None: the journal rows of no
    structure): the learners anonymised (ids), the messages emptied, the files attached to them deleted and the
    journal rows deleted (counts)."""

    structure_id: int | None
    apprenants: list[int] = field(default_factory=list)
    messages: int = 0
    pieces_jointes: int = 0
    journal: int = 0
    limite_contact: date | None = None

    @property
    def vide(self) -> bool:
        return not (self.apprenants or self.messages or self.pieces_jointes or self.journal)

    def en_mots(self, *, simulation: bool = False) -> str:
        """Counts only: "personnes anonymisées : 2 ; messages vidés : 5 ; pièces jointes supprimées : 1 ; lignes du
        journal supprimées : 30", or for a dry run "personnes à anonymiser : 2 ; messages à vider : 5 ; pièces
        jointes à supprimer : 1 ; lignes du journal à supprimer : 30"."""
        if simulation:
            return (
                f"personnes à anonymiser : {len(self.apprenants)} ; messages à vider : {self.messages} ; "
                f"pièces jointes à supprimer : {self.pieces_jointes} ; lignes du journal à supprimer : {self.journal}"
            )
        return (
            f"personnes anonymisées : {len(self.apprenants)} ; messages vidés : {self.messages} ; "
            f"pièces jointes supprimées : {self.pieces_jointes} ; lignes du journal supprimées : {self.journal}"
        )


def contacts(structure: Structure) -> list[Contacts]:
    """The contact days of every learner of ``structure`` not anonymised yet (``rgpd.conservation.Contacts``),
    read with one grouped query per kind of contact; moments become days on the structure's clock."""
    zone = structure_zone(structure)

    def jour(moment: datetime | None) -> date | None:
        return to_local(moment, zone).date() if moment is not None else None

    apprenants = db.session.execute(
        sa.select(Apprenant.id, Apprenant.created_at, Apprenant.last_contact_on).where(
            Apprenant.structure_id == structure.id, Apprenant.anonymise_at.is_(None)
        )
    ).all()
    if not apprenants:
        return []
    dans_structure = sa.select(Apprenant.id).where(
        Apprenant.structure_id == structure.id, Apprenant.anonymise_at.is_(None)
    )

    def par_apprenant(statement) -> dict[int, object]:
        return dict(db.session.execute(statement).all())

    positionnements = par_apprenant(
        sa.select(Positionnement.apprenant_id, sa.func.max(Positionnement.created_at))
        .where(Positionnement.apprenant_id.in_(dans_structure))
        .group_by(Positionnement.apprenant_id)
    )
    seances = par_apprenant(
        sa.select(Inscription.apprenant_id, sa.func.max(Seance.starts_at))
        .join(Presence, Presence.inscription_id == Inscription.id)
        .join(Seance, Seance.id == Presence.seance_id)
        .where(Inscription.apprenant_id.in_(dans_structure), Presence.statut.in_(("present", "retard")))
        .group_by(Inscription.apprenant_id)
    )
    appels = par_apprenant(
        sa.select(Inscription.apprenant_id, sa.func.max(Suivi.appel_on))
        .join(Suivi, Suivi.inscription_id == Inscription.id)
        .where(Inscription.apprenant_id.in_(dans_structure))
        .group_by(Inscription.apprenant_id)
    )
    entrainements = par_apprenant(
        sa.select(Reservation.apprenant_id, sa.func.max(Reservation.jour))
        .where(Reservation.apprenant_id.in_(dans_structure), Reservation.statut != "annulee")
        .group_by(Reservation.apprenant_id)
    )
    en_cours = set(
        db.session.scalars(
            sa.select(Inscription.apprenant_id).where(
                Inscription.apprenant_id.in_(dans_structure), Inscription.statut == "inscrit"
            )
        )
    )
    return [
        Contacts(
            apprenant_id=ident,
            inscrit_on=jour(created_at),
            dernier_contact_on=dernier_contact_on,
            positionnement_on=jour(positionnements.get(ident)),
            seance_on=jour(seances.get(ident)),
            appel_on=appels.get(ident),
            entrainement_on=entrainements.get(ident),
            en_cours=ident in en_cours,
        )
        for ident, created_at, dernier_contact_on in apprenants
    ]


def _limite_journal(now: datetime) -> datetime:
    return datetime.combine(mois_avant(now.date(), JOURNAL_MOIS), now.time()) - JOURNAL_MARGE


def _limite_messages(now: datetime) -> datetime:
    return datetime.combine(mois_avant(now.date(), MESSAGES_MOIS), now.time())


def _messages_a_vider(structure_id: int, now: datetime):
    return (
        Message.structure_id == structure_id,
        Message.created_at < _limite_messages(now),
        Message.corps != "",
        Message.statut != "a_envoyer",
    )


def _messages_anciens(structure_id: int, now: datetime) -> sa.Select:
    """The ids of the structure's messages past ``MESSAGES_MOIS`` and no longer to send (their files go, whether
    or not their body was emptied by an earlier run)."""
    return sa.select(Message.id).where(
        Message.structure_id == structure_id,
        Message.created_at < _limite_messages(now),
        Message.statut != "a_envoyer",
    )


def _journal_a_supprimer(structure_id: int | None, now: datetime):
    appartient = Journal.structure_id.is_(None) if structure_id is None else Journal.structure_id == structure_id
    return (appartient, Journal.created_at < _limite_journal(now))


def _compter(model, conditions) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions))


def traiter_structure(structure: Structure, now: datetime, *, appliquer: bool) -> Rapport:
    """The retention work of one structure at ``now`` (naive UTC); with ``appliquer`` False, only what it would
    do. Flush only (the caller commits or rolls back)."""
    today = local_today(now, structure_zone(structure))
    rapport = Rapport(structure.id, limite_contact=limite(today, structure.conservation_mois))
    rapport.apprenants = dus(contacts(structure), today=today, mois=structure.conservation_mois)
    messages = _messages_a_vider(structure.id, now)
    lignes = _journal_a_supprimer(structure.id, now)
    anciens = _messages_anciens(structure.id, now)
    if not appliquer:
        rapport.messages = _compter(Message, messages)
        rapport.pieces_jointes = _compter(PieceJointe, (PieceJointe.message_id.in_(anciens),))
        rapport.journal = _compter(Journal, lignes)
        return rapport
    for apprenant_id in rapport.apprenants:
        anonymiser(db.session.get(Apprenant, apprenant_id), now=now)
        journal.record(
            None,
            "effacement",
            "apprenant",
            apprenant_id,
            f"conservation : aucun contact depuis le {rapport.limite_contact.isoformat()}",
            structure_id=structure.id,
        )
    rapport.messages = db.session.execute(
        sa.update(Message).where(*messages).values(corps="").execution_options(synchronize_session=False)
    ).rowcount
    rapport.pieces_jointes = supprimer_pieces_jointes(anciens)
    rapport.journal = _supprimer_journal(lignes)
    if not rapport.vide:
        journal.record(
            None,
            "effacement",
            "structure",
            structure.id,
            f"conservation : {rapport.en_mots()}",
            structure_id=structure.id,
        )
    db.session.flush()
    return rapport


def _supprimer_journal(conditions) -> int:
    """Delete the journal rows matching ``conditions`` with one SQL DELETE (the ORM refuses to delete a journal
    row: this bypasses the session on purpose; the triggers still check each row's age)."""
    return db.session.execute(
        sa.delete(Journal).where(*conditions).execution_options(synchronize_session=False)
    ).rowcount


def conserver(now: datetime, *, appliquer: bool = True) -> list[Rapport]:
    """The retention sweep at ``now`` (naive UTC), structure by structure, then the journal rows of no
    structure. Each structure is one transaction, committed when ``appliquer`` (rolled back otherwise); one that
    fails is rolled back, logged by id and retried by the next run, the others go on.

    :return: one :class:`Rapport` per structure (in id order), then one for the rows of no structure.
    """
    rapports = []
    for structure_id in db.session.scalars(sa.select(Structure.id).order_by(Structure.id)).all():
        try:
            structure = db.session.get(Structure, structure_id)
            if appliquer:
                versions.verrouiller(structure)
            rapports.append(traiter_structure(structure, now, appliquer=appliquer))
            _terminer(appliquer)
        except Exception:  # one structure's failure must not stop the others: rolled back, retried next run
            db.session.rollback()
            log.exception("retention sweep: structure %s failed", structure_id)
    sans_structure = Rapport(None)
    lignes = _journal_a_supprimer(None, now)
    sans_structure.journal = _supprimer_journal(lignes) if appliquer else _compter(Journal, lignes)
    if appliquer:
        # Every run leaves one row with its totals, even one that changed nothing (issue 13: "each run journaled
        # with counts, not names"); the structures that changed something have their own row above.
        journal.record(None, "effacement", "conservation", None, f"passage : {_totaux(rapports, sans_structure)}")
    _terminer(appliquer)
    rapports.append(sans_structure)
    log.info(
        "retention sweep%s: %s",
        "" if appliquer else " (dry run)",
        "; ".join(f"structure {r.structure_id}: {r.en_mots(simulation=not appliquer)}" for r in rapports if not r.vide)
        or "nothing to do",
    )
    return rapports


def _totaux(rapports: list[Rapport], sans_structure: Rapport) -> str:
    """The run's counts over every structure, in words (:meth:`Rapport.en_mots`), with how many were swept."""
    total = Rapport(None)
    for rapport in [*rapports, sans_structure]:
        total.apprenants = [*total.apprenants, *rapport.apprenants]
        total.messages += rapport.messages
        total.pieces_jointes += rapport.pieces_jointes
        total.journal += rapport.journal
    return f"{len(rapports)} structure(s) ; {total.en_mots()}"


def _terminer(appliquer: bool) -> None:
    if appliquer:
        db.session.commit()
    else:
        db.session.rollback()
