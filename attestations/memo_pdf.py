"""The "Mon mémo" page of the end-of-course kit: a printable A4 page in large type, with boxes the learner fills
in by hand. Pure: a plain dict in, bytes out.

The app prints it blank of secrets: it knows and stores no learner's address, identifier or password for the
public-service sites; the page asks never to write a password on it (module 5, password rules). It gives the
structure's address and phone, for help.
"""

from __future__ import annotations

from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer, Table, TableStyle

from core.pdf import FONT_BOLD, FONT_REGULAR, INK, RULE_WIDTH, PageLayout, document, stylesheet, text

# The public-service sites the workshop's learners use most, and what each asks to sign in.
SITES = (
    ("CAF (caf.fr)", "Numéro d'allocataire"),
    ("Ameli (ameli.fr)", "Numéro de sécurité sociale"),
    ("Impôts (impots.gouv.fr)", "Numéro fiscal"),
    ("France Travail (francetravail.fr)", "Identifiant"),
    ("ANTS (ants.gouv.fr)", "Identifiant ou adresse électronique"),
)
MARGE = 15 * mm
PAGE = PageLayout(A4, left=MARGE, right=MARGE, top=MARGE, bottom=MARGE)
LARGEUR = PAGE.frame_width
HAUTEUR_CASE = 15 * mm


def render(memos: list[dict], *, titre: str = "Mon mémo") -> bytes:
    """One "Mon mémo" page per entry of ``memos``, in one PDF.

    :param memos: each ``{"prenom": str or "", "structure": {"nom", "adresse", "telephone"}}``: the first name
        printed in the title ("Mon mémo – Josiane"), nothing else of the learner.
    :return: the PDF bytes; the same arguments give the same bytes.
    """
    buffer = BytesIO()
    doc = document(
        buffer,
        PAGE,
        title=titre,
        subject="Mon mémo : adresse électronique et identifiants, à remplir à la main",
        template_id="memo",
        font_size=16,
        leading=21,
    )
    story: list[Flowable] = []
    for memo in memos:
        if story:
            story.append(PageBreak())
        story.extend(_page(memo))
    doc.build(story or [Spacer(1, 1)])
    return buffer.getvalue()


def _styles() -> dict[str, ParagraphStyle]:
    sheet = stylesheet()
    normal = sheet["Normal"]
    return {
        "titre": ParagraphStyle("MemoTitre", parent=normal, fontName=FONT_BOLD, fontSize=22, leading=28),
        "grand": ParagraphStyle("MemoGrand", parent=normal, fontSize=16, leading=21),
        "gras": ParagraphStyle("MemoGras", parent=normal, fontName=FONT_BOLD, fontSize=16, leading=21),
        "case": ParagraphStyle("MemoCase", parent=normal, fontSize=16, leading=21),
    }


def _case(libelle: str, styles) -> Table:
    """A label above an empty box to write in."""
    table = Table([[text(libelle, styles["case"])], [""]], colWidths=[LARGEUR], rowHeights=[None, HAUTEUR_CASE])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT_REGULAR, 16),
                ("BOX", (0, 1), (0, 1), RULE_WIDTH * 1.5, INK),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 1 * mm),
            ]
        )
    )
    return table


def _page(memo: dict) -> list[Flowable]:
    styles = _styles()
    structure = memo["structure"]
    prenom = memo.get("prenom") or ""
    story: list[Flowable] = [
        text(f"Mon mémo – {prenom}" if prenom else "Mon mémo", styles["titre"]),
        text("À remplir à la main et à garder chez moi, avec mes papiers.", styles["grand"]),
        text("Je n'écris jamais un mot de passe sur cette feuille.", styles["gras"]),
        Spacer(1, 4 * mm),
        _case("Mon adresse électronique", styles),
        Spacer(1, 3 * mm),
    ]
    for site, identifiant in SITES:
        story += [_case(f"{site} – {identifiant}", styles), Spacer(1, 2.5 * mm)]
    story.append(Spacer(1, 3 * mm))
    story.append(text(f"Besoin d'aide ? {structure['nom']}", styles["gras"]))
    for ligne in (structure.get("adresse"), structure.get("telephone")):
        if ligne:
            story.append(text(ligne, styles["grand"]))
    return story
