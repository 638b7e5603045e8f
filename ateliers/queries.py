"""Read side of the ateliers package: waiting list, workshops open to grouping, learner history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, time, timedelta
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ateliers.avancement import EtatSeance
from ateliers.dropout import ABSENT, PRESENT
from ateliers.models import Atelier, Fermeture, Inscription, Presence, Rattrapage, Seance, seance_animateur
from core.disponibilites import CODES
from core.francais import nombre
from core.models import Apprenant, Compte, Structure
from core.ouverture import Ouverture, PeriodeFermeture
from core.timeutil import local_to_utc, structure_zone
from evaluations.constants import NIVEAUX
from evaluations.curriculum import curriculum
from evaluations.models import Competence, EvaluationCompetence, Positionnement
from extensions import db

GROUPABLE_STATUTS = ("projet", "planifie")


def inscriptions_of(apprenant_id: int) -> list[Inscription]:
    """The learner's workshops, newest first, with the workshop loaded."""
    return list(
        db.session.scalars(
            sa.select(Inscription)
            .where(Inscription.apprenant_id == apprenant_id)
            .options(joinedload(Inscription.atelier))
            .order_by(Inscription.joined_at.desc(), Inscription.id.desc())
        )
    )


# SQL expressions are immutable: the statements the main pages run on every request are built once per process
# (``functools.cache``), with bound parameters for what varies, and executed with the values. Building one per
# request cost more than running it: SQLAlchemy constructs the expression (a fresh alias has its columns
# adapted again) and computes its cache key by walking it, both only once for a statement built once.


@cache
def latest_placement_id() -> sa.ScalarSelect:
    """For the learner of the enclosing query: the id of their latest completed placement (an index look-up)."""
    return (
        sa.select(Positionnement.id)
        .where(Positionnement.apprenant_id == Apprenant.id, Positionnement.is_brouillon.is_(False))
        .order_by(Positionnement.completed_at.desc(), Positionnement.id.desc())
        .limit(1)
        .correlate(Apprenant)
        .scalar_subquery()
    )


@cache
def _dernier() -> type[Positionnement]:
    """The alias ``dernier``: a learner's latest completed placement, joined on :func:`latest_placement_id`."""
    return aliased(Positionnement, name="dernier")


def latest_niveaux(apprenant_ids: set[int]) -> dict[int, int]:
    """Each learner's latest completed placement niveau, in one query; learners never placed are absent."""
    dernier = _dernier()
    rows = db.session.execute(
        sa.select(Apprenant.id, dernier.niveau)
        .join(dernier, dernier.id == latest_placement_id())
        .where(Apprenant.id.in_(apprenant_ids))
    )
    return dict(rows.all())


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
    dernier = _dernier()
    return _waiting_list_select(parametres, Apprenant, dernier.score, dernier.niveau)


@cache
def _waiting_page_statement(parametres: frozenset[str]) -> sa.Select:
    """One page of the waiting list: the columns of :class:`EnAttente` (hydrating 25 learners as ORM objects
    cost more than the query), their placement, and on each row the length of the whole list."""
    dernier = _dernier()
    colonnes = [getattr(Apprenant, champ.name) for champ in fields(EnAttente)]
    return (
        _waiting_list_select(parametres, *colonnes, dernier.score, dernier.niveau, sa.func.count().over())
        .limit(sa.bindparam("limite"))
        .offset(sa.bindparam("decalage"))
    )


def _waiting_list_select(parametres: frozenset[str], *colonnes) -> sa.Select:
    """``colonnes`` of the structure's waiting learners (bound parameters: those named in ``parametres``)."""
    dernier = _dernier()
    statement = (
        sa.select(*colonnes)
        .select_from(Apprenant)
        .outerjoin(dernier, dernier.id == latest_placement_id())
        .where(Apprenant.structure_id == sa.bindparam("structure_id"), Apprenant.statut.is_not(None))
        .order_by(Apprenant.en_attente_depuis_on, Apprenant.id)
    )
    if "statut" in parametres:
        statement = statement.where(Apprenant.statut == sa.bindparam("statut"))
    if "niveau" in parametres:
        statement = statement.where(dernier.niveau == sa.bindparam("niveau"))
    if "masque" in parametres:
        statement = statement.where(Apprenant.disponibilites.op("&")(sa.bindparam("masque")) != 0)
    if "aucune" in parametres:
        statement = statement.where(Apprenant.disponibilites == sa.bindparam("aucune"))
    return statement


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


