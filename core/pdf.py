"""PDF base shared by the printed documents: fonts, styles, the A4 page template, rendering to bytes.

Pure: reportlab only, no Flask, no database. A document module (``ateliers/emargement_pdf.py``,
``attestations/attestation_pdf.py``...) builds its flowables from plain data and hands them to ``render``,
which returns the PDF as bytes.

- Fonts: DejaVu Sans, regular and bold, vendored in ``static/fonts/`` (licence beside them) so the output
  does not depend on the fonts of the machine; reportlab embeds the subset of glyphs a document uses, and
  DejaVu has every French character (é è ê ë à â î ï ô û ù ü ÿ ç œ æ, their capitals, « » € ’ and the rest).
  They are registered once per process, on first use.
- Characters DejaVu lacks (a Chinese, Japanese or Korean name: 王秀英) are printed in a fallback font, Droid Sans
  Fallback from the Debian package ``fonts-droid-fallback`` (``scripts/system-deps.sh``), embedded likewise.
  A character no font has, or any of them when the fallback is not installed, is printed as "�" and every page
  then says, at the bottom left, that a "�" stands for a character to write by hand: never an empty box
  without a word.
- Names wrap inside their cell whatever their length (``name``): at spaces and hyphens first, then anywhere.
- Legibility: the readers are beginners, some with poor eyesight. No text below 12 pt, black on white,
  left aligned (justified text leaves uneven gaps that slow weak readers down), no italics.
- Reproducible: ``invariant=1`` on each document fixes the creation date and the file identifier, so the
  same input gives the same bytes (tests compare bytes; a frozen attestation can be printed again as it was).
- Kept per process, as pure functions of their input: the embedded font subsets, compressed (``_EmbeddedFace``:
  the same glyphs give the same file) and the parsed markup of ``ParsedParagraph`` (the same text and style
  give the same fragments). A document's bytes do not depend on what was printed before it.
- Loaded on first use: the views and commands that print import their document module inside the function,
  so a process that never prints (the scheduler, ``bench/entrainements.py``'s memory budget) never loads
  reportlab, segno or Pillow (about 25 MB resident). ``tests/services/test_lazy_pdf.py`` holds it.
"""

from __future__ import annotations

import contextvars
import functools
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from io import BytesIO
from pathlib import Path

from arabic_reshaper import reshape
from bidi import get_display
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, TTFont, TTFontFace
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph, TableStyle
from reportlab.platypus.paragraph import cleanBlockQuotedText, textTransformFrags
from reportlab.platypus.paraparser import ParaParser

FONTS_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
FONT_REGULAR = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
_FONT_FILES = {FONT_REGULAR: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}
FONT_FALLBACK = "DroidSansFallback"
# Where Debian's fonts-droid-fallback puts the font; the first file present is used.
FALLBACK_FONT_FILES = (
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    Path("/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf"),
)
# Printed instead of a character no registered font can draw; DejaVu has it.
REPLACEMENT = "\ufffd"
UNPRINTABLE_NOTE = "« \ufffd » : caractère impossible à imprimer, à écrire à la main."

# Letters written right to left (Hebrew, Arabic and their presentation forms): a text holding one is put in
# the order and the joined letter forms it is read in before printing (reportlab draws characters left to right,
# each in its isolated form).
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")

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
# Code points each registered font can draw, filled by register_fonts.
_glyphs: dict[str, frozenset[int]] = {}
# While ``render`` builds a document: how many characters were replaced by REPLACEMENT.
_unprintable: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("unprintable", default=None)


