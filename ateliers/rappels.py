"""Read side of the dropout follow-up: who to call back today, whose next call is planned, the calls made.

A person (an inscription still running, or a finished one with an alert raised after the workshop: two
practice sessions missed, ``dropout.REGLES_APRES_ATELIER``) is on the "À rappeler" list when they have an open
alert that is about today (not ``Alerte.is_historique``) and either

- one such alert no call covers yet (``Alerte.traitee_par_suivi_id`` is NULL: raised, or raised again, after
  the last call), or
- their last call planned the next one (``Suivi.rappel_on``) for today or earlier.

With every alert covered and the next call planned after today, they are under "Rappel prévu le …"; with every
alert covered and no next call planned, they are on neither: the call was made. The rule lives in one SQL
expression (:func:`_etat`), read by the list and by the home page's count alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ateliers.dropout import NIVEAUX_RISQUE, REGLES, REGLES_APRES_ATELIER
from ateliers.models import Alerte, Atelier, Inscription, Presence, Rattrapage, Seance, Suivi
from ateliers.periode import enrolled_at
from core.models import Apprenant
from evaluations.models import Module
from extensions import db

A_RAPPELER = "a_rappeler"
RAPPEL_PREVU = "rappel_prevu"

_SEVERITE = {code: rang for rang, code in enumerate(NIVEAUX_RISQUE)}
_ORDRE_REGLE = {code: rang for rang, code in enumerate(REGLES)}


def _alerte_du_jour():
    """The open alerts of the enclosing query's inscription that are about today (not history)."""
    return sa.and_(
        Alerte.inscription_id == Inscription.id, Alerte.resolved_at.is_(None), Alerte.is_historique.is_(False)
    )


@cache
def _etat() -> sa.Case:
    """``'a_rappeler'``, ``'rappel_prevu'`` or NULL for the enclosing query's inscription, on ``:today``."""
    non_couverte = sa.exists().where(_alerte_du_jour(), Alerte.traitee_par_suivi_id.is_(None)).correlate(Inscription)
    dernier = sa.select(sa.func.max(Suivi.id)).where(Suivi.inscription_id == Inscription.id).correlate(Inscription)
    rappel_on = sa.select(Suivi.rappel_on).where(Suivi.id == dernier.scalar_subquery()).scalar_subquery()
    today = sa.bindparam("today", type_=sa.Date)
    return sa.case(
        (non_couverte, A_RAPPELER),
        (rappel_on <= today, A_RAPPELER),
        (rappel_on > today, RAPPEL_PREVU),
        else_=sa.null(),
    )


def _personnes_suivies(structure_id_param: sa.BindParameter):
    """Conditions on the enclosing query's inscription: in the structure, with an alert about today, and running
    or, once the workshop is over, with an open alert raised after it (``REGLES_APRES_ATELIER``: two practice
    sessions missed)."""
    apres_atelier = sa.exists().where(_alerte_du_jour(), Alerte.regle.in_(REGLES_APRES_ATELIER)).correlate(Inscription)
    return (
        Atelier.structure_id == structure_id_param,
        sa.or_(Inscription.statut == "inscrit", apres_atelier),
        sa.exists().where(_alerte_du_jour()).correlate(Inscription),
    )


@cache
def nombre_a_rappeler_statement() -> sa.Select:
    """The count of :func:`nombre_a_rappeler` as a statement (bound parameters ``:structure_id`` and ``:today``,
    the structure's day), built once: the home page runs it with its other counts (``core.home``)."""
    etat = _etat()
    return (
        sa.select(sa.func.count())
        .select_from(Inscription)
        .join(Atelier, Atelier.id == Inscription.atelier_id)
        .where(*_personnes_suivies(sa.bindparam("structure_id")), etat == A_RAPPELER)
    )


def nombre_a_rappeler(structure_id: int, today: date) -> int:
    """How many people the "À rappeler" list shows on ``today`` (the structure's day), one query."""
    return db.session.scalar(nombre_a_rappeler_statement(), {"structure_id": structure_id, "today": today})


@dataclass(frozen=True)
class ModuleManque:
    """A module a person missed (absent, excused or not) and has not caught up yet; ``rattrapage_prevu`` when a
    catch-up is planned."""

    numero: int
    titre: str
    rattrapage_prevu: bool


