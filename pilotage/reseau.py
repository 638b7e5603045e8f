"""The network's dashboard: the director's key figures for each member structure side by side, with a last
column for the whole network, and the network's tables and charts.

The network's column is computed over all the members' ids at once (one :class:`~pilotage.tableau_de_bord.
Contexte`), never by adding the members' columns: a rate or a median of a network is not the sum of its
members'. Aggregates only: no section of the dashboard holds a person (the director's list of people at risk is
not a section and is never read here).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from core.models import Structure
from core.timeutil import structure_today
from pilotage import tableau_de_bord
from pilotage.periode import Periode
from pilotage.tableau_de_bord import Chiffre, Section

COLONNE_RESEAU = "Réseau"


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
