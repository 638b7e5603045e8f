"""What the structure tells people about their personal data (RGPD), as plain data: the information notice
(mention d'information, articles 13 and 14 of the RGPD) the mediator gives at registration, and the structure's
entry in the register of processing activities (registre des activités de traitement, article 30).

Pure: plain data in (:class:`Fiche`, with the structure's retention period, and durations), sections of French
text out; the PDF renderer
(``core/mention_pdf.py``) and the register page only lay them out. What is kept and for how long comes from
DESIGN.md section 7; the notice is worded for people who read with difficulty: short sentences, "vous", no
legal jargon beyond the names of the rights.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.francais import nombre
from core.timeutil import date_fr

# The complaint to the supervisory authority (article 77): the CNIL's online form and postal address.
CNIL_EN_LIGNE = "www.cnil.fr/plaintes"
CNIL_COURRIER = "CNIL, 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07"
TRAITEMENT = "Suivi des apprenants des ateliers d'initiation au numérique"
# Retention (DESIGN.md section 7): the learner's data after the last contact, then anonymised (the default of
# ``Structure.conservation_mois``, which each structure sets); the audit journal.
CONSERVATION_MOIS = 24
JOURNAL_MOIS = 12


@dataclass(frozen=True)
class Fiche:
    """The structure's details the texts are filled with (a ``core.models.Structure`` read into plain data)."""

    nom: str
    type: str  # core.constants.TYPES_STRUCTURE
    adresse: str = ""
    commune: str = ""
    telephone: str = ""
    dpo_nom: str = ""
    dpo_contact: str = ""
    # Months the learner's data are kept after the last contact, then anonymised (the structure's setting).
    conservation_mois: int = CONSERVATION_MOIS

    @classmethod
    def of(cls, structure) -> Fiche:
        return cls(
            nom=structure.nom,
            type=structure.type,
            adresse=structure.adresse or "",
            commune=structure.commune or "",
            telephone=structure.telephone or "",
            dpo_nom=structure.dpo_nom or "",
            dpo_contact=structure.dpo_contact or "",
            conservation_mois=structure.conservation_mois,
        )

    @property
    def conservation(self) -> str:
        """The retention period in words: whole years as years ("2 ans"), otherwise months ("18 mois")."""
        if self.conservation_mois % 12 == 0:
            return nombre(self.conservation_mois // 12, "an", "ans")
        return f"{self.conservation_mois} mois"

    @property
    def coordonnees(self) -> str:
        """Name, address and phone on one line: "CCAS de Saint-Aubin, 2 rue de la Mairie, Saint-Aubin, 02 …"."""
        return ", ".join(part for part in (self.nom, self.adresse, self.commune, self.telephone) if part)

    @property
    def has_dpo(self) -> bool:
        return bool(self.dpo_nom.strip() or self.dpo_contact.strip())

    @property
    def dpo(self) -> str:
        """The DPO and how to reach them, or "" when not set."""
        return " – ".join(part.strip() for part in (self.dpo_nom, self.dpo_contact) if part.strip())

    @property
    def mission(self) -> str:
        """The legal basis in plain words (article 6.1.e: a task carried out in the public interest)."""
        return f"C'est une mission d'intérêt public {de_structure(self)} (article 6.1.e du RGPD)."


@dataclass(frozen=True)
class Section:
    """A heading and its paragraphs (plain text, no markup)."""

    titre: str
    paragraphes: tuple[str, ...]


def mention_information(fiche: Fiche) -> tuple[Section, ...]:
    """The information notice given to a learner at registration, filled with ``fiche`` (its retention period too).

    :returns: the sections in reading order: who, what, why, who sees them, how long, rights, whom to contact.
    """
    contact = (
        f"Le délégué à la protection des données : {fiche.dpo}."
        if fiche.has_dpo
        else f"L'accueil {de_structure(fiche)} : {fiche.coordonnees}."
    )
    return (
        Section("Qui garde vos informations ?", (f"{fiche.coordonnees}.",)),
        Section(
            "Quelles informations ?",
            (
                "Vos nom, prénom, téléphone, mail et adresse si vous les donnez, votre tranche d'âge, votre "
                "commune, vos disponibilités. Puis vos réponses au questionnaire de niveau, vos présences, ce "
                "que vous savez faire, vos séances d'entraînement, votre attestation. Rien sur votre santé, votre "
                "situation sociale, vos revenus ou votre nationalité.",
            ),
        ),
        Section(
            "Pour quoi faire ?",
            (
                "Pour organiser les ateliers : vous mettre dans un groupe de votre niveau, vous prévenir des "
                "séances, suivre vos progrès, vous rappeler si vous manquez, vous proposer des entraînements, vous "
                "remettre une attestation. " + fiche.mission + " Des chiffres sans nom servent aussi à rendre "
                "compte de l'activité.",
            ),
        ),
        Section(
            "Qui les voit ?",
            (
                f"L'équipe de médiation numérique et la direction {de_structure(fiche)}. Les bénévoles voient "
                "seulement votre prénom et la première lettre de votre nom. Vos informations ne sont ni vendues "
                "ni données.",
            ),
        ),
        Section(
            "Combien de temps ?",
            (
                f"{fiche.conservation} après notre dernier contact avec vous. Ensuite votre nom "
                "et vos coordonnées sont effacés : il ne reste que des chiffres sans nom.",
            ),
        ),
        Section(
            "Vos droits",
            (
                "Vous pouvez demander à voir vos informations, à les corriger, à les effacer, à en limiter "
                "l'usage, ou vous opposer à leur usage. Nous vous répondons dans le mois. Si vous n'êtes pas "
                f"d'accord avec la réponse, vous pouvez vous plaindre à la CNIL : {CNIL_EN_LIGNE} ou "
                f"{CNIL_COURRIER}.",
            ),
        ),
        Section("Qui contacter ?", (contact,)),
    )


def de_structure(fiche: Fiche) -> str:
    """The structure as the owner of something, in the notice's words: "du CCAS", else "de la structure"."""
    return "du CCAS" if fiche.type == "ccas" else "de la structure"


def registre_traitement(
    fiche: Fiche,
    today: date,
    sauvegardes_gardees: int,
) -> tuple[Section, ...]:
    """The structure's entry in its register of processing activities (article 30.1 of the RGPD).

    :param today: the structure's day, printed as the date of the entry.
    :param sauvegardes_gardees: nightly backups kept (setting ``BACKUP_KEEP``), one per day.
    :returns: the rubrics in the register's order: controller and DPO, purposes, legal basis, people, data,
        recipients, transfers, retention, security measures.
    """
    return (
        Section(
            "Responsable du traitement",
            (
                fiche.coordonnees,
                f"Délégué à la protection des données : {fiche.dpo}"
                if fiche.has_dpo
                else "Délégué à la protection des données : à désigner (page « Protection des données » de "
                "l'administration).",
                f"Fiche à jour du {date_fr(today)}.",
            ),
        ),
        Section("Nom du traitement", (TRAITEMENT,)),
        Section(
            "Finalités",
            (
                "Positionner les candidats (questionnaire de niveau) et former des groupes de niveau homogènes ; "
                "gérer la liste d'attente.",
                "Planifier les séances, convoquer et rappeler les apprenants (SMS, mail, courrier).",
                "Suivre les présences et les compétences acquises ; repérer le décrochage et rappeler les absents.",
                "Proposer et réserver des séances d'entraînement après l'atelier.",
                "Délivrer les attestations de fin de formation et permettre d'en vérifier l'authenticité.",
                "Produire des statistiques d'activité sans identité (direction, réseau, financeurs).",
            ),
        ),
        Section("Base légale", ("Mission d'intérêt public (article 6.1.e du RGPD).",)),
        Section(
            "Catégories de personnes",
            (
                "Les apprenants : candidats aux ateliers, participants, anciens participants.",
                "Les personnels et bénévoles qui utilisent l'application (comptes).",
            ),
        ),
        Section(
            "Catégories de données",
            (
                "Apprenants : nom, prénom, téléphone, adresse mail et adresse postale (facultatives), tranche "
                "d'âge, commune, disponibilités, canal de contact préféré, réponses au questionnaire de niveau, "
                "présences, compétences, séances d'entraînement, attestations, date du dernier contact, motifs "
                "d'abandon sous forme de codes.",
                "Comptes : nom, prénom, adresse mail, rôle, connexions.",
                "Aucune donnée sensible (article 9 : santé, etc.), aucune donnée sur la situation sociale, les "
                "revenus ou la nationalité, aucun numéro de sécurité sociale.",
            ),
        ),
        Section(
            "Destinataires",
            (
                "Les médiateurs numériques et la direction de la structure, chacun selon son rôle.",
                "Les bénévoles animant une séance : prénom et initiale du nom, jamais le téléphone.",
                "La coordination du réseau et les financeurs : des chiffres agrégés, sans identité.",
                "Les prestataires d'envoi des mails et SMS, quand la structure en utilise, pour ces seuls envois.",
            ),
        ),
        Section("Transferts hors de l'Union européenne", ("Aucun.",)),
        Section(
            "Durées de conservation",
            (
                f"Données des apprenants : {fiche.conservation} après le dernier contact, puis anonymisées "
                "(les statistiques restent, sans nom).",
                f"Journal des consultations, modifications et exports : {JOURNAL_MOIS} mois.",
                "Texte des messages envoyés et fichiers joints : 3 mois.",
                f"Sauvegardes de la base : une par nuit, gardées {nombre(sauvegardes_gardees, 'nuit')}.",
            ),
        ),
        Section(
            "Mesures de sécurité",
            (
                "Comptes nominatifs et rôles ; données cloisonnées par structure ; les bénévoles ne voient que le "
                "prénom et l'initiale.",
                "Mots de passe robustes, tentatives de connexion limitées, sessions qui expirent, connexion "
                "chiffrée (HTTPS).",
                "Journal des accès aux données personnelles en ajout seul ; aucune donnée personnelle dans les "
                "journaux techniques.",
                "Fichiers de la base lisibles par leur seul propriétaire ; sauvegarde chaque nuit avec empreinte "
                "SHA-256, restauration vérifiée avant tout remplacement.",
                "Analyse de sécurité du code à chaque modification (bandit).",
            ),
        ),
    )
