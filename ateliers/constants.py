"""Vocabularies of the ateliers package (value -> French label)."""

STATUTS_ATELIER = {
    "projet": "En projet",
    "planifie": "Planifié",
    "en_cours": "En cours",
    "termine": "Terminé",
    "annule": "Annulé",
}

STATUTS_INSCRIPTION = {"inscrit": "Inscrit", "termine": "Terminé", "abandon": "Abandon"}

STATUTS_PRESENCE = {
    "present": "Présent",
    "retard": "En retard",
    "absent_excuse": "Absent excusé",
    "absent": "Absent",
}
