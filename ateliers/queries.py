"""Read side of the ateliers package: workshops open to grouping, a workshop and its séances, replacements,
catch-ups, a learner's workshops. The waiting list's reads are in :mod:`ateliers.attente`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload, load_only
from sqlalchemy.orm.attributes import set_committed_value

from ateliers.attente import FiltresAttente, dernier, waiting_list_statement
from ateliers.avancement import EtatSeance
from ateliers.constants import ROLES_ANIMATEURS
from ateliers.dropout import ABSENT, PRESENT
from ateliers.models import Atelier, Fermeture, Inscription, Presence, Rattrapage, Seance, seance_animateur
from core.database import run_core
from core.francais import nombre
from core.models import Apprenant, Compte, Structure
from core.ouverture import Ouverture, PeriodeFermeture
from core.queries import parties
from core.timeutil import local_to_utc, structure_zone
from evaluations.curriculum import curriculum
from evaluations.models import Competence, EvaluationCompetence
from extensions import db

GROUPABLE_STATUTS = ("projet", "planifie")


def inscriptions_of(apprenant_id: int) -> list[Inscription]:
    """The learner's workshops, newest first, with the workshop loaded."""
    return list(db.session.scalars(_inscriptions_of_statement(), {"apprenant_id": apprenant_id}))