def register_fonts() -> None:
    """Register DejaVu Sans (regular and bold) with reportlab, once per process; later calls do nothing.

    The family is registered too, so ``<b>`` in a paragraph picks the bold face. Italic maps to the upright
    faces on purpose: the documents use none. The fallback font (``FONT_FALLBACK``) is registered when one of
    ``FALLBACK_FONT_FILES`` exists; without it, characters DejaVu lacks print as ``REPLACEMENT``.

    :raise OSError: when a vendored font file is missing.
    """
    global _registered
    if _registered:
        return
    with _register_lock:
        if _registered:
            return
        fonts = {name: TTFont(name, str(FONTS_DIR / filename)) for name, filename in _FONT_FILES.items()}
        fallback = next((path for path in FALLBACK_FONT_FILES if path.is_file()), None)
        if fallback is not None:
            fonts[FONT_FALLBACK] = TTFont(FONT_FALLBACK, str(fallback))
        for name, font in fonts.items():
            font.face.__class__ = _EmbeddedFace  # the same face, its embedded subsets kept (see _EmbeddedFace)
            pdfmetrics.registerFont(font)
            _glyphs[name] = frozenset(font.face.charToGlyph)
        pdfmetrics.registerFontFamily(
            FONT_REGULAR, normal=FONT_REGULAR, bold=FONT_BOLD, italic=FONT_REGULAR, boldItalic=FONT_BOLD
        )
        if FONT_FALLBACK in fonts:  # one face: a bold paragraph's fallback runs print in it too
            pdfmetrics.registerFontFamily(
                FONT_FALLBACK, normal=FONT_FALLBACK, bold=FONT_FALLBACK, italic=FONT_FALLBACK, boldItalic=FONT_FALLBACK
            )
        _registered = True


