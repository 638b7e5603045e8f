"""The read side of the exports: which séances are held in a period (each structure's own day), and the learner
list in as many queries whatever its length."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from ateliers.models import Atelier, Inscription, Presence, Seance
from evaluations.models import Module
from extensions import db
from pilotage.exports_queries import liste_apprenants, seances_tenues
from pilotage.periode import Periode, annee_civile


def atelier_tenu(structure, apprenants, debut: datetime, statuts=("present",)) -> Atelier:
    """A workshop of ``structure`` whose first séance starts at ``debut`` (naive UTC), lasting 2 h 30, with one
    attendance row per learner (``statuts`` in turn)."""
    module = db.session.scalar(sa.select(Module).where(Module.numero == 1).limit(1))
    atelier = Atelier(structure_id=structure.id, intitule="Atelier", demi_journee=0, statut="planifie")
    seance = Seance(numero=1, module_id=module.id, starts_at=debut, ends_at=debut + timedelta(minutes=150))
    atelier.seances.append(seance)
    for apprenant in apprenants:
        atelier.inscriptions.append(Inscription(apprenant_id=apprenant.id, joined_at=debut - timedelta(days=9)))
    db.session.add(atelier)
    db.session.flush()
    for inscription, statut in zip(atelier.inscriptions, statuts, strict=False):
        db.session.add(Presence(seance_id=seance.id, inscription_id=inscription.id, statut=statut))
    db.session.commit()
    return atelier


def test_a_seance_belongs_to_the_local_day_of_its_structure(make_structure, make_apprenant):
    paris = make_structure(nom="CCAS de Paris")
    reunion = make_structure(nom="CCAS de Saint-Denis", fuseau_horaire="Indian/Reunion")
    # 31 December 2026 at 21:30 UTC: still 31 December in Paris (22:30), already 1 January 2027 in La Réunion.
    moment = datetime(2026, 12, 31, 21, 30)
    atelier_tenu(paris, [make_apprenant(structure=paris)], moment)
    atelier_tenu(reunion, [make_apprenant(structure=reunion)], moment)
    en_2026 = seances_tenues([paris.id, reunion.id], annee_civile(2026))
    en_2027 = seances_tenues([paris.id, reunion.id], annee_civile(2027))
    assert [(s.structure, s.jour) for s in en_2026] == [("CCAS de Paris", date(2026, 12, 31))]
    assert [(s.structure, s.jour) for s in en_2027] == [("CCAS de Saint-Denis", date(2027, 1, 1))]
    assert en_2026[0].minutes == 150


def test_only_the_structures_asked_for_and_seances_with_attendance_taken(make_structure, make_apprenant):
    ici, ailleurs = make_structure(nom="Ici"), make_structure(nom="Ailleurs")
    membres = [make_apprenant(structure=ici) for _ in range(4)]
    atelier_tenu(ici, membres, datetime(2026, 3, 30, 7), ("present", "retard", "absent", "absent_excuse"))
    atelier_tenu(ici, [make_apprenant(structure=ici)], datetime(2026, 4, 6, 7), ())  # attendance not taken
    atelier_tenu(ailleurs, [make_apprenant(structure=ailleurs)], datetime(2026, 3, 30, 7))
    (seance,) = seances_tenues([ici.id], Periode(date(2026, 3, 1), date(2026, 4, 30)))
    assert (seance.structure, seance.participants, seance.module_numero) == ("Ici", 2, 1)
    assert seances_tenues([], annee_civile(2026)) == []


def test_the_seances_held_take_one_query_whatever_their_number(structure, make_apprenant, count_queries):
    for semaine in range(5):
        atelier_tenu(structure, [make_apprenant()], datetime(2026, 3, 2, 7) + timedelta(weeks=semaine))
        with count_queries() as requetes:
            seances = seances_tenues([structure.id], annee_civile(2026))
        assert (len(seances), len(requetes)) == (semaine + 1, 1)


def test_the_learner_list_takes_three_queries_whatever_its_length(structure, make_apprenant, count_queries):
    for nombre in (2, 20):
        while len(liste_apprenants(structure.id, None).lignes) < nombre:
            apprenant = make_apprenant()
            atelier_tenu(structure, [apprenant], datetime(2026, 3, 30, 7))
        with count_queries() as requetes:
            tableau = liste_apprenants(structure.id, None)
        assert len(tableau.lignes) == nombre
        assert len(requetes) == 3
