"""Vocabularies of the attestations package (value -> French label)."""

# What an attestation certifies: the whole course (hours and skills acquired), or, for a learner who left
# part-way and asked for it, the hours and séances attended only.
TYPES_ATTESTATION = {
    "parcours": "Attestation de fin de parcours",
    "presence": "Attestation de présence",
}

# Why an attestation was revoked: codes only, never free text (the journal records the code).
MOTIFS_REVOCATION = {
    "erreur": "Erreur dans l'attestation",
    "correction": "Correction après déverrouillage de l'atelier",
    "doublon": "Émise en double",
    "demande": "À la demande de la personne",
    "fraude": "Usage frauduleux signalé",
    "autre": "Autre",
}

# The channels an attestation goes through (attestations.envois): email (the PDF attached) or letter (the PDF
# printed after it).
CANAUX_ATTESTATION = {"email": "par courriel", "courrier": "par courrier"}

NATURE_ACTION = "action d'initiation au numérique"

# The objectives, as observable behaviours (shared/reference/curriculum.md, "The six modules"); copied into
# each snapshot, so a later rewording never changes an issued attestation.
OBJECTIFS = (
    "se servir d'un ordinateur, de la souris et du clavier",
    "écrire et se repérer dans Windows",
    "rechercher sur internet et reconnaître un site officiel",
    "écrire un document et l'enregistrer",
    "utiliser une messagerie en sécurité",
    "envoyer et recevoir des fichiers par courriel",
)


def cle_message(attestation_id: int, canal: str) -> str:
    """The outbox key of ``attestation_id``'s message on ``canal`` (one message per attestation and channel)."""
    return f"attestation:{attestation_id}:{canal}"
