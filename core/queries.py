"""Read side of the core package: lists and look-ups for pages."""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from core.database import run_core
from core.models import Apprenant, Compte, Journal
from core.text import fold, phone_search, search_key
from extensions import db


def apprenants_statement(structure_id: int, query: str | None = None) -> tuple[sa.Select, dict]:
    """Learners of a structure, filtered by a name fragment or a phone number in any form typed (see
    :func:`core.text.phone_search`), ordered by name.

    :return: the statement, built once per process for each shape of search (the list, a name of so many
        words, a number searched in so many forms), and the values of its bound parameters: execute them
        together (``db.session.execute(statement, params)``).
    """
    params = {"structure_id": structure_id}
    if not query:
        return _apprenants_shape(()), params
    phone = phone_search(query)
    if phone:
        shape = tuple("telephone_debut" if is_prefix else "telephone_dans" for _fragment, is_prefix in phone)
        termes = [fragment for fragment, _is_prefix in phone]
    else:
        termes = fold(query).split()
        shape = ("nom",) * len(termes)
    params.update({f"terme_{rang}": _like_escape(terme) for rang, terme in enumerate(termes)})
    return _apprenants_shape(shape), params


# LIKE's wildcards (and the escape character itself) in what was typed are searched as such.
LIKE_ESCAPE = "/"


def _like_escape(terme: str) -> str:
    return terme.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")


@cache
def _apprenants_shape(shape: tuple[str, ...]) -> sa.Select:
    """The register's statement for a shape of search: "nom" terms all found in the folded name, else any of
    the "telephone_debut" / "telephone_dans" terms found at the start of / anywhere in the stored number.
    Built once per shape: building a statement (and its cache key) on every request cost more than running it.
    """
    statement = sa.select(Apprenant).where(Apprenant.structure_id == sa.bindparam("structure_id"))
    telephone = []
    for rang, sorte in enumerate(shape):
        terme = sa.bindparam(f"terme_{rang}")
        if sorte == "nom":
            statement = statement.where(Apprenant.nom_recherche.contains(terme, escape=LIKE_ESCAPE))
        elif sorte == "telephone_debut":
            telephone.append(Apprenant.telephone.startswith(terme, escape=LIKE_ESCAPE))
        else:
            telephone.append(Apprenant.telephone.contains(terme, escape=LIKE_ESCAPE))
    if telephone:
        statement = statement.where(sa.or_(*telephone))
    return statement.order_by(Apprenant.nom_recherche, Apprenant.id)


