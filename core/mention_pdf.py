"""The information notice (core.information.mention_information) as one A4 page in large type, for the mediator
to print and hand over at registration. Pure: plain data in, PDF bytes out (reportlab through core.pdf, loaded
only by the view that prints it)."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable

from core.information import Fiche, Section
from core.pdf import A4_PORTRAIT, MIN_FONT_SIZE, render, stylesheet, text

TITRE = "Vos informations personnelles"
# Large type for readers with poor eyesight (core.pdf's plain-language size): the body at 14 pt and the headings
# 2 pt larger, bold. Only when a structure's details are so long that the notice would spill onto a second page
# does the body step down, to 12 pt at the least.
BODY_SIZE = 14
BODY_SIZES = tuple(range(BODY_SIZE, MIN_FONT_SIZE - 1, -1))


def render_mention(fiche: Fiche, sections: Sequence[Section]) -> bytes:
    """The notice of ``fiche``'s structure (named in the page's header): its title, then each section's heading
    and paragraphs, in the largest body size from ``BODY_SIZES`` that holds on one page. Same input, same
    bytes."""
    layout = A4_PORTRAIT
    size = next(
        (size for size in BODY_SIZES if _height(_story(sections, size), layout.frame_width) <= layout.frame_height),
        BODY_SIZES[-1],
    )
    return render(
        lambda _layout: _story(sections, size), structure=fiche.nom, title="Mention d'information", subject=TITRE
    )


def _story(sections: Sequence[Section], size: int) -> list[Flowable]:
    styles = stylesheet()
    # Line spacing 1.25 (17.5 pt at 14 pt): room between the lines without pushing the notice past one page.
    body = ParagraphStyle("Mention", parent=styles["Body"], fontSize=size, leading=size * 1.25, spaceAfter=1)
    heading = ParagraphStyle(
        "MentionTitre", parent=styles["Heading"], fontSize=size + 2, leading=(size + 2) * 1.25, spaceBefore=4
    )
    flowables: list[Flowable] = [text(TITRE, styles["Title"])]
    for section in sections:
        flowables.append(text(section.titre, heading))
        flowables.extend(text(paragraphe, body) for paragraphe in section.paragraphes)
    return flowables


def _height(flowables: Sequence[Flowable], width: float) -> float:
    """Height in points the flowables take in a frame ``width`` wide (spacing included, a little margin for the
    frame's own padding)."""
    total = 0.0
    for flowable in flowables:
        _, height = flowable.wrap(width, 10_000)
        total += height + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total + 12
