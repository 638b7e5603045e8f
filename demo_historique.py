"""Two years of history for the demo (issue 12, item 7), so the dashboards show something whatever the day.

Workshops run over the past two years, played in the order things happened with the application's clock
(``core.timeutil.clock``) set to each moment: the learners register and are placed, each séance's attendance and
skills are noted, the dropout alerts are computed by the workshop's rules (``ateliers.presences.recalculer``), the
mediator calls the next morning (``ateliers.suivis.enregistrer_suivi``: some come back, some leave with a reason
code, some cannot be reached), the workshop is closed by the closing service (whose signal makes the practice
plans), and every week the practice sweeps run (``entrainements.jobs.reserver`` and ``relancer``) while the
practice sessions' attendance and skill levels are taken (``entrainements.presences.enregistrer_presences``),
a few people not turning up. Every row is written by the domain's services or obeys every constraint; the dates
are computed from today. The sweeps commit, as in ``demo._add_practice``.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from ateliers.cloture import cloturer_atelier
from ateliers.models import Alerte, Atelier, Inscription, Presence, Seance
from ateliers.planning import planifier_seances
from ateliers.presences import inscrits_de_seance, recalculer
from ateliers.queries import ouverture_de
from ateliers.suivis import enregistrer_suivi
from core import timeutil
from core.constants import MOTIFS_SORTIE
from core.disponibilites import CODES
from core.models import Apprenant, Compte, Message, Structure
from core.timeutil import local_to_utc, local_today, structure_zone
from demo_personnes import learner_rows, placement
from evaluations.models import EvaluationCompetence, Positionnement, Questionnaire
from extensions import db

# What becomes of a learner in a past workshop: how often, out of the draws below.
PROFILS = (
    *("assidu",) * 9,
    "retard",  # late once
    "revient",  # missed a séance, was called, came back
    "revient",
    "abandon",  # missed, was called, said they stop (a reason code)
    "injoignable",  # missed from then on, never reached: abandon "injoignable" at the closing
)
MOTIFS_ABANDON = tuple(code for code in MOTIFS_SORTIE if code not in {"injoignable", "autre"})
# Half-days of the past workshops, in turn (codes of core.disponibilites).
DEMI_JOURNEES = ("mar-matin", "jeu-apm", "lun-apm", "ven-matin", "mer-matin")
# The practice sweeps run every three weeks in the history (every 5 minutes for real), their horizon: every
# session due is booked (the first one, a week after the workshop, by the run that follows its closing), a no-show
# is rebooked at the next run.
PAS_PRATIQUE = timedelta(days=21)


@dataclass
class Historique:
    """What the history added (for the command's report)."""

    apprenants: int = 0
    ateliers: int = 0


@dataclass
class _Site:
    """One structure whose past is played: its accounts, the weekdays of its practice slots (a bitmask of
    half-days every learner is free at, so the sweeps can book them), its workshops' first days."""

    structure: Structure
    comptes: dict[str, Compte]
    debuts: list[date]
    creneaux: int
    ateliers: list[int] = field(default_factory=list)


@contextmanager
def _horloge(depart: datetime) -> Iterator[Callable[[datetime], None]]:
    """Set the application's one clock at ``depart``; yields a function that moves it. Restored on exit."""
    moment = [depart]
    avant = timeutil.clock
    timeutil.clock = lambda: moment[0]
    try:
        yield lambda instant: moment.__setitem__(0, instant)
    finally:
        timeutil.clock = avant


def debuts_sur_deux_ans(today: date, nombre: int, fin_semaines: int = 26) -> list[date]:
    """The first days of ``nombre`` past workshops spread evenly over the two years before ``today``, the last
    one ``fin_semaines`` weeks ago (so its practice plan, +90 days, is over: today's sweeps leave it alone)."""
    premier = today - timedelta(weeks=104)
    dernier = today - timedelta(weeks=fin_semaines)
    pas = (dernier - premier) / max(nombre - 1, 1)
    return [premier + pas * rang for rang in range(nombre)]


def _apprenants(rng: random.Random, site: _Site, inscrits_le: datetime, questionnaire: Questionnaire) -> list[int]:
    """Four learners registered and placed some weeks before ``inscrits_le`` (niveau 1 or 2: those a workshop
    takes), free at the workshop's half-day and at the practice slots; bulk-inserted, their ids."""
    zone = structure_zone(site.structure)
    rows = learner_rows(rng, site.structure, 4, inscrits_le)
    placements = []
    for row in rows:
        arrivee = inscrits_le - timedelta(days=rng.randint(14, 120))
        while True:
            answers, mode, resultat = placement(rng, questionnaire.contenu)
            if not resultat.is_oriente:
                break
        placements.append((answers, mode, resultat, arrivee))
        row.update(
            created_at=arrivee,
            updated_at=arrivee,
            last_contact_on=local_today(arrivee, zone),
            en_attente_depuis_on=local_today(arrivee, zone),
            statut="inscrit",
            disponibilites=row["disponibilites"] | site.creneaux,
        )
    ids = list(db.session.scalars(sa.insert(Apprenant).returning(Apprenant.id, sort_by_parameter_order=True), rows))
    db.session.execute(
        sa.insert(Positionnement),
        [
            {
                "apprenant_id": apprenant_id,
                "questionnaire_id": questionnaire.id,
                "compte_id": site.comptes["mediateur"].id,
                "mode": mode,
                "reponses": answers,
                "score": resultat.score,
                "niveau": resultat.niveau,
                "is_brouillon": False,
                "created_at": arrivee,
                "completed_at": arrivee,
            }
            for apprenant_id, (answers, mode, resultat, arrivee) in zip(ids, placements, strict=True)
        ],
    )
    return ids


class _Passe:
    """The past played in order: a queue of (moment, action) run with the clock set to each moment."""

    def __init__(self, rng: random.Random, questionnaire: Questionnaire, modules, horloge) -> None:
        self.rng, self.questionnaire, self.modules, self.horloge = rng, questionnaire, modules, horloge
        self.file: list[tuple[datetime, int, Callable[[], None]]] = []
        self.rang = itertools.count()
        self.bilan = Historique()
        self.avec_absences: set[int] = set()

    def plus_tard(self, moment: datetime, action: Callable[[], None]) -> None:
        heapq.heappush(self.file, (moment, next(self.rang), action))

    def jouer(self, jusqua: datetime) -> None:
        while self.file and self.file[0][0] <= jusqua:
            moment, _, action = heapq.heappop(self.file)
            self.horloge(moment)
            action()

    # --- a workshop -------------------------------------------------------------------------------------------

    def atelier(self, site: _Site, debut: date, demi_journee: str) -> None:
        """Plan the workshop starting on ``debut`` at ``demi_journee``: its group confirmed ten days before."""
        structure = site.structure
        planned = planifier_seances(CODES.index(demi_journee), debut, ouverture_de(structure))
        confirme = planned[0].starts_at - timedelta(days=10)
        self.plus_tard(confirme, lambda: self._confirmer(site, planned, demi_journee))

    def _confirmer(self, site: _Site, planned, demi_journee: str) -> None:
        from core.disponibilites import LABELS

        structure, comptes, now = site.structure, site.comptes, timeutil.utcnow()
        ids = _apprenants(self.rng, site, now, self.questionnaire)
        animateurs = [comptes["mediateur"], comptes["benevole"]] if "benevole" in comptes else [comptes["mediateur"]]
        atelier = Atelier(
            structure_id=structure.id,
            intitule=f"Débutants – {LABELS[demi_journee].lower()} ({planned[0].jour.strftime('%m/%Y')})",
            demi_journee=CODES.index(demi_journee),
            statut="en_cours",
            start_on=planned[0].jour,
            lieu=structure.adresse or "Salle numérique",
            niveau_cible=1,
            places_prises=len(ids),
        )
        atelier.animateurs = animateurs
        for module, seance in zip(self.modules, planned, strict=True):
            atelier.seances.append(
                Seance(
                    numero=seance.numero,
                    module=module,
                    starts_at=seance.starts_at,
                    ends_at=seance.ends_at,
                    animateurs=animateurs,
                )
            )
        profils = {}
        for apprenant_id in ids:
            atelier.inscriptions.append(Inscription(apprenant_id=apprenant_id, joined_at=now))
        db.session.add(atelier)
        db.session.flush()
        for inscription in atelier.inscriptions:
            profil = self.rng.choice(PROFILS)
            profils[inscription.id] = (profil, self.rng.randint(2, 4))  # the séance where it shows
        site.ateliers.append(atelier.id)
        self.bilan.apprenants += len(ids)
        self.bilan.ateliers += 1
        for seance in atelier.seances:
            self.plus_tard(seance.ends_at, lambda s=seance: self._seance(site, s, profils))
        derniere = atelier.seances[-1]
        cloture = local_to_utc(derniere.jour + timedelta(days=2), time(16, 0), structure_zone(structure))
        self.plus_tard(cloture, lambda: self._cloturer(site, atelier, profils))

    def _seance(self, site: _Site, seance: Seance, profils) -> None:
        """The séance's attendance and skills, noted at its end (rows inserted in bulk); after an absence the
        workshop's alerts computed by its rules, and the calls made the next morning."""
        atelier, mediatrice, now = seance.atelier, site.comptes["mediateur"], timeutil.utcnow()
        presences, evaluations = [], []
        for inscription in inscrits_de_seance(atelier, seance):
            profil, rang = profils[inscription.id]
            absent = (profil == "revient" and seance.numero == rang) or (
                profil in {"abandon", "injoignable"} and seance.numero >= rang
            )
            retard = profil == "retard" and seance.numero == rang
            presences.append(
                {
                    "seance_id": seance.id,
                    "inscription_id": inscription.id,
                    "statut": "absent" if absent else "retard" if retard else "present",
                    "minutes": 0 if absent else 150 if retard else 180,
                    "compte_id": mediatrice.id,
                    "arrival_at": seance.starts_at + timedelta(minutes=30) if retard else None,
                    "recorded_at": now,
                }
            )
            if not absent:
                evaluations.extend(
                    {
                        "inscription_id": inscription.id,
                        "competence_id": competence.id,
                        "seance_id": seance.id,
                        "resultat": self.rng.choice(("acquis", "acquis", "acquis", "avec_aide", "non_acquis")),
                        "compte_id": mediatrice.id,
                        "evaluated_at": now,
                    }
                    for competence in seance.module.competences
                )
        db.session.execute(sa.insert(Presence), presences)
        if evaluations:
            db.session.execute(sa.insert(EvaluationCompetence), evaluations)
        if any(p["statut"] == "absent" for p in presences):
            self.avec_absences.add(atelier.id)
        if atelier.id in self.avec_absences:
            # Attendance saved: the rules run (until someone has missed a séance, none of them can fire).
            recalculer(atelier, list(atelier.inscriptions), seance.jour)
            atelier.alertes_calculees_on = seance.jour
            db.session.flush()
            lendemain = local_to_utc(seance.jour + timedelta(days=1), time(10, 0), structure_zone(site.structure))
            self.plus_tard(lendemain, lambda: self._appels(site, atelier, profils))

    def _appels(self, site: _Site, atelier: Atelier, profils) -> None:
        """The mediator calls everyone with an open alert, as the "À rappeler" list asks."""
        now = timeutil.utcnow()
        today = local_today(now, structure_zone(site.structure))
        ouvertes = db.session.scalars(
            sa.select(Inscription)
            .join(Alerte, Alerte.inscription_id == Inscription.id)
            .where(
                Inscription.atelier_id == atelier.id,
                Inscription.statut == "inscrit",
                Alerte.resolved_at.is_(None),
                Alerte.traitee_par_suivi_id.is_(None),
            )
            .distinct()
        ).all()
        for inscription in ouvertes:
            profil, _rang = profils[inscription.id]
            if profil == "abandon":
                appel = ("joint", self.rng.choice(MOTIFS_ABANDON), "abandon", None)
            elif profil == "injoignable":
                appel = (self.rng.choice(("injoignable", "message_laisse")), None, "rappeler", today + timedelta(3))
            else:
                appel = ("joint", None, "revient", None)
            resultat, motif, suite, rappel_on = appel
            enregistrer_suivi(
                site.comptes["mediateur"],
                inscription,
                today,
                resultat,
                motif,
                suite,
                today,
                now=now,
                rappel_on=rappel_on,
            )
        db.session.flush()

    def _cloturer(self, site: _Site, atelier: Atelier, profils) -> None:
        """The closing service: those who kept coming finish, those never reached leave as "injoignable"; the
        booking sweep runs just after (as the scheduler does within five minutes), so the first practice
        session, a week later, is booked in time."""
        now = timeutil.utcnow()
        decisions = {
            inscription.id: ("abandon", "injoignable")
            if profils[inscription.id][0] == "injoignable"
            else ("termine", None)
            for inscription in atelier.inscriptions
            if inscription.statut == "inscrit"
        }
        cloturer_atelier(
            site.comptes["mediateur"], atelier, decisions, local_today(now, structure_zone(site.structure)), now=now
        )
        for inscription in atelier.inscriptions:
            db.session.execute(
                sa.update(Apprenant)
                .where(Apprenant.id == inscription.apprenant_id)
                .values(statut="retire" if inscription.statut == "abandon" else "inscrit")
            )
        db.session.commit()
        if site.creneaux:
            from entrainements import jobs

            jobs.reserver(now + timedelta(minutes=5))

    # --- practice after the workshops -------------------------------------------------------------------------

    def pratique(self, moment: datetime, fin: datetime, mediatrices: dict[int, Compte]) -> None:
        """The practice sweeps, every ``PAS_PRATIQUE`` from ``moment`` to ``fin``: attendance of the sessions held
        since the last run, then ``relancer`` and ``reserver`` as the scheduler runs them."""

        def tour() -> None:
            from entrainements import jobs

            now = timeutil.utcnow()
            if self._presences_pratique(now, mediatrices):
                # Only a no-show gives ``relancer`` something to do.
                jobs.relancer(now)
                self._appels_apres_atelier(now, mediatrices)
            jobs.reserver(now)
            if now + PAS_PRATIQUE <= fin:
                self.plus_tard(now + PAS_PRATIQUE, tour)

        self.plus_tard(moment, tour)

    def _appels_apres_atelier(self, now: datetime, mediatrices: dict[int, Compte]) -> None:
        """Two practice sessions missed put the learner on "À rappeler": the mediator calls, they will come."""
        from ateliers.dropout import REGLES_APRES_ATELIER

        signalees = db.session.scalars(
            sa.select(Inscription)
            .join(Alerte, Alerte.inscription_id == Inscription.id)
            .join(Atelier, Atelier.id == Inscription.atelier_id)
            .where(
                Atelier.structure_id.in_(list(mediatrices)),
                Alerte.regle.in_(REGLES_APRES_ATELIER),
                Alerte.resolved_at.is_(None),
                Alerte.traitee_par_suivi_id.is_(None),
            )
            .distinct()
        ).all()
        for inscription in signalees:
            structure = inscription.atelier.structure
            today = local_today(now, structure_zone(structure))
            enregistrer_suivi(mediatrices[structure.id], inscription, today, "joint", None, "revient", today, now=now)
        db.session.commit()

    def _presences_pratique(self, now: datetime, mediatrices: dict[int, Compte], absences: bool = True) -> int:
        """Each practice session held before ``now`` with bookings still open: attendance and skill levels taken
        at its end (about one in eight does not come, unless ``absences`` is False). The number of no-shows."""
        manques = 0
        from entrainements.models import Occurrence, Reservation
        from entrainements.presences import enregistrer_presences, lignes_de

        occurrences = db.session.scalars(
            sa.select(Occurrence)
            .where(
                Occurrence.ends_at <= now,
                Occurrence.structure_id.in_(list(mediatrices)),
                sa.exists().where(Reservation.occurrence_id == Occurrence.id, Reservation.statut == "reservee"),
            )
            .order_by(Occurrence.ends_at)
        ).all()
        for occurrence in occurrences:
            self.horloge(occurrence.ends_at)
            statuts, niveaux = {}, {}
            for ligne in lignes_de(occurrence):
                if ligne.presence:
                    continue
                venu = not absences or self.rng.random() > 0.12
                statuts[ligne.reservation.id] = "venu" if venu else "absent"
                manques += not venu
                if venu:
                    for competence in ligne.competences:
                        niveaux[(ligne.reservation.id, competence.id)] = self.rng.choice(
                            ("acquis", "acquis", "avec_aide", "non_acquis")
                        )
            enregistrer_presences(
                mediatrices[occurrence.structure_id], occurrence, statuts, niveaux, now=occurrence.ends_at
            )
        self.horloge(now)
        db.session.commit()
        return manques


def ajouter_historique(
    sites: list[tuple[Structure, dict[str, Compte], int, int]], questionnaire: Questionnaire, modules, today: date
) -> Historique:
    """Play two years of the past of each site, together and in order; commits.

    :param sites: (structure, its accounts by role (a ``mediateur`` at least), number of past workshops, the
        half-day bitmask of its practice slots (0: no practice)).
    :param today: the first site's day; the history stops four weeks before it, so its last bookings (21 days
        ahead) are all past; the sweeps of today, run by the caller, take over from there.
    :return: the learners and workshops added.
    """
    rng = random.Random(2024)  # nosec B311 # demo data, the same on every run on purpose: nothing secret
    maintenant = timeutil.utcnow()
    zone = structure_zone(sites[0][0])
    debut = local_to_utc(today - timedelta(weeks=106), time(9, 0), zone)
    fin = local_to_utc(today - timedelta(weeks=4), time(9, 0), zone)
    with _horloge(debut) as horloge:
        passe = _Passe(rng, questionnaire, modules, horloge)
        actifs = []
        for rang_site, (structure, comptes, nombre, creneaux) in enumerate(sites):
            site = _Site(structure, comptes, debuts_sur_deux_ans(today, nombre), creneaux)
            for rang, jour in enumerate(site.debuts):
                passe.atelier(site, jour, DEMI_JOURNEES[(rang + rang_site) % len(DEMI_JOURNEES)])
            if creneaux:
                actifs.append(site)
        if actifs:
            premiere_cloture = local_to_utc(today - timedelta(weeks=96), time(8, 0), zone)
            passe.pratique(premiere_cloture, fin, {s.structure.id: s.comptes["mediateur"] for s in actifs})
        passe.jouer(fin)
        if actifs:
            # The sessions booked by the last run and held since: attended.
            passe._presences_pratique(
                maintenant, {s.structure.id: s.comptes["mediateur"] for s in actifs}, absences=False
            )
        db.session.commit()
    # Convocations for sessions now past went out at the time (no one sends the history's messages today).
    db.session.execute(
        sa.update(Message)
        .where(
            Message.structure_id.in_([s[0].id for s in sites]),
            Message.statut == "a_envoyer",
            Message.valable_jusqu_a <= fin,
        )
        .values(statut="envoye", envoye_at=Message.created_at)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return passe.bilan
