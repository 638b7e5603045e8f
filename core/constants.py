"""Closed vocabularies shared by models, forms and templates (value -> French label)."""

ROLES = {
    "admin": "Administrateur",
    "mediateur": "Médiatrice / médiateur",
    "benevole": "Bénévole",
    "direction": "Direction",
}

# Where a candidate stands on the waiting list (None: registered, not yet placed).
STATUTS_ATTENTE = {
    "en_attente": "En attente",
    "propose": "Proposé",
    "inscrit": "Inscrit",
    "oriente": "Orienté ailleurs",
    "retire": "Retiré",
}

CANAUX = {
    "sms": "SMS",
    "telephone": "Téléphone",
    "courrier": "Courrier",
    "email": "Courriel",
}

TRANCHES_AGE = {
    "moins_26": "Moins de 26 ans",
    "26_44": "26 à 44 ans",
    "45_59": "45 à 59 ans",
    "60_74": "60 à 74 ans",
    "75_plus": "75 ans et plus",
}

TYPES_STRUCTURE = {
    "ccas": "CCAS",
    "france_services": "France Services",
    "association": "Association",
}

# Reasons for leaving a workshop or for a dropout follow-up: codes only, never free medical text.
MOTIFS_SORTIE = {
    "sante": "Santé",
    "transport": "Transport",
    "famille": "Contraintes familiales",
    "emploi": "Emploi ou formation",
    "niveau_inadapte": "Niveau inadapté",
    "decouragement": "Découragement",
    "injoignable": "Injoignable",
    "autre": "Autre",
}

JOURNAL_ACTIONS = {
    "consultation": "Consultation",
    "creation": "Création",
    "modification": "Modification",
    "export": "Export",
    "effacement": "Effacement",
}
