"""The PDF base: fonts registered once and embedded, French text intact, header and footer, same bytes."""

import io
import os
import subprocess
import sys
import unicodedata
from pathlib import Path
from unittest import mock

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import PageBreak

from core import pdf
from core.pdf import FONT_BOLD, FONT_REGULAR, MIN_FONT_SIZE, register_fonts, render, stylesheet, text

FRENCH = "Élodie Lefèvre, François Ça, Cœur d'Œuvre, Æsop, 12 € ; « àâäéèêëîïôöùûüÿ ÀÂÄÉÈÊËÎÏÔÖÙÛÜŸ » ’ – …"
ROOT = Path(__file__).resolve().parents[2]


def story(*paragraphs, pages=1):
    """A story builder printing ``paragraphs`` in the body style, on ``pages`` pages."""

    def build(layout):
        styles = stylesheet()
        flowables = []
        for page in range(pages):
            if page:
                flowables.append(PageBreak())
            flowables += [text(paragraph, styles["Body"]) for paragraph in paragraphs]
        return flowables

    return build


def sample(*paragraphs, pages=1, structure="CCAS de Saint-Médard", title="Essai"):
    return render(story(*paragraphs, pages=pages), structure=structure, title=title)


def page_texts(data):
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_fonts_are_registered_once():
    register_fonts()
    regular, bold = pdfmetrics.getFont(FONT_REGULAR), pdfmetrics.getFont(FONT_BOLD)

    with mock.patch.object(pdf, "TTFont") as ttfont:
        register_fonts()
        sample("Encore une fois")

    ttfont.assert_not_called()
    assert pdfmetrics.getFont(FONT_REGULAR) is regular
    assert pdfmetrics.getFont(FONT_BOLD) is bold
    assert pdfmetrics.getFont(FONT_REGULAR).face.filename == str(ROOT / "static" / "fonts" / "DejaVuSans.ttf")


def test_same_input_gives_the_same_bytes():
    first = sample(FRENCH, pages=2)

    assert sample(FRENCH, pages=2) == first
    assert sample(FRENCH + ".", pages=2) != first


def test_same_bytes_in_another_process_with_another_hash_seed():
    script = (
        "import sys; from tests.unit.test_pdf import FRENCH, sample; sys.stdout.buffer.write(sample(FRENCH, pages=2))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}

    other = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, check=True).stdout

    assert other == sample(FRENCH, pages=2)


@pytest.mark.parametrize("fragment", ["Élodie Lefèvre", "ç", "Ça", "œ", "Œ", "Æ", "€", "«", "»", "ÿ", "Ÿ", "’"])
def test_french_characters_survive(fragment):
    (page,) = page_texts(sample(FRENCH))

    assert fragment in page


def test_text_is_printed_as_typed_not_read_as_markup():
    (page,) = page_texts(sample("Dupont & Fils <b>pas gras</b>"))

    assert "Dupont & Fils <b>pas gras</b>" in page


def test_only_the_vendored_fonts_are_used_and_they_are_embedded():
    reader = PdfReader(io.BytesIO(sample(FRENCH)))

    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font

    assert {name.split("+", 1)[1] for name in fonts} == {"DejaVuSans", "DejaVuSans-Bold"}
    for font in fonts.values():
        assert font["/Subtype"] == "/TrueType"
        assert "/FontFile2" in font["/FontDescriptor"]


def test_every_page_has_the_header_and_its_number_out_of_the_total():
    pages = page_texts(sample("Premier paragraphe", pages=3, structure="France Services de Lunel"))

    assert len(pages) == 3
    for number, page in enumerate(pages, start=1):
        assert "France Services de Lunel" in page
        assert "Essai" in page
        assert f"Page {number} sur 3" in page


def test_a4_pages_and_french_metadata():
    reader = PdfReader(io.BytesIO(sample("Bonjour", title="Feuille d'émargement")))

    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4)
    assert reader.metadata.title == "Feuille d'émargement"
    assert reader.metadata.author == "CCAS de Saint-Médard"
    assert reader.trailer["/Root"]["/Lang"] == "fr-FR"


def test_a_long_structure_name_is_shortened_in_the_header_not_printed_over_the_title():
    long_name = "Centre communal d'action sociale de la commune nouvelle de Saint-Médard-en-Jalles-sur-Garonne"

    (page,) = page_texts(sample("Texte", structure=long_name, title="Feuille d'émargement"))

    assert "Feuille d'émargement" in page
    assert "Centre communal d'action sociale" in page
    assert "…" in page


