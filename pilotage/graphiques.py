"""Charts of the dashboard as SVG, drawn with reportlab.graphics from the same :class:`Tableau` as the data
table beside them (the annual report can put the same drawings in its PDF).

Pure: a table and a chart description in, SVG bytes out; nothing of Flask. Imports reportlab at its top:
only the chart view imports this module, on first use (the scheduler process has no room for reportlab,
tests/services/test_lazy_pdf.py).

Readable in black and white: one grey with black outlines, and every bar or point labelled with its value;
a value with nothing to count over is labelled "aucune donnée". No script; the SVG carries ``style``
attributes (reportlab writes them), so it is served as its own image, never inlined in a page.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape  # nosec B406 # escapes text written into the SVG, parses no XML

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors

from pilotage.tableau_de_bord import Graphique, pourcent
from pilotage.tableaux import Tableau

LARGEUR = 640
MARGE_GAUCHE = 290
HAUTEUR_BARRE = 30
GRIS = colors.Color(0.6, 0.6, 0.6)
POLICE = "Helvetica"
LONGUEUR_ETIQUETTE = 34
TAILLE, TAILLE_TITRE = 13, 15


def _axe_des_valeurs(axe, valeurs: list[float], en_pourcentage: bool) -> None:
    """From 0; rates up to 100 %, counts in whole steps (no "0.5 abandon")."""
    axe.valueMin = 0
    axe.labels.fontName = POLICE
    axe.labels.fontSize = TAILLE - 2
    axe.visibleGrid = False
    if en_pourcentage:
        axe.valueMax, axe.valueStep = 100, 20
        axe.labelTextFormat = "%d\u202f%%"
    else:
        plus_grande = max([*valeurs, 1])
        axe.valueStep = max(1, math.ceil(plus_grande / 5))
        axe.valueMax = axe.valueStep * (math.ceil(plus_grande / axe.valueStep) + 1)
        axe.labelTextFormat = "%d"


def _etiquette(texte: object) -> str:
    texte = str(texte)
    return texte if len(texte) <= LONGUEUR_ETIQUETTE else texte[: LONGUEUR_ETIQUETTE - 1] + "…"


def _valeurs(graphique: Graphique, tableau: Tableau) -> tuple[list[str], list[float], list[str]]:
    """Category labels, values to draw (rates as percentages) and the label written at each value."""
    categories, valeurs, etiquettes = [], [], []
    for ligne in tableau.lignes:
        valeur = ligne[graphique.colonne_valeur]
        categories.append(_etiquette(ligne[0]))
        if graphique.en_pourcentage:
            valeurs.append(0.0 if valeur is None else float(valeur) * 100)
            etiquettes.append(pourcent(valeur))
        else:
            valeurs.append(0.0 if valeur is None else float(valeur))
            etiquettes.append("aucune donnée" if valeur is None else str(valeur))
    return categories, valeurs, etiquettes


def _barres(graphique: Graphique, tableau: Tableau) -> Drawing:
    categories, valeurs, etiquettes = _valeurs(graphique, tableau)
    hauteur = 40 + HAUTEUR_BARRE * max(1, len(categories)) + 30
    dessin = Drawing(LARGEUR, hauteur)
    barres = HorizontalBarChart()
    barres.x, barres.y = MARGE_GAUCHE, 30
    barres.width, barres.height = LARGEUR - MARGE_GAUCHE - 90, HAUTEUR_BARRE * max(1, len(categories))
    # The first row of the table at the top, as in the table beside the chart.
    barres.data = [list(reversed(valeurs)) or [0]]
    barres.categoryAxis.categoryNames = list(reversed(categories)) or [""]
    # Category labels written from the left edge, start-anchored: reportlab right-aligns axis labels with its own
    # font metrics, and a browser's wider font then runs them into the bars.
    barres.categoryAxis.visibleLabels = False
    rang = barres.height / max(1, len(categories))
    for index, categorie in enumerate(reversed(categories)):
        y = barres.y + (index + 0.5) * rang - TAILLE / 3
        dessin.add(String(10, y, categorie, fontName=POLICE, fontSize=TAILLE))
    _axe_des_valeurs(barres.valueAxis, valeurs, graphique.en_pourcentage)
    barres.bars[0].fillColor = GRIS
    barres.bars[0].strokeColor = colors.black
    barres.barLabelFormat = "values"
    barres.barLabelArray = [list(reversed(etiquettes)) or [""]]
    barres.barLabels.fontName = POLICE
    barres.barLabels.fontSize = TAILLE
    barres.barLabels.boxAnchor = "w"
    barres.barLabels.dx = 4
    dessin.add(barres)
    dessin.add(String(10, hauteur - 22, graphique.titre, fontName=POLICE + "-Bold", fontSize=TAILLE_TITRE))
    return dessin


def _courbe(graphique: Graphique, tableau: Tableau) -> Drawing:
    categories, valeurs, etiquettes = _valeurs(graphique, tableau)
    hauteur = 300
    dessin = Drawing(LARGEUR, hauteur)
    courbe = HorizontalLineChart()
    courbe.x, courbe.y = 60, 40
    courbe.width, courbe.height = LARGEUR - 100, hauteur - 100
    courbe.data = [valeurs]
    courbe.categoryAxis.categoryNames = categories
    courbe.categoryAxis.labels.fontName = POLICE
    courbe.categoryAxis.labels.fontSize = TAILLE
    _axe_des_valeurs(courbe.valueAxis, valeurs, graphique.en_pourcentage)
    courbe.lines[0].strokeColor = colors.black
    courbe.lines[0].strokeWidth = 2
    courbe.lines[0].symbol = makeMarker("FilledSquare", size=6)
    courbe.lineLabelFormat = "values"
    courbe.lineLabelArray = [etiquettes]
    courbe.lineLabels.fontName = POLICE
    courbe.lineLabels.fontSize = TAILLE
    courbe.lineLabels.dy = 10
    dessin.add(courbe)
    dessin.add(String(10, hauteur - 22, graphique.titre, fontName=POLICE + "-Bold", fontSize=TAILLE_TITRE))
    return dessin


DESSINS = {"barres": _barres, "courbe": _courbe}


def dessin(graphique: Graphique, tableau: Tableau) -> Drawing:
    """The reportlab drawing of ``graphique`` over ``tableau`` (for the SVG here, or a PDF later).

    :raise KeyError: an unknown kind of chart.
    """
    return DESSINS[graphique.type](graphique, tableau)


def svg(graphique: Graphique, tableau: Tableau) -> bytes:
    """The chart as an SVG document (UTF-8), titled with the chart's title and described by its summary."""
    texte = renderSVG.drawToString(dessin(graphique, tableau))
    texte = texte.replace("<title>...</title>", f"<title>{escape(graphique.titre)}</title>", 1)
    texte = texte.replace("<desc>...</desc>", f"<desc>{escape(graphique.resume)}</desc>", 1)
    return texte.encode("utf-8")
