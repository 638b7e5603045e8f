"""The follow-up call after a dropout alert; "abandon" closes the inscription and frees its place.

Services flush; the route commits.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from ateliers.constants import RESULTATS_SUIVI, SUITES_SUIVI
from ateliers.models import Alerte, Atelier, Inscription, Suivi
from core import journal, versions
from core.bounds import require_date_in_window
from core.constants import MOTIFS_SORTIE
from core.errors import DomainError
from core.models import Compte
from core.timeutil import utcnow
from extensions import db


def enregistrer_suivi(
    auteur: Compte,
    alerte: Alerte,
    appel_on: date,
    resultat: str,
    motif: str | None,
    suite: str,
    today: date,
    *,
    now: datetime,
) -> Suivi:
    """Record the call about ``alerte``; with ``suite`` "abandon", close the inscription and free its place.

    An abandon ends the inscription at ``now`` (naive UTC), the moment it is recorded, whatever the call's day:
    the séances that started before stay the learner's (they were on their lists then), later ones are not.

    :raise DomainError: (beside its field) call dated in the future, unknown code, abandon without a reason,
        or the inscription is no longer running. The inscription's row is locked first: of two calls ending
        in an abandon at once, the second finds it closed (the place is freed once).
    """
    versions.verrouiller(alerte.inscription)
    inscription = alerte.inscription
    require_date_in_window(appel_on, today, "appel_on")
    if appel_on > today:
        raise DomainError("La date de l'appel ne peut pas être dans le futur.", "appel_on")
    if resultat not in RESULTATS_SUIVI:
        raise DomainError("Choisissez le résultat de l'appel.", "resultat")
    if motif is not None and motif not in MOTIFS_SORTIE:
        raise DomainError("Choisissez un motif dans la liste.", "motif")
    if suite not in SUITES_SUIVI:
        raise DomainError("Choisissez la suite donnée.", "suite")
    if suite == "abandon" and motif is None:
        raise DomainError("Indiquez le motif de l'abandon.", "motif")
    if inscription.statut != "inscrit":
        raise DomainError("Cette inscription est déjà close : le suivi n'est plus possible.")
    suivi = Suivi(
        inscription_id=inscription.id,
        alerte_id=alerte.id,
        appel_on=appel_on,
        resultat=resultat,
        motif=motif,
        suite=suite,
        compte_id=auteur.id,
    )
    db.session.add(suivi)
    db.session.flush()
    journal.record(auteur, "creation", "suivi", suivi.id, f"{RESULTATS_SUIVI[resultat]}, {SUITES_SUIVI[suite]}")
    if suite == "abandon":
        abandonner(auteur, inscription, motif, now)
    return suivi


def abandonner(auteur: Compte, inscription: Inscription, motif: str, ended_at: datetime) -> None:
    """Close ``inscription`` as an abandon at ``ended_at`` (naive UTC), free its place (atomic UPDATE) and
    resolve its open alerts. The learner stays on the séances that started before ``ended_at``."""
    inscription.statut = "abandon"
    inscription.motif_sortie = motif
    inscription.ended_at = ended_at
    db.session.flush()
    db.session.execute(
        sa.update(Atelier)
        .where(Atelier.id == inscription.atelier_id, Atelier.places_prises > 0)
        .values(places_prises=Atelier.places_prises - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(Alerte)
        .where(Alerte.inscription_id == inscription.id, Alerte.resolved_at.is_(None))
        .values(resolved_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.expire(inscription.atelier, ["places_prises"])
    journal.record(auteur, "modification", "inscription", inscription.id, f"abandon : {MOTIFS_SORTIE[motif]}")
    db.session.flush()