class _EmbeddedFace(TTFontFace):
    """A TrueType face whose embedded subsets are kept for the process: a document embeds, for each font it
    uses, the subset of the glyphs it prints (the ASCII ones and the others in the order they first appear),
    and building that file and compressing it took a third of a one-page document's time. The same glyph list
    gives the same file, so a later document printing the same characters (the next attestation of the same
    structure) reuses it. The stream written is byte for byte reportlab's (``Length1``, ``Filter``, ``Length``
    in that order, the subset compressed by zlib at its default level), cached or not.
    """

    def addSubsetObjects(self, doc, fontname: str, subset: list[int]) -> pdfdoc.PDFObjectReference:
        """Reportlab's ``TTFontFace.addSubsetObjects``, the font file taken from :func:`_subset_file`."""
        if not doc.compression:
            return super().addSubsetObjects(doc, fontname, subset)
        length, packed = _subset_file(self, tuple(subset))
        font_file = pdfdoc.PDFStream(content=packed)
        font_file.dictionary["Length1"] = length
        # Already compressed: PDFStream applies no filter to a stream whose dictionary names one.
        font_file.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName(pdfdoc.PDFZCompress.pdfname)])
        font_file_ref = doc.Reference(font_file, f"fontFile:{self.filename}({fontname})")
        flags = (self.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC
        descriptor = pdfdoc.PDFDictionary(
            {
                "Type": "/FontDescriptor",
                "Ascent": self.ascent,
                "CapHeight": self.capHeight,
                "Descent": self.descent,
                "Flags": flags,
                "FontBBox": pdfdoc.PDFArray(self.bbox),
                "FontName": pdfdoc.PDFName(fontname),
                "ItalicAngle": self.italicAngle,
                "StemV": self.stemV,
                "FontFile2": font_file_ref,
                "MissingWidth": self.defaultWidth,
            }
        )
        return doc.Reference(descriptor, "fontDescriptor:" + fontname)


@functools.lru_cache(maxsize=64)
def _subset_file(face: TTFontFace, subset: tuple[int, ...]) -> tuple[int, bytes]:
    """The TrueType file of ``face`` holding the glyphs of ``subset`` (code points, in their order in the
    subset): its length and its bytes compressed as reportlab compresses a stream. 64 subsets of about 20 KB
    compressed at most."""
    raw = face.makeSubset(list(subset))
    return len(raw), pdfdoc.PDFZCompress.encode(raw)


def font_runs(value: str, font: str = FONT_REGULAR) -> list[tuple[str, str]]:
    """``value`` cut into ``(font name, text)`` runs that can all be drawn: ``font`` where it has the
    character, else the fallback font, else ``REPLACEMENT`` in ``font``.

    ``value`` is taken in its composed form (NFC: "é", not "e" and a combining accent); tabs and line breaks
    become spaces. A text with right-to-left letters (an Arabic name, "عبد الرحمن") is shaped (arabic-reshaper:
    each letter in its joined form) and put in display order (python-bidi, the Unicode bidirectional
    algorithm), so it reads as written. Each replacement is counted for the document being rendered (see
    ``render``).
    """
    register_fonts()
    runs, replaced = _font_runs(value, font, _glyphs[font], _glyphs.get(FONT_FALLBACK, frozenset()))
    if replaced:
        counter = _unprintable.get()
        if counter is not None:
            counter[0] += replaced
    return list(runs)


@functools.lru_cache(maxsize=16384)
def _font_runs(
    value: str, font: str, own: frozenset[int], fallback: frozenset[int]
) -> tuple[tuple[tuple[str, str], ...], int]:
    """:func:`font_runs` and how many characters were replaced, given the code points ``font`` and the fallback
    font have (part of the key: a frozenset's hash is computed once); kept for the process, as the same texts
    (skills, objectives, headings) recur on every page of a batch."""
    runs: list[tuple[str, str]] = []
    replaced = 0
    value = unicodedata.normalize("NFC", value)
    if _RIGHT_TO_LEFT.search(value):
        value = get_display(reshape(value))
    for char in value:
        if char in "\t\r\n":
            char = " "
        if ord(char) in own:
            face = font
        elif ord(char) in fallback:
            face = FONT_FALLBACK
        else:
            face, char = font, REPLACEMENT
            replaced += 1
        if runs and runs[-1][0] == face:
            runs[-1] = (face, runs[-1][1] + char)
        else:
            runs.append((face, char))
    return tuple(runs), replaced


def markup(value: str, font: str = FONT_REGULAR) -> str:
    """Paragraph markup printing ``value`` as plain text in a paragraph set in ``font``: ``&``, ``<`` and
    ``>`` escaped, characters ``font`` lacks in the fallback font or replaced (see ``font_runs``)."""
    return "".join(
        escape(part, quote=False) if face == font else f'<font face="{face}">{escape(part, quote=False)}</font>'
        for face, part in font_runs(value, font)
    )


def text_width(value: str, font: str = FONT_REGULAR, size: float = MIN_FONT_SIZE) -> float:
    """Width in points of ``value`` printed in ``font`` at ``size``, fallback runs included."""
    return sum(pdfmetrics.stringWidth(part, face, size) for face, part in font_runs(value, font))


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
            splitLongWords=True,
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
    """A paragraph of plain text: ``&``, ``<`` and ``>`` are printed as such, never read as markup; every
    character printed (see ``markup``); a word longer than the line is split."""
    return Paragraph(markup(value, style.fontName), style)


class ParsedParagraph(Paragraph):
    """A ``Paragraph`` whose markup is parsed once per process for the same text and style (see
    :func:`_parsed`): a page of attestation sets the same skills, objectives and headings as the last one, and
    parsing the markup (an HTML parser per paragraph) was a tenth of its time. The paragraph gets its own
    copies of the parsed fragments, so laying it out changes nothing another one uses; it is laid out and
    drawn exactly as a ``Paragraph`` of the same arguments.
    """

    def __init__(self, text: str, style: ParagraphStyle, bulletText: str | None = None) -> None:
        cleaned, parsed_style, frags, bullet_frags = _parsed(text, style)
        if bullet_frags:  # a <bullet> tag in the text: reportlab's own path
            super().__init__(text, style, bulletText)
            return
        super().__init__(cleaned, parsed_style, bulletText, frags=[frag.clone() for frag in frags])


@functools.lru_cache(maxsize=4096)
def _parsed(text: str, style: ParagraphStyle) -> tuple[str, ParagraphStyle, tuple, list | None]:
    """Reportlab's parse of paragraph markup ``text`` in ``style`` (``Paragraph._setup``): the cleaned text,
    the style the markup leaves, the fragments, the bullet's fragments. Styles are keyed by identity: the
    documents build theirs once (``attestation_pdf._styles``) and never change them afterwards."""
    cleaned = cleanBlockQuotedText(text)
    parser = ParaParser()
    parser.caseSensitive = 1
    parsed_style, frags, bullet_frags = parser.parse(cleaned, style)
    if frags is None:
        raise ValueError(f"xml parser error ({parser.errors[0]}) in paragraph beginning\n{cleaned[:30]!r}")
    textTransformFrags(frags, parsed_style)
    return cleaned, parsed_style, tuple(frags), bullet_frags


# Where a name may break: after a space or a hyphen ("Jean-" / "Baptiste", "Dupont-" / "de-" / "la-"...).
_NAME_PIECES = re.compile(r"[^\s\-\u2010]*[\-\u2010]|[^\s\-\u2010]+")


def name_lines(value: str, width: float, font: str = FONT_REGULAR, size: float = MIN_FONT_SIZE) -> list[str]:
    """``value`` broken into lines no wider than ``width`` points in ``font`` at ``size``.

    Breaks come at spaces and after hyphens first, as many pieces on a line as fit; a piece wider than a whole
    line is then cut anywhere (at least one character a line, so a column narrower than one letter still
    ends). Spaces are collapsed; nothing is dropped or added: joining the lines gives the name back.
    """
    lines: list[str] = []
    line = ""
    for word in " ".join(value.split()).split(" "):
        for index, piece in enumerate(_NAME_PIECES.findall(word)):
            joined = f"{line} {piece}" if line and index == 0 else line + piece
            if text_width(joined, font, size) <= width:
                line = joined
                continue
            if line:
                lines.append(line)
            line = piece
            while text_width(line, font, size) > width and len(line) > 1:
                cut = max(1, _fitting_prefix(line, width, font, size))
                lines.append(line[:cut])
                line = line[cut:]
    if line:
        lines.append(line)
    return lines


def _fitting_prefix(value: str, width: float, font: str, size: float) -> int:
    """The number of leading characters of ``value`` that fit in ``width``."""
    count, used = 0, 0.0
    for face, part in font_runs(value, font):
        for char in part:
            used += pdfmetrics.stringWidth(char, face, size)  # no kerning: a string is as wide as its letters
            if used > width:
                return count
            count += 1
    return count


class Name(Flowable):
    """A person's name (or any short label) that wraps inside the width it is given, whatever its length:
    lines from ``name_lines``, printed as one paragraph of ``style``. Meant for table cells; never split."""

    def __init__(self, value: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.value = value
        self.style = style
        self._paragraph: Paragraph | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        lines = name_lines(self.value, availWidth, self.style.fontName, self.style.fontSize)
        self._paragraph = ParsedParagraph("<br/>".join(markup(line, self.style.fontName) for line in lines), self.style)
        self.width, self.height = self._paragraph.wrap(availWidth, availHeight)
        return self.width, self.height

    def draw(self) -> None:
        self._paragraph.drawOn(self.canv, 0, 0)

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []

    def minWidth(self) -> float:
        return max((text_width(char, self.style.fontName, self.style.fontSize) for char in self.value), default=0)


def name(value: str, style: ParagraphStyle) -> Name:
    """A name that wraps inside its table cell (see ``Name``)."""
    return Name(value, style)


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


def document(
    buffer: BytesIO,
    layout: PageLayout,
    *,
    title: str,
    template_id: str = "page",
    font_size: float = MIN_FONT_SIZE,
    leading: float = 16,
    on_page: Callable[[Canvas, BaseDocTemplate], None] | None = None,
    on_page_end: Callable[[Canvas, BaseDocTemplate], None] | None = None,
    **metadata: str,
) -> BaseDocTemplate:
    """A document writing to ``buffer`` with one page template (``template_id``) whose single frame fills
    ``layout``'s margins, without padding; the fonts registered; ``title``, creator "Ateliers numériques",
    language fr-FR and ``metadata`` (``author``, ``subject``) in its metadata; ``invariant`` (same story, same
    bytes). The canvas starts in ``FONT_REGULAR`` at ``font_size``/``leading`` points: otherwise it starts in
    Helvetica, a font the PDF would then list but not embed.

    :param on_page: drawn on each page before its story (a header); ``on_page_end``: after it.
    """
    register_fonts()
    doc = BaseDocTemplate(
        buffer,
        pagesize=layout.pagesize,
        leftMargin=layout.left,
        rightMargin=layout.right,
        topMargin=layout.top,
        bottomMargin=layout.bottom,
        title=title,
        creator="Ateliers numériques",
        lang="fr-FR",
        initialFontName=FONT_REGULAR,
        initialFontSize=font_size,
        initialLeading=leading,
        invariant=1,
        **metadata,
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
    rappels = {"onPage": on_page} if on_page else {}
    if on_page_end:
        rappels["onPageEnd"] = on_page_end
    doc.addPageTemplates([PageTemplate(id=template_id, frames=[frame], pagesize=layout.pagesize, **rappels)])
    return doc


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
    ``subject`` also go into the PDF's metadata, language ``fr-FR``. Same arguments, same bytes. When a
    character could not be drawn and was printed as ``REPLACEMENT``, every page says so at the bottom left
    (``UNPRINTABLE_NOTE``).
    """
    buffer = BytesIO()

    def draw_header(canvas: Canvas, _doc: BaseDocTemplate) -> None:
        _draw_header(canvas, layout, structure, title)

    doc = document(buffer, layout, title=title, author=author or structure, subject=subject, on_page=draw_header)
    unprintable = [0]
    canvasmaker = functools.partial(
        _PageCountingCanvas,
        footer_at=(layout.pagesize[0] - layout.right, layout.bottom / 2),
        note_at=(layout.left, layout.bottom / 2),
        unprintable=unprintable,
    )
    token = _unprintable.set(unprintable)
    try:
        doc.build(list(story_builder(layout)), canvasmaker=canvasmaker)
    finally:
        _unprintable.reset(token)
    return buffer.getvalue()


def _draw_header(canvas: Canvas, layout: PageLayout, structure: str, title: str) -> None:
    width, height = layout.pagesize
    baseline = height - layout.top + 7 * mm
    gap = 8 * mm
    left_text = _fit(structure, FONT_BOLD, layout.frame_width * 0.6)
    right_room = layout.frame_width - text_width(left_text, FONT_BOLD) - gap
    right_text = _fit(title, FONT_REGULAR, right_room)
    canvas.saveState()
    canvas.setFillColor(INK)
    canvas.setStrokeColor(INK)
    _draw_runs(canvas, layout.left, baseline, left_text, FONT_BOLD)
    _draw_runs(canvas, width - layout.right - text_width(right_text), baseline, right_text, FONT_REGULAR)
    canvas.setLineWidth(RULE_WIDTH)
    canvas.line(layout.left, baseline - 2.5 * mm, width - layout.right, baseline - 2.5 * mm)
    canvas.restoreState()


def _fit(value: str, font: str, width: float) -> str:
    """``value``, cut and ended with an ellipsis if it is wider than ``width`` at the minimum size."""
    if text_width(value, font) <= width:
        return value
    while value and text_width(value + "…", font) > width:
        value = value[:-1]
    return value.rstrip() + "…" if value else ""


def _draw_runs(canvas: Canvas, x: float, y: float, value: str, font: str) -> None:
    """Draw ``value`` from ``(x, y)`` at the minimum size, each run in a font that has its characters."""
    for face, part in font_runs(value, font):
        canvas.setFont(face, MIN_FONT_SIZE)
        canvas.drawString(x, y, part)
        x += pdfmetrics.stringWidth(part, face, MIN_FONT_SIZE)


class _PageCountingCanvas(Canvas):
    """A canvas that holds every page until the end, to print "Page n sur N" once N is known.

    The usual reportlab recipe (pretix's invoices use it too): ``showPage`` keeps the page's state instead of
    writing it; ``save`` replays each page, adds its footer and writes it.
    """

    def __init__(
        self, *args, footer_at: tuple[float, float], note_at: tuple[float, float], unprintable: list[int], **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self._footer_at = footer_at
        self._note_at = note_at
        self._unprintable = unprintable
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
        if self._unprintable[0]:
            self.drawString(*self._note_at, UNPRINTABLE_NOTE)
        self.restoreState()
