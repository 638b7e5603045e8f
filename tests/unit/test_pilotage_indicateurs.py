"""The director's indicators on hand-built rows, each expected value worked out in the test; empty periods give
``None`` (shown "aucune donnée"), never a division by zero."""

from datetime import date

import pytest

from pilotage import indicateurs
from pilotage.indicateurs import (
    AcquisCompetence,
    Comptage,
    DelaiAttente,
    ParcoursCommences,
    Part,
    Places,
    PresencesParStatut,
    RetourApresAppel,
)
from pilotage.tableau_de_bord import cellule_fr, decimal_fr, pourcent

TODAY = date(2026, 6, 15)


def test_rate_of_nothing_is_none():
    assert indicateurs.taux(3, 4) == 0.75
    assert indicateurs.taux(0, 0) is None


def test_median_and_nearest_rank_percentile():
    # 10 values 1..10: median (5 + 6) / 2; 90 % of 10 values is the 9th smallest
    valeurs = list(range(10, 0, -1))
    assert indicateurs.mediane(valeurs) == 5.5
    assert indicateurs.centile(valeurs, 90) == 9
    # 3 values: 90 % of 3 is 2.7, rounded up to the 3rd
    assert indicateurs.centile([4, 1, 7], 90) == 7
    assert indicateurs.mediane([]) is None and indicateurs.centile([], 90) is None
    with pytest.raises(ValueError):
        indicateurs.centile([1], 0)


def test_waiting_delays_count_only_first_seances_held_by_today():
    lignes = [
        DelaiAttente(date(2026, 5, 1), date(2026, 5, 11)),  # 10 days
        DelaiAttente(date(2026, 4, 1), date(2026, 5, 1)),  # 30 days
        DelaiAttente(date(2026, 6, 1), date(2026, 6, 15)),  # 14 days, today: held
        DelaiAttente(date(2026, 6, 1), date(2026, 6, 22)),  # planned, not held yet: left out
    ]
    delais = indicateurs.delais_attente(lignes, TODAY)
    assert delais == indicateurs.Delais(3, 14.0, 30.0)
    assert indicateurs.delais_attente([], TODAY) == indicateurs.Delais(0, None, None)


def test_breakdown_lists_every_known_code_and_shares_of_the_total():
    parts = indicateurs.repartition(
        [Comptage("transport", 2), Comptage("sante", 1), Comptage("transport", 1)], ("sante", "transport", "famille")
    )
    assert parts == (Part("sante", 1, 0.25), Part("transport", 3, 0.75), Part("famille", 0, 0.0))
    assert indicateurs.repartition([], ("sante",)) == (Part("sante", 0, None),)


def test_fill_rate():
    assert Places(ateliers=2, offertes=8, prises=6).remplissage == 0.75
    assert Places(0, 0, 0).remplissage is None


def test_attendance_rate_late_arrivals_and_hours():
    lignes = [
        PresencesParStatut("present", 6, 6 * 180),
        PresencesParStatut("retard", 2, 2 * 150),
        PresencesParStatut("absent_excuse", 1, 0),
        PresencesParStatut("absent", 1, 0),
    ]
    resultat = indicateurs.assiduite(lignes, minutes_animateurs=3 * 180 + 2 * 180)
    # 8 present or late out of 10 noted; 1080 + 300 minutes = 23 h; 5 staff-séances of 3 h = 15 h
    assert resultat == indicateurs.Assiduite(10, 0.8, 2, 23.0, 15.0)
    assert indicateurs.assiduite([], 0) == indicateurs.Assiduite(0, None, 0, 0.0, 0.0)


def test_dropout_rate_reasons_and_survival_curve():
    lignes = [
        ParcoursCommences("termine", None, 6, 5),
        ParcoursCommences("inscrit", None, 3, 1),
        ParcoursCommences("abandon", "transport", 1, 2),  # left after séance 1: gone from séance 2
        ParcoursCommences("abandon", "sante", 3, 1),  # left after séance 3: gone from séance 4
        ParcoursCommences("abandon", "transport", 3, 1),
    ]
    resultat = indicateurs.abandons(lignes, ("sante", "transport", "famille"))
    # 10 started, 4 abandons
    assert (resultat.commences, resultat.abandons, resultat.taux) == (10, 4, 0.4)
    assert resultat.par_motif == (Part("sante", 1, 0.25), Part("transport", 3, 0.75), Part("famille", 0, 0.0))
    assert resultat.survie == ((1, 1.0), (2, 0.8), (3, 0.8), (4, 0.6), (5, 0.6), (6, 0.6))


def test_dropout_of_an_empty_period():
    resultat = indicateurs.abandons([], ("sante",))
    assert (resultat.commences, resultat.taux) == (0, None)
    assert resultat.survie == tuple((k, None) for k in range(1, 7))


def test_share_of_learners_back_after_a_call():
    assert RetourApresAppel(appeles=4, revenus=3).part == 0.75
    assert RetourApresAppel(0, 0).part is None


def test_skills_acquired_per_module_weigh_every_judgement_the_same():
    lignes = [
        AcquisCompetence(2, "Écrire", 1, "Majuscules", 4, 1),
        AcquisCompetence(1, "Souris", 2, "Clic", 4, 4),
        AcquisCompetence(1, "Souris", 1, "Allumer", 4, 2),
    ]
    modules = indicateurs.acquis_par_module(lignes)
    assert [(m.numero, m.evalues, m.acquis, m.part) for m in modules] == [(1, 8, 6, 0.75), (2, 4, 1, 0.25)]
    assert indicateurs.acquis_par_module([]) == ()


def test_practice_sessions_booked_honoured_missed_and_refused():
    resultat = indicateurs.entrainements(
        [Comptage("honoree", 3), Comptage("absente", 1), Comptage("reservee", 2), Comptage("annulee", 5)], refuses=2
    )
    # booked leaves out the 5 cancelled; honoured rate over the 4 whose attendance is known
    assert (resultat.reserves, resultat.honores, resultat.absents, resultat.a_venir, resultat.refuses) == (
        6,
        3,
        1,
        2,
        2,
    )
    assert resultat.taux_honores == 0.75
    assert indicateurs.entrainements([], 0).taux_honores is None


def test_french_formats_of_the_page():
    assert pourcent(0.425) == "42\u202f%"
    assert pourcent(None) == "aucune donnée"
    assert decimal_fr(12.5) == "12,5" and decimal_fr(1500.0) == "1\u202f500"
    assert cellule_fr(None) == "aucune donnée" and cellule_fr(0.5, en_pourcentage=True) == "50\u202f%"
