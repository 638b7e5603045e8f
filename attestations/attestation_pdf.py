"""The attestation PDF: a snapshot in, bytes out. Pure: reportlab and segno only, nothing of Flask or the
database (DESIGN.md section 3).

One A4 page per attestation, whatever the snapshot holds (a 45-character hyphenated surname, Vietnamese or
Arabic names, the 25 skills of the curriculum): the layout is tried at the largest type sizes first and
tightened step by step down to 12 pt (:data:`NIVEAUX`), never below. Sans-serif (DejaVu Sans, with the
fallback font of ``core.pdf`` for characters it lacks), black on white, left aligned, no italics.

The page carries the number and the verification code in clear and the QR code of the verification URL
(segno builds the matrix; it is drawn as one path of filled runs). A revoked attestation prints with
"RÉVOQUÉE" across it. ``invariant=1``: the same snapshot gives the same bytes, so a reprint is the same
document. The PDF's metadata carry the title and the language (fr-FR); reportlab writes no tagged structure
(reading order follows the drawing order, top to bottom).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO

import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    KeepInFrame,
    PageBreak,
    Spacer,
    Table,
    TableStyle,
)

from core.pdf import (
    FONT_BOLD,
    FONT_REGULAR,
    INK,
    MIN_FONT_SIZE,
    PageLayout,
    ParsedParagraph,
    document,
    markup,
    name,
    stylesheet,
    text_width,
)
from core.timeutil import date_fr, duree_fr

MARGE_X = 18 * mm
MARGE_HAUT = 14 * mm
MARGE_BAS = 12 * mm
PAGE = PageLayout(A4, left=MARGE_X, right=MARGE_X, top=MARGE_HAUT, bottom=MARGE_BAS)
LARGEUR = PAGE.frame_width
HAUTEUR = PAGE.frame_height
TAILLE_QR = 30 * mm
# The QR code's data mask, fixed: any of the eight is valid (ISO/IEC 18004 section 7.8) and readers try them
# all; choosing the best one scores all eight on every page, a fifth of the page's time. Mask 3 is the one
# segno chooses most often for a verification URL (version 4, level M).
MASQUE_QR = 3
TAMPON_REVOCATION = "RÉVOQUÉE"
TAMPON_COULEUR = colors.HexColor("#B00020")


@dataclass(frozen=True)
class Niveau:
    """Type sizes and gaps of one try at fitting the page (points)."""

    titre: float
    nom: float
    corps: float
    interligne: float
    competence: float
    interligne_competence: float
    ecart: float


# Largest first; the last one is the floor (12 pt everywhere but the title and the name).
NIVEAUX = (
    Niveau(18, 18, 14, 19, 13, 17, 8),
    Niveau(18, 18, 13, 17, 12, 15, 5),
    Niveau(16, 16, 12, 15, 12, 14, 3),
    Niveau(14, 14, 12, 14, 12, 13.5, 2),
)


def titre_document(contenu: dict) -> str:
    """The document's title, in its metadata: ``Attestation de fin de parcours n° S1-2026-00001``."""
    return f"{contenu['titre']} n° {contenu['numero']}"


def render(
    contenu: dict, *, revoquee_on: date | None = None, images: Mapping[str, bytes] | None = None, avec_qr: bool = True
) -> bytes:
    """The PDF of one attestation, one A4 page.

    :param contenu: the frozen snapshot (``attestations.services.instantane``): every text the page prints.
    :param revoquee_on: the day it was revoked, if it was: "RÉVOQUÉE" and that date across the page.
    :param images: the bytes of the images the snapshot names (``logo``, ``signature``: SHA-256 hashes); one
        missing is left out.
    :param avec_qr: False leaves the QR code out (the benchmark's reference page only).
    :return: the PDF bytes; the same arguments always give the same bytes.
    """
    return render_lot(
        [(contenu, revoquee_on)],
        titre=titre_document(contenu),
        auteur=contenu["structure"]["nom"],
        images=images,
        avec_qr=avec_qr,
    )


