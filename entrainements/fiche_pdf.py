"""The printable practice sheet (fiche d'entraînement) of one occurrence: who is booked and, for each, the skills
to practise with the exercise suggested for each skill.

Pure: plain data in, PDF bytes out; no Flask, no database (``core.pdf`` gives fonts, styles, page and bytes). The
route loads the occurrence and passes a :class:`FicheEntrainement`. One block per learner, never split across
pages. Each exercise prints its title and its address, and a QR code of the address (reportlab's own encoder,
no other library) so the person running the slot opens it from a phone or tablet without typing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from core.pdf import PageLayout, render, stylesheet, table_style, text
from core.timeutil import horaire_fr

TITRE = "Fiche d'entraînement"
TAILLE_QR = 24 * mm


@dataclass(frozen=True)
class CompetenceFiche:
    """A skill to practise: its code ("M2.3"), its wording, and its practice resource (title and http(s)
    address, each None when the curriculum gives none)."""

    code: str
    libelle: str
    ressource_titre: str | None = None
    ressource_url: str | None = None


@dataclass(frozen=True)
class ApprenantFiche:
    """A booked learner: the name as the person printing may see it (``core.text.name_seen_by``: "Josiane M."
    for a volunteer), the entraînement's rank and its skills, printed in the order given."""

    nom: str
    rang: int
    competences: Sequence[CompetenceFiche] = field(default_factory=tuple)


@dataclass(frozen=True)
class FicheEntrainement:
    """What one occurrence's sheet prints; ``debut`` and ``fin`` are the structure's wall-clock times (naive),
    printed as they are."""

    structure: str
    lieu: str
    debut: datetime
    fin: datetime
    apprenants: Sequence[ApprenantFiche] = ()


def fiche_entrainement(fiche: FicheEntrainement) -> bytes:
    """The PDF of ``fiche``: the session (day, times, place), then one block per learner. Same input, same
    bytes. A sheet with nobody booked says so rather than printing an empty page."""

    def story(layout: PageLayout) -> list[Flowable]:
        styles = stylesheet()
        flowables: list[Flowable] = [
            text(f"{TITRE} : {horaire_fr(fiche.debut, fiche.fin)}", styles["Title"]),
            text(f"Lieu : {fiche.lieu}", styles["Body"]),
            Spacer(1, 4 * mm),
        ]
        if not fiche.apprenants:
            flowables.append(text("Personne n'est réservé à cet entraînement.", styles["Body"]))
        for apprenant in fiche.apprenants:
            flowables.append(KeepTogether(_bloc(apprenant, layout, styles)))
        return flowables

    return render(story, structure=fiche.structure, title=TITRE, subject=horaire_fr(fiche.debut, fiche.fin))


def _bloc(apprenant: ApprenantFiche, layout: PageLayout, styles) -> list[Flowable]:
    """A learner's heading and the table of their skills, one row per skill: what to practise, and the exercise."""
    bloc: list[Flowable] = [text(f"{apprenant.nom} — entraînement {apprenant.rang}", styles["Heading"])]
    if not apprenant.competences:
        bloc.append(text("Pas de compétence particulière : revoir ce que la personne souhaite.", styles["Normal"]))
        return bloc
    largeur_texte = layout.frame_width - TAILLE_QR - 6 * mm
    lignes = []
    for competence in apprenant.competences:
        cellule = [text(f"{competence.code} — {competence.libelle}", styles["Strong"])]
        if competence.ressource_titre or competence.ressource_url:
            cellule.append(text(f"Exercice : {competence.ressource_titre or 'exercice en ligne'}", styles["Normal"]))
            if competence.ressource_url:
                cellule.append(text(competence.ressource_url, styles["Normal"]))
        else:
            cellule.append(text("Pas d'exercice proposé pour cette compétence.", styles["Normal"]))
        lignes.append([cellule, _qr(competence.ressource_url) if competence.ressource_url else ""])
    bloc.append(
        Table(
            lignes,
            colWidths=[largeur_texte, TAILLE_QR + 6 * mm],
            style=table_style(("BACKGROUND", (0, 0), (-1, -1), colors.white)),
        )
    )
    bloc.append(Spacer(1, 3 * mm))
    return bloc


def _qr(adresse: str) -> Drawing:
    """A QR code of ``adresse``, ``TAILLE_QR`` wide."""
    widget = QrCodeWidget(adresse)
    x0, y0, x1, y1 = widget.getBounds()
    dessin = Drawing(TAILLE_QR, TAILLE_QR, transform=[TAILLE_QR / (x1 - x0), 0, 0, TAILLE_QR / (y1 - y0), 0, 0])
    dessin.add(widget)
    return dessin
