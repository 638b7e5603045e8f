"""Where a workshop stands séance by séance, and the next thing to do (issue 9, item 4). Pure."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ateliers.avancement import EtatSeance, prochaine_action, refus_saisie_trop_tot

LUNDIS = [date(2026, 3, 30) + timedelta(weeks=n) for n in range(6)]  # 30 March to 4 May 2026


def etats(**par_numero) -> list[EtatSeance]:
    """Six séances on LUNDIS, two learners expected; ``s3={"notes": 0}`` overrides séance 3's fields."""
    base = {"attendus": 2, "notes": 2, "a_juger": 2, "juges": 2}
    return [
        EtatSeance(numero=n, jour=jour, finale=n == 6, **{**base, **par_numero.get(f"s{n}", {})})
        for n, jour in enumerate(LUNDIS, start=1)
    ]


def action(liste, today, statut="en_cours", is_locked=False, cloturable=False):
    resultat = prochaine_action(liste, today, statut=statut, is_locked=is_locked, cloturable=cloturable)
    return resultat.texte, resultat.quoi, resultat.numero


def test_the_oldest_held_seance_comes_first_attendance_before_skills():
    liste = etats(s1={"juges": 1}, s2={"notes": 0, "juges": 0})
    assert action(liste, LUNDIS[1]) == ("Noter les compétences de la séance 1", "competences", 1)
    liste = etats(s1={"notes": 1}, s2={"notes": 0})
    assert action(liste, LUNDIS[1]) == ("Prendre les présences de la séance 1", "presences", 1)


def test_the_final_seance_asks_for_the_final_evaluation_then_the_closing():
    liste = etats(s6={"juges": 0})
    assert action(liste, LUNDIS[5]) == ("Évaluation finale (séance 6)", "competences", 6)
    assert action(etats(), LUNDIS[5], cloturable=True) == ("Clôture de l'atelier", "cloture", None)


def test_nothing_due_names_the_next_seance():
    assert action(etats(), LUNDIS[2] + timedelta(days=1)) == (
        "Rien à saisir avant la séance 4, le lundi 20 avril 2026",
        "attendre",
        4,
    )


@pytest.mark.parametrize(
    ("liste", "statut", "is_locked", "attendu"),
    [
        ([], "projet", False, ("Planifier l'atelier", "planifier", None)),
        (etats(), "termine", True, ("Atelier clos : plus rien à saisir.", "aucune", None)),
        (etats(), "termine", False, ("Reverrouiller l'atelier une fois la correction faite", "reverrouiller", None)),
    ],
)
def test_planning_closed_and_unlocked_workshops(liste, statut, is_locked, attendu):
    assert action(liste, LUNDIS[5], statut=statut, is_locked=is_locked) == attendu


def test_nobody_present_means_no_skill_to_judge():
    seance = EtatSeance(numero=1, jour=LUNDIS[0], attendus=2, notes=2, absents=(7, 8), a_juger=0, juges=0)
    assert seance.presences_prises and seance.competences_notees


@pytest.mark.parametrize(
    ("jour", "ouvert"),
    [(date(2026, 3, 30), True), (date(2026, 4, 15), True), (date(2026, 4, 16), True), (date(2026, 4, 17), False)],
)
def test_attendance_opens_the_day_before(jour, ouvert):
    assert (refus_saisie_trop_tot(jour, date(2026, 4, 15), "ses présences") is None) is ouvert


def test_a_seance_two_days_ahead_says_from_when():
    assert refus_saisie_trop_tot(date(2026, 4, 20), date(2026, 4, 18), "ses présences") == (
        "Cette séance a lieu le lundi 20 avril 2026, dans plus d'un jour : ses présences se notent à partir de "
        "la veille, le dimanche 19 avril 2026."
    )
