"""The printed copy of a learner's data, for the person (a request of access): plain French, large type.

Pure: a :class:`rgpd.export.Fiche` in, PDF bytes out; no Flask, no database (``core.pdf`` gives the fonts, the
styles, the A4 page and the bytes). Body text at 14 pt (``Body``), headings at 16 pt, like the other documents
given to learners. The route imports this module on first use (the scheduler never loads reportlab).
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from core.pdf import PageLayout, render, stylesheet, text
from rgpd.export import Fiche

TITRE = "Vos données personnelles"


def export_pdf(fiche: Fiche) -> bytes:
    """The PDF of ``fiche``: who and when, what the document is, then each section with its lines (or "Rien
    d'enregistré."), and how to ask for a correction or an erasure. Same input, same bytes."""

    def story(_layout: PageLayout) -> list[Flowable]:
        styles = stylesheet()
        flowables: list[Flowable] = [
            text(TITRE, styles["Title"]),
            text(f"{fiche.personne}, le {fiche.le}.", styles["Large"]),
            text(f"Structure : {fiche.structure}.", styles["Body"]),
            text(
                "Ce document rassemble tout ce que cette structure garde à votre sujet dans l'application des "
                "ateliers numériques.",
                styles["Body"],
            ),
            Spacer(1, 4 * mm),
        ]
        for section in fiche.sections:
            flowables.append(text(section.titre, styles["Heading"]))
            for ligne in section.lignes or (section.vide,):
                flowables.append(text(ligne, styles["Body"]))
        flowables += [
            Spacer(1, 4 * mm),
            text("Vos droits", styles["Heading"]),
            text(
                "Vous pouvez demander que ces informations soient corrigées ou effacées : adressez-vous à l'accueil "
                "de cette structure. Elle vous répond dans un délai d'un mois.",
                styles["Body"],
            ),
        ]
        return flowables

    return render(story, structure=fiche.structure, title=TITRE, subject=fiche.personne)