def paginate_waiting_list(structure_id: int, filtres: FiltresAttente, page: int, per_page: int = 25) -> Page:
    """One page of the waiting list; ``items`` are :class:`Candidature`.

    One query whatever the list's length: each row carries the number of rows of the whole list (a window
    count). A page past the end has no row to carry it, so it takes a second query to count.
    """
    statement, params = waiting_list_statement(structure_id, filtres)
    rows = db.session.execute(
        _waiting_page_statement(frozenset(params)), {**params, "limite": per_page, "decalage": (page - 1) * per_page}
    ).all()
    if rows:
        total = rows[0][-1]
    elif page == 1:
        total = 0
    else:
        count = sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
        total = db.session.scalar(count, params)
    items = [Candidature(EnAttente(*row[:-3]), *row[-3:-1]) for row in rows]
    return Page(items=items, page=page, per_page=per_page, total=total)


@cache
def _waiting_matrix_statement() -> sa.Select:
    """Waiting candidates of the structure ``:structure_id`` counted by niveau, one column per half-day.

    Built once: its cache key is then computed once too, where building it per request cost ~4 ms.
    """
    dernier = _dernier()
    columns = [
        sa.func.sum(sa.case((Apprenant.disponibilites.op("&")(1 << index) != 0, 1), else_=0))
        for index in range(len(CODES))
    ]
    return (
        sa.select(dernier.niveau, *columns)
        .join(dernier, dernier.id == latest_placement_id())
        .where(Apprenant.structure_id == sa.bindparam("structure_id"), Apprenant.statut == "en_attente")
        .group_by(dernier.niveau)
    )


def waiting_matrix(structure_id: int) -> dict[int, list[int]]:
    """Candidates waiting, counted by niveau (rows 0-2) and available half-day (12 columns), in one query."""
    rows = db.session.execute(_waiting_matrix_statement(), {"structure_id": structure_id})
    matrix = {niveau: [0] * len(CODES) for niveau in (0, 1, 2)}
    for niveau, *counts in rows:
        if niveau in matrix:
            matrix[niveau] = [int(count or 0) for count in counts]
    return matrix


def groupable_ateliers(structure_id: int) -> list[Atelier]:
    """Workshops of the structure that can still take people: planned, not started, with room."""
    return list(
        db.session.scalars(
            sa.select(Atelier)
            .where(
                Atelier.structure_id == structure_id,
                Atelier.statut.in_(GROUPABLE_STATUTS),
                Atelier.places_prises < Atelier.capacite,
            )
            .order_by(Atelier.demi_journee, Atelier.id)
        )
    )


def member_scores(structure_id: int, atelier_ids: list[int]) -> dict[int, list[int]]:
    """Latest placement scores of the people holding a place in each workshop (unplaced members count 0)."""
    dernier = _dernier()
    rows = db.session.execute(
        sa.select(Inscription.atelier_id, sa.func.coalesce(dernier.score, 0))
        .join(Apprenant, Apprenant.id == Inscription.apprenant_id)
        .outerjoin(dernier, dernier.id == latest_placement_id())
        .where(
            Apprenant.structure_id == structure_id,
            Inscription.atelier_id.in_(atelier_ids),
            Inscription.statut != "abandon",
        )
    )
    scores: dict[int, list[int]] = {atelier_id: [] for atelier_id in atelier_ids}
    for atelier_id, score in rows:
        scores[atelier_id].append(score)
    return scores


def waiting_candidates(structure_id: int) -> list[Candidature]:
    """Everyone waiting in the structure with a completed placement below niveau 3, longest waiting first."""
    statement, params = waiting_list_statement(structure_id, FiltresAttente())
    return [
        Candidature(apprenant, score, niveau)
        for apprenant, score, niveau in db.session.execute(statement, params)
        if niveau is not None and niveau < 3
    ]


