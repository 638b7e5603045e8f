"""Each séance held as a collective activity ("atelier collectif") of La Coop de la médiation numérique, the
national record of digital mediation activity (ANCT), in its own fields, so mediators do not type twice what
this app already knows.

The fields and their values are those of La Coop's collective activity record (its "CRA collectif": date,
durée, lieu, participants, titre et niveau de l'atelier, matériel, thématiques) and of its activity export and
API (``type: collectif``, ``duree`` in minutes, ``thematiques`` codes such as ``navigation_sur_internet``).
La Coop has no file import: the file is read by a person filling in La Coop's form, so each value is written as
La Coop's form shows it, with the API code beside the topics. The README says which fields map and which
cannot be filled.

Pure: plain rows in, a :class:`~pilotage.tableaux.Tableau` out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from pilotage.tableaux import Tableau

# La Coop's topics ("thématiques"): API code -> the label its form shows.
THEMATIQUES = {
    "prendre_en_main_du_materiel": "Prendre en main du matériel",
    "navigation_sur_internet": "Navigation sur internet",
    "email": "E-mail",
    "bureautique": "Bureautique",
    "gere_ses_contenus_numeriques": "Gérer ses contenus numériques",
    "securite_numerique": "Prévention en sécurité numérique",
}

THEMATIQUES_DU_MODULE: dict[int, tuple[str, ...]] = {
    1: ("prendre_en_main_du_materiel",),  # computer, mouse, keyboard
    2: ("prendre_en_main_du_materiel",),  # typing, windows, Start menu: "connaître les outils de base"
    3: ("navigation_sur_internet", "securite_numerique"),  # browsing, searching; telling ads and official sites
    4: ("bureautique", "gere_ses_contenus_numeriques"),  # a letter typed, saved, found again in its folder
    5: ("email", "securite_numerique"),  # the mailbox, passwords, fraudulent messages
    6: ("email", "gere_ses_contenus_numeriques"),  # attachments opened, saved and sent; final evaluation
}
"""Module number of the default curriculum (``shared/reference/curriculum.md``) -> La Coop topics, from what
each module's skills have the learner do. Keyed by number: a curriculum version keeps its six modules' subjects."""

TYPE_ACTIVITE = "Atelier collectif"
TYPE_LIEU = "Lieu d'activité"
MATERIEL = "Ordinateur"  # every module is done on the structure's computers

# The workshop's target niveau (evaluations.constants.NIVEAUX) -> La Coop's workshop level (1 to 3 stars).
NIVEAU_ATELIER = {0: "Débutant", 1: "Débutant", 2: "Débutant", 3: "Intermédiaire"}
NIVEAU_PAR_DEFAUT = "Débutant"  # the workshop is for beginners whatever its target niveau says

COLONNES = (
    "Date",
    "Type d'activité",
    "Nombre de participants",
    "Durée (min)",
    "Type de lieu",
    "Lieu d'activité",
    "Commune",
    "Nom de l'atelier",
    "Niveau de l'atelier",
    "Matériel numérique utilisé",
    "Thématiques",
    "Thématiques (codes La Coop)",
)

DEFINITION = (
    "Une ligne par séance tenue dans la période (l'appel est fait et au moins une personne est venue) : les "
    "participants sont les présents et les retardataires, la durée est l'horaire de la séance, les thématiques "
    "sont celles du module. Aucun nom : les participants sont à saisir comme anonymes dans La Coop."
)


@dataclass(frozen=True)
class SeanceTenue:
    """A séance held, as read for the export: no learner, only counts.

    :param jour: the structure's local day of the séance.
    :param minutes: its planned length (start to end), in minutes.
    :param participants: learners present or late.
    """

    jour: date
    minutes: int
    participants: int
    structure: str
    commune: str
    atelier: str
    numero: int
    module_numero: int
    module_titre: str
    niveau_cible: int | None


def thematiques(module_numero: int) -> tuple[str, ...]:
    """La Coop's topic codes for a module (1 to 6); none for a number outside the curriculum."""
    return THEMATIQUES_DU_MODULE.get(module_numero, ())


def ligne(seance: SeanceTenue) -> tuple:
    """The row of the export for one séance held, in the order of :data:`COLONNES`."""
    codes = thematiques(seance.module_numero)
    return (
        seance.jour,
        TYPE_ACTIVITE,
        seance.participants,
        seance.minutes,
        TYPE_LIEU,
        seance.structure,
        seance.commune,
        f"{seance.atelier} – séance {seance.numero} : {seance.module_titre}",
        NIVEAU_ATELIER.get(seance.niveau_cible, NIVEAU_PAR_DEFAUT),
        MATERIEL,
        ", ".join(THEMATIQUES[code] for code in codes),
        ", ".join(codes),
    )


def tableau(seances: Iterable[SeanceTenue], libelle_periode: str) -> Tableau:
    """The séances held (already those of the period and the structures asked for), one activity each, in
    date order; those where nobody came are left out (La Coop records no activity without a participant)."""
    lignes: Sequence[tuple] = [
        ligne(seance)
        for seance in sorted(seances, key=lambda s: (s.jour, s.structure, s.atelier, s.numero))
        if seance.participants > 0
    ]
    return Tableau.de(
        "la_coop",
        f"Activités collectives pour La Coop de la médiation numérique, {libelle_periode}",
        COLONNES,
        lignes,
        DEFINITION,
    )