@dataclass(frozen=True)
class Page:
    """One page of rows, with what the ``pager`` macro needs."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


# The longest page a list shows, whatever the configuration asks.
MAX_PER_PAGE = 100


def rows_and_total(
    page_statement: sa.Select,
    count_statement: sa.Select,
    params: dict,
    page: int,
    per_page: int,
    *,
    window_count: bool = False,
) -> tuple[list[sa.Row], int]:
    """The rows of page ``page`` (``per_page`` rows from row ``(page - 1) * per_page``) and how many rows there
    are in all, in one statement: the count rides on each row. A second statement counts only for a page past
    the end.

    One statement rather than a page then a count: on PostgreSQL a statement is a round trip (measured here: a
    ``SELECT 1`` through SQLAlchemy takes 0.17 ms, against 0.03 ms on SQLite; issue 8, item 19). The count is
    ``count_statement`` as an uncorrelated scalar subquery, which SQLite and PostgreSQL compute once per
    statement (reading an index, no placement looked up); or, with ``window_count``, a window count
    (``count(*) OVER ()``) over the rows the page statement selects: for a filter the page statement must
    already evaluate on every row (a learner's latest niveau), the scalar subquery would evaluate it a second
    time, and the window count only sorts rows already found.

    :param page_statement: a select of the page's columns with ``:limite`` and ``:decalage`` bound parameters,
        built once per process (the combined statement is cached on it).
    :param count_statement: the select counting the rows the page statement pages through.
    :param params: the values of both statements' other bound parameters.
    :return: the rows (the page's columns, without the count) and the total.
    """
    rows = run_core(
        _with_total(page_statement, count_statement, window_count),
        {**params, "limite": per_page, "decalage": (page - 1) * per_page},
    ).all()
    if rows:
        return [row[:-1] for row in rows], rows[0][-1]
    if page == 1:
        return [], 0
    return [], run_core(count_statement, params).scalar_one()


@cache
def _with_total(page_statement: sa.Select, count_statement: sa.Select, window_count: bool) -> sa.Select:
    total = sa.func.count().over() if window_count else count_statement.correlate(None).scalar_subquery()
    return page_statement.add_columns(total.label("total"))


def parties(*numeros: int) -> sa.ColumnElement[int]:
    """The ``partie`` column of a constant table of one row per number of ``numeros``, to read rows of unrelated
    kinds in one statement (on PostgreSQL each statement is a round trip; issue 8, item 19).

    Select from ``partie.table``, then outer-join each kind of row on ``partie == n`` and its own condition:
    each row of the result belongs to one part, the columns and entities of the other parts NULL (None), and no
    part multiplies another's rows as two joined collections would. ``partie`` can also be selected or ordered
    by. Works the same on SQLite and PostgreSQL (a ``UNION ALL`` of constant selects, each part's join using its
    own indexes).

    :param numeros: the parts' numbers, distinct.
    :return: the column, of a new subquery named ``parties`` (build the statement once per process).
    """
    return sa.union_all(*(sa.select(sa.literal(n).label("partie")) for n in numeros)).subquery("parties").c.partie


@dataclass(frozen=True)
class LigneApprenant:
    """A learner as a line of the register shows them: plain values read for the page, not an ORM object."""

    id: int
    prenom: str
    nom: str
    telephone: str | None
    commune: str | None
    canal_prefere: str
    disponibilites: int


def paginate_apprenants(structure_id: int, query: str | None, page: int, per_page: int) -> Page:
    """One page of learners as :class:`LigneApprenant`; a page past the end is empty, not an error.

    Only the columns the list shows are read (25 learners hydrated as ORM objects cost more than the search
    itself), in the order of the index on (structure, folded name), with how many were found counted through the
    same index in the same statement (:func:`rows_and_total`; a window count on every row would read and sort
    the whole register).
    """
    per_page = min(per_page, MAX_PER_PAGE)
    statement, params = apprenants_statement(structure_id, query)
    rows, total = rows_and_total(
        _page_apprenants_statement(statement), _count_apprenants_statement(statement), params, page, per_page
    )
    return Page(items=[LigneApprenant(*row) for row in rows], page=page, per_page=per_page, total=total)


@cache
def _page_apprenants_statement(statement: sa.Select) -> sa.Select:
    """One page of a register statement: the columns of :class:`LigneApprenant`."""
    colonnes = [getattr(Apprenant, champ.name) for champ in fields(LigneApprenant)]
    return statement.with_only_columns(*colonnes).limit(sa.bindparam("limite")).offset(sa.bindparam("decalage"))


@cache
def _count_apprenants_statement(statement: sa.Select) -> sa.Select:
    """How many learners a register statement finds."""
    return statement.with_only_columns(sa.func.count()).order_by(None)


def possible_duplicates(structure_id: int, data: dict, exclude_id: int | None = None) -> list[Apprenant]:
    """Learners of the structure who seem to be the same person: same name, same phone or same email."""
    same = [Apprenant.nom_recherche == search_key(data["nom"], data["prenom"])]
    if data.get("telephone"):
        same.append(Apprenant.telephone == data["telephone"])
    if data.get("email"):
        same.append(Apprenant.email == data["email"])
    statement = sa.select(Apprenant).where(Apprenant.structure_id == structure_id, sa.or_(*same))
    if exclude_id is not None:
        statement = statement.where(Apprenant.id != exclude_id)
    return list(db.session.scalars(statement.order_by(Apprenant.id).limit(5)))


def comptes_of_structure(structure_id: int) -> list[Compte]:
    return list(
        db.session.scalars(
            sa.select(Compte).where(Compte.structure_id == structure_id).order_by(Compte.is_active.desc(), Compte.nom)
        )
    )


def paginate_journal(
    structure_id: int, page: int, per_page: int, objet: str | None = None, objet_id: int | None = None
):
    """The structure's journal, newest first, with the author loaded; optionally for one record."""
    statement = (
        sa.select(Journal)
        .where(Journal.structure_id == structure_id)
        .options(joinedload(Journal.compte))
        .order_by(Journal.created_at.desc(), Journal.id.desc())
    )
    if objet:
        statement = statement.where(Journal.objet == objet)
    if objet_id is not None:
        statement = statement.where(Journal.objet_id == objet_id)
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)