def ateliers_of(structure_id: int, animateur_id: int | None = None) -> list[Atelier]:
    """The structure's workshops, newest first; only those where ``animateur_id`` co-runs a séance, if given."""
    statement = sa.select(Atelier).where(Atelier.structure_id == structure_id)
    if animateur_id is not None:
        statement = statement.where(
            Atelier.id.in_(
                sa.select(Seance.atelier_id)
                .join(seance_animateur, seance_animateur.c.seance_id == Seance.id)
                .where(seance_animateur.c.compte_id == animateur_id)
            )
        )
    return list(db.session.scalars(statement.order_by(Atelier.start_on.desc().nulls_first(), Atelier.id.desc())))


def atelier_detail(structure_id: int, atelier_id: int, *, animateurs: bool = True) -> Atelier | None:
    """One workshop of the structure with its members and séances (modules loaded), in two queries.

    The séances come joined to the workshop (six rows); the members (with their learner) in a second query put
    into ``Atelier.inscriptions`` (a plain query costs a third less than the relationship's own loader).
    ``animateurs`` also loads each séance's co-runners (one more query, the costliest of the loads: pages that
    show no co-runner skip it). ``Atelier.animateurs`` is not loaded: no page reads it.
    """
    params = {"atelier_id": atelier_id, "structure_id": structure_id}
    atelier = db.session.execute(_atelier_detail_statement(animateurs), params).unique().scalar_one_or_none()
    if atelier is not None:
        membres = db.session.scalars(_membres_statement(), {"atelier_id": atelier.id}).all()
        set_committed_value(atelier, "inscriptions", list(membres))
    return atelier


@cache
def _atelier_detail_statement(animateurs: bool) -> sa.Select:
    options = [joinedload(Atelier.seances).joinedload(Seance.module)]
    if animateurs:
        options.append(joinedload(Atelier.seances).selectinload(Seance.animateurs))
    return (
        sa.select(Atelier)
        .where(Atelier.id == sa.bindparam("atelier_id"), Atelier.structure_id == sa.bindparam("structure_id"))
        .options(*options)
    )


@cache
def _membres_statement() -> sa.Select:
    return (
        sa.select(Inscription)
        .where(Inscription.atelier_id == sa.bindparam("atelier_id"))
        .options(joinedload(Inscription.apprenant))
        .order_by(Inscription.id)
    )


def charger_animateurs(seances: list[Seance], connus: Iterable[Compte] = ()) -> None:
    """Fill each séance's ``animateurs`` (a no-op for séances whose co-runners are loaded already).

    One light query of (séance, account) pairs; the accounts are taken from ``connus`` when there (the
    structure's co-runners that a writer's workshop page loads anyway), the others read in one more query.
    Cheaper than loading the co-runners again with their structure through the relationship.
    """
    a_charger = [s for s in seances if "animateurs" in sa.inspect(s).unloaded]
    if not a_charger:
        return
    paires = db.session.execute(_paires_animateurs_statement(), {"seances": [s.id for s in a_charger]}).all()
    comptes = {compte.id: compte for compte in connus}
    manquants = {compte_id for _seance_id, compte_id in paires} - set(comptes)
    if manquants:
        comptes.update((c.id, c) for c in db.session.scalars(sa.select(Compte).where(Compte.id.in_(manquants))))
    par_seance: dict[int, list[Compte]] = {s.id: [] for s in a_charger}
    for seance_id, compte_id in paires:
        par_seance[seance_id].append(comptes[compte_id])
    for seance in a_charger:
        set_committed_value(seance, "animateurs", par_seance[seance.id])


@cache
def _paires_animateurs_statement() -> sa.Select:
    return sa.select(seance_animateur.c.seance_id, seance_animateur.c.compte_id).where(
        seance_animateur.c.seance_id.in_(sa.bindparam("seances", expanding=True))
    )


def fermetures_a_venir(structure_id: int, today: date) -> list[Fermeture]:
    """The structure's closures that are not over, soonest first."""
    return list(
        db.session.scalars(
            sa.select(Fermeture)
            .where(Fermeture.structure_id == structure_id, Fermeture.fin_on >= today)
            .order_by(Fermeture.debut_on)
        )
    )


def ouverture_de(structure: Structure) -> Ouverture:
    """When ``structure`` can hold an appointment, as the pure rules take it: its holiday subdivision, the
    holidays it works, its closures (with their reason) and its time zone. One query (the closures)."""
    rows = db.session.execute(_fermetures_statement(), {"structure_id": structure.id})
    return Ouverture(
        subdivision=structure.subdivision_feries,
        feries_travailles=frozenset(structure.feries_travailles or ()),
        fermetures=tuple(PeriodeFermeture(debut, fin, motif or "") for debut, fin, motif in rows),
        fuseau=structure.fuseau_horaire,
    )