@cache
def _inscriptions_of_statement() -> sa.Select:
    return (
        sa.select(Inscription)
        .where(Inscription.apprenant_id == sa.bindparam("apprenant_id"))
        .options(joinedload(Inscription.atelier))
        .order_by(Inscription.joined_at.desc(), Inscription.id.desc())
    )


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
    rows = db.session.execute(
        sa.select(Inscription.atelier_id, sa.func.coalesce(dernier("score"), 0))
        .join(Apprenant, Apprenant.id == Inscription.apprenant_id)
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
    """One workshop of the structure with its séances (modules loaded) and members (learners loaded), in one
    query (on PostgreSQL each statement is a round trip); None when the structure has no such workshop.

    The workshop, its séances and its members are parts of the statement (``core.queries.parties``: one row
    each, no séance x member product), put into ``Atelier.seances`` and ``Atelier.inscriptions``. With
    ``animateurs``, a fourth part puts each séance's co-runners into ``Seance.animateurs`` (names, role and
    status read: what the pages show). ``Atelier.animateurs`` is not loaded: no page reads it.
    """
    return _lire_atelier(structure_id, atelier_id, animateurs)[0]


def atelier_et_animateurs(structure_id: int, atelier_id: int) -> tuple[Atelier | None, list[Compte]]:
    """:func:`atelier_detail` with the séances' co-runners, and the co-runners the structure offers for them (as
    :func:`animateurs_et_seances` gives them, by name), in the same one query: the workshop page of a writer."""
    return _lire_atelier(structure_id, atelier_id, True)


def _lire_atelier(structure_id: int, atelier_id: int, animateurs: bool) -> tuple[Atelier | None, list[Compte]]:
    params = {"atelier_id": atelier_id, "structure_id": structure_id}
    rows = db.session.execute(_atelier_detail_statement(animateurs), params).all()
    atelier = next((row[0] for row in rows if row[0] is not None), None)
    if atelier is None:
        return None, []
    seances = sorted((row[1] for row in rows if row[1] is not None), key=lambda s: s.numero)
    set_committed_value(atelier, "seances", seances)
    set_committed_value(atelier, "inscriptions", sorted((row[2] for row in rows if row[2] is not None), key=_id))
    if not animateurs:
        return atelier, []
    return atelier, _repartir_animateurs(seances, sorted((row[3:] for row in rows if row[3] is not None), key=_par_nom))


def _id(ligne) -> int:
    return ligne.id


def _par_nom(ligne) -> tuple:
    """The order of :func:`animateurs_et_seances`: by name, then séance."""
    compte, seance_id, _propose = ligne
    return (compte.nom, compte.prenom, compte.id, seance_id or 0)


_ATELIER, _SEANCES, _MEMBRES, _ANIMATEURS = 0, 1, 2, 3


@cache
def _atelier_detail_statement(animateurs: bool) -> sa.Select:
    """Rows ``(workshop, séance, member)``, one for the workshop ``:atelier_id``, one per séance and one per member
    (the other entities None); with ``animateurs``, rows ``(None, None, None, account, séance id, offered)`` too,
    one per account of the structure and séance of this workshop it co-runs, one per co-runner the structure
    offers who runs none of them (the rows of :func:`animateurs_et_seances`; co-runners are chosen among the
    structure's accounts, ``ateliers.services.animateurs_of``). No row at all when the workshop is not the
    structure's ``:structure_id``: nothing of another structure is read. Built once per process: building a
    statement (and its cache key) on every request cost more than running it."""
    atelier_id = sa.bindparam("atelier_id")
    partie = parties(_ATELIER, _SEANCES, _MEMBRES, *((_ANIMATEURS,) if animateurs else ()))
    colonnes: list = [Atelier, Seance, Inscription]
    options = [joinedload(Seance.module), joinedload(Inscription.apprenant)]
    du_lieu = aliased(Atelier)
    statement = (
        sa.select(*colonnes)
        .select_from(partie.table)
        .outerjoin(Atelier, (partie == _ATELIER) & (Atelier.id == atelier_id))
        .outerjoin(Seance, (partie == _SEANCES) & (Seance.atelier_id == atelier_id))
        .outerjoin(Inscription, (partie == _MEMBRES) & (Inscription.atelier_id == atelier_id))
        .where(sa.exists().where(du_lieu.id == atelier_id, du_lieu.structure_id == sa.bindparam("structure_id")))
    )
    if animateurs:
        propose = animateur_propose()
        autre = aliased(Seance)
        statement = (
            statement.add_columns(Compte, seance_animateur.c.seance_id, propose)
            .outerjoin(Compte, (partie == _ANIMATEURS) & (Compte.structure_id == sa.bindparam("structure_id")))
            .outerjoin(
                seance_animateur,
                (seance_animateur.c.compte_id == Compte.id)
                & seance_animateur.c.seance_id.in_(sa.select(autre.id).where(autre.atelier_id == atelier_id)),
            )
            .where(sa.or_(partie != _ANIMATEURS, propose, seance_animateur.c.seance_id.is_not(None)))
        )
        options.append(load_only(Compte.id, Compte.prenom, Compte.nom, Compte.role, Compte.is_active))
    return statement.options(*options)


def charger_animateurs(seances: list[Seance]) -> None:
    """Fill each séance's ``animateurs`` (a no-op for séances whose co-runners are loaded already), in one query
    of (séance, account) rows: cheaper than loading the co-runners with their structure through the relationship.
    """
    a_charger = [s for s in seances if "animateurs" in sa.inspect(s).unloaded]
    if not a_charger:
        return
    par_seance: dict[int, list[Compte]] = {s.id: [] for s in a_charger}
    for seance_id, compte in db.session.execute(
        _animateurs_des_seances_statement(), {"seances": [s.id for s in a_charger]}
    ):
        par_seance[seance_id].append(compte)
    for seance in a_charger:
        set_committed_value(seance, "animateurs", par_seance[seance.id])


def animateurs_et_seances(structure_id: int, seances: list[Seance]) -> list[Compte]:
    """The structure's active mediators and volunteers by name (``ateliers.services.animateurs_of``), each of
    ``seances`` getting its ``animateurs`` on the way (:func:`charger_animateurs`), in one query.

    One row per account and séance it co-runs, plus one per co-runner of the structure who runs none of them; a
    former co-runner (inactive since, or of another role) comes through their séances only. The workshop page
    of a writer needs both; on PostgreSQL the statement saved is a round trip (issue 8, item 19).
    """
    rows = db.session.execute(
        _animateurs_et_seances_statement(), {"structure_id": structure_id, "seances": [s.id for s in seances]}
    ).all()
    return _repartir_animateurs(seances, rows)


def _repartir_animateurs(seances: list[Seance], lignes) -> list[Compte]:
    """Each of ``seances`` gets its ``animateurs`` from ``lignes`` ``(account, séance id or None, offered)``, in
    name order (:func:`animateurs_et_seances`); the accounts offered come back, in that order."""
    par_seance: dict[int, list[Compte]] = {s.id: [] for s in seances}
    choix: dict[int, Compte] = {}
    for compte, seance_id, propose in lignes:
        if seance_id is not None:
            par_seance[seance_id].append(compte)
        if propose:
            choix.setdefault(compte.id, compte)
    for seance in seances:
        set_committed_value(seance, "animateurs", par_seance[seance.id])
    return list(choix.values())


def animateur_propose() -> sa.ColumnElement[bool]:
    """Whether an account is offered as a co-runner of the structure ``:structure_id``: an active mediator or
    volunteer of it (``ateliers.services.animateurs_of``, the workshop page's choices)."""
    return sa.and_(
        Compte.structure_id == sa.bindparam("structure_id"),
        Compte.role.in_(ROLES_ANIMATEURS),
        Compte.is_active.is_(True),
    )


@cache
def _animateurs_et_seances_statement() -> sa.Select:
    pairs = sa.and_(
        seance_animateur.c.compte_id == Compte.id,
        seance_animateur.c.seance_id.in_(sa.bindparam("seances", expanding=True)),
    )
    propose = animateur_propose()
    return (
        sa.select(Compte, seance_animateur.c.seance_id, propose)
        .outerjoin(seance_animateur, pairs)
        .where(sa.or_(propose, seance_animateur.c.seance_id.is_not(None)))
        .order_by(Compte.nom, Compte.prenom, Compte.id, seance_animateur.c.seance_id)
    )


@cache
def _animateurs_des_seances_statement() -> sa.Select:
    return (
        sa.select(seance_animateur.c.seance_id, Compte)
        .join(Compte, Compte.id == seance_animateur.c.compte_id)
        .where(seance_animateur.c.seance_id.in_(sa.bindparam("seances", expanding=True)))
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
    rows = run_core(_fermetures_statement(), {"structure_id": structure.id})
    return _ouverture(structure, [PeriodeFermeture(debut, fin, motif or "") for debut, fin, motif in rows])


def _ouverture(structure: Structure, fermetures: list[PeriodeFermeture]) -> Ouverture:
    return Ouverture(
        subdivision=structure.subdivision_feries,
        feries_travailles=frozenset(structure.feries_travailles or ()),
        fermetures=tuple(fermetures),
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
    for inscription_id, module_id in run_core(
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
    params = {
        "compte_id": compte_id,
        "structure_id": structure.id,
        "debut": local_to_utc(debut, time(0, 0), zone),
        "fin": local_to_utc(fin + timedelta(days=1), time(0, 0), zone),
    }
    return list(db.session.scalars(_seances_animees_statement(), params))


@cache
def _seances_animees_statement() -> sa.Select:
    """Built once per process: building a statement (and its cache key) on every request cost more than running it."""
    return (
        sa.select(Seance)
        .join(seance_animateur, seance_animateur.c.seance_id == Seance.id)
        .join(Atelier, Atelier.id == Seance.atelier_id)
        .where(
            seance_animateur.c.compte_id == sa.bindparam("compte_id"),
            Atelier.structure_id == sa.bindparam("structure_id"),
            Atelier.statut.in_(("planifie", "en_cours", "termine")),
            Seance.starts_at >= sa.bindparam("debut"),
            Seance.starts_at < sa.bindparam("fin"),
        )
        .options(joinedload(Seance.atelier), joinedload(Seance.module))
        .order_by(Seance.starts_at)
    )


def etats_seances(atelier: Atelier, seances: list[Seance]) -> dict[int, EtatSeance]:
    """The state of each of ``seances`` (of ``atelier``, its members loaded): séance id -> :class:`EtatSeance`.

    One query whatever the number of séances and learners, of two parts (a UNION ALL: on PostgreSQL each
    statement is a round trip): the attendance stored, each absence with its catch-up if any (one row per stored
    line); and, grouped by module and learner, who has a judgement on the module and on the final scenario. Who is
    expected at a séance is worked out in memory (``Inscription.was_enrolled_at``).
    """
    if not seances:
        return {}
    return _etats(atelier, seances, run_core(_etats_statement(False), _etats_parametres(atelier, seances)))


def etats_et_ouverture(atelier: Atelier, seances: list[Seance]) -> tuple[dict[int, EtatSeance], Ouverture]:
    """:func:`etats_seances` and :func:`ouverture_de` the workshop's structure, in one query (the workshop page
    reads both; the closures are a third part of the UNION ALL). No query without séances: no state then, and the
    opening rules without the closures (nothing to check them against)."""
    if not seances:
        return {}, _ouverture(atelier.structure, [])
    parametres = {**_etats_parametres(atelier, seances), "structure_id": atelier.structure_id}
    rows = run_core(_etats_statement(True), parametres).all()
    fermetures = sorted((r for r in rows if r[0] == _FERMETURES), key=lambda r: (r.fait_on, r.rattrapage_id))
    ouverture = _ouverture(
        atelier.structure, [PeriodeFermeture(r.fait_on, r.fin_on, r.statut or "") for r in fermetures]
    )
    return _etats(atelier, seances, [r for r in rows if r[0] != _FERMETURES]), ouverture


def _etats_parametres(atelier: Atelier, seances: list[Seance]) -> dict:
    return {"seances": [s.id for s in seances], "inscriptions": [i.id for i in atelier.inscriptions]}


def _etats(atelier: Atelier, seances: list[Seance], rows) -> dict[int, EtatSeance]:
    """:func:`etats_seances` from the rows of its two parts."""
    lignes: dict[int, dict[int, tuple[str, date | None, bool]]] = {s.id: {} for s in seances}
    juges: dict[int, set[int]] = {}
    finale_jugee: set[int] = set()
    for partie, cle, inscription_id, statut, fait_on, rattrapage_id, finale, _fin_on in rows:
        if partie == _PRESENCES:
            lignes[cle][inscription_id] = (statut, fait_on, rattrapage_id is not None)
        else:
            juges.setdefault(cle, set()).add(inscription_id)
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


_PRESENCES, _COMPETENCES, _FERMETURES = 0, 1, 2


@cache
def _etats_statement(fermetures: bool) -> sa.CompoundSelect:
    """The parts of :func:`etats_seances`, each row ``(partie, séance or module id, inscription id, statut,
    fait_on, rattrapage_id, finale, fin_on)``, the columns of the other parts NULL; with ``fermetures``, the
    closures of the structure ``:structure_id`` as a third part ``(partie, NULL, NULL, motif, début, id, NULL,
    fin)``."""
    presences = _etats_presences_statement().subquery()
    competences = _etats_competences_statement().subquery()
    date_nulle = sa.cast(sa.null(), Rattrapage.fait_on.type)
    selects = [
        sa.select(
            sa.literal_column(str(_PRESENCES), sa.Integer).label("partie"),
            presences.c.seance_id.label("cle"),
            presences.c.inscription_id,
            presences.c.statut,
            presences.c.fait_on,
            presences.c.id.label("rattrapage_id"),
            sa.cast(sa.null(), sa.Integer).label("finale"),
            date_nulle.label("fin_on"),
        ),
        sa.select(
            sa.literal_column(str(_COMPETENCES), sa.Integer),
            competences.c.module_id,
            competences.c.inscription_id,
            sa.cast(sa.null(), Fermeture.motif.type),
            date_nulle,
            sa.cast(sa.null(), sa.Integer),
            competences.c.finale,
            date_nulle,
        ),
    ]
    if fermetures:
        selects.append(
            sa.select(
                sa.literal_column(str(_FERMETURES), sa.Integer),
                sa.cast(sa.null(), sa.Integer),
                sa.cast(sa.null(), sa.Integer),
                Fermeture.motif,
                Fermeture.debut_on,
                Fermeture.id,
                sa.cast(sa.null(), sa.Integer),
                Fermeture.fin_on,
            ).where(Fermeture.structure_id == sa.bindparam("structure_id"))
        )
    return sa.union_all(*selects)


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


def _etats_competences_statement() -> sa.Select:
    finale = sa.func.max(sa.case((Competence.is_evaluation_finale.is_(True), 1), else_=0)).label("finale")
    return (
        sa.select(Competence.module_id, EvaluationCompetence.inscription_id, finale)
        .join(Competence, Competence.id == EvaluationCompetence.competence_id)
        .where(EvaluationCompetence.inscription_id.in_(sa.bindparam("inscriptions", expanding=True)))
        .group_by(Competence.module_id, EvaluationCompetence.inscription_id)
    )
