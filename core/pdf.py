"""PDF base shared by the printed documents: fonts, styles, the A4 page template, rendering to bytes.

Pure: reportlab only, no Flask, no database. A document module (``ateliers/emargement_pdf.py``,
``evaluations/attestation_pdf.py``...) builds its flowables from plain data and hands them to ``render``,
which returns the PDF as bytes.

- Fonts: DejaVu Sans, regular and bold, vendored in ``static/fonts/`` (licence beside them) so the output
  does not depend on the fonts of the machine; reportlab embeds the subset of glyphs a document uses, and
  DejaVu has every French character (é è ê ë à â î ï ô û ù ü ÿ ç œ æ, their capitals, « » € ’ and the rest).
  They are registered once per process, on first use.
- Legibility: the readers are beginners, some with poor eyesight. No text below 12 pt, black on white,
  left aligned (justified text leaves uneven gaps that slow weak readers down), no italics.
- Reproducible: ``invariant=1`` on each document fixes the creation date and the file identifier, so the
  same input gives the same bytes (tests compare bytes; a frozen attestation can be printed again as it was).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, TableStyle

FONTS_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
FONT_REGULAR = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
_FONT_FILES = {FONT_REGULAR: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}

# The smallest text any document prints, header and footer included.
MIN_FONT_SIZE = 12
INK = colors.black
# Header rows of tables: light enough that black text on it keeps a contrast ratio above 15:1.
SHADE = colors.HexColor("#E6E6E6")
RULE_WIDTH = 0.8
CELL_PADDING_X = 2 * mm
CELL_PADDING_Y = 1.5 * mm

_register_lock = threading.Lock()
_registered = False


def register_fonts() -> None:
    """Register DejaVu Sans (regular and bold) with reportlab, once per process; later calls do nothing.

    The family is registered too, so ``<b>`` in a paragraph picks the bold face. Italic maps to the upright
    faces on purpose: the documents use none.

    :raise OSError: when a vendored font file is missing.
    """
    global _registered
    if _registered:
        return
    with _register_lock:
        if _registered:
            return
        for name, filename in _FONT_FILES.items():
            pdfmetrics.registerFont(TTFont(name, str(FONTS_DIR / filename)))
        pdfmetrics.registerFontFamily(
            FONT_REGULAR, normal=FONT_REGULAR, bold=FONT_BOLD, italic=FONT_REGULAR, boldItalic=FONT_BOLD
        )
        _registered = True


def stylesheet() -> StyleSheet1:
    """A fresh style sheet for a document, every style at least ``MIN_FONT_SIZE``.

    Styles: ``Normal`` (12 pt, the least any text gets), ``Body`` (14 pt, plain-language text), ``Large``
    (16 pt), ``Strong`` (12 pt bold), ``TableHeader`` (13 pt bold), ``Heading`` (16 pt bold), ``Title``
    (20 pt bold). A new sheet on each call, so a document may adjust its copy without touching another's.
    """
    register_fonts()
    sheet = StyleSheet1()
    sheet.add(
        ParagraphStyle(
            name="Normal",
            fontName=FONT_REGULAR,
            fontSize=MIN_FONT_SIZE,
            leading=16,
            textColor=INK,
            alignment=TA_LEFT,
            splitLongWords=False,
            allowWidows=0,
            allowOrphans=0,
        )
    )
    normal = sheet["Normal"]
    sheet.add(ParagraphStyle(name="Body", parent=normal, fontSize=14, leading=19))
    sheet.add(ParagraphStyle(name="Large", parent=normal, fontSize=16, leading=21))
    sheet.add(ParagraphStyle(name="Strong", parent=normal, fontName=FONT_BOLD))
    sheet.add(ParagraphStyle(name="TableHeader", parent=normal, fontName=FONT_BOLD, fontSize=13, leading=16))
    sheet.add(
        ParagraphStyle(
            name="Heading", parent=normal, fontName=FONT_BOLD, fontSize=16, leading=21, spaceBefore=8, spaceAfter=4
        )
    )
    sheet.add(ParagraphStyle(name="Title", parent=normal, fontName=FONT_BOLD, fontSize=20, leading=25, spaceAfter=6))
    return sheet


def text(value: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: ``&``, ``<`` and ``>`` are printed as such, never read as markup."""
    return Paragraph(escape(value), style)


def table_style(*commands: tuple, first_row: int = 0) -> TableStyle:
    """The house table style, plus ``commands``: black grid, 12 pt text at the top left of each cell, the
    row ``first_row`` (the column headings) bold on a light shade. Rows above ``first_row`` get neither grid
    nor shade: room for a title block that repeats with the headings on every page.
    """
    return TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT_REGULAR, MIN_FONT_SIZE),
            ("TEXTCOLOR", (0, 0), (-1, -1), INK),
            ("GRID", (0, first_row), (-1, -1), RULE_WIDTH, INK),
            ("BACKGROUND", (0, first_row), (-1, first_row), SHADE),
            ("FONT", (0, first_row), (-1, first_row), FONT_BOLD, MIN_FONT_SIZE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING_X),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING_X),
            ("TOPPADDING", (0, 0), (-1, -1), CELL_PADDING_Y),
            ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PADDING_Y),
            *commands,
        ]
    )


