"""Catch-ups (rattrapages) of a missed module: planned, then done; once done they count for that module.

A catch-up is for a module the learner missed (absent or excused at the workshop's séance of that module). Once
it is *done*, the dropout rules stop asking for action on that absence (``ateliers.presences.recalculer`` reads
the done ones) and the module's skills may be judged (:func:`ateliers.queries.modules_rattrapes`). One row
per inscription and module: planning the same module again moves the planned date. Services flush; the route commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ateliers import dropout
from ateliers.constants import STATUTS_INSCRIPTION
from ateliers.models import Inscription, Presence, Rattrapage, Seance
from ateliers.planning import refus_date_passee
from ateliers.presences import recalculer
from ateliers.queries import ouverture_de
from ateliers.verrou import exiger_ouvert
from core import journal, versions
from core.bounds import require_date_in_window
from core.errors import DomainError
from core.models import Compte
from core.timeutil import date_fr, datetime_fr, local_to_utc, structure_zone, to_local
from evaluations.models import Module
from extensions import db

CONSIGNE_RATTRAPAGE = (
    "Si ce rattrapage a déjà eu lieu sur papier, cochez « Saisie a posteriori », puis notez-le comme fait."
)


@dataclass(frozen=True)
class ModuleManque:
    """A séance of the learner's workshop they missed (or that has a catch-up), with its catch-up if any."""

    seance: Seance
    statut: str | None
    rattrapage: Rattrapage | None

    @property
    def is_manque(self) -> bool:
        return self.statut in dropout.ABSENT


def jour_prevu(rattrapage: Rattrapage) -> date:
    """The planned day of ``rattrapage``, in its structure's time zone."""
    return to_local(rattrapage.prevu_at, structure_zone(rattrapage.inscription.atelier.structure)).date()


def _libelle(seance: Seance) -> str:
    return f"module {seance.module.numero} ({seance.module.titre})"


def instantane_rattrapages(inscription: Inscription) -> dict[str, str | None]:
    """What the catch-up page shows of the learner's catch-ups: ``prevu-<module id>`` (UTC start) and
    ``fait-<module id>`` (day) for each one planned or done. The snapshot of ``core.versions`` for that page."""
    valeurs = {}
    for rattrapage in db.session.scalars(sa.select(Rattrapage).where(Rattrapage.inscription_id == inscription.id)):
        valeurs[f"prevu-{rattrapage.module_id}"] = rattrapage.prevu_at.isoformat() if rattrapage.prevu_at else None
        valeurs[f"fait-{rattrapage.module_id}"] = rattrapage.fait_on.isoformat() if rattrapage.fait_on else None
    return valeurs


def _exiger_inchanges(inscription: Inscription, vu: Mapping[str, object] | None) -> None:
    """Lock the inscription's row, then refuse when its catch-ups are no longer those the page showed.

    :raise core.versions.ModifieEntreTemps: they changed (nothing written).
    """
    if vu is None:
        return
    versions.verrouiller(inscription)

    def auteurs(_noms) -> dict[str, versions.Auteur]:
        rows = db.session.scalars(sa.select(Rattrapage).where(Rattrapage.inscription_id == inscription.id))
        return {
            f"{champ}-{r.module_id}": auteur
            for r in rows
            for auteur in [versions.derniere_modification("rattrapage", r.id)]
            for champ in ("prevu", "fait")
        }

    versions.exiger_inchange(vu, instantane_rattrapages(inscription), auteurs)


def planifier_rattrapage(
    auteur: Compte,
    inscription: Inscription,
    module_id: int | None,
    jour: date,
    heure: time,
    today: date,
    vu: Mapping[str, object] | None = None,
    a_posteriori: bool = False,
) -> Rattrapage:
    """Plan the catch-up of module ``module_id`` for ``inscription`` on ``jour`` at ``heure`` (wall-clock time
    in the structure's zone).

    Planning a module that already has a planned catch-up moves it. The day goes through the same rules as
    séances: not on a public holiday the structure does not work, nor in a closure (``core.ouverture``); a past
    day only as a "saisie a posteriori" (``a_posteriori``: a catch-up held on paper, then marked done), up to
    three months back (``ateliers.planning.refus_date_passee``).

    :param vu: the catch-ups the page showed (``core.versions.lire``, :func:`instantane_rattrapages`); None
        skips the check. The inscription's row is locked first, so two saves run one at a time.
    :return: the created or moved row.
    :raise core.versions.ModifieEntreTemps: the catch-ups changed since the page showed ``vu``.
    :raise AtelierClos: the workshop is locked.
    :raise DomainError: (beside its field) inscription no longer running; module not of the workshop's séances,
        attended by the learner, or already caught up (``module``); a past date without ``a_posteriori`` or too
        far back, or a day the structure cannot hold it, with the reason (``jour``).
    """
    _exiger_inchanges(inscription, vu)
    atelier = inscription.atelier
    exiger_ouvert(atelier)
    if inscription.statut != "inscrit":
        raise DomainError(
            f"Cette inscription est close ({STATUTS_INSCRIPTION[inscription.statut].lower()}) : "
            "on ne peut plus prévoir de rattrapage."
        )
    seance = db.session.scalar(
        sa.select(Seance)
        .where(Seance.atelier_id == atelier.id, Seance.module_id == module_id)
        .options(joinedload(Seance.module))
    )
    if seance is None:
        raise DomainError("Choisissez un module des séances de cet atelier.", "module")
    statut = db.session.scalar(
        sa.select(Presence.statut).where(Presence.seance_id == seance.id, Presence.inscription_id == inscription.id)
    )
    if statut in dropout.PRESENT:
        raise DomainError(
            f"La personne a suivi la séance {seance.numero} : un rattrapage est prévu pour un module manqué.",
            "module",
        )
    require_date_in_window(jour, today, "jour")
    refus = refus_date_passee(jour, today, a_posteriori, CONSIGNE_RATTRAPAGE)
    if refus:
        raise DomainError(refus, "jour")
    ouverture = ouverture_de(atelier.structure)
    raison = ouverture.refus(jour)
    if raison:
        raise DomainError(f"Impossible de prévoir le rattrapage : {raison}.", "jour")
    rattrapage = db.session.scalar(
        sa.select(Rattrapage).where(Rattrapage.inscription_id == inscription.id, Rattrapage.module_id == module_id)
    )
    if rattrapage is not None and rattrapage.fait_on is not None:
        raise DomainError(
            f"Le rattrapage de ce module est déjà fait (le {date_fr(rattrapage.fait_on)}) : il ne peut plus être "
            "déplacé.",
            "module",
        )
    action = "creation" if rattrapage is None else "modification"
    if rattrapage is None:
        rattrapage = Rattrapage(inscription_id=inscription.id, module_id=module_id)
        db.session.add(rattrapage)
    rattrapage.seance_id = seance.id
    rattrapage.prevu_at = local_to_utc(jour, heure, ouverture.zone)
    rattrapage.compte_id = auteur.id
    db.session.flush()
    journal.record(
        auteur,
        action,
        "rattrapage",
        rattrapage.id,
        f"rattrapage du {_libelle(seance)} prévu le {datetime_fr(rattrapage.prevu_at, zone=ouverture.zone)}",
    )
    db.session.flush()
    return rattrapage


