"""The follow-up call to a person after dropout alerts; "abandon" closes the inscription and frees its place.

Services flush; the route commits.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from ateliers import dropout
from ateliers.constants import RESULTATS_SUIVI, SUITES_SUIVI
from ateliers.models import Alerte, Atelier, Inscription, Suivi
from core import journal, versions
from core.bounds import require_date_in_window
from core.constants import MOTIFS_SORTIE
from core.errors import DomainError
from core.francais import nombre
from core.models import Compte
from core.timeutil import utcnow
from extensions import db

# The next steps a call after the workshop can take (a practice plan's missed sessions): no abandon (the workshop
# is over; a learner who wants no more practice declines the plan) and no catch-up (the workshop is closed).
SUITES_APRES_ATELIER = ("revient", "rappeler")


def enregistrer_suivi(
    auteur: Compte,
    inscription: Inscription,
    appel_on: date,
    resultat: str,
    motif: str | None,
    suite: str,
    today: date,
    *,
    now: datetime,
    rappel_on: date | None = None,
) -> Suivi:
    """Record a call to the person of ``inscription``; it covers every alert open now, so the person leaves the
    "À rappeler" list until a new alert is raised, or, with ``suite`` "rappeler", until ``rappel_on``. With
    ``suite`` "abandon", close the inscription and free its place. A call that reached the person
    (``resultat`` "joint") makes ``appel_on`` their last contact, unless a later one is known.

    An abandon ends the inscription at ``now`` (naive UTC), the moment it is recorded, whatever the call's day:
    the séances that started before stay the learner's (they were on their lists then), later ones are not.

    :param today: the structure's day; ``appel_on`` may not be after it, ``rappel_on`` must be after it.
    :param rappel_on: the day of the next call, required with ``suite`` "rappeler" and refused with another.
    :raise DomainError: (beside its field) call dated in the future, unknown code, abandon without a reason,
        "revient" without having reached the person, a next call not after today or without "rappeler", or
        the inscription is no longer running and has no open alert raised after its workshop
        (``dropout.REGLES_APRES_ATELIER``; with one, any step but an abandon is taken). The inscription's row
        is locked first: of two calls ending in an abandon at once, the second finds it closed (the place is
        freed once).
    """
    versions.verrouiller(inscription)
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
    if suite == "revient" and resultat != "joint":
        raise DomainError(
            "Sans avoir parlé à la personne, on ne sait pas si elle revient : choisissez « Rappeler à une date ».",
            "suite",
        )
    if suite == "rappeler":
        if rappel_on is None:
            raise DomainError("Indiquez le jour où rappeler.", "rappel_on")
        require_date_in_window(rappel_on, today, "rappel_on")
        if rappel_on <= today:
            raise DomainError("Le rappel doit être prévu après aujourd'hui.", "rappel_on")
    elif rappel_on is not None:
        raise DomainError("Une date de rappel va avec la suite « Rappeler à une date » : choisissez-la.", "rappel_on")
    if inscription.statut != "inscrit":
        # After the workshop only an alert raised since (two practice sessions missed) calls for a call.
        apres_atelier = db.session.scalar(
            sa.select(Alerte.id).where(
                Alerte.inscription_id == inscription.id,
                Alerte.resolved_at.is_(None),
                Alerte.regle.in_(dropout.REGLES_APRES_ATELIER),
            )
        )
        if apres_atelier is None:
            raise DomainError("Cette inscription est déjà close : le suivi n'est plus possible.")
        if suite not in SUITES_APRES_ATELIER:
            raise DomainError(
                "L'atelier est fini : choisissez « Revient » ou « Rappeler à une date ». Si la personne ne veut plus "
                "d'entraînement, notez-le sur son plan d'entraînements.",
                "suite",
            )
    suivi = Suivi(
        inscription_id=inscription.id,
        appel_on=appel_on,
        resultat=resultat,
        motif=motif,
        suite=suite,
        rappel_on=rappel_on,
        compte_id=auteur.id,
    )
    db.session.add(suivi)
    apprenant = inscription.apprenant
    if resultat == "joint" and (apprenant.last_contact_on is None or apprenant.last_contact_on < appel_on):
        apprenant.last_contact_on = appel_on  # the learner's page shows it as "Dernier contact"
    db.session.flush()
    couvertes = db.session.execute(
        sa.update(Alerte)
        .where(Alerte.inscription_id == inscription.id, Alerte.resolved_at.is_(None))
        .values(traitee_par_suivi_id=suivi.id)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    details = f"{RESULTATS_SUIVI[resultat]}, {SUITES_SUIVI[suite]}, {nombre(couvertes, 'alerte couverte')}"
    if rappel_on is not None:
        details += f", rappel le {rappel_on.isoformat()}"
    journal.record(auteur, "creation", "suivi", suivi.id, details)
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
