"""The attendance sheet: what each page says, how it looks once printed, how long lists flow."""

import html
import io
import re
import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.units import mm

from ateliers import emargement_pdf
from ateliers.emargement_pdf import FeuilleSeance, _hauteur_lignes, feuille_emargement
from core.pdf import A4_PORTRAIT, CELL_PADDING_X, FONT_FALLBACK
from core.timeutil import horaire_fr

APPRENANTS = ["Élodie Lefèvre", "François Nguyễn", "Jean-Noël Bœuf", "Zoé Dupont-Aïssa"]
DATE = "mardi 3 mars 2026, 9 h 00 – 12 h 00"


def make_feuille(**overrides):
    values = {
        "structure": "CCAS de Saint-Médard",
        "atelier": "Premiers pas avec l'ordinateur",
        "lieu": "Salle multimédia, 2 place de la République",
        "numero": 3,
        "module": "Naviguer sur Internet",
        "debut": datetime(2026, 3, 3, 9, 0),
        "fin": datetime(2026, 3, 3, 12, 0),
        "animateurs": ["Camille Martin", "Bernard Roux"],
        "apprenants": APPRENANTS,
    }
    return FeuilleSeance(**{**values, **overrides})


def page_texts(data):
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def learners(count):
    return [f"Apprenant{number:02d} Nom{number:02d}" for number in range(1, count + 1)]


def test_the_sheet_says_what_where_when_and_who():
    (page,) = page_texts(feuille_emargement([make_feuille()]))

    for expected in [
        "Feuille d'émargement",
        "CCAS de Saint-Médard",
        "Atelier : Premiers pas avec l'ordinateur",
        "Séance 3 : Naviguer sur Internet",
        DATE,
        "Lieu : Salle multimédia, 2 place de la République",
        "Nom",
        "Arrivée",
        "Départ",
        "Signature",
        "signature des animateurs",
        "Camille Martin",
        "Bernard Roux",
        "Page 1 sur 1",
        *APPRENANTS,
    ]:
        assert expected in page


def test_learners_are_printed_in_the_order_given():
    (page,) = page_texts(feuille_emargement([make_feuille()]))

    positions = [page.index(name) for name in APPRENANTS]
    assert positions == sorted(positions)


def test_names_are_printed_as_typed():
    (page,) = page_texts(feuille_emargement([make_feuille(apprenants=["Anne <Marie> & Co"], lieu="")]))

    assert "Anne <Marie> & Co" in page
    assert "Lieu" not in page


@pytest.mark.parametrize(
    ("debut", "fin", "expected"),
    [
        (datetime(2026, 3, 3, 9, 0), datetime(2026, 3, 3, 12, 0), DATE),
        (datetime(2026, 7, 7, 13, 30), datetime(2026, 7, 7, 16, 30), "mardi 7 juillet 2026, 13 h 30 – 16 h 30"),
        # aware datetimes are shown on their own wall clock: the structure's, never converted to Paris
        (
            datetime(2026, 7, 7, 9, 5, tzinfo=ZoneInfo("Indian/Reunion")),
            datetime(2026, 7, 7, 12, 5, tzinfo=ZoneInfo("Indian/Reunion")),
            "mardi 7 juillet 2026, 9 h 05 – 12 h 05",
        ),
        (datetime(2026, 5, 1, 14, 0), datetime(2026, 5, 1, 17, 0), "vendredi 1er mai 2026, 14 h 00 – 17 h 00"),
        (
            datetime(2026, 3, 3, 22, 0),
            datetime(2026, 3, 4, 1, 0),
            "mardi 3 mars 2026, 22 h 00 – mercredi 4 mars 2026, 1 h 00",
        ),
    ],
)
def test_time_of_the_seance_in_french(debut, fin, expected):
    assert horaire_fr(debut, fin) == expected


def test_first_page_renders_as_a_printed_a4_sheet(tmp_path):
    (tmp_path / "feuille.pdf").write_bytes(feuille_emargement([make_feuille()]))

    subprocess.run(["pdftoppm", "-r", "50", "-png", "feuille.pdf", "page"], cwd=tmp_path, check=True)

    (png,) = tmp_path.glob("page*.png")
    with Image.open(png) as image:
        width, height = image.size
        grey = image.convert("L")
        inked = sum(count for level, count in enumerate(grey.histogram()) if level < 200)
    assert height / width == pytest.approx(297 / 210, rel=0.01)
    # Text and table rules, on a page that stays mostly white.
    assert 0.02 < inked / (width * height) < 0.3


def test_a_long_list_flows_onto_a_second_page_that_repeats_the_header():
    names = learners(30)

    pages = page_texts(feuille_emargement([make_feuille(apprenants=names)]))

    assert len(pages) == 2
    for number, page in enumerate(pages, start=1):
        for expected in [
            "CCAS de Saint-Médard",
            "Feuille d'émargement",
            "Séance 3 : Naviguer sur Internet",
            DATE,
            "Nom",
            "Signature",
            f"Page {number} sur 2",
        ]:
            assert expected in page, (number, expected)
    both = "\n".join(pages)
    assert all(both.count(name) == 1 for name in names)
    assert "Apprenant01" in pages[0]
    assert "Apprenant30" in pages[1]
    assert "Camille Martin" in pages[1]


