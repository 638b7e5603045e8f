"""Two saves of the same rows at the same moment cannot both pass (core.versions, STYLE.md habit 14).

Each test runs two saves in two threads, each with its own database session as two web workers have: the
first holds its transaction open for a moment after writing, the second starts meanwhile. Without the lock the
second's check reads the rows before the first commits, and both pass; with it, the second waits and then
sees what the first committed. On SQLite and on PostgreSQL (``make test`` runs both).
"""

from __future__ import annotations

import threading
import time
from datetime import date, datetime

import sqlalchemy as sa

from ateliers import services
from ateliers.models import Alerte, Atelier, Inscription, Presence
from ateliers.presences import Saisie, enregistrer_presences, instantane_presences
from ateliers.suivis import enregistrer_suivi
from core.errors import DomainError
from core.models import Compte
from core.versions import ModifieEntreTemps
from extensions import db
from tests.ateliers_fixtures import START, ids
from tests.ateliers_fixtures import TODAY as AVANT_LE_DEBUT

TODAY = date(2026, 4, 14)
NOW = datetime(2026, 4, 14, 14, 0)


def en_meme_temps(app, premier, second) -> dict[str, str]:
    """Run ``premier`` then, while its transaction is still open, ``second``; each gets a fresh session.

    :return: "premier" / "second" -> "ok", or the name of the exception the save raised.
    """
    issues: dict[str, str] = {}
    ecrit = threading.Event()

    def lancer(nom, sauvegarde, attendre):
        with app.app_context():
            try:
                sauvegarde()
                db.session.flush()
                if attendre:
                    ecrit.set()
                    time.sleep(0.6)
                db.session.commit()
                issues[nom] = "ok"
            except Exception as error:
                db.session.rollback()
                issues[nom] = type(error).__name__
            finally:
                ecrit.set()
                db.session.remove()

    db.session.commit()
    db.session.close()
    fils = threading.Thread(target=lancer, args=("premier", premier, True))
    fils.start()
    assert ecrit.wait(10)
    autre = threading.Thread(target=lancer, args=("second", second, False))
    autre.start()
    fils.join(20)
    autre.join(20)
    return issues


def test_two_attendance_saves_from_the_same_page_cannot_both_pass(app, mediatrice, atelier):
    martin, bernard = ids(atelier)["Martin"], ids(atelier)["Bernard"]
    seance = atelier.seances[0]
    enregistrer_presences(mediatrice, atelier, seance, {martin: Saisie("absent"), bernard: Saisie("present")}, TODAY)
    db.session.commit()
    vu = instantane_presences(atelier, seance)
    atelier_id, compte_id = atelier.id, mediatrice.id

    def enregistrer(statut_martin, arrivee_bernard):
        def sauvegarde():
            cible = db.session.get(Atelier, atelier_id)
            saisies = {martin: Saisie(statut_martin), bernard: Saisie("present", arrivee_bernard)}
            enregistrer_presences(db.session.get(Compte, compte_id), cible, cible.seances[0], saisies, TODAY, vu=vu)

        return sauvegarde

    issues = en_meme_temps(app, enregistrer("absent_excuse", ""), enregistrer("absent", "09:20"))

    assert issues == {"premier": "ok", "second": ModifieEntreTemps.__name__}
    db.session.expire_all()
    statuts = dict(db.session.execute(sa.select(Presence.inscription_id, Presence.statut)).all())
    assert statuts[martin] == "absent_excuse"


def test_two_calls_ending_in_an_abandon_at_once_free_the_place_once(app, mediatrice, atelier, make_apprenant):
    martin = ids(atelier)["Martin"]
    alertes = [
        Alerte(inscription_id=martin, regle=regle, niveau_risque="risque", seance_numero=1, message=regle)
        for regle in ("absence_debut", "absence_non_excusee")
    ]
    db.session.add_all(alertes)
    db.session.commit()
    compte_id, places = mediatrice.id, atelier.places_prises

    def appel():
        def sauvegarde():
            inscription = db.session.get(Inscription, martin)
            enregistrer_suivi(
                db.session.get(Compte, compte_id), inscription, TODAY, "joint", "emploi", "abandon", TODAY, now=NOW
            )

        return sauvegarde

    issues = en_meme_temps(app, appel(), appel())

    assert issues == {"premier": "ok", "second": DomainError.__name__}
    db.session.expire_all()
    assert db.session.get(Inscription, martin).statut == "abandon"
    assert db.session.get(Atelier, atelier.id).places_prises == places - 1


def test_two_plannings_of_a_workshop_at_once_give_one_calendar(app, mediatrice, atelier_en_projet):
    atelier_id, compte_id = atelier_en_projet.id, mediatrice.id

    def planifier(debut):
        def sauvegarde():
            cible = db.session.get(Atelier, atelier_id)
            services.planifier_atelier(
                db.session.get(Compte, compte_id), cible, debut, "Salle 2", [compte_id], AVANT_LE_DEBUT
            )

        return sauvegarde

    issues = en_meme_temps(app, planifier(START), planifier(date(2026, 4, 20)))

    assert issues == {"premier": "ok", "second": DomainError.__name__}
    db.session.expire_all()
    assert db.session.get(Atelier, atelier_id).seances[0].jour == START