def render_lot(
    attestations: Iterable[tuple[dict, date | None]],
    *,
    titre: str,
    auteur: str = "",
    images: Mapping[str, bytes] | None = None,
    avec_qr: bool = True,
    apres_page: Callable[[], None] | None = None,
) -> bytes:
    """One PDF holding ``attestations`` (snapshot, day revoked or None), one page each, in the order given.

    :param titre: the document's title in its metadata (e.g. the workshop's name).
    :param images: the bytes of the images the snapshots name, by SHA-256 (see :func:`render`).
    :param apres_page: called once each page is drawn (a progress bar's step).
    :return: the PDF bytes; the same arguments always give the same bytes.
    """
    buffer = BytesIO()
    doc = document(
        buffer,
        PAGE,
        title=titre,
        author=auteur,
        subject="Attestation – action d'initiation au numérique",
        template_id="attestation",
        on_page_end=(lambda _canvas, _doc: apres_page()) if apres_page else None,
    )
    lues = _Images(images or {})
    story: list[Flowable] = []
    for contenu, revoquee_on in attestations:
        if story:
            story.append(PageBreak())
        story.extend(page(contenu, revoquee_on, images=lues, avec_qr=avec_qr))
    doc.build(story or [Spacer(1, 1)])
    return buffer.getvalue()


def page(
    contenu: dict, revoquee_on: date | None = None, *, images: _Images | None = None, avec_qr: bool = True
) -> list[Flowable]:
    """The flowables of one attestation's page, at the largest ``NIVEAUX`` entry whose height fits the frame.

    :param images: the images the snapshot may name, read once per document.
    :param avec_qr: False leaves the QR code out (the benchmark's reference page only).
    """
    images = images or _Images({})
    qr = (
        segno.make(contenu["url_verification"], error="m", micro=False, boost_error=False, mask=MASQUE_QR)
        if avec_qr
        else None
    )
    balisage = functools.cache(markup)  # the same texts at every try: their font runs are worked out once
    largeur_mot = _largeur_unitaire
    flowables = None
    for niveau in NIVEAUX:
        plan = _plan(contenu, niveau, images)
        # An estimate first (words' widths, greedy line filling; no markup parsing): a try that would not fit is
        # not laid out. The layout then measured decides.
        if _hauteur_estimee(plan, largeur_mot) > HAUTEUR:
            continue
        flowables = _materialiser(plan, contenu, niveau, qr, balisage, images)
        if _hauteur(flowables) <= HAUTEUR:
            break
    else:
        # Skills worded far longer than the curriculum's (admin-edited, up to 255 characters each): rather than a
        # second page, the smallest layout is scaled down to the frame, below 12 pt in that case only.
        plan = _plan(contenu, NIVEAUX[-1], images)
        flowables = [
            KeepInFrame(
                LARGEUR, HAUTEUR, _materialiser(plan, contenu, NIVEAUX[-1], qr, balisage, images), mode="shrink"
            )
        ]
    # The measured flowables go to the build as they are: wrap() may be called again with the same width.
    tampon = [Tampon(revoquee_on)] if revoquee_on is not None else []
    return [*tampon, *flowables]


@dataclass(frozen=True)
class _Texte:
    """A paragraph not built yet: its text, its style and its bullet."""

    texte: str
    style: ParagraphStyle
    puce: str | None = None


_PIED = "pied"
LOGO_HAUTEUR = 16 * mm
LOGO_LARGEUR_MAX = 60 * mm
SIGNATURE_HAUTEUR = 14 * mm


