"""Vocabularies of the ateliers package (value -> French label)."""

STATUTS_ATELIER = {
    "projet": "En projet",
    "planifie": "Planifié",
    "en_cours": "En cours",
    "termine": "Terminé",
    "annule": "Annulé",
}

# The roles that co-run a séance (the workshop page's choices of animateurs).
ROLES_ANIMATEURS = ("mediateur", "benevole")

# Said of a person whose grammatical gender the app does not know: labels that agree with no one (issue 9,
# item 10), "Nadia Ferhat (parcours terminé)" rather than "(terminé)".
STATUTS_INSCRIPTION = {"inscrit": "Inscription en cours", "termine": "Parcours terminé", "abandon": "Abandon"}

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
