"""Vocabularies of the evaluations package (value -> French label)."""

MODES_POSITIONNEMENT = {"telephone": "Par téléphone", "presentiel": "En présentiel"}

NIVEAUX = {
    0: "Débutant complet",
    1: "Débutant",
    2: "Débutant autonome",
    3: "Intermédiaire",
}

RESULTATS_COMPETENCE = {
    "non_acquis": "Non acquis",
    "avec_aide": "Avec aide",
    "acquis": "Acquis (fait seul)",
}
