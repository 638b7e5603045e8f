"""The network's dashboard: the director's key figures for each member structure side by side, with a last
column for the whole network, and the network's tables and charts.

The network's column is computed over all the members' ids at once (one :class:`~pilotage.tableau_de_bord.
Contexte`), never by adding the members' columns: a rate or a median of a network is not the sum of its
members'. Aggregates only: no section of the dashboard holds a person (the director's list of people at risk is
not a section and is never read here).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from core.models import Structure
from core.timeutil import structure_today
from pilotage import tableau_de_bord
from pilotage.periode import Periode
from pilotage.tableau_de_bord import Chiffre, Section, valeur_fr
from pilotage.tableaux import Tableau

COLONNE_RESEAU = "Réseau"
DEFINITION_COMPAREE = (
    "Les chiffres de chaque structure, tels que sa direction les voit, puis ceux du réseau entier, calculés sur "
    "toutes ses structures ensemble (un taux ou une médiane du réseau n'est pas la somme de ceux des structures)."
)


@dataclass(frozen=True)
class LigneComparee:
    """One key figure across the columns: its label, unit and definition, and its :class:`Chiffre` in each
    column (members in order, the network last)."""

    libelle: str
    unite: str
    definition: str
    a_une_part: bool
    chiffres: tuple[Chiffre, ...]


@dataclass(frozen=True)
class SectionComparee:
    cle: str
    titre: str
    lignes: tuple[LigneComparee, ...]


@dataclass(frozen=True)
class VueReseau:
    """What the page shows: the column headers (members, then "Réseau"), each section's key figures across
    them, and the network's own sections (for their tables and charts)."""

    colonnes: tuple[str, ...]
    comparees: tuple[SectionComparee, ...]
    sections: tuple[Section, ...]


def comparer(colonnes: Sequence[Sequence[Section]]) -> list[SectionComparee]:
    """Lay the key figures of several dashboards side by side.

    :param colonnes: for each column, the sections of its dashboard (``tableau_de_bord.sections``), all in the
        same order with the same figures (the dashboard's layout does not depend on the data).
    :return: one :class:`SectionComparee` per section, its rows in the dashboard's order.
    :raise ValueError: no column, or columns whose sections or figures differ.
    """
    if not colonnes:
        raise ValueError("aucune colonne à comparer")
    comparees = []
    for sections in zip(*colonnes, strict=True):
        premiere = sections[0]
        if any(s.cle != premiere.cle or len(s.chiffres) != len(premiere.chiffres) for s in sections):
            raise ValueError(f"sections différentes : {[s.cle for s in sections]}")
        lignes = []
        for chiffres in zip(*(s.chiffres for s in sections), strict=True):
            modele = chiffres[0]
            if any(c.libelle != modele.libelle for c in chiffres):
                raise ValueError(f"chiffres différents : {[c.libelle for c in chiffres]}")
            lignes.append(LigneComparee(modele.libelle, modele.unite, modele.definition, modele.a_une_part, chiffres))
        comparees.append(SectionComparee(premiere.cle, premiere.titre, tuple(lignes)))
    return comparees


def vue(membres: Sequence[Structure], periode: Periode, now: datetime, today: date) -> VueReseau:
    """The network's dashboard over ``periode``: one context per member (with the member's own local day, as
    its director sees it) and one over all the members (with ``today``, the head's day).

    :param membres: the network's structures in column order (``core.reseaux.membres``: head first, then by
        name); at least one.
    :param now: naive UTC moment.
    """
    par_membre = [
        tableau_de_bord.sections(tableau_de_bord.contexte([m.id], periode, now, structure_today(m))) for m in membres
    ]
    reseau = tableau_de_bord.sections(tableau_de_bord.contexte([m.id for m in membres], periode, now, today))
    return VueReseau(
        (*(m.nom for m in membres), COLONNE_RESEAU),
        tuple(comparer([*par_membre, reseau])),
        tuple(reseau),
    )


def _libelle(ligne: LigneComparee) -> str:
    """A figure's label with its unit, as the director's export writes it: ``"Attente médiane (jours)"``."""
    return f"{ligne.libelle} ({ligne.unite})" if ligne.unite else ligne.libelle


def tableaux_compares(comparee: SectionComparee, colonnes: Sequence[str]) -> list[Tableau]:
    """A section's key figures across the columns, for a file: one table of the counts (a row per figure, a
    column per structure then the network, and the figure's definition), and when some figures have a rate, one
    table of those rates (numbers from 0 to 1, written as percentages).

    :param colonnes: the column headers, as :attr:`VueReseau.colonnes`.
    """
    entete = ("Indicateur", *colonnes)
    resultat = [
        Tableau.de(
            f"reseau_{comparee.cle}",
            f"{comparee.titre} : chiffres clés par structure et pour le réseau",
            (*entete, "Définition"),
            [(_libelle(ligne), *(c.valeur for c in ligne.chiffres), ligne.definition) for ligne in comparee.lignes],
            DEFINITION_COMPAREE,
        )
    ]
    avec_part = [ligne for ligne in comparee.lignes if ligne.a_une_part]
    if avec_part:
        resultat.append(
            Tableau.de(
                f"reseau_{comparee.cle}_parts",
                f"{comparee.titre} : parts par structure et pour le réseau",
                entete,
                [(ligne.libelle, *(c.part for c in ligne.chiffres)) for ligne in avec_part],
                DEFINITION_COMPAREE,
                pourcentages=range(1, len(entete)),
            )
        )
    return resultat


def tableaux(vue: VueReseau) -> list[Tableau]:
    """What the network's export writes, section by section in page order: the key figures across the columns
    (:func:`tableaux_compares`), then the network's own tables, their titles ending "(réseau)". Counts, rates and
    structure names only: never a person."""
    resultat = []
    for comparee, section in zip(vue.comparees, vue.sections, strict=True):
        resultat.extend(tableaux_compares(comparee, vue.colonnes))
        resultat.extend(replace(tableau, titre=f"{tableau.titre} (réseau)") for tableau in section.tableaux)
    return resultat


def tableaux_du_rapport(vue: VueReseau) -> dict[str, Tableau]:
    """For the annual report: each section's key figures across the columns, written as the page writes them
    (``"8 (89 %)"``), keyed by the section's ``cle`` (``rapport_pdf.Rapport.par_structure``)."""
    return {
        comparee.cle: Tableau.de(
            f"reseau_{comparee.cle}",
            f"{comparee.titre} : par structure et pour le réseau",
            ("Indicateur", *vue.colonnes),
            [(_libelle(ligne), *(_sans_unite(c) for c in ligne.chiffres)) for ligne in comparee.lignes],
        )
        for comparee in vue.comparees
    }


def _sans_unite(chiffre: Chiffre) -> str:
    """The figure as the page writes it, its unit left to the row's label."""
    return valeur_fr(replace(chiffre, unite=""))