@dataclass(frozen=True)
class PageLayout:
    """Page size and margins, in points. The header sits in the top margin, the footer ("Page 1 sur 2", right
    aligned) half-way down the bottom one."""

    pagesize: tuple[float, float] = A4
    left: float = 18 * mm
    right: float = 18 * mm
    top: float = 20 * mm
    bottom: float = 16 * mm

    @property
    def frame_width(self) -> float:
        """Width available to the story."""
        return self.pagesize[0] - self.left - self.right

    @property
    def frame_height(self) -> float:
        """Height available to the story on each page."""
        return self.pagesize[1] - self.top - self.bottom


A4_PORTRAIT = PageLayout()


def render(
    story_builder: Callable[[PageLayout], Sequence[Flowable]],
    *,
    structure: str,
    title: str,
    layout: PageLayout = A4_PORTRAIT,
    author: str = "",
    subject: str = "",
) -> bytes:
    """The PDF of the story that ``story_builder(layout)`` returns, as bytes.

    Every page gets the header (``structure`` on the left, ``title`` on the right, a rule beneath) and the
    footer "Page 1 sur 2". The story is built by a callable rather than passed in because reportlab's
    flowables are single-use (a table that splits across pages is consumed by the build): each render
    builds its own, sized to ``layout.frame_width``. ``title``, ``author`` (default: ``structure``) and
    ``subject`` also go into the PDF's metadata, language ``fr-FR``. Same arguments, same bytes.
    """
    register_fonts()
    buffer = BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=layout.pagesize,
        leftMargin=layout.left,
        rightMargin=layout.right,
        topMargin=layout.top,
        bottomMargin=layout.bottom,
        title=title,
        author=author or structure,
        subject=subject,
        creator="Ateliers numériques",
        lang="fr-FR",
        # Without these the canvas starts in Helvetica, a font the PDF would then list but not embed.
        initialFontName=FONT_REGULAR,
        initialFontSize=MIN_FONT_SIZE,
        initialLeading=16,
        invariant=1,
    )
    frame = Frame(
        layout.left,
        layout.bottom,
        layout.frame_width,
        layout.frame_height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="contenu",
    )

    def draw_header(canvas: Canvas, _doc: BaseDocTemplate) -> None:
        _draw_header(canvas, layout, structure, title)

    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=draw_header, pagesize=layout.pagesize)])
    canvasmaker = functools.partial(
        _PageCountingCanvas, footer_at=(layout.pagesize[0] - layout.right, layout.bottom / 2)
    )
    doc.build(list(story_builder(layout)), canvasmaker=canvasmaker)
    return buffer.getvalue()


def _draw_header(canvas: Canvas, layout: PageLayout, structure: str, title: str) -> None:
    width, height = layout.pagesize
    baseline = height - layout.top + 7 * mm
    gap = 8 * mm
    left_text = _fit(structure, FONT_BOLD, layout.frame_width * 0.6)
    right_room = layout.frame_width - pdfmetrics.stringWidth(left_text, FONT_BOLD, MIN_FONT_SIZE) - gap
    right_text = _fit(title, FONT_REGULAR, right_room)
    canvas.saveState()
    canvas.setFillColor(INK)
    canvas.setStrokeColor(INK)
    canvas.setFont(FONT_BOLD, MIN_FONT_SIZE)
    canvas.drawString(layout.left, baseline, left_text)
    canvas.setFont(FONT_REGULAR, MIN_FONT_SIZE)
    canvas.drawRightString(width - layout.right, baseline, right_text)
    canvas.setLineWidth(RULE_WIDTH)
    canvas.line(layout.left, baseline - 2.5 * mm, width - layout.right, baseline - 2.5 * mm)
    canvas.restoreState()


def _fit(value: str, font: str, width: float) -> str:
    """``value``, cut and ended with an ellipsis if it is wider than ``width`` at the minimum size."""
    if pdfmetrics.stringWidth(value, font, MIN_FONT_SIZE) <= width:
        return value
    while value and pdfmetrics.stringWidth(value + "…", font, MIN_FONT_SIZE) > width:
        value = value[:-1]
    return value.rstrip() + "…" if value else ""


class _PageCountingCanvas(Canvas):
    """A canvas that holds every page until the end, to print "Page n sur N" once N is known.

    The usual reportlab recipe (pretix's invoices use it too): ``showPage`` keeps the page's state instead of
    writing it; ``save`` replays each page, adds its footer and writes it.
    """

    def __init__(self, *args, footer_at: tuple[float, float], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._footer_at = footer_at
        self._held_pages: list[dict] = []

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for state in self._held_pages:
            self.__dict__.update(state)
            self._draw_footer(total)
            super().showPage()
        super().save()

    def _draw_footer(self, total: int) -> None:
        self.saveState()
        self.setFillColor(INK)
        self.setFont(FONT_REGULAR, MIN_FONT_SIZE)
        self.drawRightString(*self._footer_at, f"Page {self._pageNumber} sur {total}")
        self.restoreState()
