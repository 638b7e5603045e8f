"""The daily sweep that keeps dropout alerts true: recompute the alerts of every running workshop for its
structure's today, so the "À rappeler" list is right each morning whatever was saved the day before.

An alert depends on the day: an absence saved on the eve of a séance day (for the séance of the next day) holds
only from that day, and a rule that reads "séances held so far" changes as days pass without any save. Saves
recompute the workshop's alerts (``ateliers.presences.recalculer_atelier``); this sweep does it for the days
without a save. It runs every hour (``scheduler.py``) and recomputes each workshop once per local day of its
structure, in the first run after that structure's midnight: structures in other time zones (La Réunion,
Nouméa, Cayenne...) get their new day at their own midnight, not at Paris's. A workshop already computed for its
structure's today (``Atelier.alertes_calculees_on``), by a save or an earlier run, is skipped, so running the
sweep twice has the effect of once.

One transaction per workshop: a workshop that fails is rolled back, logged (its id only) and retried by the
next run, and the others go on. Each structure's run is journaled with counts, never names.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from ateliers.models import Alerte, Atelier, Inscription, Seance
from ateliers.presences import recalculer_atelier
from core import journal, versions
from core.francais import nombre
from core.models import Structure
from core.timeutil import get_zone, local_today
from extensions import db

log = logging.getLogger(__name__)

EN_COURS = ("planifie", "en_cours")


@dataclass
class Bilan:
    """What one run did: workshops recomputed, alerts opened (or reopened) and resolved, workshops failed."""

    ateliers: int = 0
    ouvertes: int = 0
    resolues: int = 0
    echecs: list[int] = field(default_factory=list)

    def ajouter(self, autre: Bilan) -> None:
        self.ateliers += autre.ateliers
        self.ouvertes += autre.ouvertes
        self.resolues += autre.resolues
        self.echecs.extend(autre.echecs)

    def en_mots(self) -> str:
        """The counts in French, for the journal and the log."""
        texte = (
            f"{nombre(self.ateliers, 'atelier recalculé', 'ateliers recalculés')}, "
            f"{nombre(self.ouvertes, 'alerte ouverte', 'alertes ouvertes')}, "
            f"{nombre(self.resolues, 'alerte résolue', 'alertes résolues')}"
        )
        if self.echecs:
            texte += f", {nombre(len(self.echecs), 'atelier en échec', 'ateliers en échec')}"
        return texte


def _a_recalculer(structure_id: int, today: date) -> list[int]:
    """Ids of the structure's running workshops (planned, not closed, with séances) not computed for ``today``."""
    return list(
        db.session.scalars(
            sa.select(Atelier.id)
            .where(
                Atelier.structure_id == structure_id,
                Atelier.statut.in_(EN_COURS),
                Atelier.is_locked.is_(False),
                sa.or_(Atelier.alertes_calculees_on.is_(None), Atelier.alertes_calculees_on < today),
                sa.exists().where(Seance.atelier_id == Atelier.id),
            )
            .order_by(Atelier.id)
        )
    )


def _alertes_ouvertes(atelier_id: int) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(Alerte.id)
            .join(Inscription, Inscription.id == Alerte.inscription_id)
            .where(Inscription.atelier_id == atelier_id, Alerte.resolved_at.is_(None))
        )
    )


def _recalculer_un(atelier_id: int, today: date) -> Bilan:
    """Recompute one workshop under its row lock; flushes. Nothing done if a save or another run did it first."""
    atelier = db.session.get(Atelier, atelier_id)
    versions.verrouiller(atelier)
    if atelier.alertes_calculees_on is not None and atelier.alertes_calculees_on >= today:
        return Bilan()
    avant = _alertes_ouvertes(atelier_id)
    recalculer_atelier(atelier, today)
    apres = _alertes_ouvertes(atelier_id)
    return Bilan(ateliers=1, ouvertes=len(apres - avant), resolues=len(avant - apres))


def recalculer_alertes_du_jour(now: datetime) -> Bilan:
    """Recompute, for each structure's local day at ``now``, the alerts of its running workshops not computed for
    that day yet; commits once per workshop and journals one row per structure that had any (counts only).

    :param now: the moment of the run (naive UTC).
    :return: the counts of the whole run; ``echecs`` holds the ids of the workshops that failed (rolled back,
        retried by the next run).
    """
    total = Bilan()
    structures = list(db.session.execute(sa.select(Structure.id, Structure.fuseau_horaire).order_by(Structure.id)))
    for structure_id, fuseau in structures:
        today = local_today(now, get_zone(fuseau))
        bilan = Bilan()
        for atelier_id in _a_recalculer(structure_id, today):
            try:
                bilan.ajouter(_recalculer_un(atelier_id, today))
                db.session.commit()
            except Exception:  # one workshop's failure must not stop the others: logged, retried next run
                db.session.rollback()
                log.exception("alert sweep: workshop %s failed", atelier_id)
                bilan.echecs.append(atelier_id)
        if bilan.ateliers or bilan.echecs:
            journal.record(
                None,
                "modification",
                "alerte",
                None,
                f"recalcul quotidien du {today.isoformat()} : {bilan.en_mots()}",
                structure_id=structure_id,
            )
            db.session.commit()
        total.ajouter(bilan)
    log.info("alert sweep: %s", total.en_mots())
    return total
