"""The annual report for funders (issue 12, item 4): the structure, the period, then each section of the
dashboard in plain French, a sentence that says what the figures show, its chart and its tables.

Pure: plain data in, PDF bytes out (reportlab through ``core.pdf``); nothing of Flask or the database. The
route imports this module on first use (``core/pdf.py``: the scheduler never loads reportlab).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from babel.numbers import format_decimal, format_percent
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from core.pdf import FONT_BOLD, FONT_REGULAR, INK, MIN_FONT_SIZE, PageLayout, render, stylesheet, table_style, text
from core.timeutil import date_fr
from pilotage.tableaux import Cellule, Tableau

TITRE = "Rapport d'activité"
AUCUNE_DONNEE = "aucune donnée"
HAUTEUR_BARRE = 9 * mm
MAX_BARRES = 12


@dataclass(frozen=True)
class Graphique:
    """A bar chart drawn from one column of a table: the first column gives the labels, ``colonne`` the
    values (a rate column is drawn from 0 to 100 %). Rows whose value is ``None`` are left out."""

    tableau: Tableau
    colonne: int = 1


@dataclass(frozen=True)
class Section:
    """One part of the report: a heading, one sentence in plain French saying what the figures show, an
    optional chart, then its tables (each with its definition underneath)."""

    titre: str
    resume: str
    tableaux: Sequence[Tableau] = ()
    graphique: Graphique | None = None


@dataclass(frozen=True)
class Rapport:
    """The whole report: who (``structure``), when (``periode``, in words: "année 2026"), made on ``le``, and
    its sections in order. ``reseau`` names the network for a coordination's report."""

    structure: str
    periode: str
    le: date
    sections: Sequence[Section] = field(default_factory=tuple)
    reseau: str = ""


def cellule(valeur: Cellule, pourcentage: bool = False) -> str:
    """A cell as the report prints it: ``None`` -> "aucune donnée", a rate 0.425 -> "42,5 %", 1234.5 ->
    "1 234,5", a date -> "03/03/2026" (French conventions, babel)."""
    if valeur is None:
        return AUCUNE_DONNEE
    if isinstance(valeur, datetime):
        return date_fr(valeur.date(), "short")
    if isinstance(valeur, date):
        return date_fr(valeur, "short")
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if pourcentage and isinstance(valeur, int | float | Decimal):
        return format_percent(valeur, format="#,##0.#\u00a0%", locale="fr_FR")
    if isinstance(valeur, int):
        return format_decimal(valeur, locale="fr_FR")
    if isinstance(valeur, float | Decimal):
        return format_decimal(valeur, format="#,##0.#", locale="fr_FR")
    return str(valeur)


def rapport_annuel(rapport: Rapport) -> bytes:
    """The report as PDF bytes (A4 portrait, 12 pt and up, black on white); same input, same bytes.

    A section without any figure says "aucune donnée" rather than printing an empty table.
    """
    titre = f"{TITRE} – {rapport.periode}"

    def story(layout: PageLayout) -> list[Flowable]:
        styles = stylesheet()
        flowables: list[Flowable] = [
            text(f"{TITRE} {rapport.periode}", styles["Title"]),
            text(rapport.structure + (f" – réseau {rapport.reseau}" if rapport.reseau else ""), styles["Large"]),
            text(f"Établi le {date_fr(rapport.le)}.", styles["Body"]),
            Spacer(1, 6 * mm),
        ]
        for section in rapport.sections:
            flowables.extend(_section(section, layout, styles))
        return flowables

    return render(story, structure=rapport.structure, title=titre, subject=f"{TITRE}, {rapport.periode}")


def _section(section: Section, layout: PageLayout, styles) -> list[Flowable]:
    entete = [text(section.titre, styles["Heading"]), text(section.resume, styles["Body"])]
    corps: list[Flowable] = []
    if section.graphique is not None:
        dessin = _graphique(section.graphique, layout.frame_width)
        if dessin is not None:
            corps.append(dessin)
    for tableau in section.tableaux:
        corps.extend(_tableau(tableau, layout, styles))
    if not corps:
        corps.append(text(f"{AUCUNE_DONNEE.capitalize()} sur la période.", styles["Body"]))
    # The heading stays with what follows it: never alone at the bottom of a page.
    return [KeepTogether([*entete, corps[0]]), *corps[1:], Spacer(1, 4 * mm)]


def _tableau(tableau: Tableau, layout: PageLayout, styles) -> list[Flowable]:
    lignes = [
        [text(titre, styles["TableHeader"]) for titre in tableau.colonnes],
        *(
            [text(cellule(valeur, i in tableau.pourcentages), styles["Normal"]) for i, valeur in enumerate(ligne)]
            for ligne in tableau.lignes
        ),
    ]
    if not tableau.lignes:
        lignes.append(
            [text(AUCUNE_DONNEE, styles["Normal"]), *([""] * (len(tableau.colonnes) - 1))],
        )
    largeur = layout.frame_width
    premiere = largeur * (0.4 if len(tableau.colonnes) > 1 else 1.0)
    autres = (largeur - premiere) / max(1, len(tableau.colonnes) - 1)
    table = Table(
        lignes,
        colWidths=[premiere] + [autres] * (len(tableau.colonnes) - 1),
        repeatRows=1,
        style=table_style(),
        hAlign="LEFT",
    )
    resultat: list[Flowable] = [Spacer(1, 2 * mm), text(tableau.titre, styles["Strong"]), Spacer(1, 1 * mm), table]
    if tableau.definition:
        resultat.append(text(f"Définition : {tableau.definition}", styles["Normal"]))
    return resultat


def _graphique(graphique: Graphique, largeur: float) -> Drawing | None:
    """A horizontal bar chart, black bars on white with each value written at the end of its bar (readable
    in black and white and without the colour of anything); ``None`` when no row has a value."""
    tableau, colonne = graphique.tableau, graphique.colonne
    lignes = [(str(ligne[0]), ligne[colonne]) for ligne in tableau.lignes if ligne[colonne] is not None]
    lignes = lignes[:MAX_BARRES]
    if not lignes:
        return None
    pourcentage = colonne in tableau.pourcentages
    valeurs = [float(valeur) * (100 if pourcentage else 1) for _, valeur in lignes]
    hauteur = HAUTEUR_BARRE * len(lignes) + 6 * mm
    dessin = Drawing(largeur, hauteur)
    marge_libelles = largeur * 0.38
    chart = HorizontalBarChart()
    chart.x, chart.y = marge_libelles, 5 * mm
    chart.width, chart.height = largeur - marge_libelles - 28 * mm, HAUTEUR_BARRE * len(lignes)
    # reportlab draws the first category at the bottom: reversed, the chart reads in the table's order.
    chart.data = [list(reversed(valeurs))]
    chart.categoryAxis.categoryNames = [libelle for libelle, _ in reversed(lignes)]
    chart.categoryAxis.labels.fontName = FONT_REGULAR
    chart.categoryAxis.labels.fontSize = MIN_FONT_SIZE
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -2 * mm
    chart.categoryAxis.strokeColor = INK
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = 100 if pourcentage else max(valeurs) or 1
    chart.valueAxis.visible = False
    chart.bars[0].fillColor = colors.black
    chart.bars[0].strokeColor = colors.black
    chart.barSpacing = 0
    chart.groupSpacing = 3 * mm
    chart.barLabelFormat = lambda v: cellule(v / 100 if pourcentage else v, pourcentage)
    chart.barLabels.fontName = FONT_BOLD
    chart.barLabels.fontSize = MIN_FONT_SIZE
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2 * mm
    dessin.add(chart)
    return dessin
