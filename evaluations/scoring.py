"""Placement score and level (niveau) from the questionnaire answers. Pure: no Flask, no database.

Rules from shared/reference/curriculum.md:

- Score = weighted share of the maximum of parts B (self-assessment) and C (practical items), 0-100. Each
  answer is 0 (no), 1 (with help) or 2 (alone). Practical items weigh more than self-assessment, because
  self-assessment misleads; by phone, part C is made of scenario questions where "je ne sais pas" is a
  normal answer, so they weigh less than done face to face. The weights come from the questionnaire.
- Niveau: 0 débutant complet (never used a mouse, or score <= 25); 1 débutant (score <= 60, or cannot type
  @ or accents alone); 2 débutant autonome (score > 60 but cannot send an attachment alone); 3 intermédiaire
  (score > 60 and sends an attachment alone: oriented to other workshops, not put on the waiting list).
- Part D answered "someone does it for me" points to Aidants Connect or France Services.
"""

from __future__ import annotations

from dataclasses import dataclass

SCORED_PARTS = ("B", "C")
VALID_ANSWERS = (0, 1, 2)
NIVEAU_LABELS = {0: "débutant complet", 1: "débutant", 2: "débutant autonome", 3: "intermédiaire"}
ORIENTATION_NIVEAU_3 = (
    "Ce niveau dépasse l'atelier d'initiation : orientez la personne vers un atelier de perfectionnement ou un "
    "accompagnement individuel. Elle n'est pas inscrite sur la liste d'attente."
)
ORIENTATION_DELEGATION = (
    "Pour ces démarches, proposez aussi Aidants Connect ou l'accueil France Services : l'atelier apprend à "
    "faire soi-même, il ne remplace pas un accompagnement."
)


@dataclass(frozen=True)
class Resultat:
    """What a completed placement gives: score, niveau and the plain-French reasons for it."""

    score: int
    niveau: int
    raisons: tuple[str, ...]
    orientation: str | None
    demarches_deleguees: tuple[str, ...]

    @property
    def is_oriente(self) -> bool:
        """True when the person is oriented elsewhere instead of joining the waiting list."""
        return self.niveau == 3


class ReponsesIncompletes(ValueError):
    """Some scored questions have no valid answer; ``codes`` says which, in questionnaire order."""

    def __init__(self, codes: list[str]):
        super().__init__("réponses manquantes : " + ", ".join(codes))
        self.codes = tuple(codes)


def _parts(contenu: dict) -> dict[str, dict]:
    return {part["code"]: part for part in contenu["parties"]}


def _answer(reponses: dict, code: str) -> int | None:
    value = reponses.get(code)
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value if value in VALID_ANSWERS and not isinstance(value, bool) else None


def missing_answers(contenu: dict, reponses: dict) -> list[str]:
    """Codes of the scored questions (parts B and C) that have no answer 0, 1 or 2, in order."""
    parts = _parts(contenu)
    return [
        question["code"]
        for code in SCORED_PARTS
        for question in parts[code]["questions"]
        if _answer(reponses, question["code"]) is None
    ]


def niveau_for(score: int, *, uses_mouse: bool, types_accents_and_at: bool, sends_attachment_alone: bool) -> int:
    """Return the niveau 0-3 for a score 0-100 and three decisive answers (see the module docstring).

    :raise ValueError: when ``score`` is outside 0-100.
    """
    if not 0 <= score <= 100:
        raise ValueError(f"score hors de 0-100 : {score}")
    if not uses_mouse or score <= 25:
        return 0
    if score <= 60 or not types_accents_and_at:
        return 1
    if not sends_attachment_alone:
        return 2
    return 3


def _weights(contenu: dict, mode: str) -> dict[str, int]:
    if mode not in {"telephone", "presentiel"}:
        raise ValueError(f"mode inconnu : {mode!r}")
    return {
        "B": contenu["poids_auto_evaluation"],
        "C": contenu["poids_pratique_telephone" if mode == "telephone" else "poids_pratique_presentiel"],
    }


def _by_landmark(parts: dict[str, dict], landmark: str) -> list[str]:
    return [q["code"] for code in SCORED_PARTS for q in parts[code]["questions"] if q.get("repere") == landmark]


