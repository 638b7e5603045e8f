"""Attendance of a practice occurrence with the skills practised, and a plan declined, paused or resumed."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from core import versions
from core.models import Journal, Message
from entrainements import presences, suivi_plan, vue_plan
from entrainements.models import Entrainement, Occurrence, Reservation, ResultatEntrainement
from entrainements.occurrences import occurrences_entre, ouvrir_occurrences
from entrainements.reservations import reserver
from evaluations.models import Competence
from extensions import db
from tests.entrainements_fixtures import NOW, TODAY, make_creneau, make_entrainements

# Tuesday 2 June 2026, 14:00-16:00 Paris: 12:00-14:00 UTC.
PENDANT = datetime(2026, 6, 2, 12, 30)


@pytest.fixture
def competences(app):
    return list(db.session.scalars(sa.select(Competence.id).order_by(Competence.id).limit(2)))


@pytest.fixture
def seance(structure, make_apprenant, competences, make_compte):
    """Josiane and Marcel booked on the Tuesday 2 June occurrence, two skills each to practise."""
    make_creneau(structure)
    ouvrir_occurrences(structure, TODAY, date(2026, 6, 2))
    (occurrence,) = occurrences_entre(structure.id, TODAY, date(2026, 6, 2))
    josiane, marcel = make_entrainements(
        structure,
        [
            make_apprenant(prenom="Josiane", nom="Martin", telephone="+33612345678"),
            make_apprenant(prenom="Marcel", nom="Bernard"),
        ],
        competences=competences,
    )
    reservations = [reserver(e, occurrence, now=NOW) for e in (josiane, marcel)]
    db.session.commit()
    return occurrence, reservations


def test_attendance_closes_each_booking_and_keeps_the_levels_dated(seance, competences, make_compte):
    occurrence, (josiane, marcel) = seance
    mediatrice = make_compte("mediateur")
    vu = presences.instantane_presences(occurrence)
    changees = presences.enregistrer_presences(
        mediatrice,
        occurrence,
        {josiane.id: "venu", marcel.id: "absent"},
        {(josiane.id, competences[0]): "acquis", (josiane.id, competences[1]): "avec_aide"},
        now=PENDANT,
        vu=vu,
    )
    db.session.commit()
    assert changees == 2
    assert (josiane.statut, josiane.entrainement.statut) == ("honoree", "honore")
    assert (marcel.statut, marcel.entrainement.statut, marcel.entrainement.absences) == ("absente", "a_planifier", 1)
    assert db.session.get(Occurrence, occurrence.id).places_prises == 1  # the no-show's place is given back
    niveaux = {
        (r.competence_id, r.resultat, r.evaluated_at, r.compte_id)
        for r in db.session.scalars(sa.select(ResultatEntrainement))
    }
    assert niveaux == {
        (competences[0], "acquis", PENDANT, mediatrice.id),
        (competences[1], "avec_aide", PENDANT, mediatrice.id),
    }
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Journal).where(Journal.objet == "reservation")) == 2


def test_a_cancellation_by_the_person_frees_the_place_with_its_reason(seance, make_compte):
    occurrence, (josiane, _marcel) = seance
    presences.enregistrer_presences(make_compte("mediateur"), occurrence, {josiane.id: "annule"}, {}, now=PENDANT)
    assert (josiane.statut, josiane.motif_annulation) == ("annulee", "apprenant")
    assert josiane.entrainement.statut == "a_planifier"


def test_bad_input_is_refused_field_by_field_and_nothing_is_written(seance, competences, make_compte):
    occurrence, (josiane, marcel) = seance
    with pytest.raises(presences.PresencesRefusees) as refus:
        presences.enregistrer_presences(
            make_compte("mediateur"),
            occurrence,
            {josiane.id: "present", marcel.id: "absent"},
            {(marcel.id, competences[0]): "acquis", (josiane.id, competences[0]): "bien"},
            now=PENDANT,
        )
    assert set(refus.value.erreurs) == {
        f"statut-{josiane.id}",
        f"c-{marcel.id}-{competences[0]}",
        f"c-{josiane.id}-{competences[0]}",
    }
    assert "venu, absent ou annulé" in refus.value.erreurs[f"statut-{josiane.id}"]
    assert "personne venue" in refus.value.erreurs[f"c-{marcel.id}-{competences[0]}"]
    db.session.rollback()
    assert set(db.session.scalars(sa.select(Reservation.statut))) == {"reservee"}


def test_attendance_cannot_be_noted_before_the_session_starts(seance, make_compte):
    occurrence, (josiane, _marcel) = seance
    with pytest.raises(presences.PresencesRefusees, match=r"pas encore commencé.*mardi 2 juin à 14 h 00"):
        presences.enregistrer_presences(
            make_compte("mediateur"), occurrence, {josiane.id: "venu"}, {}, now=datetime(2026, 6, 2, 11, 59)
        )


def test_a_stale_page_is_refused_and_says_who_saved_meanwhile(seance, make_compte):
    occurrence, (josiane, marcel) = seance
    vu = presences.instantane_presences(occurrence)
    benevole = make_compte("benevole", prenom="Henri", nom="Crozet")
    presences.enregistrer_presences(benevole, occurrence, {josiane.id: "venu"}, {}, now=PENDANT, vu=vu)
    db.session.commit()
    with pytest.raises(versions.ModifieEntreTemps) as conflit:
        presences.enregistrer_presences(
            make_compte("mediateur"), occurrence, {marcel.id: "absent"}, {}, now=PENDANT, vu=vu
        )
    (changement,) = conflit.value.changements
    assert (changement.cle, changement.avant, changement.apres, changement.par) == (
        f"statut-{josiane.id}",
        "",
        "venu",
        "Henri Crozet",
    )
    db.session.rollback()
    assert db.session.get(Reservation, marcel.id).statut == "reservee"


def _messages(reservation):
    for genre in ("convocation", "rappel"):
        db.session.add(
            Message(
                structure_id=reservation.entrainement.structure_id,
                apprenant_id=reservation.apprenant_id,
                cle=f"{genre}:{reservation.id}",
                type=genre,
                canal="sms",
                objet="",
                corps="texte",
                valable_jusqu_a=datetime(2026, 6, 2, 12, 0),
            )
        )
    db.session.commit()


def test_declining_cancels_the_bookings_abandons_their_messages_and_ends_the_plan(
    structure, make_apprenant, make_compte
):
    make_creneau(structure)
    ouvrir_occurrences(structure, TODAY, date(2026, 6, 9))
    mardi, _suivant = occurrences_entre(structure.id, TODAY, date(2026, 6, 9))
    rang1, rang2 = make_entrainements(structure, [make_apprenant()], rangs=(1, 2))
    reservation = reserver(rang1, mardi, now=NOW)
    db.session.commit()
    _messages(reservation)
    mediatrice = make_compte("mediateur")
    plan = rang1.plan

    annulees = suivi_plan.changer_statut(
        mediatrice, plan, "decline", today=TODAY, now=NOW, vu=suivi_plan.instantane_plan(plan)
    )
    db.session.commit()
    assert annulees == 1
    assert (reservation.statut, reservation.motif_annulation) == ("annulee", "plan_arrete")
    assert db.session.get(Occurrence, mardi.id).places_prises == 0
    assert set(db.session.execute(sa.select(Message.statut, Message.derniere_erreur))) == {
        ("abandonne", suivi_plan.RAISON_PLAN_ARRETE)
    }
    assert {e.statut for e in db.session.scalars(sa.select(Entrainement))} == {"decline"}
    assert (plan.statut, plan.statut_on, plan.statut_par_id) == ("decline", TODAY, mediatrice.id)
    assert db.session.scalar(sa.select(Journal.details).where(Journal.objet == "plan_entrainement")) == (
        "plan : decline ; réservations annulées : 1"
    )
    with pytest.raises(suivi_plan.ChangementRefuse, match="pour de bon"):
        suivi_plan.changer_statut(mediatrice, plan, "actif", today=TODAY, now=NOW)
    assert rang2.statut == "decline"


def test_a_pause_stops_bookings_and_messages_until_it_resumes(structure, make_apprenant, make_compte):
    make_creneau(structure)
    ouvrir_occurrences(structure, TODAY, date(2026, 6, 2))
    (mardi,) = occurrences_entre(structure.id, TODAY, date(2026, 6, 2))
    (entrainement,) = make_entrainements(structure, [make_apprenant()])
    reservation = reserver(entrainement, mardi, now=NOW)
    db.session.commit()
    _messages(reservation)
    envoye = db.session.scalar(sa.select(Message).where(Message.cle == f"convocation:{reservation.id}"))
    envoye.statut, envoye.envoye_at = "envoye", NOW
    db.session.commit()
    mediatrice = make_compte("mediateur")
    plan = entrainement.plan

    suivi_plan.changer_statut(mediatrice, plan, "suspendu", today=TODAY, now=NOW)
    db.session.commit()
    assert (plan.statut, entrainement.statut, reservation.statut) == ("suspendu", "a_planifier", "annulee")
    assert "en pause depuis le" in entrainement.motif_non_planifie
    # A message already sent stays sent; the reminder still to send is abandoned.
    assert dict(db.session.execute(sa.select(Message.cle, Message.statut)).all()) == {
        f"convocation:{reservation.id}": "envoye",
        f"rappel:{reservation.id}": "abandonne",
    }
    with pytest.raises(suivi_plan.ChangementRefuse, match="déjà"):
        suivi_plan.changer_statut(mediatrice, plan, "suspendu", today=TODAY, now=NOW)

    suivi_plan.changer_statut(mediatrice, plan, "actif", today=date(2026, 6, 3), now=NOW)
    db.session.commit()
    assert (plan.statut, plan.statut_on, entrainement.statut, entrainement.motif_non_planifie) == (
        "actif",
        date(2026, 6, 3),
        "a_planifier",
        None,
    )


def test_a_stale_status_change_is_refused(structure, make_apprenant, make_compte):
    (entrainement,) = make_entrainements(structure, [make_apprenant()])
    plan = entrainement.plan
    vu = suivi_plan.instantane_plan(plan)
    suivi_plan.changer_statut(make_compte("mediateur"), plan, "suspendu", today=TODAY, now=NOW, vu=vu)
    db.session.commit()
    with pytest.raises(versions.ModifieEntreTemps):
        suivi_plan.changer_statut(make_compte("mediateur"), plan, "decline", today=TODAY, now=NOW, vu=vu)


def test_the_plan_view_says_when_and_where_and_why_not(seance, structure, make_apprenant):
    _occurrence, (josiane, _marcel) = seance
    (plan,) = [p for p in vue_plan.plans_de(josiane.apprenant_id)]
    (rang,) = plan.rangs
    assert (rang.statut_libelle, rang.reservation, rang.lieu) == (
        "Réservé",
        "mardi 2 juin à 14 h 00",
        "Salle informatique",
    )
    assert plan.canal == "sms"
    (sans_moyen,) = make_entrainements(
        structure,
        [make_apprenant(telephone=None, email=None, adresse=None)],
        motif_non_planifie="aucun créneau libre le mardi après-midi entre le 1er et le 20 juin",
    )
    (vu,) = vue_plan.plans_de(sans_moyen.apprenant_id)
    assert vu.canal is None
    assert vu.rangs[0].motif.startswith("aucun créneau libre le mardi")


def test_the_plan_view_reads_the_plans_with_their_ranks_in_one_statement(seance, count_queries):
    """Then the running bookings: two statements whatever the number of plans and ranks (on PostgreSQL, each
    statement is a round trip: issue 8, item 19)."""
    _occurrence, (josiane, _marcel) = seance
    apprenant_id = josiane.apprenant_id
    db.session.expire_all()
    with count_queries() as statements:
        (plan,) = vue_plan.plans_de(apprenant_id)
    assert [rang.statut_libelle for rang in plan.rangs] == ["Réservé"]
    assert len(statements) == 2
    assert "FROM plan_entrainement" in statements[0] and "entrainement_1" in statements[0]
