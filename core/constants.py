"""Closed vocabularies shared by models, forms and templates (value -> French label)."""

ROLES = {
    "admin": "Administrateur",
    "mediateur": "Médiatrice / médiateur",
    "benevole": "Bénévole",
    "direction": "Direction",
    # The network's coordinator: an account of the head structure that sees its network's aggregates only.
    "coordination": "Coordination de réseau",
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

# Messages to learners (core.models.Message): what they are about, the channel they go through, where they are.
TYPES_MESSAGE = {
    "convocation": "Convocation",
    "rappel": "Rappel",
    "annulation": "Annulation",
    "attestation": "Attestation",
}

CANAUX_MESSAGE = {
    "email": "Courriel",
    "sms": "SMS",
    "courrier": "Courrier",
}

# a_envoyer: waiting for its first attempt, or for the next one after a failure (``tentatives`` > 0, with the
# error kept); envoye: sent (or, for an SMS or a letter sent by hand, marked sent by the mediator); abandonne:
# never to be sent (the moment it speaks of has passed, or what it announced was cancelled).
STATUTS_MESSAGE = {
    "a_envoyer": "À envoyer",
    "envoye": "Envoyé",
    "abandonne": "Abandonné",
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

# File formats of the exports (pilotage.exports writes them): code -> French label of the choice.
FORMATS_EXPORT = {
    "csv": "CSV (Excel)",
    "xlsx": "Excel (XLSX)",
    "ods": "LibreOffice (ODS)",
}

JOURNAL_ACTIONS = {
    "consultation": "Consultation",
    "creation": "Création",
    "modification": "Modification",
    "export": "Export",
    "effacement": "Effacement",
}
