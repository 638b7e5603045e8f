import pytest

from evaluations.referentiel import read_referentiel
from evaluations.scoring import ReponsesIncompletes, missing_answers, niveau_for, score_positionnement

CONTENU = read_referentiel()["questionnaire"]
B = ("B1", "B2", "B3", "B4", "B5", "B6", "B7")
C = ("C1", "C2", "C3", "C4")
ALL_YES = {"uses_mouse": True, "types_accents_and_at": True, "sends_attachment_alone": True}


def answers(b=0, c=0, **overrides):
    """Every B item at ``b`` and every C item at ``c``, then the overrides."""
    return {**dict.fromkeys(B, b), **dict.fromkeys(C, c), **overrides}


@pytest.mark.parametrize(
    ("score", "flags", "niveau"),
    [
        (0, ALL_YES, 0),
        (25, ALL_YES, 0),
        (26, ALL_YES, 1),
        (60, ALL_YES, 1),
        (61, ALL_YES, 3),
        (100, ALL_YES, 3),
        (90, {**ALL_YES, "uses_mouse": False}, 0),
        (90, {**ALL_YES, "types_accents_and_at": False}, 1),
        (20, {**ALL_YES, "types_accents_and_at": False}, 0),
        (61, {**ALL_YES, "sends_attachment_alone": False}, 2),
        (100, {**ALL_YES, "sends_attachment_alone": False}, 2),
        (40, {**ALL_YES, "sends_attachment_alone": False}, 1),
    ],
)
def test_niveau_follows_the_reference_table(score, flags, niveau):
    assert niveau_for(score, **flags) == niveau


@pytest.mark.parametrize("score", [-1, 101])
def test_score_outside_range_is_refused(score):
    with pytest.raises(ValueError):
        niveau_for(score, **ALL_YES)


# (answers, mode, expected score, expected niveau). Face to face: B weighs 1, C weighs 2 -> max 14 + 16 = 30.
# By phone: C weighs 1 -> max 14 + 8 = 22.
CASES = [
    (answers(0, 0), "presentiel", 0, 0),
    (answers(2, 2), "presentiel", 100, 3),
    (answers(2, 2), "telephone", 100, 3),
    (answers(1, 1), "presentiel", 50, 1),
    # self-assessment says "alone" everywhere, practice shows nothing: 14/30
    (answers(2, 0), "presentiel", 47, 1),
    # same answers by phone weigh the scenario less: 14/22
    (answers(2, 0), "telephone", 64, 1),
    # high score but cannot type accents and @ alone -> débutant
    (answers(2, 2, B3=1, C2=1), "presentiel", 90, 1),
    # high score, attachment only with help -> débutant autonome
    (answers(2, 2, B7=1), "presentiel", 97, 2),
    # never used a mouse -> débutant complet whatever the rest
    (answers(2, 2, B2=0, C1=0), "presentiel", 80, 0),
    # says alone for the keyboard, shows it with help: still types alone enough
    (answers(2, 2, C2=1), "presentiel", 93, 3),
]


@pytest.mark.parametrize(("reponses", "mode", "score", "niveau"), CASES)
def test_score_and_niveau_cases(reponses, mode, score, niveau):
    resultat = score_positionnement(CONTENU, reponses, mode)
    assert (resultat.score, resultat.niveau) == (score, niveau)


def test_practical_answers_weigh_more_face_to_face_than_by_phone():
    only_practice = answers(0, 2, B2=1)
    face = score_positionnement(CONTENU, only_practice, "presentiel").score
    phone = score_positionnement(CONTENU, only_practice, "telephone").score
    assert face > phone


def test_reasons_explain_the_niveau_in_plain_french():
    keyboard = score_positionnement(CONTENU, answers(2, 2, B3=1, C2=1), "presentiel")
    assert keyboard.raisons[0].startswith("Score de 90 sur 100 : auto-évaluation 13/14, mises en situation 7/8")
    assert "Ne tape pas encore seul les accents et l'arobase" in keyboard.raisons[1]
    mouse = score_positionnement(CONTENU, answers(1, 1, B2=0, C1=0), "telephone")
    assert mouse.niveau == 0 and "jamais utilisé de souris" in mouse.raisons[1]
    assert any(r.startswith("Ne sait pas encore : utiliser une souris, double-cliquer") for r in mouse.raisons)
    strong = score_positionnement(CONTENU, answers(2, 2), "presentiel")
    assert strong.orientation and "perfectionnement" in strong.orientation and strong.is_oriente
    assert score_positionnement(CONTENU, answers(1, 1), "presentiel").orientation is None


def test_someone_does_it_for_me_points_to_aidants_connect():
    delegation = CONTENU["parties"][3]["choix_delegation"]
    reponses = answers(1, 1, D1=delegation, D2="Seul", D4=delegation)
    resultat = score_positionnement(CONTENU, reponses, "telephone")
    assert resultat.demarches_deleguees == ("CAF", "impots.gouv")
    assert score_positionnement(CONTENU, answers(1, 1), "telephone").demarches_deleguees == ()


def test_missing_answers_are_named_in_order():
    reponses = answers(1, 1)
    del reponses["B4"], reponses["C2"]
    reponses["B6"] = 3  # not a valid answer
    assert missing_answers(CONTENU, reponses) == ["B4", "B6", "C2"]
    with pytest.raises(ReponsesIncompletes) as error:
        score_positionnement(CONTENU, reponses, "presentiel")
    assert error.value.codes == ("B4", "B6", "C2")


def test_answers_posted_as_text_count():
    reponses = {code: "2" for code in (*B, *C)}
    assert score_positionnement(CONTENU, reponses, "presentiel").score == 100


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode"):
        score_positionnement(CONTENU, answers(1, 1), "courrier")