@cache
def _fermetures_statement() -> sa.Select:
    return (
        sa.select(Fermeture.debut_on, Fermeture.fin_on, Fermeture.motif)
        .where(Fermeture.structure_id == sa.bindparam("structure_id"))
        .order_by(Fermeture.debut_on, Fermeture.id)
    )


@dataclass(frozen=True)
class Remplacant:
    """A person who could take a freed place: their placement, wait, and why they may not fit the group."""

    apprenant: Apprenant
    score: int
    niveau: int
    attente_jours: int
    avertissement: str | None = None

    @property
    def convient(self) -> bool:
        return self.avertissement is None


def remplacants(atelier: Atelier, today: date, limit: int = 5) -> list[Remplacant]:
    """Who on the structure's waiting list could take a freed place in ``atelier``, best first (two queries).

    Only people waiting, available on the workshop's half-day, placed below niveau 3 and without an inscription
    in this workshop. Those whose score keeps the group's range (members' latest scores, an unplaced member
    counting 0 as in grouping) within ``atelier.ecart_max`` come first; the others follow with a warning,
    because the mediator decides. Within each, longest waiting first.
    """
    membres = member_scores(atelier.structure_id, [atelier.id])[atelier.id]
    statement, params = waiting_list_statement(
        atelier.structure_id, FiltresAttente(statut="en_attente", demi_journee=atelier.demi_journee)
    )
    score, niveau = statement.selected_columns.score, statement.selected_columns.niveau
    if membres:
        convient = sa.and_(score >= max(membres) - atelier.ecart_max, score <= min(membres) + atelier.ecart_max)
    else:
        convient = sa.true()
    rows = db.session.execute(
        statement.where(
            niveau < 3,
            Apprenant.id.not_in(sa.select(Inscription.apprenant_id).where(Inscription.atelier_id == atelier.id)),
        )
        .order_by(None)
        .order_by(sa.case((convient, 0), else_=1), Apprenant.en_attente_depuis_on, Apprenant.id)
        .limit(limit),
        params,
    )
    result = []
    for apprenant, score_candidat, niveau_candidat in rows:
        groupe = [*membres, score_candidat]
        ecart = max(groupe) - min(groupe)
        avertissement = None
        if ecart > atelier.ecart_max:
            avertissement = f"écart de {nombre(ecart, 'point')} avec le groupe (maximum {atelier.ecart_max})"
        since = apprenant.en_attente_depuis_on
        attente = max((today - since).days, 0) if since else 0
        result.append(Remplacant(apprenant, score_candidat, niveau_candidat, attente, avertissement))
    return result


def modules_rattrapes(inscription_ids) -> dict[int, set[int]]:
    """For each inscription, the ids of the modules with a *done* catch-up (inscriptions without one are absent).

    One query, whatever the number of inscriptions.
    """
    ids = list(inscription_ids)
    if not ids:
        return {}
    rattrapes: dict[int, set[int]] = {}
    for inscription_id, module_id in db.session.execute(
        sa.select(Rattrapage.inscription_id, Rattrapage.module_id).where(
            Rattrapage.inscription_id.in_(ids), Rattrapage.fait_on.is_not(None)
        )
    ):
        rattrapes.setdefault(inscription_id, set()).add(module_id)
    return rattrapes


def seances_animees(structure: Structure, compte_id: int, debut: date, fin: date) -> list[Seance]:
    """The séances ``compte_id`` co-runs in ``structure`` from ``debut`` to ``fin`` (the structure's days, both
    included), soonest first.

    For the home page of mediators and volunteers: workshop and module loaded, one query.
    """
    zone = structure_zone(structure)
    return list(
        db.session.scalars(
            sa.select(Seance)
            .join(seance_animateur, seance_animateur.c.seance_id == Seance.id)
            .join(Atelier, Atelier.id == Seance.atelier_id)
            .where(
                seance_animateur.c.compte_id == compte_id,
                Atelier.structure_id == structure.id,
                Atelier.statut.in_(("planifie", "en_cours", "termine")),
                Seance.starts_at >= local_to_utc(debut, time(0, 0), zone),
                Seance.starts_at < local_to_utc(fin + timedelta(days=1), time(0, 0), zone),
            )
            .options(joinedload(Seance.atelier), joinedload(Seance.module))
            .order_by(Seance.starts_at)
        )
    )


