"""The day's letters to learners as ONE PDF, laid out for French window envelopes. Pure: plain data in, PDF bytes
out (reportlab, the fonts and helpers of ``core.pdf``); no Flask, no database, no clock.

One A4 sheet per letter (more if its text is long), folded in three and slipped into a DL (110 x 220 mm) or C5/6
window envelope:

- the sender's block (the structure: name, address, phone) at the top left, hidden inside the envelope;
- the recipient's block in :data:`FENETRE`, the address zone of a letter for French window envelopes: 85 mm wide,
  33 mm high, 110 mm from the left edge and 55 mm from the top of the sheet (the position La Poste's window
  envelopes show; as given in edics.fr, "Rédiger vos adresses : les bonnes pratiques", after La Poste's "Guide
  pratique courrier"). A DL window (100 x 45 mm, 20 mm from the envelope's right edge and 15 mm from its bottom)
  shows that zone whatever the sheet's play in the envelope. Six lines at most, 12 pt (postal norm: 9 to 12 pt,
  no blank line), shrunk to 10 pt only when a long address would not fit otherwise;
- fold marks in the left margin, at a third and two thirds of the sheet (99 and 198 mm);
- the letter itself below the window, in large type: the title at 18 pt bold, the text at 14 pt (the words are
  already composed, ``entrainements.textes``: the day and hour in words, the place, what to bring, the number to
  call to cancel).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from core.pdf import FONT_BOLD, FONT_REGULAR, INK, font_runs, name_lines, register_fonts, stylesheet, text

LARGEUR, HAUTEUR = A4
MARGE = 20 * mm


@dataclass(frozen=True)
class Rectangle:
    """A rectangle on the page, in points from the bottom-left corner (PDF coordinates)."""

    x: float
    y: float
    largeur: float
    hauteur: float

    def contient(self, x: float, y: float) -> bool:
        return self.x <= x <= self.x + self.largeur and self.y <= y <= self.y + self.hauteur


# The address zone of the window (see the module's docstring): 110 mm from the left, 55 mm from the top.
FENETRE = Rectangle(x=110 * mm, y=HAUTEUR - 55 * mm - 33 * mm, largeur=85 * mm, hauteur=33 * mm)
# Kept clear inside the zone on each side (printers shift the page by a millimetre or so).
RETRAIT = 1 * mm
LIGNES_ADRESSE_MAX = 6
TAILLES_ADRESSE = (12, 11, 10)
# Where the letter's text starts: below the window zone, with a gap.
HAUT_DU_TEXTE = HAUTEUR - 100 * mm
PLIS = (HAUTEUR - 99 * mm, HAUTEUR - 198 * mm)


@dataclass(frozen=True)
class Courrier:
    """One letter.

    :param expediteur: the sender's lines (structure name first, then its address and phone).
    :param destinataire: the recipient's address lines ("Josiane LEFÈVRE", "12 rue des Lilas", "33000 Bordeaux").
    :param objet: the title; ``corps``: the plain text, lines separated by "\\n" (an empty line leaves a gap).
    :param annexes: PDF documents printed after the letter, in the same file (an attestation it covers).
    """

    expediteur: tuple[str, ...]
    destinataire: tuple[str, ...]
    objet: str
    corps: str
    annexes: tuple[bytes, ...] = ()


def courriers_pdf(courriers: Sequence[Courrier], *, titre: str = "Courriers", auteur: str = "") -> bytes:
    """The PDF of ``courriers``, each starting on a new sheet, in the order given, each followed by the pages of
    its ``annexes``. Same input, same bytes.

    :param titre: the PDF's title metadata; ``auteur``: its author (the structure).
    :raise ValueError: when ``courriers`` is empty (nothing to print).
    """
    if not courriers:
        raise ValueError("aucun courrier à imprimer")
    register_fonts()
    buffer = BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=A4,
        invariant=1,
        lang="fr-FR",
        initialFontName=FONT_REGULAR,
        initialFontSize=12,
        initialLeading=16,
    )
    canvas.setTitle(titre)
    canvas.setAuthor(auteur)
    canvas.setCreator("Ateliers numériques")
    styles = stylesheet()
    titre_style = ParagraphStyle("TitreCourrier", parent=styles["Title"], fontSize=18, leading=23, spaceAfter=0)
    corps_style = ParagraphStyle("CorpsCourrier", parent=styles["Body"], fontSize=14, leading=20)
    debuts = []
    for courrier in courriers:
        debuts.append(canvas.getPageNumber() - 1)
        _premiere_page(canvas, courrier)
        y = HAUT_DU_TEXTE
        y = _paragraphe(canvas, courrier.objet, titre_style, y) - 8 * mm
        for ligne in courrier.corps.split("\n"):
            if not ligne.strip():
                y -= corps_style.leading * 0.6
                continue
            paragraphe = text(ligne, corps_style)
            _largeur, hauteur = paragraphe.wrap(LARGEUR - 2 * MARGE, HAUTEUR)
            if y - hauteur < MARGE:
                canvas.showPage()
                y = HAUTEUR - MARGE
            y = _paragraphe(canvas, ligne, corps_style, y)
        canvas.showPage()
    canvas.save()
    if not any(courrier.annexes for courrier in courriers):
        return buffer.getvalue()
    return _avec_annexes(buffer.getvalue(), courriers, debuts)


def _avec_annexes(lettres: bytes, courriers: Sequence[Courrier], debuts: Sequence[int]) -> bytes:
    """``lettres`` (the letters' PDF, letter ``i`` starting at page index ``debuts[i]``) with each letter's annexes
    inserted after its pages; title, author and language kept."""
    from pypdf import PdfReader, PdfWriter  # only for letters that carry a document
    from pypdf.generic import NameObject, TextStringObject

    lu = PdfReader(BytesIO(lettres))
    writer = PdfWriter()
    fins = [*debuts[1:], len(lu.pages)]
    for courrier, debut, fin in zip(courriers, debuts, fins, strict=True):
        for index in range(debut, fin):
            writer.add_page(lu.pages[index])
        for annexe in courrier.annexes:
            for page in PdfReader(BytesIO(annexe)).pages:
                writer.add_page(page)
    writer.add_metadata({cle: valeur for cle, valeur in (lu.metadata or {}).items() if cle in ("/Title", "/Author")})
    writer.root_object[NameObject("/Lang")] = TextStringObject("fr-FR")
    sortie = BytesIO()
    writer.write(sortie)
    return sortie.getvalue()


def lignes_adresse(destinataire: Sequence[str]) -> tuple[list[str], int]:
    """The recipient's lines as printed in :data:`FENETRE`, and their size in points: each line wrapped to the
    zone's width less ``RETRAIT`` on each side, at the largest of ``TAILLES_ADRESSE`` giving
    ``LIGNES_ADRESSE_MAX`` lines at most (else the smallest size, every line kept)."""
    lignes: list[str] = []
    for taille in TAILLES_ADRESSE:
        lignes = [
            part
            for ligne in destinataire
            if ligne.strip()
            for part in name_lines(ligne, FENETRE.largeur - 2 * RETRAIT, FONT_REGULAR, taille)
        ]
        if len(lignes) <= LIGNES_ADRESSE_MAX:
            return lignes, taille
    return lignes, TAILLES_ADRESSE[-1]


def _premiere_page(canvas: Canvas, courrier: Courrier) -> None:
    canvas.setFillColor(INK)
    canvas.setStrokeColor(INK)
    y = HAUTEUR - 15 * mm - 12
    for index, ligne in enumerate(line for line in courrier.expediteur if line.strip()):
        police = FONT_BOLD if index == 0 else FONT_REGULAR
        for morceau in name_lines(ligne, 85 * mm, police, 12):
            _ecrire(canvas, MARGE, y, morceau, police, 12)
            y -= 15
    lignes, taille = lignes_adresse(courrier.destinataire)
    interligne = taille * 1.25
    y = FENETRE.y + FENETRE.hauteur - RETRAIT - taille
    for ligne in lignes:
        _ecrire(canvas, FENETRE.x + RETRAIT, y, ligne, FONT_REGULAR, taille)
        y -= interligne
    canvas.setLineWidth(0.5)
    for pli in PLIS:
        canvas.line(5 * mm, pli, 10 * mm, pli)


def _ecrire(canvas: Canvas, x: float, y: float, valeur: str, police: str, taille: float) -> None:
    """Draw ``valeur`` from ``(x, y)``, each run in a font that has its characters (``core.pdf.font_runs``)."""
    for face, morceau in font_runs(valeur, police):
        canvas.setFont(face, taille)
        canvas.drawString(x, y, morceau)
        x += pdfmetrics.stringWidth(morceau, face, taille)


def _paragraphe(canvas: Canvas, valeur: str, style: ParagraphStyle, y: float) -> float:
    """Draw ``valeur`` as a wrapped paragraph whose top is at ``y``; return the y below it."""
    paragraphe = text(valeur, style)
    _largeur, hauteur = paragraphe.wrap(LARGEUR - 2 * MARGE, HAUTEUR)
    paragraphe.drawOn(canvas, MARGE, y - hauteur)
    return y - hauteur
