"""Read side of the waiting list: who waits, filtered and paged, by niveau and half-day, and each learner's
latest completed placement (the score and niveau grouping reads)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from functools import cache

import sqlalchemy as sa

from core.database import run_core
from core.disponibilites import CODES
from core.models import Apprenant
from core.queries import Page, rows_and_total
from evaluations.constants import NIVEAUX
from evaluations.models import Positionnement
from extensions import db

# SQL expressions are immutable: the statements the main pages run on every request are built once per process
# (``functools.cache``), with bound parameters for what varies, and executed with the values. Building one per
# request cost more than running it: SQLAlchemy constructs the expression (a fresh alias has its columns
# adapted again) and computes its cache key by walking it, both only once for a statement built once.


@cache
def dernier(colonne: str) -> sa.ScalarSelect:
    """For the learner of the enclosing query (``Apprenant``): ``colonne`` ("score", "niveau") of their latest
    completed placement, NULL if they have none; an index look-up per learner (ix_positionnement_dernier).

    Not a join of the placements on the latest one's id: PostgreSQL answered such a join by hashing every
    placement of every structure whenever the learners were filtered (the waiting list by niveau: 3.7 ms on
    the demo data's 10,000 placements against 0.5 ms, and growing with the network; issue 8, item 19).
    """
    return (
        sa.select(getattr(Positionnement, colonne))
        .where(Positionnement.apprenant_id == Apprenant.id, Positionnement.is_brouillon.is_(False))
        .order_by(Positionnement.completed_at.desc(), Positionnement.id.desc())
        .limit(1)
        .correlate(Apprenant)
        .scalar_subquery()
    )


def _placement() -> tuple[sa.Label, sa.Label]:
    """The columns ``score`` and ``niveau`` of the latest placement, as the waiting list's statements select them."""
    return dernier("score").label("score"), dernier("niveau").label("niveau")


def latest_niveaux(apprenant_ids: set[int]) -> dict[int, int]:
    """Each learner's latest completed placement niveau, in one query; learners never placed are absent."""
    rows = run_core(sa.select(Apprenant.id, dernier("niveau")).where(Apprenant.id.in_(apprenant_ids)))
    return {apprenant_id: niveau for apprenant_id, niveau in rows if niveau is not None}


@dataclass(frozen=True)
class EnAttente:
    """A learner as a line of the waiting list shows them: plain values read for the page, not an ORM object."""

    id: int
    prenom: str
    nom: str
    telephone: str | None
    disponibilites: int
    statut: str | None
    en_attente_depuis_on: date | None

    @property
    def nom_complet(self) -> str:
        return f"{self.prenom} {self.nom}"


@dataclass(frozen=True)
class Candidature:
    """A line of the waiting list (``apprenant``: the ORM object, or :class:`EnAttente` on the list page)."""

    apprenant: Apprenant | EnAttente
    score: int | None
    niveau: int | None

    def attente_jours(self, today: date) -> int:
        since = self.apprenant.en_attente_depuis_on
        return max((today - since).days, 0) if since else 0


@dataclass(frozen=True)
class FiltresAttente:
    """Filters of the waiting list; ``demi_journee`` is a half-day index (0 = Monday morning);
    ``sans_disponibilite`` keeps only the people with no half-day ticked ("disponibilités à compléter": no
    group proposal can include them).

    :raise ValueError: on a niveau or a half-day that does not exist (a half-day index becomes a bit shift:
        an unchecked one would allocate as many bits as it says).
    """

    statut: str | None = "en_attente"
    niveau: int | None = None
    demi_journee: int | None = None
    sans_disponibilite: bool = False

    def __post_init__(self) -> None:
        if self.niveau is not None and self.niveau not in NIVEAUX:
            raise ValueError(f"niveau inconnu : {self.niveau!r}")
        if self.demi_journee is not None and self.demi_journee not in range(len(CODES)):
            raise ValueError(f"demi-journée inconnue : {self.demi_journee!r}")


def waiting_list_statement(structure_id: int, filtres: FiltresAttente) -> tuple[sa.Select, dict]:
    """Learners on the structure's waiting list with their latest placement, longest waiting first.

    :return: the statement, built once for each combination of filters used, and the values of its bound
        parameters: execute them together (``db.session.execute(statement, params)``).
    """
    params = {"structure_id": structure_id}
    if filtres.statut:
        params["statut"] = filtres.statut
    if filtres.niveau is not None:
        params["niveau"] = filtres.niveau
    if filtres.demi_journee is not None:
        params["masque"] = 1 << filtres.demi_journee
    if filtres.sans_disponibilite:
        params["aucune"] = 0
    return _waiting_list_shape(frozenset(params)), params


@cache
def _waiting_list_shape(parametres: frozenset[str]) -> sa.Select:
    return _waiting_list_select(parametres, Apprenant, *_placement())


@cache
def _waiting_page_statement(parametres: frozenset[str]) -> sa.Select:
    """One page of the waiting list: the columns of :class:`EnAttente` (hydrating 25 learners as ORM objects
    cost more than the query) and their placement."""
    colonnes = [getattr(Apprenant, champ.name) for champ in fields(EnAttente)]
    return (
        _waiting_list_select(parametres, *colonnes, *_placement())
        .limit(sa.bindparam("limite"))
        .offset(sa.bindparam("decalage"))
    )


@cache
def _waiting_count_statement(parametres: frozenset[str]) -> sa.Select:
    """How many learners the waiting list holds for these filters."""
    return _waiting_list_select(parametres, sa.func.count()).order_by(None)


def _waiting_list_select(parametres: frozenset[str], *colonnes) -> sa.Select:
    """``colonnes`` of the structure's waiting learners (bound parameters: those named in ``parametres``); a
    learner's latest placement is looked up (:func:`dernier`) only where a column or the niveau filter asks."""
    statement = sa.select(*colonnes).select_from(Apprenant)
    statement = statement.where(
        Apprenant.structure_id == sa.bindparam("structure_id"), Apprenant.statut.is_not(None)
    ).order_by(Apprenant.en_attente_depuis_on, Apprenant.id)
    if "statut" in parametres:
        statement = statement.where(Apprenant.statut == sa.bindparam("statut"))
    if "niveau" in parametres:
        statement = statement.where(dernier("niveau") == sa.bindparam("niveau"))
    if "masque" in parametres:
        statement = statement.where(Apprenant.disponibilites.op("&")(sa.bindparam("masque")) != 0)
    if "aucune" in parametres:
        statement = statement.where(Apprenant.disponibilites == sa.bindparam("aucune"))
    return statement


def paginate_waiting_list(structure_id: int, filtres: FiltresAttente, page: int, per_page: int = 25) -> Page:
    """One page of the waiting list; ``items`` are :class:`Candidature`.

    The page's rows in the order of the index on (structure, status, waiting since), each one's latest placement
    looked up for that row only, and how many there are, in one statement (:func:`core.queries.rows_and_total`):
    counted through the index alone, or, when the niveau is filtered on (which looks up every waiting learner's
    latest placement anyway), by a window count over the rows found.
    """
    params = waiting_list_statement(structure_id, filtres)[1]
    shape = frozenset(params)
    rows, total = rows_and_total(
        _waiting_page_statement(shape),
        _waiting_count_statement(shape),
        params,
        page,
        per_page,
        window_count="niveau" in shape,
    )
    items = [Candidature(EnAttente(*row[:-2]), *row[-2:]) for row in rows]
    return Page(items=items, page=page, per_page=per_page, total=total)


@cache
def _waiting_matrix_statement() -> sa.Select:
    """Waiting candidates of the structure ``:structure_id`` counted by niveau, one column per half-day.

    Built once: its cache key is then computed once too, where building it per request cost ~4 ms.

    Each waiting candidate's niveau is read by an index look-up of their latest placement (:func:`dernier`), not
    by joining the placements on it: PostgreSQL answered that join by hashing every placement of every structure,
    5.8 ms on the demo data (10,000 placements) against 1.1 ms now, and growing with the network.
    """
    attente = (
        sa.select(Apprenant.disponibilites, dernier("niveau").label("niveau"))
        .where(Apprenant.structure_id == sa.bindparam("structure_id"), Apprenant.statut == "en_attente")
        .subquery("attente")
    )
    columns = [
        sa.func.sum(sa.case((attente.c.disponibilites.op("&")(1 << index) != 0, 1), else_=0))
        for index in range(len(CODES))
    ]
    # The unplaced (niveau NULL) come as a row of their own, which waiting_matrix leaves out: filtering them here
    # made SQLite look each placement up twice.
    return sa.select(attente.c.niveau, *columns).group_by(attente.c.niveau)


def waiting_matrix(structure_id: int) -> dict[int, list[int]]:
    """Candidates waiting, counted by niveau (rows 0-2) and available half-day (12 columns), in one query."""
    rows = run_core(_waiting_matrix_statement(), {"structure_id": structure_id})
    matrix = {niveau: [0] * len(CODES) for niveau in (0, 1, 2)}
    for niveau, *counts in rows:
        if niveau in matrix:
            matrix[niveau] = [int(count or 0) for count in counts]
    return matrix


def waiting_candidates(structure_id: int) -> list[Candidature]:
    """Everyone waiting in the structure with a completed placement below niveau 3, longest waiting first."""
    statement, params = waiting_list_statement(structure_id, FiltresAttente())
    return [
        Candidature(apprenant, score, niveau)
        for apprenant, score, niveau in db.session.execute(statement, params)
        if niveau is not None and niveau < 3
    ]