@pytest.mark.parametrize("count", [4, 12, 13, 24, 30, 31, 45])
def test_tall_rows_never_cost_a_page(count, monkeypatch):
    feuille = make_feuille(apprenants=learners(count))
    pages = len(page_texts(feuille_emargement([feuille])))

    monkeypatch.setattr(emargement_pdf, "HAUTEUR_MAX", emargement_pdf.HAUTEUR_MIN)

    assert len(page_texts(feuille_emargement([feuille]))) == pages


def test_a_group_of_four_gets_the_tallest_boxes_and_a_long_list_shorter_ones():
    place, heading, name = 200 * mm, 9 * mm, 8 * mm

    # four learners and two blank rows: 6 x 18 mm, plus the animateurs' block, fit on one page
    assert _hauteur_lignes([name] * 6, [name] * 2, place, heading) == pytest.approx(18 * mm)
    # thirty rows take two pages at the least; 12 mm rows would push the animateurs onto a third
    assert _hauteur_lignes([name] * 30, [name] * 2, place, heading) == pytest.approx(11.5 * mm)
    # a name on two lines makes its row taller, and the others shorter to keep the page count
    assert _hauteur_lignes([name] * 8, [name] * 2, place, heading) == pytest.approx(18 * mm)
    assert _hauteur_lignes([35 * mm] + [name] * 7, [name] * 2, place, heading) == pytest.approx(17 * mm)


def test_each_seance_of_the_workshop_gets_its_own_page():
    feuilles = [
        make_feuille(
            numero=numero,
            module=f"Module {numero}",
            debut=datetime(2026, 3, 2 + 7 * numero, 9),
            fin=datetime(2026, 3, 2 + 7 * numero, 12),
        )
        for numero in (1, 2, 3)
    ]

    pages = page_texts(feuille_emargement(feuilles))

    assert len(pages) == 3
    for numero, page in enumerate(pages, start=1):
        assert f"Séance {numero} : Module {numero}" in page
        assert f"Page {numero} sur 3" in page
    assert "lundi 9 mars 2026, 9 h 00 – 12 h 00" in pages[0]
    assert "lundi 23 mars 2026, 9 h 00 – 12 h 00" in pages[2]


def test_same_input_gives_the_same_bytes():
    assert feuille_emargement([make_feuille()]) == feuille_emargement([make_feuille()])


def test_nothing_to_print_or_two_structures_is_an_error():
    with pytest.raises(ValueError):
        feuille_emargement([])
    with pytest.raises(ValueError):
        feuille_emargement([make_feuille(), make_feuille(structure="France Services de Lunel")])


LONG_NAMES = [
    "Jean-Baptiste Dupont-de-la-Villemarqué",
    "Yasmine Abdelkader-Benmoussa",
    "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaf",  # 60 letters, not one break
    "Marie-Christine de La Tour d'Auvergne-Lauraguais Montmorency",  # 60 characters with spaces
]


def word_boxes(data, tmp_path):
    """Every word poppler finds on the first page: (text, x min, x max, y min), in points from the top left."""
    (tmp_path / "feuille.pdf").write_bytes(data)
    subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-bbox", "feuille.pdf", "mots.html"], cwd=tmp_path, check=True)
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
        (tmp_path / "mots.html").read_text(encoding="utf-8"),
    )
    return [(html.unescape(text), float(x0), float(x1), float(y0)) for x0, y0, x1, text in words]


def test_long_names_wrap_inside_the_name_column(tmp_path):
    data = feuille_emargement([make_feuille(apprenants=LONG_NAMES, animateurs=[LONG_NAMES[0]])])

    layout = A4_PORTRAIT
    left = layout.left + CELL_PADDING_X
    right = layout.left + emargement_pdf._COLONNES[0] * layout.frame_width - CELL_PADDING_X
    words = word_boxes(data, tmp_path)
    heading = next(y for text, _x0, _x1, y in words if text == "Arrivée")
    pieces = [(text, x0, x1) for text, x0, x1, y in words if y > heading and any(text in n for n in LONG_NAMES)]
    printed = "".join(text for text, _x0, _x1 in pieces)
    for full in LONG_NAMES:
        assert full.replace(" ", "") in printed  # every letter printed, in order
    assert len(pieces) > 2 * len(LONG_NAMES)  # they did wrap
    for text, x0, x1 in pieces:
        assert left - 0.5 <= x0 and x1 <= right + 0.5, (text, x0, x1, right)
    # At a hyphen or a space when there is one, as far along the line as fits; a word without one is cut.
    (page,) = page_texts(data)
    assert page.count("Jean-Baptiste Dupont-\nde-la-Villemarqué") == 2  # a learner, and an animateur
    assert "Yasmine Abdelkader-\nBenmoussa" in page


def test_a_chinese_name_is_printed_in_the_fallback_font():
    data = feuille_emargement([make_feuille(apprenants=["王秀英", "Élodie Lefèvre"])])

    (page,) = page_texts(data)
    assert "王秀英" in page
    assert "caractère impossible à imprimer" not in page
    fonts = {
        font.get_object()["/BaseFont"].split("+", 1)[1]
        for font in PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"].values()
    }
    assert fonts == {"DejaVuSans", "DejaVuSans-Bold", FONT_FALLBACK}
