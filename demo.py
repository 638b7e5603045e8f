"""Demo data: ``flask --app app demo``. Idempotent; demo data only, never for a real install.

A structure with four accounts (one per role), learners with realistic French names and placement results,
and workshops in every state; the demo network it heads, with a France Services member and a coordination
account; two years of history for both (``demo_historique``). ``--learners N --structures M`` grows it to a
network-scale data set for the benchmarks, with bulk inserts (10,000 learners in a few seconds).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import time, timedelta

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from ateliers.models import Atelier, Inscription, Presence, Seance
from ateliers.planning import planifier_seances
from ateliers.presences import recalculer
from ateliers.queries import ouverture_de
from core.disponibilites import CODES, LABELS
from core.models import Apprenant, Compte, Message, Reseau, Structure
from core.text import fold
from core.timeutil import local_to_utc, local_today, structure_today, structure_zone, utcnow
from demo_personnes import learner_rows, placement
from evaluations.curriculum import current_questionnaire, load_referentiel, modules_of_version
from evaluations.models import EvaluationCompetence, Positionnement, Questionnaire
from extensions import db

DEMO_STRUCTURE = "CCAS de Saint-Aubin-sur-Loire"
DEMO_ACCOUNTS = (
    ("admin@demo.local", "Nadia", "Benali", "admin"),
    ("mediatrice@demo.local", "Claire", "Martin", "mediateur"),
    ("benevole@demo.local", "Jacques", "Bernard", "benevole"),
    ("direction@demo.local", "Sophie", "Lambert", "direction"),
)
# The demo network: the demo structure heads it (its coordination account sees both structures' figures), and a
# France Services house belongs to it, with its own mediator, learners and history.
DEMO_RESEAU = "Réseau numérique du Val de Loire"
DEMO_COORDINATION = ("coordination@demo.local", "Yasmine", "Haddad", "coordination")
DEMO_MEMBRE = "France Services de Bias"
DEMO_MEMBRE_ACCOUNTS = (
    ("admin-bias@demo.local", "Marc", "Lefèvre", "admin"),
    ("mediatrice-bias@demo.local", "Inès", "Moreau", "mediateur"),
)
DEMO_MEMBRE_LEARNERS = 12  # on its waiting list today
# Past workshops played by demo_historique over the last two years, four learners each.
ATELIERS_PASSES = {DEMO_STRUCTURE: 12, DEMO_MEMBRE: 5}
APPRENANTS_EN_PLUS = DEMO_MEMBRE_LEARNERS + 4 * sum(ATELIERS_PASSES.values())
# The practice slots of the member structure: (weekday, start, end).
CRENEAUX_MEMBRE = ((1, time(14, 0), time(16, 0)), (3, time(9, 30), time(11, 30)))


@dataclass
class DemoReport:
    structures: int = 0
    comptes: int = 0
    apprenants: int = 0
    ateliers: int = 0


def add_learners(
    rng: random.Random, structure: Structure, count: int, questionnaire: Questionnaire, mediateur_id: int
) -> list[int]:
    """Bulk-insert ``count`` learners, each with a completed placement; return their ids in order."""
    if count <= 0:
        return []
    now = utcnow()
    rows = learner_rows(rng, structure, count, now)
    results = [placement(rng, questionnaire.contenu) for _ in rows]
    for row, (_answers, _mode, resultat) in zip(rows, results, strict=True):
        row["statut"] = "oriente" if resultat.is_oriente else "en_attente"
        row["en_attente_depuis_on"] = local_today(row["created_at"], structure_zone(structure))
    ids = list(db.session.scalars(sa.insert(Apprenant).returning(Apprenant.id, sort_by_parameter_order=True), rows))
    placements = [
        {
            "apprenant_id": apprenant_id,
            "questionnaire_id": questionnaire.id,
            "compte_id": mediateur_id,
            "mode": mode,
            "reponses": answers,
            "score": resultat.score,
            "niveau": resultat.niveau,
            "is_brouillon": False,
            "created_at": row["created_at"],
            "completed_at": row["created_at"],
        }
        for apprenant_id, row, (answers, mode, resultat) in zip(ids, rows, results, strict=True)
    ]
    db.session.execute(sa.insert(Positionnement), placements)
    return ids


def _ensure_accounts(structure: Structure, accounts, password_hash: str, report: DemoReport) -> dict[str, Compte]:
    existing = {c.email: c for c in db.session.scalars(sa.select(Compte).where(Compte.structure_id == structure.id))}
    for email, prenom, nom, role in accounts:
        if email not in existing:
            compte = Compte(
                structure_id=structure.id, email=email, prenom=prenom, nom=nom, role=role, password_hash=password_hash
            )
            db.session.add(compte)
            existing[email] = compte
            report.comptes += 1
    db.session.flush()
    return {c.role: c for c in existing.values()}


def _add_workshop(
    rng,
    structure,
    comptes,
    modules,
    learner_ids,
    *,
    intitule,
    statut,
    demi_journee,
    weeks_from_now,
    today,
    abandon=True,
):
    """One workshop with its séances, inscriptions, attendance and skills up to ``today``; when finished, its last
    learner dropped out after séance 2 unless ``abandon`` is False."""
    planned = planifier_seances(demi_journee, today + timedelta(weeks=weeks_from_now), ouverture_de(structure))
    start = planned[0].jour
    atelier = Atelier(
        structure_id=structure.id,
        # Entered in the app when its group was confirmed, before its séances (so its alerts are calls to make
        # today, not history keyed in from paper): the moment its learners joined, ten days before séance 1.
        created_at=min(planned[0].starts_at - timedelta(days=10), utcnow()),
        intitule=intitule,
        demi_journee=demi_journee,
        statut=statut,
        start_on=start if statut != "projet" else None,
        lieu="Salle numérique, 2 place de la Mairie",
        niveau_cible=1,
        is_locked=statut == "termine",
    )
    atelier.animateurs = [comptes["mediateur"], comptes["benevole"]]
    db.session.add(atelier)
    if statut == "projet":
        return atelier
    for module, seance in zip(modules, planned, strict=True):
        atelier.seances.append(
            Seance(
                numero=seance.numero,
                module=module,
                starts_at=seance.starts_at,
                ends_at=seance.ends_at,
                animateurs=[comptes["mediateur"], comptes["benevole"]],
            )
        )
    dropout = statut == "termine" and abandon
    last_held = _last_held(atelier)
    for rank, apprenant_id in enumerate(learner_ids):
        leaves = dropout and rank == len(learner_ids) - 1
        # Enrolled ten days before the first séance, at the moment the groups were confirmed.
        joined_at = atelier.seances[0].starts_at - timedelta(days=10)
        inscription = Inscription(apprenant_id=apprenant_id, joined_at=joined_at)
        atelier.inscriptions.append(inscription)
        minutes = 0
        for seance in atelier.seances:
            if seance.ends_at > utcnow() or statut == "annule":
                continue
            # In the finished workshop one person drops out after séance 2; in the running one, one person
            # missed the last séance held, so the "À rappeler" list has someone to call.
            absent = (leaves and seance.numero >= 3) or (
                statut == "en_cours" and rank == len(learner_ids) - 1 and seance.numero == last_held
            )
            presence = Presence(statut="absent" if absent else "present", minutes=0 if absent else 180)
            presence.seance = seance
            inscription.presences.append(presence)
            minutes += presence.minutes
            if not absent:
                for competence in seance.module.competences:
                    inscription.evaluations.append(
                        EvaluationCompetence(
                            competence=competence,
                            resultat=rng.choice(("acquis", "acquis", "avec_aide", "non_acquis")),
                            compte_id=comptes["mediateur"].id,
                            seance=seance,
                        )
                    )
        inscription.minutes_suivies = minutes
        if statut == "termine":
            inscription.statut = "abandon" if leaves else "termine"
            inscription.motif_sortie = "transport" if leaves else None
            # Closed with the workshop: both stay on every séance's list, the one who stopped coming included.
            inscription.ended_at = atelier.seances[-1].ends_at
    atelier.places_prises = sum(i.statut != "abandon" for i in atelier.inscriptions)
    if statut == "en_cours":
        db.session.flush()
        recalculer(atelier, list(atelier.inscriptions), today)
    for inscription in atelier.inscriptions:
        db.session.execute(
            sa.update(Apprenant)
            .where(Apprenant.id == inscription.apprenant_id)
            .values(statut="retire" if inscription.statut == "abandon" else "inscrit")
        )
    return atelier


# The demo structure's weekly practice slots: (weekday, start, end), Monday to Saturday.
CRENEAUX_DEMO = (
    (0, time(14, 0), time(16, 0)),
    (1, time(9, 30), time(11, 30)),
    (2, time(14, 0), time(16, 0)),
    (3, time(9, 30), time(11, 30)),
    (4, time(14, 0), time(16, 0)),
    (5, time(10, 0), time(12, 0)),
)


def _add_practice(rng, structure, comptes, modules, learner_ids, today) -> bool:
    """Practice after the workshop (issue 10): the slots, a workshop closed 10 to 14 days ago whose learners got
    their plans, their first practice sessions booked by the sweep as it ran then and attended (one no-show,
    rebooked by the ``relancer`` sweep), the second ones booked now, and the convocations in the outbox. The
    sweeps commit. False (nothing added) without enough learners or when no weekday fits the dates."""
    from entrainements import jobs
    from entrainements.creneaux import demi_journee as demi_journee_code
    from entrainements.models import Creneau, Entrainement, PlanEntrainement, Reservation
    from entrainements.reservations import liberer

    if len(learner_ids) < 4:
        return False
    ouverture = ouverture_de(structure)
    choix = next(
        (
            (demi_journee, weeks)
            for weeks in (-7, -8, -6)
            for demi_journee in (0, 2, 4, 6, 8)
            if today - timedelta(days=14)
            <= planifier_seances(demi_journee, today + timedelta(weeks=weeks), ouverture)[-1].jour
            <= today - timedelta(days=10)
        ),
        None,
    )
    if choix is None:
        return False
    for jour_semaine, debut, fin in CRENEAUX_DEMO:
        db.session.add(
            Creneau(
                structure_id=structure.id,
                jour_semaine=jour_semaine,
                debut=debut,
                fin=fin,
                capacite=4,
                lieu="Salle numérique, 2 place de la Mairie",
                animateur_id=comptes["benevole"].id if jour_semaine == 5 else None,
            )
        )
    demi_journee, weeks = choix
    atelier = _add_workshop(
        rng, structure, comptes, modules, learner_ids,
        intitule=f"Débutants – {LABELS[CODES[demi_journee]].lower()} (entraînements)", statut="termine",
        demi_journee=demi_journee, weeks_from_now=weeks, today=today, abandon=False,
    )  # fmt: skip
    # Free at every slot's half-day; reached by email, by letter, and by nothing (the mediator must call).
    slots = sum(1 << CODES.index(demi_journee_code(j, debut)) for j, debut, _ in CRENEAUX_DEMO)
    apprenants = [db.session.get(Apprenant, apprenant_id) for apprenant_id in learner_ids]
    for apprenant in apprenants:
        apprenant.disponibilites |= slots
    email, lettre, injoignable = apprenants[:3]
    email.email, email.canal_prefere = f"{fold(email.prenom)}.{fold(email.nom)}@exemple.fr".replace(" ", ""), "email"
    lettre.adresse, lettre.canal_prefere = "12 rue des Acacias", "courrier"
    injoignable.email = injoignable.adresse = None
    injoignable.canal_prefere = "telephone"
    db.session.flush()

    # The booking sweep as it ran five days after the last séance: plans made, first sessions booked.
    zone = structure_zone(structure)
    fin_atelier = atelier.seances[-1].jour
    jobs.reserver(local_to_utc(fin_atelier + timedelta(days=5), time(8, 0), zone))
    now = utcnow()
    passees = db.session.execute(
        sa.select(Reservation, Entrainement.apprenant_id)
        .join(Entrainement, Entrainement.id == Reservation.entrainement_id)
        .join(PlanEntrainement, PlanEntrainement.id == Entrainement.plan_id)
        .join(Inscription, Inscription.id == PlanEntrainement.inscription_id)
        .where(Inscription.atelier_id == atelier.id, Reservation.statut == "reservee")
    ).all()
    for reservation, apprenant_id in passees:
        if reservation.occurrence.ends_at <= now:
            statut = "absente" if apprenant_id == email.id else "honoree"
            liberer(reservation, statut, now=reservation.occurrence.ends_at, compte_id=comptes["mediateur"].id)
    # Convocations for sessions now past went out at the time.
    db.session.execute(
        sa.update(Message)
        .where(Message.structure_id == structure.id, Message.valable_jusqu_a <= now)
        .values(statut="envoye", envoye_at=Message.created_at)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    # Today's sweeps: the no-show rebooked in the coming days, the second sessions booked, reminders.
    jobs.relancer(now)
    jobs.reserver(now)
    jobs.rappeler(now)
    return True


def _last_held(atelier: Atelier) -> int:
    """The number of the last séance of ``atelier`` already over (0 if none)."""
    return max((s.numero for s in atelier.seances if s.ends_at <= utcnow()), default=0)


def _ensure_structure(nom: str, commune: str, report: DemoReport, type_: str = "ccas") -> tuple[Structure, bool]:
    structure = db.session.scalar(sa.select(Structure).where(Structure.nom == nom))
    if structure is not None:
        return structure, False
    # A metropolitan CCAS on Paris time that works Pentecost Monday, its journée de solidarité, as many do.
    structure = Structure(
        nom=nom,
        type=type_,
        commune=commune,
        adresse="2 place de la Mairie",
        subdivision_feries=None,
        fuseau_horaire="Europe/Paris",
        feries_travailles=["lundi_pentecote"],
    )
    db.session.add(structure)
    db.session.flush()
    report.structures += 1
    return structure, True


def _creneaux_mask(structure_id: int) -> int:
    """The half-days (core.disponibilites bitmask) of the structure's practice slots."""
    from entrainements.creneaux import demi_journee as demi_journee_code
    from entrainements.models import Creneau

    creneaux = db.session.execute(
        sa.select(Creneau.jour_semaine, Creneau.debut).where(Creneau.structure_id == structure_id)
    ).all()
    return sum({1 << CODES.index(demi_journee_code(jour, debut)) for jour, debut in creneaux})


