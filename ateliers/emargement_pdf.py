"""The printable attendance sheet (feuille d'émargement) of a séance: learners sign in tall boxes.

Pure: plain data in, PDF bytes out; no Flask, no database. The route or command that prints it loads the
séances and passes ``FeuilleSeance`` values.

One page per séance, not a grid of séances x learners. The sheet is what the mediator puts on the table at
the start of the séance: it carries that séance's date, so it stands on its own as the proof of attendance
that funders ask for; a grid would shrink each signature box to a few millimetres (learners are beginners,
some with poor eyesight or an unsteady hand), and would show everyone the absences of earlier séances.
The whole workshop is printed at once by passing all its séances: one sheet each, each on a new page.

Each sheet repeats its title block (séance, module, date, place) and the column headings on every page, so
a second page of a long list is never anonymous. Rows are as tall as possible (up to 18 mm) without adding
a page: a group of four gets 18 mm boxes, a list of thirty still fits on two pages with 12 mm ones. Two
blank rows take a learner who was not on the list (a replacement from the waiting list); the animateurs
sign at the bottom, in a block that is never split from its heading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.styles import StyleSheet1
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Table, TableStyle

from core.pdf import (
    CELL_PADDING_X,
    CELL_PADDING_Y,
    SHADE,
    Name,
    PageLayout,
    name,
    render,
    stylesheet,
    table_style,
    text,
)
from core.timeutil import horaire_fr

TITRE = "Feuille d'émargement"
LIGNES_LIBRES = 2
# Learner and animateur rows: as tall as the page count allows, within these bounds.
HAUTEUR_MAX = 18 * mm
HAUTEUR_MIN = 11 * mm
_PAS = 0.5 * mm
_SPAN_LIGNE_0 = ("SPAN", (0, 0), (-1, 0))
# Column widths as shares of the frame: Nom, Arrivée, Départ, Signature.
_COLONNES = (0.34, 0.14, 0.14, 0.38)


@dataclass(frozen=True)
class FeuilleSeance:
    """What one séance's sheet prints.

    ``debut`` and ``fin`` are the structure's wall-clock times (naive, or aware in its zone: printed as they
    are, never converted). ``apprenants`` are names as the person printing may see them
    (``core.text.name_seen_by``: "Josiane M." for a volunteer), printed in the order given (the caller sorts
    them); ``animateurs`` are full names.
    """

    structure: str
    atelier: str
    lieu: str
    numero: int
    module: str
    debut: datetime
    fin: datetime
    animateurs: Sequence[str] = ()
    apprenants: Sequence[str] = ()


def feuille_emargement(feuilles: Sequence[FeuilleSeance], *, lignes_libres: int = LIGNES_LIBRES) -> bytes:
    """The PDF of the attendance sheets of ``feuilles``, each séance starting on a new page.

    ``lignes_libres`` blank rows follow the learners of each sheet. Same input, same bytes.

    :raise ValueError: when ``feuilles`` is empty or mixes structures (the page header names one).
    """
    if not feuilles:
        raise ValueError("Aucune séance à imprimer.")
    structures = {feuille.structure for feuille in feuilles}
    if len(structures) > 1:
        raise ValueError("Les séances d'une même feuille d'émargement doivent être de la même structure.")
    ateliers = list(dict.fromkeys(feuille.atelier for feuille in feuilles))
    subject = " ; ".join(ateliers)

    def story(layout: PageLayout) -> list[Flowable]:
        styles = stylesheet()
        flowables: list[Flowable] = []
        for index, feuille in enumerate(feuilles):
            if index:
                flowables.append(PageBreak())
            flowables.append(_tableau(feuille, lignes_libres, layout, styles))
        return flowables

    return render(story, structure=feuilles[0].structure, title=TITRE, subject=subject)


def _tableau(feuille: FeuilleSeance, lignes_libres: int, layout: PageLayout, styles: StyleSheet1) -> Table:
    """One table per séance: rows 0-1 (title block, column headings) repeat on every page it spans."""
    largeurs = [share * layout.frame_width for share in _COLONNES]
    entete = _entete(feuille, styles)
    hauteur_entete = Table(entete, colWidths=largeurs, style=_style_entete()).wrap(
        layout.frame_width, layout.frame_height
    )[1]
    sous_titre = [text("Animation de la séance : signature des animateurs", styles["TableHeader"]), "", "", ""]
    hauteur_sous_titre = Table([sous_titre], colWidths=largeurs, style=table_style(_SPAN_LIGNE_0)).wrap(
        layout.frame_width, layout.frame_height
    )[1]
    # Names wrap inside the name column, however long (core.pdf.name).
    apprenants = [[name(nom, styles["Body"]), "", "", ""] for nom in feuille.apprenants]
    apprenants += [["", "", "", ""] for _ in range(lignes_libres)]
    animateurs = [[name(nom, styles["Body"]), "", "", ""] for nom in feuille.animateurs] or [["", "", "", ""]]
    hauteur = _hauteur_lignes(
        [_hauteur_naturelle(ligne[0], largeurs[0]) for ligne in apprenants],
        [_hauteur_naturelle(ligne[0], largeurs[0]) for ligne in animateurs],
        place=layout.frame_height - hauteur_entete,
        bloc_fixe=hauteur_sous_titre,
    )

    debut_apprenants = len(entete)
    ligne_sous_titre = debut_apprenants + len(apprenants)
    derniere = ligne_sous_titre + len(animateurs)
    commandes = [
        ("VALIGN", (0, debut_apprenants), (-1, -1), "MIDDLE"),
        ("SPAN", (0, ligne_sous_titre), (-1, ligne_sous_titre)),
        ("BACKGROUND", (0, ligne_sous_titre), (-1, ligne_sous_titre), SHADE),
        # The animateurs' heading and boxes move to the next page together rather than split.
        ("NOSPLIT", (0, ligne_sous_titre), (-1, derniere)),
    ]
    # An animateur signs once, in one wide box across the time columns and the signature column.
    commandes += [("SPAN", (1, row), (-1, row)) for row in range(ligne_sous_titre + 1, derniere + 1)]
    hauteurs = [0] * debut_apprenants + [hauteur] * len(apprenants) + [0] + [hauteur] * len(animateurs)
    return Table(
        [*entete, *apprenants, sous_titre, *animateurs],
        colWidths=largeurs,
        style=_style_entete(*commandes),
        repeatRows=debut_apprenants,
        minRowHeights=hauteurs,
    )


def _entete(feuille: FeuilleSeance, styles: StyleSheet1) -> list[list]:
    bloc: list[Flowable] = [
        text(TITRE, styles["Title"]),
        text(f"Atelier : {feuille.atelier}", styles["Body"]),
        text(f"Séance {feuille.numero} : {feuille.module}", styles["Heading"]),
        text(horaire_fr(feuille.debut, feuille.fin), styles["Body"]),
    ]
    if feuille.lieu:
        bloc.append(text(f"Lieu : {feuille.lieu}", styles["Body"]))
    colonnes = [text(label, styles["TableHeader"]) for label in ("Nom", "Arrivée", "Départ", "Signature")]
    return [[bloc, "", "", ""], colonnes]


def _style_entete(*commandes: tuple) -> TableStyle:
    """Row 0, the title block, is one cell across the table, without grid; row 1 holds the column headings."""
    return table_style(
        _SPAN_LIGNE_0,
        ("LEFTPADDING", (0, 0), (-1, 0), 0),
        ("TOPPADDING", (0, 0), (-1, 0), 0),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 4 * mm),
        *commandes,
        first_row=1,
    )


def _hauteur_naturelle(nom: Name | str, largeur: float) -> float:
    """The height a row needs for the name in its first cell (a long name wraps), padding included."""
    if not nom:
        return 0.0
    return nom.wrap(largeur - 2 * CELL_PADDING_X, 1_000_000)[1] + 2 * CELL_PADDING_Y


def _hauteur_lignes(apprenants: list[float], animateurs: list[float], place: float, bloc_fixe: float) -> float:
    """The tallest row height, from ``HAUTEUR_MAX`` down, that needs no more pages than ``HAUTEUR_MIN`` does.

    ``apprenants`` and ``animateurs`` are the heights their rows need at least; ``place`` is the height left
    on each page under the repeated rows; the animateurs' block (``bloc_fixe``, their heading, plus their
    rows) must fit whole after the last learner. Rows fill pages in order, as reportlab splits the table.
    """

    def pages(hauteur: float) -> int:
        nombre, libre = 1, place
        for naturelle in apprenants:
            ligne = max(naturelle, hauteur)
            if ligne > libre:
                nombre, libre = nombre + 1, place
            libre -= ligne
        bloc = bloc_fixe + sum(max(naturelle, hauteur) for naturelle in animateurs)
        return nombre + (bloc > libre)

    minimum = pages(HAUTEUR_MIN)
    hauteur = HAUTEUR_MAX
    while hauteur > HAUTEUR_MIN and pages(hauteur) > minimum:
        hauteur -= _PAS
    return max(hauteur, HAUTEUR_MIN)
