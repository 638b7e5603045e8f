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

from xml.sax.saxutils import escape

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors

from pilotage.tableau_de_bord import Graphique, pourcent
from pilotage.tableaux import Tableau

LARGEUR = 640
MARGE_GAUCHE = 250
HAUTEUR_BARRE = 26
GRIS = colors.Color(0.6, 0.6, 0.6)
POLICE = "Helvetica"
LONGUEUR_ETIQUETTE = 40


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
    barres.categoryAxis.labels.fontName = POLICE
    barres.categoryAxis.labels.fontSize = 10
    barres.categoryAxis.labels.boxAnchor = "e"
    barres.categoryAxis.labels.dx = -4
    barres.valueAxis.valueMin = 0
    barres.valueAxis.valueMax = 100 if graphique.en_pourcentage else max([*valeurs, 1]) * 1.15
    barres.valueAxis.labels.fontName = POLICE
    barres.valueAxis.labels.fontSize = 9
    barres.valueAxis.visibleGrid = False
    barres.bars[0].fillColor = GRIS
    barres.bars[0].strokeColor = colors.black
    barres.barLabelFormat = "values"
    barres.barLabelArray = [list(reversed(etiquettes)) or [""]]
    barres.barLabels.fontName = POLICE
    barres.barLabels.fontSize = 10
    barres.barLabels.boxAnchor = "w"
    barres.barLabels.dx = 4
    dessin.add(barres)
    dessin.add(String(10, hauteur - 22, graphique.titre, fontName=POLICE + "-Bold", fontSize=13))
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
    courbe.categoryAxis.labels.fontSize = 10
    courbe.valueAxis.valueMin = 0
    courbe.valueAxis.valueMax = 100 if graphique.en_pourcentage else max([*valeurs, 1]) * 1.15
    courbe.valueAxis.labels.fontName = POLICE
    courbe.valueAxis.labels.fontSize = 9
    if graphique.en_pourcentage:
        courbe.valueAxis.labelTextFormat = "%d\u202f%%"
    courbe.lines[0].strokeColor = colors.black
    courbe.lines[0].strokeWidth = 2
    courbe.lines[0].symbol = makeMarker("FilledSquare", size=6)
    courbe.lineLabelFormat = "values"
    courbe.lineLabelArray = [etiquettes]
    courbe.lineLabels.fontName = POLICE
    courbe.lineLabels.fontSize = 10
    courbe.lineLabels.dy = 10
    dessin.add(courbe)
    dessin.add(String(10, hauteur - 22, graphique.titre, fontName=POLICE + "-Bold", fontSize=13))
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