def _add_network(rng, structure, created, comptes, password_hash, questionnaire, modules, today, report) -> None:
    """The demo network (issue 12): the member structure with its accounts, learners and practice slots, the
    network made by the head's admin through ``core.reseaux``, the coordination account; then two years of
    history (``demo_historique``) for each of the two structures created now."""
    from core import reseaux
    from demo_historique import ajouter_historique
    from entrainements.models import Creneau

    membre, membre_cree = _ensure_structure(DEMO_MEMBRE, "Bias", report, type_="france_services")
    if membre_cree:
        membre.adresse = "5 rue de la Poste"
    membre_comptes = _ensure_accounts(membre, DEMO_MEMBRE_ACCOUNTS, password_hash, report)
    if membre_cree:
        ids = add_learners(rng, membre, DEMO_MEMBRE_LEARNERS, questionnaire, membre_comptes["mediateur"].id)
        report.apprenants += len(ids)
        for jour_semaine, debut, fin in CRENEAUX_MEMBRE:
            db.session.add(
                Creneau(
                    structure_id=membre.id,
                    jour_semaine=jour_semaine,
                    debut=debut,
                    fin=fin,
                    capacite=3,
                    lieu="Espace France Services, 5 rue de la Poste",
                )
            )
        db.session.flush()
    if structure.reseau_id is None and db.session.scalar(sa.select(Reseau.id).where(Reseau.nom == DEMO_RESEAU)) is None:
        reseaux.creer_reseau(comptes["admin"], DEMO_RESEAU)
    if structure.is_tete_reseau and membre.reseau_id is None:
        reseaux.ajouter_structure(comptes["admin"], membre.id)
    if structure.is_tete_reseau:
        _ensure_accounts(structure, (DEMO_COORDINATION,), password_hash, report)
    db.session.commit()
    sites = [
        (site, site_comptes, ATELIERS_PASSES[site.nom], _creneaux_mask(site.id))
        for site, site_comptes, is_new in ((structure, comptes, created), (membre, membre_comptes, membre_cree))
        if is_new
    ]
    if sites:
        historique = ajouter_historique(sites, questionnaire, modules, today)
        report.apprenants += historique.apprenants
        report.ateliers += historique.ateliers