@dataclass(frozen=True)
class LigneARappeler:
    """One person on the list: their workshop, every open alert about today (most severe first), the modules
    they missed, their last call, and ``etat`` (``A_RAPPELER`` or ``RAPPEL_PREVU``)."""

    inscription: Inscription
    apprenant: Apprenant
    atelier: Atelier
    etat: str
    alertes: list[Alerte]
    modules_manques: list[ModuleManque]
    dernier_suivi: Suivi | None

    @property
    def niveau_risque(self) -> str:
        """The most severe risk level of the person's alerts."""
        return self.alertes[0].niveau_risque

    @property
    def nouvelles(self) -> list[Alerte]:
        """The alerts raised since the last call (all of them without a call)."""
        return [alerte for alerte in self.alertes if alerte.traitee_par_suivi_id is None]

    @property
    def module_a_rattraper(self) -> int | None:
        """The first missed module without a catch-up planned, for the "Prévoir un rattrapage" link."""
        return next((m.numero for m in self.modules_manques if not m.rattrapage_prevu), None)


@dataclass(frozen=True)
class ListeARappeler:
    """The "À rappeler" page: the people to call today, most urgent first, then those whose next call is
    planned, soonest first."""

    a_rappeler: list[LigneARappeler]
    rappels_prevus: list[LigneARappeler]


@cache
def _lignes_statement() -> sa.Select:
    etat = _etat()
    dernier = sa.select(sa.func.max(Suivi.id)).where(Suivi.inscription_id == Inscription.id).correlate(Inscription)
    return (
        sa.select(Inscription, Apprenant, Atelier, Suivi, etat.label("etat"))
        .join(Atelier, Atelier.id == Inscription.atelier_id)
        .join(Apprenant, Apprenant.id == Inscription.apprenant_id)
        .outerjoin(Suivi, Suivi.id == dernier.scalar_subquery())
        .where(*_personnes_suivies(sa.bindparam("structure_id")), etat.is_not(None))
        .options(joinedload(Suivi.compte))
    )


def _ordre_alerte(alerte: Alerte) -> tuple[int, int, int]:
    seance = alerte.seance_numero or 7
    return (_SEVERITE[alerte.niveau_risque], seance, _ORDRE_REGLE[alerte.regle])


def liste_a_rappeler(structure_id: int, today: date) -> ListeARappeler:
    """Who to call back on ``today`` (the structure's day) and whose next call is planned, in three queries
    (people, their alerts, their missed modules) whatever their number."""
    rows = db.session.execute(_lignes_statement(), {"structure_id": structure_id, "today": today}).all()
    ids = [inscription.id for inscription, *_ in rows]
    alertes: dict[int, list[Alerte]] = {}
    if ids:
        for alerte in db.session.scalars(_alertes_du_jour_statement(), {"inscriptions": ids}):
            alertes.setdefault(alerte.inscription_id, []).append(alerte)
    manques = modules_manques(ids)
    lignes = [
        LigneARappeler(
            inscription=inscription,
            apprenant=apprenant,
            atelier=atelier,
            etat=etat,
            alertes=sorted(alertes.get(inscription.id, []), key=_ordre_alerte),
            modules_manques=manques.get(inscription.id, []),
            dernier_suivi=suivi,
        )
        for inscription, apprenant, atelier, suivi, etat in rows
    ]
    lignes = [ligne for ligne in lignes if ligne.alertes]
    a_rappeler = sorted(
        (ligne for ligne in lignes if ligne.etat == A_RAPPELER),
        key=lambda ligne: (
            _ordre_alerte(ligne.alertes[0]),
            min(alerte.created_at for alerte in ligne.alertes),
            ligne.inscription.id,
        ),
    )
    prevus = sorted(
        (ligne for ligne in lignes if ligne.etat == RAPPEL_PREVU),
        key=lambda ligne: (ligne.dernier_suivi.rappel_on, ligne.inscription.id),
    )
    return ListeARappeler(a_rappeler, prevus)


@cache
def _alertes_du_jour_statement() -> sa.Select:
    """The open alerts of today of the inscriptions ``:inscriptions``; built once per process (building it on
    every request cost more than running it)."""
    return sa.select(Alerte).where(
        Alerte.inscription_id.in_(sa.bindparam("inscriptions", expanding=True)),
        Alerte.resolved_at.is_(None),
        Alerte.is_historique.is_(False),
    )