def score_positionnement(contenu: dict, reponses: dict, mode: str) -> Resultat:
    """Score and niveau of a completed questionnaire, with the reasons that drove the niveau.

    ``contenu`` is the questionnaire version's content (parts, questions, weights), ``reponses`` maps question
    codes to answers (0/1/2 for parts B and C, the chosen label for parts A and D), ``mode`` is "telephone"
    or "presentiel".

    :raise ReponsesIncompletes: when a question of part B or C has no valid answer.
    :raise ValueError: on an unknown mode.
    """
    missing = missing_answers(contenu, reponses)
    if missing:
        raise ReponsesIncompletes(missing)
    parts = _parts(contenu)
    weights = _weights(contenu, mode)
    points = {code: sum(_answer(reponses, q["code"]) for q in parts[code]["questions"]) for code in SCORED_PARTS}
    maximum = {code: 2 * len(parts[code]["questions"]) for code in SCORED_PARTS}
    weighted = sum(weights[c] * points[c] for c in SCORED_PARTS)
    score = round(100 * weighted / sum(weights[c] * maximum[c] for c in SCORED_PARTS))

    def best(landmark: str) -> int:
        return max(_answer(reponses, code) for code in _by_landmark(parts, landmark))

    keyboard = {code: _answer(reponses, code) for code in _by_landmark(parts, "clavier")}
    practical_keyboard = min(v for c, v in keyboard.items() if c.startswith("C"))
    uses_mouse = best("souris") > 0
    # Typing accents and @ alone: seen (or explained) alone, or said alone and done with a little help.
    types_alone = practical_keyboard == 2 or (max(keyboard.values()) == 2 and practical_keyboard >= 1)
    sends_attachment = min(_answer(reponses, code) for code in _by_landmark(parts, "piece_jointe")) == 2
    niveau = niveau_for(
        score, uses_mouse=uses_mouse, types_accents_and_at=types_alone, sends_attachment_alone=sends_attachment
    )

    weight_note = {
        "presentiel": f"mises en situation comptées {weights['C']} fois",
        "telephone": "questions de mise en situation par téléphone, comptées "
        + ("autant que l'auto-évaluation" if weights["C"] == weights["B"] else f"{weights['C']} fois"),
    }[mode]
    raisons = [
        f"Score de {score} sur 100 : auto-évaluation {points['B']}/{maximum['B']}, "
        f"mises en situation {points['C']}/{maximum['C']} ({weight_note})."
    ]
    raisons.append(_reason_for_niveau(niveau, score, uses_mouse, types_alone))
    raisons.extend(_strengths_and_gaps(parts, reponses))

    demarches = parts.get("D", {})
    delegation = demarches.get("choix_delegation")
    delegated = tuple(
        q["libelle"] for q in demarches.get("questions", ()) if delegation and reponses.get(q["code"]) == delegation
    )
    return Resultat(
        score=score,
        niveau=niveau,
        raisons=tuple(raisons),
        orientation=ORIENTATION_NIVEAU_3 if niveau == 3 else None,
        demarches_deleguees=delegated,
    )


def _reason_for_niveau(niveau: int, score: int, uses_mouse: bool, types_alone: bool) -> str:
    if niveau == 0:
        if not uses_mouse:
            return "N'a encore jamais utilisé de souris : débutant complet, quel que soit le score."
        return "Score de 25 ou moins : débutant complet."
    if niveau == 1:
        if score > 60 and not types_alone:
            return (
                f"Ne tape pas encore seul les accents et l'arobase : débutant, malgré un score de {score} "
                "(ces gestes sont travaillés au module 2)."
            )
        return "Score entre 26 et 60 : débutant."
    if niveau == 2:
        return "Score au-dessus de 60, mais n'envoie pas encore seul une pièce jointe : débutant autonome."
    return "Score au-dessus de 60 et envoie seul une pièce jointe : intermédiaire."


def _strengths_and_gaps(parts: dict[str, dict], reponses: dict) -> list[str]:
    alone, never = [], []
    for code in SCORED_PARTS:
        for question in parts[code]["questions"]:
            label = question.get("court", question["libelle"])
            value = _answer(reponses, question["code"])
            if value == 2 and label not in alone:
                alone.append(label)
            elif value == 0 and label not in never:
                never.append(label)
    lines = []
    if alone:
        lines.append("Sait déjà faire seul : " + ", ".join(alone) + ".")
    if never:
        lines.append("Ne sait pas encore : " + ", ".join(never) + ".")
    return lines
