"""Read side of the exports that are not the dashboard's tables: the séances held (La Coop) and the mediator's
learner list. (The dashboard's aggregates live in ``pilotage/queries.py``.)"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from ateliers.constants import STATUTS_INSCRIPTION
from ateliers.models import Atelier, Inscription, Presence, Seance
from core.constants import CANAUX, STATUTS_ATTENTE
from core.disponibilites import describe
from core.models import Apprenant, Structure
from core.queries import apprenants_statement
from core.text import display_phone
from core.timeutil import get_zone, to_local
from evaluations.constants import NIVEAUX
from evaluations.models import Module, Positionnement
from extensions import db
from pilotage.la_coop import SeanceTenue
from pilotage.periode import Periode
from pilotage.tableaux import Tableau

VENUS = ("present", "retard")


def seances_tenues(structure_ids: Collection[int], periode: Periode) -> list[SeanceTenue]:
    """The séances of the structures' workshops held on a local day of ``periode`` (each structure's own time
    zone), with their attendance taken, and the number of learners who came (present or late).

    One query: séances within a day of the period's ends in UTC, then each kept when its local day is in it.
    """
    if not structure_ids:
        return []
    venus = sa.func.count(Presence.id).filter(Presence.statut.in_(VENUS))
    rows = db.session.execute(
        sa.select(
            Seance.starts_at,
            Seance.ends_at,
            Seance.numero,
            venus,
            Atelier.intitule,
            Atelier.niveau_cible,
            Module.numero,
            Module.titre,
            Structure.nom,
            Structure.commune,
            Structure.fuseau_horaire,
        )
        .join(Atelier, Atelier.id == Seance.atelier_id)
        .join(Structure, Structure.id == Atelier.structure_id)
        .join(Module, Module.id == Seance.module_id)
        .join(Presence, Presence.seance_id == Seance.id)  # attendance taken: at least one row
        .where(
            Atelier.structure_id.in_(structure_ids),
            Seance.starts_at >= datetime.combine(periode.debut - timedelta(days=1), time()),
            Seance.starts_at < datetime.combine(periode.fin_exclue + timedelta(days=1), time()),
        )
        .group_by(Seance.id, Atelier.id, Module.id, Structure.id)
    ).all()
    seances = []
    for debut, fin, numero, participants, intitule, niveau, module_numero, titre, nom, commune, fuseau in rows:
        jour = to_local(debut, get_zone(fuseau)).date()
        if periode.contient(jour):
            seances.append(
                SeanceTenue(
                    jour=jour,
                    minutes=int((fin - debut).total_seconds() // 60),
                    participants=participants,
                    structure=nom,
                    commune=commune or "",
                    atelier=intitule,
                    numero=numero,
                    module_numero=module_numero,
                    module_titre=titre,
                    niveau_cible=niveau,
                )
            )
    return seances


COLONNES_APPRENANTS = (
    "Nom",
    "Prénom",
    "Téléphone",
    "Commune",
    "Contact préféré",
    "Disponibilités",
    "Niveau",
    "Liste d'attente",
    "En attente depuis",
    "Dernier atelier",
    "Statut dans l'atelier",
)


def liste_apprenants(structure_id: int, recherche: str | None) -> Tableau:
    """The learners of the register page (``/apprenants/``) with its search, every page of it, in its order,
    with what a mediator needs to call and place them: phone (written as the page writes it), level of the
    last placement, waiting status, and the last workshop joined with the status there.

    Three queries whatever the number of learners.
    """
    statement, params = apprenants_statement(structure_id, recherche)
    apprenants = db.session.execute(
        statement.with_only_columns(
            Apprenant.id,
            Apprenant.nom,
            Apprenant.prenom,
            Apprenant.telephone,
            Apprenant.commune,
            Apprenant.canal_prefere,
            Apprenant.disponibilites,
            Apprenant.statut,
            Apprenant.en_attente_depuis_on,
        ),
        params,
    ).all()
    trouves = statement.order_by(None).with_only_columns(Apprenant.id).subquery()
    derniers_ateliers = {}
    for apprenant_id, intitule, statut in db.session.execute(
        sa.select(Inscription.apprenant_id, Atelier.intitule, Inscription.statut)
        .join(Atelier, Atelier.id == Inscription.atelier_id)
        .where(Inscription.apprenant_id.in_(sa.select(trouves.c.id)))
        .order_by(Inscription.joined_at, Inscription.id),
        params,
    ):
        derniers_ateliers[apprenant_id] = (intitule, STATUTS_INSCRIPTION.get(statut, statut))
    niveaux = {}
    for apprenant_id, niveau in db.session.execute(
        sa.select(Positionnement.apprenant_id, Positionnement.niveau)
        .where(
            Positionnement.apprenant_id.in_(sa.select(trouves.c.id)),
            Positionnement.is_brouillon.is_(False),
            Positionnement.niveau.is_not(None),
        )
        .order_by(Positionnement.completed_at, Positionnement.id),
        params,
    ):
        niveaux[apprenant_id] = NIVEAUX.get(niveau, str(niveau))
    lignes = [
        (
            nom,
            prenom,
            display_phone(telephone) if telephone else None,
            commune or None,
            CANAUX.get(canal, canal),
            describe(disponibilites),
            niveaux.get(ident),
            STATUTS_ATTENTE.get(statut) if statut else None,
            attente_depuis,
            *derniers_ateliers.get(ident, (None, None)),
        )
        for ident, nom, prenom, telephone, commune, canal, disponibilites, statut, attente_depuis in apprenants
    ]
    return Tableau.de(
        "apprenants",
        "Apprenants",
        COLONNES_APPRENANTS,
        lignes,
        "Les apprenants de la liste, avec sa recherche ; niveau du dernier positionnement terminé, dernier "
        "atelier rejoint. Données personnelles : à garder pour le suivi des ateliers seulement.",
    )
