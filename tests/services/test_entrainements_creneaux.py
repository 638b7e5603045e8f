"""What the mediation team changes by hand in the practice sessions (entrainements.services): slots, one
occurrence cancelled, bookings made, moved and cancelled, each with its messages."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
import sqlalchemy as sa

from core import versions
from core.errors import DomainError
from core.models import Journal, Message
from entrainements import services
from entrainements.models import Creneau, Occurrence, Reservation
from entrainements.occurrences import occurrences_entre, ouvrir_occurrences
from entrainements.reservations import reserver
from entrainements.services import DonneesCreneau
from extensions import db
from tests.entrainements_fixtures import NOW, TODAY, make_creneau, make_entrainements

MARDI, MARDI_SUIVANT, MARDI_D_APRES = date(2026, 6, 2), date(2026, 6, 9), date(2026, 6, 16)


def joignable(make_apprenant, **overrides):
    """A learner reached by SMS (a mobile number)."""
    return make_apprenant(telephone="+33612345678", **overrides)


def donnees(**overrides) -> DonneesCreneau:
    values = {
        "jour_semaine": 1,
        "debut": time(14, 0),
        "fin": time(16, 0),
        "capacite": 2,
        "lieu": "Salle informatique",
        "animateur_id": None,
    }
    return DonneesCreneau(**{**values, **overrides})


def ouvertes(structure, debut=TODAY, fin=MARDI_D_APRES) -> list[Occurrence]:
    ouvrir_occurrences(structure, debut, fin)
    db.session.commit()
    return occurrences_entre(structure.id, debut, fin)


def messages() -> dict[str, Message]:
    return {m.cle: m for m in db.session.scalars(sa.select(Message))}


@pytest.mark.parametrize(
    ("valeurs", "champ"),
    [
        ({"capacite": 0}, "capacite"),
        ({"capacite": 31}, "capacite"),
        ({"fin": time(13, 0)}, "fin"),
        ({"jour_semaine": 6}, "jour_semaine"),
        ({"lieu": "  "}, "lieu"),
    ],
)
def test_a_slot_the_rules_refuse_is_not_created_and_the_field_is_named(mediatrice, valeurs, champ):
    with pytest.raises(DomainError) as refus:
        services.creer_creneau(mediatrice, donnees(**valeurs))
    assert refus.value.field == champ
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Creneau.id))) == 0


def test_an_animateur_of_another_structure_is_refused(mediatrice, make_structure, make_compte):
    ailleurs = make_compte("benevole", structure=make_structure())
    with pytest.raises(DomainError) as refus:
        services.creer_creneau(mediatrice, donnees(animateur_id=ailleurs.id))
    assert refus.value.field == "animateur"


def test_a_slot_is_created_and_journaled(mediatrice, benevole):
    creneau = services.creer_creneau(mediatrice, donnees(animateur_id=benevole.id, lieu=" Salle 2 "))
    db.session.commit()
    assert (creneau.structure_id, creneau.lieu) == (mediatrice.structure_id, "Salle 2")
    assert creneau.animateur_id == benevole.id
    ligne = db.session.scalar(sa.select(Journal).where(Journal.objet == "creneau"))
    assert (ligne.action, ligne.objet_id, ligne.compte_id) == ("creation", creneau.id, mediatrice.id)


def test_a_new_capacity_applies_to_the_occurrences_to_come(structure, mediatrice, make_apprenant):
    creneau = make_creneau(structure, capacite=2)
    passee, mardi, suivant, apres = ouvertes(structure, date(2026, 5, 26), MARDI_D_APRES)
    (entrainement,) = make_entrainements(structure, [make_apprenant()])
    reserver(entrainement, mardi, now=NOW)
    db.session.commit()

    services.modifier_creneau(mediatrice, creneau, donnees(capacite=5), now=NOW, vu=None)
    db.session.commit()

    assert creneau.capacite == 5
    assert [db.session.get(Occurrence, o.id).capacite for o in (passee, mardi, suivant, apres)] == [2, 5, 5, 5]


def test_a_capacity_below_the_bookings_of_a_day_is_refused_naming_the_day(structure, mediatrice, make_apprenant):
    creneau = make_creneau(structure, capacite=3)
    _mardi, suivant, _apres = ouvertes(structure)
    premier, second = make_entrainements(structure, [make_apprenant(), make_apprenant()])
    reserver(premier, suivant, now=NOW)
    reserver(second, suivant, now=NOW)
    db.session.commit()

    with pytest.raises(DomainError) as refus:
        services.modifier_creneau(mediatrice, creneau, donnees(capacite=1), now=NOW, vu=None)
    assert refus.value.field == "capacite"
    assert "mardi 9 juin 2026" in refus.value.message and "2 réservations" in refus.value.message
    db.session.rollback()
    assert db.session.get(Creneau, creneau.id).capacite == 3
    assert db.session.get(Occurrence, suivant.id).capacite == 3


def test_new_times_move_the_empty_occurrences_and_are_refused_while_one_is_booked(
    structure, mediatrice, make_apprenant
):
    creneau = make_creneau(structure)
    mardi, _suivant, _apres = ouvertes(structure)
    services.modifier_creneau(mediatrice, creneau, donnees(debut=time(9, 0), fin=time(11, 0)), now=NOW, vu=None)
    db.session.commit()
    assert db.session.get(Occurrence, mardi.id).starts_at == datetime(2026, 6, 2, 7, 0)  # 9:00 Paris

    (entrainement,) = make_entrainements(structure, [make_apprenant()])
    reserver(entrainement, db.session.get(Occurrence, mardi.id), now=NOW)
    db.session.commit()
    with pytest.raises(DomainError, match="mardi 2 juin 2026") as refus:
        services.modifier_creneau(mediatrice, creneau, donnees(jour_semaine=3), now=NOW, vu=None)
    assert refus.value.field == "jour_semaine"
    db.session.rollback()


def test_a_new_weekday_removes_the_empty_occurrences_to_come(structure, mediatrice):
    creneau = make_creneau(structure)
    ouvertes(structure)
    services.modifier_creneau(mediatrice, creneau, donnees(jour_semaine=3), now=NOW, vu=None)
    db.session.commit()
    jours = [o.jour for o in ouvertes(structure)]
    assert jours == [date(2026, 6, 4), date(2026, 6, 11)]


def test_a_stale_edit_is_refused_and_writes_nothing(app, structure, mediatrice, make_compte):
    creneau = make_creneau(structure)
    vu = versions.instantane(services.instantane_creneau(creneau))
    collegue = make_compte("admin")
    services.modifier_creneau(collegue, creneau, donnees(lieu="Salle 2"), now=NOW, vu=vu)
    db.session.commit()

    with pytest.raises(versions.ModifieEntreTemps) as conflit:
        services.modifier_creneau(mediatrice, creneau, donnees(capacite=4), now=NOW, vu=vu)
    assert [c.cle for c in conflit.value.changements] == ["lieu"]
    db.session.rollback()
    assert db.session.get(Creneau, creneau.id).capacite == 2


def test_cancelling_an_occurrence_cancels_its_bookings_tells_the_learners_and_frees_them(
    structure, mediatrice, make_apprenant
):
    make_creneau(structure, capacite=3)
    _mardi, suivant, _apres = ouvertes(structure)
    nadia = joignable(make_apprenant, prenom="Nadia")
    muet = make_apprenant(prenom="Marc")  # a fixed line only: no channel reaches him
    premier, second = make_entrainements(structure, [nadia, muet])
    reservations = [reserver(premier, suivant, now=NOW), reserver(second, suivant, now=NOW)]
    services.convoquer(reservations[0], structure, now=NOW)
    db.session.commit()
    assert messages()[f"convocation:{reservations[0].id}"].statut == "a_envoyer"

    annulees = services.annuler_occurrence(mediatrice, suivant, "Animateur absent", NOW)
    db.session.commit()

    assert sorted(r.id for r in annulees) == sorted(r.id for r in reservations)
    occurrence = db.session.get(Occurrence, suivant.id)
    assert (occurrence.annulee_at, occurrence.motif_annulation, occurrence.annulee_par_id) == (
        NOW,
        "Animateur absent",
        mediatrice.id,
    )
    assert occurrence.places_prises == 0
    for reservation in reservations:
        db.session.refresh(reservation)
        assert (reservation.statut, reservation.motif_annulation) == ("annulee", "occurrence_annulee")
        assert reservation.entrainement.statut == "a_planifier"
    boite = messages()
    assert boite[f"convocation:{reservations[0].id}"].statut == "abandonne"
    annonce = boite[f"annulation:{reservations[0].id}"]
    assert (annonce.type, annonce.canal, annonce.apprenant_id) == ("annulation", "sms", nadia.id)
    assert annonce.valable_jusqu_a == occurrence.starts_at
    assert "Nadia" in annonce.corps and "9 juin" in annonce.corps
    assert f"annulation:{reservations[1].id}" not in boite  # nobody to write to: the page says so
    ligne = db.session.scalar(sa.select(Journal).where(Journal.objet == "occurrence"))
    assert ligne.objet_id == occurrence.id and "Animateur" not in ligne.details

    with pytest.raises(DomainError, match="déjà annulé"):
        services.annuler_occurrence(mediatrice, occurrence, "Encore", NOW)


def test_an_occurrence_started_or_without_reason_is_not_cancelled(structure, mediatrice):
    make_creneau(structure)
    mardi, _suivant, _apres = ouvertes(structure)
    with pytest.raises(DomainError) as refus:
        services.annuler_occurrence(mediatrice, mardi, "  ", NOW)
    assert refus.value.field == "motif"
    with pytest.raises(DomainError, match="déjà commencé"):
        services.annuler_occurrence(mediatrice, mardi, "Panne", datetime(2026, 6, 2, 12, 30))


def test_a_booking_by_hand_sends_a_convocation_and_a_full_occurrence_is_refused_beside_the_field(
    structure, mediatrice, make_apprenant
):
    make_creneau(structure, capacite=1)
    mardi, _suivant, _apres = ouvertes(structure)
    premier, second = make_entrainements(structure, [joignable(make_apprenant), joignable(make_apprenant)])

    reservation, message = services.reserver_a_la_main(mediatrice, premier, mardi.id, now=NOW)
    db.session.commit()
    assert (reservation.compte_id, message.type) == (mediatrice.id, "convocation")
    assert message.cle == f"convocation:{reservation.id}"
    assert message.valable_jusqu_a == mardi.starts_at
    assert "rappel" not in message.corps.lower()  # the session is tomorrow: no reminder will follow

    with pytest.raises(DomainError, match="complet") as refus:
        services.reserver_a_la_main(mediatrice, second, mardi.id, now=NOW)
    assert refus.value.field == "occurrence"
    db.session.rollback()


def test_the_next_free_occurrences_come_in_the_window_first_then_after_it(structure, make_apprenant):
    make_creneau(structure, capacite=1)
    (entrainement,) = make_entrainements(structure, [make_apprenant()], fin=date(2026, 6, 10))
    occurrences = services.occurrences_proposables(entrainement, now=NOW, today=TODAY)
    db.session.commit()
    plein = make_entrainements(structure, [make_apprenant()])[0]
    reserver(plein, occurrences[0], now=NOW)
    db.session.commit()

    propositions = services.propositions(entrainement, occurrences)

    assert [(p.occurrence.jour, p.dans_fenetre) for p in propositions[:3]] == [
        (MARDI_SUIVANT, True),
        (MARDI_D_APRES, False),
        (date(2026, 6, 23), False),
    ]


def test_moving_a_booking_cancels_the_old_one_and_convokes_to_the_new_one(structure, mediatrice, make_apprenant):
    make_creneau(structure)
    mardi, suivant, _apres = ouvertes(structure)
    (entrainement,) = make_entrainements(structure, [joignable(make_apprenant)])
    ancienne, _message = services.reserver_a_la_main(mediatrice, entrainement, mardi.id, now=NOW)
    db.session.commit()

    nouvelle, message = services.deplacer_reservation(mediatrice, ancienne, suivant.id, now=NOW)
    db.session.commit()

    db.session.refresh(ancienne)
    assert (ancienne.statut, ancienne.motif_annulation) == ("annulee", "deplacee")
    assert (nouvelle.occurrence_id, nouvelle.statut) == (suivant.id, "reservee")
    assert nouvelle.entrainement.statut == "reserve"
    assert message.cle == f"convocation:{nouvelle.id}" and "9 juin" in message.corps
    assert messages()[f"convocation:{ancienne.id}"].statut == "abandonne"
    assert [db.session.get(Occurrence, o.id).places_prises for o in (mardi, suivant)] == [0, 1]


def test_a_move_to_a_full_occurrence_changes_nothing(structure, mediatrice, make_apprenant):
    make_creneau(structure, capacite=1)
    mardi, suivant, _apres = ouvertes(structure)
    premier, second = make_entrainements(structure, [make_apprenant(), make_apprenant()])
    reservation = reserver(premier, mardi, now=NOW)
    reserver(second, suivant, now=NOW)
    db.session.commit()

    with pytest.raises(DomainError, match="complet") as refus:
        services.deplacer_reservation(mediatrice, reservation, suivant.id, now=NOW)
    assert refus.value.field == "occurrence"
    db.session.rollback()
    assert db.session.get(Reservation, reservation.id).statut == "reservee"
    assert db.session.get(Occurrence, mardi.id).places_prises == 1


@pytest.mark.parametrize(("motif", "prevenu"), [("apprenant", False), ("mediation", True)])
def test_a_booking_cancelled_by_hand_goes_back_to_be_planned(structure, mediatrice, make_apprenant, motif, prevenu):
    make_creneau(structure)
    mardi, _suivant, _apres = ouvertes(structure)
    (entrainement,) = make_entrainements(structure, [joignable(make_apprenant)])
    reservation, _convocation = services.reserver_a_la_main(mediatrice, entrainement, mardi.id, now=NOW)
    db.session.commit()

    services.annuler_reservation(mediatrice, reservation, motif, now=NOW)
    db.session.commit()

    db.session.refresh(reservation)
    assert (reservation.statut, reservation.motif_annulation, reservation.cloturee_par_id) == (
        "annulee",
        motif,
        mediatrice.id,
    )
    assert reservation.entrainement.statut == "a_planifier"
    boite = messages()
    assert boite[f"convocation:{reservation.id}"].statut == "abandonne"
    assert (f"annulation:{reservation.id}" in boite) is prevenu
    with pytest.raises(DomainError, match="plus en cours"):
        services.annuler_reservation(mediatrice, reservation, motif, now=NOW)


def test_stopping_a_slot_cancels_its_occurrences_to_come(structure, mediatrice, make_apprenant):
    creneau = make_creneau(structure)
    mardi, suivant, apres = ouvertes(structure)
    (entrainement,) = make_entrainements(structure, [make_apprenant()])
    reserver(entrainement, suivant, now=NOW)
    db.session.commit()

    annulees = services.desactiver_creneau(mediatrice, creneau, now=NOW)
    db.session.commit()

    assert len(annulees) == 1 and annulees[0].motif_annulation == "occurrence_annulee"
    assert all(db.session.get(Occurrence, o.id).annulee_at == NOW for o in (mardi, suivant, apres))
    assert not db.session.get(Creneau, creneau.id).actif
    services.reactiver_creneau(mediatrice, creneau, now=NOW)
    db.session.commit()
    assert db.session.get(Creneau, creneau.id).actif
    assert all(db.session.get(Occurrence, o.id).annulee_at is None for o in (mardi, suivant, apres))
    assert db.session.get(Reservation, annulees[0].id).statut == "annulee"


def test_the_services_refuse_the_records_of_another_structure(structure, make_structure, make_compte, make_apprenant):
    creneau = make_creneau(structure)
    mardi, _suivant, _apres = ouvertes(structure)
    (entrainement,) = make_entrainements(structure, [make_apprenant()])
    intrus = make_compte("mediateur", structure=make_structure())
    with pytest.raises(DomainError):
        services.modifier_creneau(intrus, creneau, donnees(), now=NOW, vu=None)
    with pytest.raises(DomainError):
        services.annuler_occurrence(intrus, mardi, "Panne", NOW)
    with pytest.raises(DomainError):
        services.reserver_a_la_main(intrus, entrainement, mardi.id, now=NOW)


def test_a_past_week_shows_its_skipped_days_and_creates_no_row(structure):
    from entrainements.queries import semaine

    make_creneau(structure, jour_semaine=3)  # Thursdays; 14 May 2026 is Ascension Day
    jours = semaine(structure, date(2026, 5, 11), TODAY)
    assert [j.jour for j in jours if j.saute] == [date(2026, 5, 14)]
    assert db.session.scalar(sa.select(sa.func.count(Occurrence.id))) == 0

    cette_semaine = semaine(structure, date(2026, 6, 1), TODAY)
    assert [o.occurrence.jour for j in cette_semaine for o in j.occurrences] == [date(2026, 6, 4)]


def test_a_paused_plan_is_not_booked_by_hand(structure, mediatrice, make_apprenant):
    make_creneau(structure)
    mardi, _suivant, _apres = ouvertes(structure)
    (entrainement,) = make_entrainements(structure, [make_apprenant()])
    entrainement.plan.statut = "suspendu"
    db.session.commit()
    with pytest.raises(DomainError, match="en pause ou refusés"):
        services.reserver_a_la_main(mediatrice, entrainement, mardi.id, now=NOW)


def test_a_slot_keeps_an_animateur_who_left_when_other_fields_change(structure, mediatrice, benevole):
    creneau = make_creneau(structure, animateur_id=benevole.id)
    benevole.is_active = False
    db.session.commit()
    services.modifier_creneau(mediatrice, creneau, donnees(lieu="Salle 3", animateur_id=benevole.id), now=NOW, vu=None)
    db.session.commit()
    assert (creneau.lieu, creneau.animateur_id) == ("Salle 3", benevole.id)
    with pytest.raises(DomainError) as refus:
        services.creer_creneau(mediatrice, donnees(animateur_id=benevole.id))
    assert refus.value.field == "animateur"


def test_new_times_are_refused_when_a_booking_lands_between_the_check_and_the_write(structure):
    creneau = make_creneau(structure)
    ouvertes(structure)
    a_venir = services._occurrences_a_venir(creneau, NOW)
    assert [o.places_prises for o in a_venir] == [0, 0, 0]
    # A sweep's booking commits on the second one after the check read it (the objects keep what they read).
    db.session.execute(
        sa.update(Occurrence)
        .where(Occurrence.id == a_venir[1].id)
        .values(places_prises=1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(DomainError, match="mardi 9 juin 2026") as refus:
        services._deplacer_occurrences_vides(creneau, a_venir, donnees(debut=time(9, 0), fin=time(11, 0)), NOW)
    assert refus.value.field == "debut"
    db.session.rollback()