def modules_manques(inscription_ids: list[int]) -> dict[int, list[ModuleManque]]:
    """For each inscription, the modules missed at séances the learner was enrolled at (absent, excused or not)
    and not caught up yet, in séance order; one query. Inscriptions without one are absent."""
    if not inscription_ids:
        return {}
    rows = db.session.execute(_modules_manques_statement(), {"inscriptions": list(inscription_ids)})
    manques: dict[int, list[ModuleManque]] = {}
    for inscription_id, joined_at, ended_at, starts_at, numero, titre, prevu_at, fait_on in rows:
        if fait_on is not None or not enrolled_at(joined_at, ended_at, starts_at):
            continue
        manques.setdefault(inscription_id, []).append(ModuleManque(numero, titre, prevu_at is not None))
    return manques


@cache
def _modules_manques_statement() -> sa.Select:
    """Built once per process; the inscriptions' columns it needs, not the inscriptions as ORM objects."""
    return (
        sa.select(
            Inscription.id,
            Inscription.joined_at,
            Inscription.ended_at,
            Seance.starts_at,
            Module.numero,
            Module.titre,
            Rattrapage.prevu_at,
            Rattrapage.fait_on,
        )
        .join(Presence, Presence.inscription_id == Inscription.id)
        .join(Seance, Seance.id == Presence.seance_id)
        .join(Module, Module.id == Seance.module_id)
        .outerjoin(Rattrapage, sa.and_(Rattrapage.inscription_id == Inscription.id, Rattrapage.module_id == Module.id))
        .where(
            Inscription.id.in_(sa.bindparam("inscriptions", expanding=True)),
            Presence.statut.in_(("absent", "absent_excuse")),
        )
        .order_by(Inscription.id, Seance.numero)
    )


@cache
def _alertes_du_jour_de_statement() -> sa.Select:
    """Built once per process: building a statement (and its cache key) on every request cost more than running it."""
    return sa.select(Alerte).where(
        Alerte.inscription_id == sa.bindparam("inscription_id"),
        Alerte.resolved_at.is_(None),
        Alerte.is_historique.is_(False),
    )


def alertes_du_jour(inscription_id: int) -> list[Alerte]:
    """The open alerts of an inscription that are about today (the reasons to call), most severe first."""
    return sorted(
        db.session.scalars(_alertes_du_jour_de_statement(), {"inscription_id": inscription_id}), key=_ordre_alerte
    )


def separer_alertes(alertes: Iterable[Alerte]) -> tuple[list[Alerte], list[Alerte]]:
    """``alertes`` (open ones, of one inscription) split for the progress page: those about today (as
    :func:`alertes_du_jour`, the reasons to call), then those about séances keyed in from paper
    (``Alerte.is_historique``: history, never calls to make), each list most severe first. No query."""
    ordonnees = sorted(alertes, key=_ordre_alerte)
    return [a for a in ordonnees if not a.is_historique], [a for a in ordonnees if a.is_historique]


def suivis_of(apprenant_id: int) -> list[Suivi]:
    """The calls about a learner, in every workshop, newest first, with who made them and the workshop loaded;
    one query (the learner page's history)."""
    return list(db.session.scalars(_suivis_of_statement(), {"apprenant_id": apprenant_id}))


@cache
def _suivis_of_statement() -> sa.Select:
    return (
        sa.select(Suivi)
        .join(Inscription, Inscription.id == Suivi.inscription_id)
        .where(Inscription.apprenant_id == sa.bindparam("apprenant_id"))
        .options(joinedload(Suivi.compte), joinedload(Suivi.inscription).joinedload(Inscription.atelier))
        .order_by(Suivi.appel_on.desc(), Suivi.id.desc())
    )


def suivis_de(inscription_ids: list[int]) -> dict[int, list[Suivi]]:
    """The calls about each inscription, newest first, with who made them loaded; one query.

    :return: inscription id -> its calls (an inscription without a call is absent).
    """
    par_inscription: dict[int, list[Suivi]] = {}
    if not inscription_ids:
        return par_inscription
    for suivi in db.session.scalars(_suivis_de_statement(), {"inscriptions": list(inscription_ids)}):
        par_inscription.setdefault(suivi.inscription_id, []).append(suivi)
    return par_inscription


@cache
def _suivis_de_statement() -> sa.Select:
    """Built once per process: building a statement (and its cache key) on every request cost more than running it."""
    return (
        sa.select(Suivi)
        .where(Suivi.inscription_id.in_(sa.bindparam("inscriptions", expanding=True)))
        .options(joinedload(Suivi.compte))
        .order_by(Suivi.appel_on.desc(), Suivi.id.desc())
    )
