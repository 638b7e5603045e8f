"""The practice plan of a learner who finished a workshop: ranks, windows, rules, skills to practise."""

from datetime import date

import pytest

from entrainements.plan import (
    EntrainementPrevu,
    ReglesEntrainement,
    competences_a_travailler,
    plan_entrainements,
)
from evaluations.curriculum import CompetenceInfo, ModuleInfo

DERNIERE_SEANCE = date(2027, 3, 1)


def _module(numero: int, nb_competences: int = 2) -> ModuleInfo:
    return ModuleInfo(
        id=100 + numero,
        version=1,
        numero=numero,
        code=f"M{numero}",
        titre=f"Module {numero}",
        duree_minutes=180,
        competences=tuple(
            CompetenceInfo(
                id=10 * numero + rang,
                module_id=100 + numero,
                numero=rang,
                code=f"M{numero}.{rang}",
                libelle=f"Compétence {numero}.{rang}",
                libelle_attestation=f"Je sais {numero}.{rang}",
                is_evaluation_finale=True,
            )
            for rang in range(1, nb_competences + 1)
        ),
    )


# Given out of order: the choice follows the curriculum's order, not the argument's.
CURRICULUM = tuple(_module(numero) for numero in (3, 1, 2, 6, 5, 4))


def test_default_plan_is_the_references_7_30_90_days_with_1_6_18_day_windows():
    assert plan_entrainements(DERNIERE_SEANCE) == (
        EntrainementPrevu(1, date(2027, 3, 8), date(2027, 3, 7), date(2027, 3, 9)),
        EntrainementPrevu(2, date(2027, 3, 31), date(2027, 3, 25), date(2027, 4, 6)),
        EntrainementPrevu(3, date(2027, 5, 30), date(2027, 5, 12), date(2027, 6, 17)),
    )


def test_tolerance_never_under_the_minimum_and_rounded_half_up():
    regles = ReglesEntrainement(decalages=(2, 10, 14), part_tolerance=0.25, tolerance_minimum=2)
    # 0.25 × 2 = 0.5 -> minimum 2; 0.25 × 10 = 2.5 -> 3 (half up, not to even); 0.25 × 14 = 3.5 -> 4.
    assert [regles.tolerance(d) for d in regles.decalages] == [2, 3, 4]
    plan = plan_entrainements(DERNIERE_SEANCE, regles)
    assert [(p.rang, p.debut, p.fin) for p in plan] == [
        (1, date(2027, 3, 1), date(2027, 3, 5)),
        (2, date(2027, 3, 8), date(2027, 3, 14)),
        (3, date(2027, 3, 11), date(2027, 3, 19)),
    ]


def test_zero_share_and_zero_minimum_give_the_target_day_only():
    (prevu,) = plan_entrainements(DERNIERE_SEANCE, ReglesEntrainement((7,), 0, 0))
    assert prevu.debut == prevu.cible == prevu.fin == date(2027, 3, 8)


def test_rules_round_trip_through_their_json_form():
    regles = ReglesEntrainement(decalages=(10, 40), part_tolerance=0.1, tolerance_minimum=2)
    assert regles.to_dict() == {"decalages": [10, 40], "part_tolerance": 0.1, "tolerance_minimum": 2}
    assert ReglesEntrainement.from_dict(regles.to_dict()) == regles
    assert ReglesEntrainement.from_dict({}) == ReglesEntrainement()
    assert ReglesEntrainement.from_dict({"decalages": [5]}).decalages == (5,)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decalages": [7, 7, 90]}, "aller en augmentant"),
        ({"decalages": [30, 7]}, "aller en augmentant"),
        ({"decalages": [0, 30]}, "de 1 à 365"),
        ({"decalages": [7, 366]}, "de 1 à 365"),
        ({"decalages": [7.5]}, "de 1 à 365"),
        ({"decalages": []}, "au moins un délai"),
        ({"decalages": "7,30"}, "liste de nombres de jours"),
        ({"part_tolerance": 1.2}, "de 0 à 1"),
        ({"part_tolerance": -0.1}, "de 0 à 1"),
        ({"part_tolerance": True}, "de 0 à 1"),
        ({"tolerance_minimum": -1}, "tolérance minimale"),
        ({"tolerance_minimum": 1.5}, "tolérance minimale"),
        ({"delais": [7]}, r"Réglage d'entraînement inconnu : delais\."),
        ([7, 30], "objet JSON"),
    ],
)
def test_bad_rules_are_refused_in_french(data, message):
    with pytest.raises(ValueError, match=message):
        ReglesEntrainement.from_dict(data)


def test_skills_still_with_help_or_not_acquired_in_curriculum_order():
    resultats = {61: "non_acquis", 11: "acquis", 22: "avec_aide", 12: "non_acquis", 31: "acquis"}
    choisies = competences_a_travailler(CURRICULUM, resultats)
    assert [c.code for c in choisies] == ["M1.2", "M2.2", "M6.1"]


def test_every_skill_acquired_gives_the_module_5_and_6_skills():
    resultats = {competence.id: "acquis" for module in CURRICULUM for competence in module.competences}
    choisies = competences_a_travailler(CURRICULUM, resultats)
    assert [c.code for c in choisies] == ["M5.1", "M5.2", "M6.1", "M6.2"]


def test_no_judgement_at_all_gives_the_module_5_and_6_skills():
    assert [c.code for c in competences_a_travailler(CURRICULUM, {})] == ["M5.1", "M5.2", "M6.1", "M6.2"]


def test_unknown_judgement_code_is_refused():
    with pytest.raises(ValueError, match=r"Résultat de compétence inconnu : oui\."):
        competences_a_travailler(CURRICULUM, {11: "oui"})