def _count_learners(structure_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Apprenant).where(Apprenant.structure_id == structure_id)
    )


def _add_signataire(structure: Structure) -> None:
    """The demo structure's attestation settings (code, signatory), when none are set: named before its history is
    played, so each past closing issues its attestations on its own day (the director's figures by period)."""
    from attestations.models import ParametresAttestation

    if db.session.get(ParametresAttestation, structure.id) is None:
        db.session.add(
            ParametresAttestation(
                structure_id=structure.id,
                code_structure="CCAS-DEMO",
                signataire_nom="Claire Fontaine",
                signataire_fonction="Directrice du CCAS",
            )
        )
        db.session.flush()


def _add_attestations(structure: Structure, mediatrice: Compte, today) -> int:
    """The attestations of the demo structure's closed workshops that have none yet (those made closed, not
    played), issued by ``mediatrice`` today as the closing would have (issue 11); those already issued are kept.
    Returns how many now."""
    from attestations import services as attestations  # imported here: one function of this file is attestations'

    _add_signataire(structure)
    clos = db.session.scalars(
        sa.select(Atelier)
        .where(Atelier.structure_id == structure.id, Atelier.statut == "termine", Atelier.is_locked.is_(True))
        .order_by(Atelier.id)
    )
    base_url = attestations.adresse_publique()
    return sum(
        len(attestations.emettre_atelier(mediatrice, atelier, today=today, now=utcnow(), base_url=base_url))
        for atelier in clos
    )