def test_styles_are_large_dark_left_aligned_and_in_the_vendored_fonts():
    sheet = stylesheet()

    for name in ("Normal", "Body", "Large", "Strong", "TableHeader", "Heading", "Title"):
        style = sheet[name]
        assert style.fontSize >= MIN_FONT_SIZE, name
        assert style.leading >= style.fontSize * 1.2, name
        assert style.fontName in (FONT_REGULAR, FONT_BOLD), name
        assert style.alignment == 0, name  # TA_LEFT
        assert style.textColor.rgb() == (0, 0, 0), name
    assert stylesheet() is not sheet  # each document may adjust its own copy


@pytest.mark.parametrize(
    ("value", "width", "lines"),
    [
        ("Jean-Baptiste Dupont-de-la-Villemarqué", 100, ["Jean-Baptiste", "Dupont-de-la-", "Villemarqué"]),
        ("Jean-Baptiste Dupont-de-la-Villemarqué", 60, ["Jean-", "Baptiste", "Dupont-", "de-la-", "Villemarq", "ué"]),
        ("Yasmine Abdelkader-Benmoussa", 100, ["Yasmine", "Abdelkader-", "Benmoussa"]),
        ("Yasmine Abdelkader-Benmoussa", 500, ["Yasmine Abdelkader-Benmoussa"]),
        ("Anne   Marie\tMartin", 500, ["Anne Marie Martin"]),
        ("王秀英", 20, ["王", "秀", "英"]),
        ("Élodie", 1, ["É", "l", "o", "d", "i", "e"]),  # narrower than one letter: one a line, nothing lost
    ],
)
def test_name_lines_break_at_spaces_and_hyphens_first_then_anywhere(value, width, lines):
    assert pdf.name_lines(value, width) == lines
    for line in lines:
        assert len(line) == 1 or pdf.text_width(line) <= width


def test_a_character_no_font_has_is_replaced_visibly_and_every_page_says_so():
    pages = page_texts(sample("Nom : Ahmose 𓀀", pages=2))

    for page in pages:
        assert "Ahmose \ufffd" in page
        assert "« \ufffd » : caractère impossible à imprimer, à écrire à la main." in page
    assert "caractère impossible" not in page_texts(sample("Nom : Ahmose"))[0]


def test_without_the_fallback_font_a_chinese_name_is_replaced_visibly_not_boxes(monkeypatch):
    register_fonts()
    monkeypatch.delitem(pdf._glyphs, pdf.FONT_FALLBACK)

    (page,) = page_texts(sample("王秀英 Wang"))

    assert "\ufffd\ufffd\ufffd Wang" in page
    assert "caractère impossible à imprimer" in page


def test_the_header_prints_a_chinese_structure_name_with_the_fallback_font():
    (page,) = page_texts(sample("Texte", structure="华人互助会"))

    assert "华人互助会" in page


def test_right_to_left_names_are_drawn_joined_in_display_order():
    # Drawn left to right: the last letter first, each in its joined form (Arabic presentation forms).
    ((police, dessine),) = pdf.font_runs("عبد الرحمن")
    assert police == pdf.FONT_REGULAR
    assert all("\ufe70" <= char <= "\ufeff" for char in dessine.replace(" ", ""))
    assert unicodedata.normalize("NFKC", dessine[::-1]) == "عبد الرحمن"
    assert pdf.font_runs("Josiane Martin") == [(pdf.FONT_REGULAR, "Josiane Martin")]


def test_a_text_printed_again_counts_its_replaced_characters_again_and_follows_the_fonts(monkeypatch):
    assert "caractère impossible" in page_texts(sample("Nom : Ahmose 𓀀"))[0]
    assert "caractère impossible" in page_texts(sample("Nom : Ahmose 𓀀"))[0]  # the second time, from the cache
    assert pdf.font_runs("王 Wang")[0] == (pdf.FONT_FALLBACK, "王")
    monkeypatch.delitem(pdf._glyphs, pdf.FONT_FALLBACK)
    assert pdf.font_runs("王 Wang") == [(FONT_REGULAR, "\ufffd Wang")]