class _Images:
    """The images a document may print, by SHA-256, each decoded once whatever the number of pages using it."""

    def __init__(self, contenus: Mapping[str, bytes]) -> None:
        self._contenus = contenus
        self._tailles: dict[str, tuple[int, int]] = {}

    def flowable(self, empreinte: str | None, hauteur: float, largeur_max: float) -> Image | None:
        """The image ``empreinte`` scaled to ``hauteur`` (narrower than ``largeur_max``), left aligned; None
        when the snapshot names none or its bytes were not given."""
        if not empreinte or empreinte not in self._contenus:
            return None
        if empreinte not in self._tailles:
            self._tailles[empreinte] = ImageReader(BytesIO(self._contenus[empreinte])).getSize()
        largeur, haut = self._tailles[empreinte]
        echelle = min(hauteur / haut, largeur_max / largeur)
        image = Image(BytesIO(self._contenus[empreinte]), width=largeur * echelle, height=haut * echelle)
        image.hAlign = "LEFT"
        return image


@functools.lru_cache(maxsize=16384)
def _largeur_unitaire(mot: str, police: str) -> float:
    """Width of ``mot`` printed in ``police`` at 1 pt (widths scale with the size), fallback runs included; kept
    for the process (the skills' and objectives' words recur on every page)."""
    return text_width(mot, police, 1)


def _lignes(element: _Texte, largeur_mot) -> int:
    """How many lines ``element`` takes, filling each line greedily with whole words, as reportlab does."""
    style = element.style
    place = (LARGEUR - style.leftIndent) / style.fontSize
    espace = largeur_mot(" ", style.fontName)
    lignes, ligne = 1, 0.0
    for mot in element.texte.split():
        largeur = largeur_mot(mot, style.fontName)
        if ligne and ligne + espace + largeur <= place:
            ligne += espace + largeur
            continue
        if ligne:
            lignes += 1
        lignes += max(0, math.ceil(largeur / place) - 1)  # a word longer than the line is split
        ligne = largeur % place if largeur > place else largeur
    return lignes


def _hauteur_estimee(plan: Sequence, largeur_mot) -> float:
    """The height ``plan`` should take once laid out (see :func:`_lignes`); the footer counted as its QR code."""
    total = 0.0
    for element in plan:
        if isinstance(element, _Texte):
            total += _lignes(element, largeur_mot) * element.style.leading + element.style.spaceBefore
        elif element == _PIED:
            total += TAILLE_QR
        else:
            total += element.wrap(LARGEUR, HAUTEUR)[1]
    return total


