"""Closed vocabularies of the practice sessions (value -> French label), shared by models, forms and templates."""

JOURS_SEMAINE = {
    0: "lundi",
    1: "mardi",
    2: "mercredi",
    3: "jeudi",
    4: "vendredi",
    5: "samedi",
}

# A learner's practice plan: running, paused by a follow-up call (no booking, no message), or declined by the
# learner (no more bookings or messages, for good).
STATUTS_PLAN = {
    "actif": "En cours",
    "suspendu": "En pause",
    "decline": "Refusé par la personne",
}

# One entraînement (one rank of the plan).
STATUTS_ENTRAINEMENT = {
    "a_planifier": "À planifier",
    "reserve": "Réservé",
    "honore": "Fait",
    "manque": "Manqué, à rappeler",
    "decline": "Refusé",
}

# One booking of an occurrence for an entraînement. At most one "reservee" per entraînement (a database rule).
STATUTS_RESERVATION = {
    "reservee": "Réservée",
    "honoree": "Venue",
    "absente": "Absente",
    "annulee": "Annulée",
}

# Why a booking was cancelled.
MOTIFS_ANNULATION = {
    "occurrence_annulee": "Créneau annulé",
    "apprenant": "Annulée par la personne",
    "deplacee": "Déplacée",
    "mediation": "Annulée par la structure",
    "plan_arrete": "Entraînements refusés ou en pause",
}