def marquer_fait(
    auteur: Compte, rattrapage: Rattrapage, fait_on: date, today: date, vu: Mapping[str, object] | None = None
) -> None:
    """Record that ``rattrapage`` was done on ``fait_on``, then recompute the learner's dropout alerts.

    :param vu: the catch-ups the page showed (see :func:`planifier_rattrapage`); None skips the check.
    :raise core.versions.ModifieEntreTemps: the catch-ups changed since the page showed ``vu``.
    :raise AtelierClos: the workshop is locked.
    :raise DomainError: the inscription ended in an abandon; ``fait_on`` in the future or before the planned day
        (beside ``fait_on``).
    """
    _exiger_inchanges(rattrapage.inscription, vu)
    inscription = rattrapage.inscription
    atelier = inscription.atelier
    exiger_ouvert(atelier)
    if inscription.statut == "abandon":
        raise DomainError("Cette inscription est close par un abandon : le rattrapage ne peut plus être noté.")
    require_date_in_window(fait_on, today, "fait_on")
    if fait_on > today:
        raise DomainError("La date du rattrapage fait ne peut pas être dans le futur.", "fait_on")
    prevu = jour_prevu(rattrapage)
    if fait_on < prevu:
        raise DomainError(f"La date ne peut pas être avant le jour prévu du rattrapage ({date_fr(prevu)}).", "fait_on")
    rattrapage.fait_on = fait_on
    rattrapage.compte_id = auteur.id
    db.session.flush()
    recalculer(atelier, [inscription], today)
    journal.record(
        auteur,
        "modification",
        "rattrapage",
        rattrapage.id,
        f"rattrapage du module {rattrapage.module.numero} fait le {date_fr(fait_on)}",
    )
    db.session.flush()


def annuler_rattrapage(auteur: Compte, rattrapage: Rattrapage, vu: Mapping[str, object] | None = None) -> None:
    """Delete a planned catch-up that is not done yet.

    :param vu: the catch-ups the page showed (see :func:`planifier_rattrapage`); None skips the check.
    :raise core.versions.ModifieEntreTemps: the catch-ups changed since the page showed ``vu``.
    :raise AtelierClos: the workshop is locked.
    :raise DomainError: the catch-up is already done.
    """
    _exiger_inchanges(rattrapage.inscription, vu)
    exiger_ouvert(rattrapage.inscription.atelier)
    if rattrapage.fait_on is not None:
        raise DomainError("Ce rattrapage est déjà fait : il ne peut plus être annulé.")
    numero = rattrapage.module.numero
    journal.record(auteur, "modification", "rattrapage", rattrapage.id, f"rattrapage du module {numero} annulé")
    db.session.delete(rattrapage)
    db.session.flush()


def rattrapages_of(inscription_id: int) -> list[Rattrapage]:
    """The inscription's catch-ups, planned or done, with their module loaded, in module order."""
    return list(
        db.session.scalars(
            sa.select(Rattrapage)
            .join(Rattrapage.module)
            .where(Rattrapage.inscription_id == inscription_id)
            .options(joinedload(Rattrapage.module))
            .order_by(Module.numero)
        )
    )


def modules_manques(inscription: Inscription) -> list[ModuleManque]:
    """The séances of the inscription's workshop the learner missed (absent, excused) or that have a catch-up.

    Only a séance the learner was enrolled at can be missed (``Inscription.was_enrolled_at``): a status stored
    for a séance before they joined or after they left is not read. In séance order; two queries.
    """
    par_module = {r.module_id: r for r in rattrapages_of(inscription.id)}
    rows = db.session.execute(
        sa.select(Seance, Presence.statut)
        .outerjoin(Presence, sa.and_(Presence.seance_id == Seance.id, Presence.inscription_id == inscription.id))
        .where(Seance.atelier_id == inscription.atelier_id)
        .options(joinedload(Seance.module))
        .order_by(Seance.numero)
    )
    lignes = [
        ModuleManque(seance, statut if inscription.was_enrolled_at(seance) else None, par_module.get(seance.module_id))
        for seance, statut in rows
    ]
    return [ligne for ligne in lignes if ligne.is_manque or ligne.rattrapage is not None]