def load_demo(password: str, learners: int = 40, structures: int = 1, seed: int = 2026) -> DemoReport:
    """Create or complete the demo data set; the practice sweeps and the history commit as they go, the command
    commits the rest.

    ``learners`` is the total across ``structures`` (the network's member and the history add theirs,
    ``APPRENANTS_EN_PLUS``); each structure is filled up to its share, so running it again adds nothing.
    """
    rng = random.Random(seed)  # nosec B311 # seeded generator: reproducible demo/benchmark data, never a secret
    report = DemoReport()
    load_referentiel()
    questionnaire = current_questionnaire()
    modules = modules_of_version(1)
    password_hash = generate_password_hash(password)
    per_structure = max(learners // max(structures, 1), 0)

    structure, created = _ensure_structure(DEMO_STRUCTURE, "Saint-Aubin-sur-Loire", report)
    today = structure_today(structure)
    comptes = _ensure_accounts(structure, DEMO_ACCOUNTS, password_hash, report)
    missing = per_structure - _count_learners(structure.id)
    ids = add_learners(rng, structure, missing, questionnaire, comptes["mediateur"].id)
    report.apprenants += len(ids)
    if created:
        plans = (
            ("Débutants – mardi matin", "termine", CODES.index("mar-matin"), -10),
            ("Débutants – jeudi après-midi", "en_cours", CODES.index("jeu-apm"), -2),
            ("Débutants autonomes – lundi après-midi", "planifie", CODES.index("lun-apm"), 2),
            ("Débutants complets – vendredi matin", "projet", CODES.index("ven-matin"), 6),
            ("Débutants – mercredi matin", "annule", CODES.index("mer-matin"), 1),
        )
        for index, (intitule, statut, demi_journee, weeks) in enumerate(plans):
            members = ids[index * 4 : index * 4 + 4] if statut not in {"projet", "annule"} else []
            _add_workshop(
                rng, structure, comptes, modules, members,
                intitule=intitule, statut=statut, demi_journee=demi_journee, weeks_from_now=weeks, today=today,
            )  # fmt: skip
            report.ateliers += 1
        if _add_practice(rng, structure, comptes, modules, ids[20:24], today):
            report.ateliers += 1
    _add_signataire(structure)
    _add_network(rng, structure, created, comptes, password_hash, questionnaire, modules, today, report)
    _add_attestations(structure, comptes["mediateur"], today)

    for number in range(2, structures + 1):
        other, _ = _ensure_structure(f"Structure démo {number}", f"Commune {number}", report)
        accounts = ((f"mediatrice-{number}@demo.local", "Médiatrice", f"Structure {number}", "mediateur"),)
        other_comptes = _ensure_accounts(other, accounts, password_hash, report)
        missing = per_structure - _count_learners(other.id)
        report.apprenants += len(add_learners(rng, other, missing, questionnaire, other_comptes["mediateur"].id))
    db.session.flush()
    return report