def etats_seances(atelier: Atelier, seances: list[Seance]) -> dict[int, EtatSeance]:
    """The state of each of ``seances`` (of ``atelier``, its members loaded): séance id -> :class:`EtatSeance`.

    Two queries whatever the number of séances and learners: the attendance stored, each absence with its
    catch-up if any (one row per stored line); and, grouped by module and learner, who has a judgement on the
    module and on the final scenario. Who is expected at a séance is worked out in memory
    (``Inscription.was_enrolled_at``).
    """
    if not seances:
        return {}
    lignes: dict[int, dict[int, tuple[str, date | None, bool]]] = {s.id: {} for s in seances}
    for seance_id, inscription_id, statut, fait_on, rattrapage_id in db.session.execute(
        _etats_presences_statement(), {"seances": [s.id for s in seances]}
    ):
        lignes[seance_id][inscription_id] = (statut, fait_on, rattrapage_id is not None)
    juges: dict[int, set[int]] = {}
    finale_jugee: set[int] = set()
    membres = [i.id for i in atelier.inscriptions]
    if membres:
        for module_id, inscription_id, finale in db.session.execute(
            _etats_competences_statement(), {"inscriptions": membres}
        ):
            juges.setdefault(module_id, set()).add(inscription_id)
            if finale:
                finale_jugee.add(inscription_id)
    modules_finale = {
        m.id for m in curriculum(atelier.curriculum_version) if any(c.is_evaluation_finale for c in m.competences)
    }
    etats = {}
    for seance in seances:
        attendus = [i for i in atelier.inscriptions if i.was_enrolled_at(seance) and i.statut != "abandon"]
        stockees = lignes[seance.id]
        absents = [i for i in attendus if i.id in stockees and stockees[i.id][0] in ABSENT]
        a_juger = [
            i.id
            for i in attendus
            if i.id in stockees and (stockees[i.id][0] in PRESENT or stockees[i.id][1] is not None)
        ]
        finale = seance.module_id in modules_finale
        jugees = finale_jugee if finale else juges.get(seance.module_id, set())
        en_cours = [i for i in absents if i.statut == "inscrit" and stockees[i.id][1] is None]
        etats[seance.id] = EtatSeance(
            numero=seance.numero,
            jour=seance.jour,
            finale=finale,
            attendus=len(attendus),
            notes=sum(1 for i in attendus if i.id in stockees),
            absents=tuple(i.id for i in absents),
            a_juger=len(a_juger),
            juges=sum(1 for i in a_juger if i in jugees),
            rattrapages_prevus=sum(1 for i in en_cours if stockees[i.id][2]),
            rattrapages_a_prevoir=sum(1 for i in en_cours if not stockees[i.id][2]),
        )
    return etats


@cache
def _etats_presences_statement() -> sa.Select:
    return (
        sa.select(Presence.seance_id, Presence.inscription_id, Presence.statut, Rattrapage.fait_on, Rattrapage.id)
        .join(Seance, Seance.id == Presence.seance_id)
        .outerjoin(
            Rattrapage,
            sa.and_(
                Rattrapage.inscription_id == Presence.inscription_id,
                Rattrapage.module_id == Seance.module_id,
                Presence.statut.in_(sorted(ABSENT)),
            ),
        )
        .where(Presence.seance_id.in_(sa.bindparam("seances", expanding=True)))
    )


@cache
def _etats_competences_statement() -> sa.Select:
    finale = sa.func.max(sa.case((Competence.is_evaluation_finale.is_(True), 1), else_=0))
    return (
        sa.select(Competence.module_id, EvaluationCompetence.inscription_id, finale)
        .join(Competence, Competence.id == EvaluationCompetence.competence_id)
        .where(EvaluationCompetence.inscription_id.in_(sa.bindparam("inscriptions", expanding=True)))
        .group_by(Competence.module_id, EvaluationCompetence.inscription_id)
    )
