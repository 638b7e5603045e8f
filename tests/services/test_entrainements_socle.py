"""The shared ground of the practice sessions: occurrence rows, taking and giving back a place, the outbox."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
import sqlalchemy as sa

from core.messagerie.depot import canal_pour, deposer
from core.models import Message
from entrainements.models import Occurrence, Reservation
from entrainements.occurrences import occurrences_entre, ouvrir_occurrences
from entrainements.reservations import OccurrenceComplete, ReservationRefusee, liberer, reserver
from extensions import db
from tests.entrainements_fixtures import NOW, TODAY, make_creneau, make_entrainements


def test_occurrences_are_created_once_and_skip_the_structures_holidays(structure):
    creneau = make_creneau(structure, jour_semaine=3)  # Thursdays: 4, 11 June; 14 May 2026 is Ascension Day
    calendrier = ouvrir_occurrences(structure, date(2026, 5, 11), date(2026, 6, 11))
    ouvrir_occurrences(structure, date(2026, 5, 11), date(2026, 6, 11))
    db.session.commit()
    jours = [o.jour for o in occurrences_entre(structure.id, date(2026, 5, 11), date(2026, 6, 11))]
    assert jours == [date(2026, 5, 21), date(2026, 5, 28), date(2026, 6, 4), date(2026, 6, 11)]
    assert [j.jour for j in calendrier.jours_sautes] == [date(2026, 5, 14)]
    premiere = occurrences_entre(structure.id, date(2026, 6, 4), date(2026, 6, 4))[0]
    assert (premiere.starts_at, premiere.ends_at) == (datetime(2026, 6, 4, 12, 0), datetime(2026, 6, 4, 14, 0))
    assert premiere.capacite == creneau.capacite == 2


def test_a_place_is_counted_by_the_database_and_given_back(structure, make_apprenant):
    make_creneau(structure, capacite=1)
    ouvrir_occurrences(structure, TODAY, date(2026, 6, 9))
    mardi, suivant = occurrences_entre(structure.id, TODAY, date(2026, 6, 9))
    premier, second = make_entrainements(structure, [make_apprenant(), make_apprenant()])

    reservation = reserver(premier, mardi, now=NOW)
    with pytest.raises(OccurrenceComplete, match="complet"):
        reserver(second, mardi, now=NOW)
    assert (mardi.places_prises, premier.statut, second.statut) == (1, "reserve", "a_planifier")

    liberer(reservation, "annulee", motif="apprenant", now=NOW)
    assert (mardi.places_prises, premier.statut) == (0, "a_planifier")
    reserver(second, mardi, now=NOW)
    reserver(premier, suivant, now=NOW)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.sum(Occurrence.places_prises))) == 2


def test_a_learner_is_never_booked_twice_on_one_day(structure, make_apprenant):
    make_creneau(structure)
    make_creneau(structure, debut=time(16, 0), fin=time(17, 30))
    ouvrir_occurrences(structure, date(2026, 6, 2), date(2026, 6, 2))
    tot, tard = occurrences_entre(structure.id, date(2026, 6, 2), date(2026, 6, 2))
    rang1, rang2 = make_entrainements(structure, [make_apprenant()], rangs=(1, 2))
    reserver(rang1, tot, now=NOW)
    with pytest.raises(ReservationRefusee, match="déjà un entraînement ce jour-là"):
        reserver(rang2, tard, now=NOW)
    # The database refuses it too when the check is bypassed (two writers at once).
    db.session.add(
        Reservation(entrainement_id=rang2.id, occurrence_id=tard.id, apprenant_id=rang2.apprenant_id, jour=tard.jour)
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_started_or_cancelled_occurrence_is_refused(structure, make_apprenant):
    make_creneau(structure)
    ouvrir_occurrences(structure, date(2026, 6, 2), date(2026, 6, 9))
    mardi, suivant = occurrences_entre(structure.id, date(2026, 6, 2), date(2026, 6, 9))
    (entrainement,) = make_entrainements(structure, [make_apprenant()])
    with pytest.raises(ReservationRefusee, match="déjà commencé"):
        reserver(entrainement, mardi, now=datetime(2026, 6, 2, 12, 0))
    suivant.annulee_at = NOW
    with pytest.raises(ReservationRefusee, match="annulé"):
        reserver(entrainement, suivant, now=NOW)


def test_the_channel_follows_the_preference_then_email_sms_letter(make_apprenant):
    mobile = make_apprenant(telephone="+262692123456", canal_prefere="telephone")
    fixe_avec_courriel = make_apprenant(telephone="+33145678901", email="a@example.org", canal_prefere="sms")
    fixe_avec_adresse = make_apprenant(telephone="+33145678901", adresse="3 rue des Lilas", code_postal="75011")
    injoignable = make_apprenant(telephone="+33145678901")
    assert canal_pour(mobile) == "sms"
    assert canal_pour(fixe_avec_courriel) == "email"
    assert canal_pour(fixe_avec_adresse) == "courrier"
    assert canal_pour(injoignable) is None


def test_a_message_is_put_in_the_outbox_once(make_apprenant):
    apprenant = make_apprenant()
    valeurs = dict(cle="convocation:1", type="convocation", canal="sms", objet="o", corps="c", valable_jusqu_a=None)
    assert deposer(apprenant, now=NOW, **valeurs) is not None
    assert deposer(apprenant, now=NOW, **valeurs) is None
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Message.id))) == 1
