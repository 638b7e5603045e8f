"""A table of figures as a page shows it and an export writes it: the one shape that the indicators hand to
the page's data tables, the chart summaries, the exports (CSV, XLSX, ODS) and the annual report.

Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

Cellule = str | int | float | Decimal | date | datetime | None
"""One cell. ``None`` is shown "aucune donnée" on a page and written empty in an export; a rate is a
``float`` from 0 to 1 (shown as a percentage, written as a number with the "0 %" format where the format
has one)."""


@dataclass(frozen=True)
class Tableau:
    """A titled table.

    :param nom: a short identifier, ASCII, at most 31 characters (an XLSX/ODS sheet name, a file name part):
        ``"abandons_par_motif"``.
    :param titre: the French title shown above the table: ``"Abandons par motif"``.
    :param colonnes: the column headers, in French.
    :param lignes: the rows, each as long as ``colonnes``.
    :param definition: one sentence in plain French saying how the figures are counted (shown one click
        away on the page, written under the table in exports and in the annual report).
    :param pourcentages: indexes of the columns that hold rates (0 to 1).
    :raise ValueError: a row whose length differs from ``colonnes``, or a ``nom`` too long or not ASCII.
    """

    nom: str
    titre: str
    colonnes: tuple[str, ...]
    lignes: tuple[tuple[Cellule, ...], ...]
    definition: str = ""
    pourcentages: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.nom.isascii() or not 0 < len(self.nom) <= 31:
            raise ValueError(f"nom de tableau invalide : {self.nom!r}")
        for ligne in self.lignes:
            if len(ligne) != len(self.colonnes):
                raise ValueError(f"{self.nom} : une ligne de {len(ligne)} cellules pour {len(self.colonnes)} colonnes")

    @classmethod
    def de(
        cls,
        nom: str,
        titre: str,
        colonnes: Sequence[str],
        lignes: Sequence[Sequence[Cellule]],
        definition: str = "",
        pourcentages: Sequence[int] = (),
    ) -> Tableau:
        """Build from any sequences (lists from a query): the same checks as the constructor."""
        return cls(
            nom, titre, tuple(colonnes), tuple(tuple(ligne) for ligne in lignes), definition, frozenset(pourcentages)
        )
