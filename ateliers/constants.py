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

# Follow-up call after a dropout alert: how the call went, and what comes next.
RESULTATS_SUIVI = {"joint": "Joint(e)", "message_laisse": "Message laissé", "injoignable": "Injoignable"}

SUITES_SUIVI = {"revient": "Revient", "rattrapage_propose": "Rattrapage proposé", "abandon": "Abandon"}
