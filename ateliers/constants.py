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

# Follow-up call after a dropout alert: how the call went, and what comes next. "rappeler" asks for the day of
# the next call (``Suivi.rappel_on``): the person waits under "Rappel prévu le …" until that day.
RESULTATS_SUIVI = {
    "joint": "Personne jointe",
    "message_laisse": "Message laissé",
    "injoignable": "Injoignable",
}

SUITES_SUIVI = {
    "revient": "Revient",
    "rattrapage_propose": "Rattrapage proposé",
    "rappeler": "Rappeler à une date",
    "abandon": "Abandon",
}
