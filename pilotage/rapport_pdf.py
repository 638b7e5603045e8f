"""The annual report for funders (issue 12, item 4): the structure (or the network), the period, then each
section of the dashboard in plain French: a sentence that says what the figures show, the key figures, each
chart (the same drawing as the page's SVG) and its table with its definition.

Pure: the dashboard's sections in, PDF bytes out (reportlab through ``core.pdf``); nothing of Flask or the
database. The route imports this module on first use (``core/pdf.py``: the scheduler never loads reportlab).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from reportlab.graphics.shapes import Drawing, Group
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from core.pdf import FONT_BOLD, PageLayout, render, stylesheet, table_style, text, text_width
from core.timeutil import date_fr
from pilotage.graphiques import dessin
from pilotage.tableau_de_bord import Chiffre, Section, cellule_fr, pourcent, valeur_fr
from pilotage.tableaux import Tableau

TITRE = "Rapport d'activité"
AUCUNE_DONNEE = "aucune donnée"
CHIFFRES_DU_RESUME = 3
MARGE_CELLULE = 14  # points: the table style's left and right padding, and a little air


@dataclass(frozen=True)
class Rapport:
    """The whole report: who (``structure``: its name), when (``periode``, in words: "année 2026"), made on
    ``le`` (the structure's day), and the dashboard's sections in page order
    (``pilotage.tableau_de_bord.sections``). ``reseau`` names the network for a coordination's report, and
    ``par_structure`` may give, by section ``cle``, a table printed after that section's key figures (the
    network's report: the figures of each structure side by side, ``pilotage.reseau.tableaux_du_rapport``)."""

    structure: str
    periode: str
    le: date
    sections: Sequence[Section] = field(default_factory=tuple)
    reseau: str = ""
    par_structure: Mapping[str, Tableau] = field(default_factory=dict)


def chiffre_fr(chiffre: Chiffre) -> str:
    """A key figure in words: ``"Abandons : 10 (25 %)"``; without data, ``"Abandons : aucune donnée"``."""
    return f"{chiffre.libelle} : {valeur_fr(chiffre)}"


def resume(section: Section) -> str:
    """What the section shows, in plain French: its charts' sentences, else its first key figures."""
    phrases = [graphique.resume for graphique in section.graphiques if graphique.resume]
    if phrases:
        return " ".join(phrases)
    if not section.chiffres:
        return f"{AUCUNE_DONNEE.capitalize()} sur la période."
    return "; ".join(chiffre_fr(c) for c in section.chiffres[:CHIFFRES_DU_RESUME]) + "."


def rapport_annuel(rapport: Rapport) -> bytes:
    """The report as PDF bytes (A4 portrait, text 12 pt and up, black on white, title and language in the
    metadata; the page's charts scaled to the frame, their table beside them); the same input gives the same
    bytes.

    A table without rows says "aucune donnée" rather than printing an empty grid.
    """
    titre = f"{TITRE} – {rapport.periode}"

    def story(layout: PageLayout) -> list[Flowable]:
        styles = stylesheet()
        qui = f"Réseau {rapport.reseau} ({rapport.structure})" if rapport.reseau else rapport.structure
        flowables: list[Flowable] = [
            text(f"{TITRE} – {rapport.periode}", styles["Title"]),
            text(qui, styles["Large"]),
            text(f"Établi le {date_fr(rapport.le)}.", styles["Body"]),
            Spacer(1, 6 * mm),
        ]
        for section in rapport.sections:
            flowables.extend(_section(section, layout, styles, rapport.par_structure.get(section.cle)))
        return flowables

    return render(story, structure=rapport.structure, title=titre, subject=f"{TITRE}, {rapport.periode}")


def _section(section: Section, layout: PageLayout, styles, par_structure: Tableau | None = None) -> list[Flowable]:
    entete = [text(section.titre, styles["Heading"]), text(resume(section), styles["Body"])]
    corps: list[Flowable] = []
    if section.chiffres:
        corps.extend(_chiffres(section, layout, styles))
    if par_structure is not None:
        corps.extend(_tableau(par_structure, layout, styles))
    graphiques = {graphique.nom: graphique for graphique in section.graphiques}
    for tableau in section.tableaux:
        if tableau.nom in graphiques and tableau.lignes:
            corps.extend([Spacer(1, 3 * mm), _a_la_largeur(dessin(graphiques[tableau.nom], tableau), layout)])
        corps.extend(_tableau(tableau, layout, styles))
    # The heading stays with what follows it: never alone at the bottom of a page.
    return [KeepTogether([*entete, *corps[:1]]), *corps[1:], Spacer(1, 4 * mm)]


def _chiffres(section: Section, layout: PageLayout, styles) -> list[Flowable]:
    """The key figures as a table (indicator, count, rate), then each one's definition in a sentence."""
    complet = section.tableau_des_chiffres()
    # the share written as on the page; a figure that is not a share of anything gets an empty "Part"
    sans_definition = Tableau.de(
        complet.nom,
        complet.titre,
        complet.colonnes[:-1],
        [
            (*ligne[:-2], pourcent(chiffre.part) if chiffre.a_une_part else "")
            for ligne, chiffre in zip(complet.lignes, section.chiffres, strict=True)
        ],
    )
    definitions = [text(f"{c.libelle} : {c.definition}", styles["Normal"]) for c in section.chiffres]
    return [*_tableau(sans_definition, layout, styles), Spacer(1, 1 * mm), *definitions]


def _a_la_largeur(drawing: Drawing, layout: PageLayout) -> Drawing:
    """The page's chart (drawn 640 units wide for the screen) scaled to the frame's width."""
    echelle = min(1.0, layout.frame_width / drawing.width)
    groupe = Group(*drawing.contents)
    groupe.scale(echelle, echelle)
    resultat = Drawing(drawing.width * echelle, drawing.height * echelle)
    resultat.add(groupe)
    return resultat


def _largeurs(tableau: Tableau, largeur: float) -> list[float]:
    """Column widths: each column as wide as its widest cell on one line (header in bold included, plus the
    cell padding) when that leaves room; otherwise the columns narrower than an equal share keep their width
    and the wider ones (labels, definitions) share the rest in proportion, wrapping their words."""
    naturelles = [
        max(
            [
                text_width(titre, FONT_BOLD, 13),
                *(text_width(cellule_fr(ligne[i], i in tableau.pourcentages)) for ligne in tableau.lignes),
                text_width(AUCUNE_DONNEE),
            ]
        )
        + MARGE_CELLULE
        for i, titre in enumerate(tableau.colonnes)
    ]
    if sum(naturelles) <= largeur:
        return [*naturelles[:-1], largeur - sum(naturelles[:-1])]
    part = largeur / len(naturelles)
    etroites = sum(n for n in naturelles if n <= part)
    larges = sum(n for n in naturelles if n > part)
    return [
        n if n <= part else max(mots, (largeur - etroites) * n / larges)
        for n, mots in zip(naturelles, _mots(tableau), strict=True)
    ]


def _mots(tableau: Tableau) -> list[float]:
    """Each column's longest word (what a cell cannot wrap), header included, with the cell padding."""

    def plus_long(textes) -> float:
        return max((text_width(mot) for texte in textes for mot in texte.split()), default=0.0)

    return [
        plus_long([titre, *(cellule_fr(ligne[i]) for ligne in tableau.lignes)]) + MARGE_CELLULE
        for i, titre in enumerate(tableau.colonnes)
    ]


def _tableau(tableau: Tableau, layout: PageLayout, styles) -> list[Flowable]:
    lignes = [
        [text(titre, styles["TableHeader"]) for titre in tableau.colonnes],
        *(
            [text(cellule_fr(valeur, i in tableau.pourcentages), styles["Normal"]) for i, valeur in enumerate(ligne)]
            for ligne in tableau.lignes
        ),
    ]
    if not tableau.lignes:
        lignes.append([text(AUCUNE_DONNEE, styles["Normal"]), *([""] * (len(tableau.colonnes) - 1))])
    table = Table(
        lignes,
        colWidths=_largeurs(tableau, layout.frame_width),
        repeatRows=1,
        style=table_style(),
        hAlign="LEFT",
    )
    resultat: list[Flowable] = [Spacer(1, 2 * mm), text(tableau.titre, styles["Strong"]), Spacer(1, 1 * mm), table]
    if tableau.definition:
        resultat.append(text(f"Définition : {tableau.definition}", styles["Normal"]))
    return resultat