class _Paragraphe(ParsedParagraph):
    """A paragraph that breaks its lines once per width: the page is measured (:func:`_hauteur`) before the
    frame lays it out at the same width, and a paragraph's height depends on the width alone."""

    _mesure: tuple[float, tuple[float, float]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._mesure is None or self._mesure[0] != availWidth:
            self._mesure = (availWidth, super().wrap(availWidth, availHeight))
        return self._mesure[1]


def _hauteur(flowables: Sequence[Flowable]) -> float:
    total = 0.0
    for flowable in flowables:
        _width, height = flowable.wrap(LARGEUR, HAUTEUR * 2)
        total += height + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


@functools.cache
def _styles(niveau: Niveau) -> dict[str, ParagraphStyle]:
    """The paragraph styles of ``niveau``, built once per process (styles are read, never changed)."""
    sheet = stylesheet()
    normal = sheet["Normal"]
    gras = ParagraphStyle("Gras", parent=normal, fontName=FONT_BOLD)
    return {
        "normal": normal,
        "gras": gras,
        "titre": ParagraphStyle("TitreA", parent=gras, fontSize=niveau.titre, leading=niveau.titre * 1.25),
        "nom": ParagraphStyle("NomA", parent=gras, fontSize=niveau.nom, leading=niveau.nom * 1.25),
        "corps": ParagraphStyle("CorpsA", parent=normal, fontSize=niveau.corps, leading=niveau.interligne),
        "intertitre": ParagraphStyle(
            "IntertitreA", parent=gras, fontSize=niveau.corps, leading=niveau.interligne, spaceBefore=niveau.ecart
        ),
        "competence": ParagraphStyle(
            "CompetenceA",
            parent=normal,
            fontSize=niveau.competence,
            leading=niveau.interligne_competence,
            leftIndent=5 * mm,
            bulletIndent=0,
            bulletFontName=FONT_REGULAR,
            bulletFontSize=niveau.competence,
        ),
    }


def _jour(iso: str) -> str:
    return date_fr(date.fromisoformat(iso))


def _plan(contenu: dict, niveau: Niveau, images: _Images) -> list:
    """What the page prints at ``niveau``, top to bottom: texts (not laid out yet), spacers, the name, the
    footer."""
    styles = _styles(niveau)

    def texte(valeur: str, style: str, puce: str | None = None) -> _Texte:
        return _Texte(valeur, styles[style], puce)

    structure, atelier, apprenant = contenu["structure"], contenu["atelier"], contenu["apprenant"]
    ecart = Spacer(1, niveau.ecart)
    logo = images.flowable(contenu.get("logo"), LOGO_HAUTEUR, LOGO_LARGEUR_MAX)
    plan: list = [logo, Spacer(1, 2 * mm)] if logo is not None else []
    plan.append(texte(structure["nom"], "gras"))
    coordonnees = ", ".join(part for part in (structure.get("adresse"), structure.get("telephone")) if part)
    if coordonnees:
        plan.append(texte(coordonnees, "normal"))
    plan += [
        Spacer(1, niveau.ecart * 1.5),
        texte(contenu["titre"], "titre"),
        texte(f"{atelier['nature'][0].upper()}{atelier['nature'][1:]}", "corps"),
        ecart,
        texte("Délivrée à", "corps"),
        name(f"{apprenant['prenom']} {apprenant['nom']}", styles["nom"]),
        ecart,
    ]
    debut, fin = _jour(contenu["debut_on"]), _jour(contenu["fin_on"])
    lieu = f", {atelier['lieu']}" if atelier.get("lieu") else ""
    verbe = "a suivi" if contenu["type"] == "parcours" else "a participé à"
    plan.append(
        texte(
            f"{verbe} l'atelier « {atelier['intitule']} », du {debut} au {fin}{lieu}, organisé par {structure['nom']}.",
            "corps",
        )
    )
    plan.append(texte("Objectifs de l'atelier : " + " ; ".join(contenu["objectifs"]) + ".", "corps"))
    suivies = contenu["seances_suivies"]
    plan.append(
        texte(
            f"Durée prévue : {duree_fr(contenu['minutes_prevues'])}. "
            f"Heures suivies : {duree_fr(contenu['minutes_suivies'])} "
            f"({suivies} séance{'s' if suivies > 1 else ''} sur {contenu['seances_prevues']}).",
            "intertitre",
        )
    )
    if contenu["type"] == "presence":
        plan.append(
            texte(
                "Cette attestation certifie la présence aux séances ; elle ne porte pas sur les compétences.", "corps"
            )
        )
    elif contenu["competences"]:
        plan.append(texte("Ce que je sais faire à la fin de l'atelier :", "intertitre"))
        items = [texte(competence, "competence", "•") for competence in contenu["competences"]]
        plan += items
    plan += [Spacer(1, niveau.ecart * 2), _PIED]
    return plan


def _materialiser(plan: Sequence, contenu: dict, niveau: Niveau, qr, balisage, images: _Images) -> list[Flowable]:
    styles = _styles(niveau)

    def paragraphe(element: _Texte) -> ParsedParagraph:
        return _Paragraphe(balisage(element.texte, element.style.fontName), element.style, bulletText=element.puce)

    flowables: list[Flowable] = []
    for element in plan:
        if isinstance(element, _Texte):
            flowables.append(paragraphe(element))
        elif element == _PIED:
            flowables.append(_pied(contenu, styles, qr, paragraphe, images))
        else:
            flowables.append(element)
    return flowables


def _pied(contenu: dict, styles: dict[str, ParagraphStyle], qr, paragraphe, images: _Images) -> Table:
    """Signature on the left; number, code and the QR code of the verification URL on the right."""
    signataire = contenu["signataire"]
    signature = [
        paragraphe(_Texte(f"Fait à {contenu['fait_a']}, le {_jour(contenu['emise_on'])}.", styles["normal"])),
    ]
    image = images.flowable(contenu.get("signature"), SIGNATURE_HAUTEUR, LARGEUR * 0.3)
    if image is not None:
        signature.append(image)
    signature.append(paragraphe(_Texte(signataire["nom"], styles["gras"])))
    if signataire.get("fonction"):
        signature.append(paragraphe(_Texte(signataire["fonction"], styles["normal"])))
    verification = [
        paragraphe(_Texte(f"Attestation n° {contenu['numero']}", styles["gras"])),
        paragraphe(_Texte(f"Code de vérification : {contenu['code']}", styles["gras"])),
        paragraphe(_Texte(f"Vérifiable sur {contenu['url_verification']}", styles["normal"])),
    ]
    largeur_texte = LARGEUR - TAILLE_QR
    return Table(
        [[signature, verification, CodeQR(qr, TAILLE_QR) if qr is not None else Spacer(TAILLE_QR, TAILLE_QR)]],
        colWidths=[largeur_texte * 0.48, largeur_texte * 0.52, TAILLE_QR],
        style=TableStyle(
            [
                # The cells hold paragraphs; without it the table sets Helvetica 10, unembedded.
                ("FONT", (0, 0), (-1, -1), FONT_REGULAR, MIN_FONT_SIZE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (1, 0), 3 * mm),
                ("RIGHTPADDING", (2, 0), (2, 0), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )


class CodeQR(Flowable):
    """The QR code ``qr`` (segno), ``taille`` points wide with its quiet zone.

    Each dark row run is one rectangle of a single filled path: a few hundred path segments, drawn in
    well under a millisecond.
    """

    def __init__(self, qr: segno.QRCode, taille: float) -> None:
        super().__init__()
        self.width = self.height = taille
        self._qr = qr

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        matrice = self._qr.matrix
        bord = 4  # the quiet zone the standard asks for, in modules
        cote = len(matrice) + 2 * bord
        module = self.width / cote
        canvas: Canvas = self.canv
        chemin = canvas.beginPath()
        for ligne, rangee in enumerate(matrice):
            y = self.height - (ligne + bord + 1) * module
            colonne, n = 0, len(rangee)
            while colonne < n:
                if rangee[colonne]:
                    debut = colonne
                    while colonne < n and rangee[colonne]:
                        colonne += 1
                    chemin.rect((debut + bord) * module, y, (colonne - debut) * module, module)
                else:
                    colonne += 1
        canvas.saveState()
        canvas.setFillColor(INK)
        canvas.drawPath(chemin, stroke=0, fill=1)
        canvas.restoreState()


class Tampon(Flowable):
    """ "RÉVOQUÉE" and the day across the whole page, under the text (translucent red), taking no room."""

    def __init__(self, revoquee_on: date) -> None:
        super().__init__()
        self.revoquee_on = revoquee_on
        self.width = self.height = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        canvas: Canvas = self.canv
        x0, y0 = canvas.absolutePosition(0, 0)
        canvas.saveState()
        canvas.translate(A4[0] / 2 - x0, A4[1] / 2 - y0)
        canvas.rotate(50)
        canvas.setFillColor(TAMPON_COULEUR)
        canvas.setFillAlpha(0.3)
        canvas.setFont(FONT_BOLD, 84)
        canvas.drawCentredString(0, 0, TAMPON_REVOCATION)
        canvas.setFont(FONT_BOLD, 22)
        canvas.drawCentredString(0, -34, f"le {date_fr(self.revoquee_on)}")
        canvas.restoreState()
