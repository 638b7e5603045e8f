"""The letters PDF: one sheet per letter, the address where a window envelope shows it, large type."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from pypdf import PdfReader

from core.messagerie.courrier_pdf import FENETRE, LIGNES_ADRESSE_MAX, Courrier, courriers_pdf, lignes_adresse
from core.pdf import text_width
from entrainements.textes import Seance, convocation

EXPEDITEUR = ("CCAS de Saint-Médard", "2 place de la République", "33160 Saint-Médard-en-Jalles", "05 56 12 34 56")
SEANCE = Seance(
    prenom="Josiane",
    debut=datetime(2026, 3, 3, 14, 0),
    lieu="Salle multimédia, 2 place de la République",
    structure="CCAS de Saint-Médard",
    telephone="05 56 12 34 56",
)


def lettre(destinataire=("Josiane LEFÈVRE", "12 rue des Lilas", "33160 Saint-Médard-en-Jalles"), **overrides):
    texte = convocation(SEANCE, "courrier", rang=1)
    values = {"expediteur": EXPEDITEUR, "destinataire": destinataire, "objet": texte.objet, "corps": texte.corps}
    return Courrier(**{**values, **overrides})


def runs(data):
    """Each page's text runs as (text, x, y, size), x and y in points from the page's bottom-left corner."""
    pages = []
    for page in PdfReader(io.BytesIO(data)).pages:
        found = []

        def visit(value, cm, tm, _font, size, found=found):
            if value.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                found.append((value.strip(), x, y, size * tm[3]))

        page.extract_text(visitor_text=visit)
        pages.append(found)
    return pages


def test_the_letter_says_when_where_what_to_bring_and_whom_to_call():
    (page,) = [p.extract_text() for p in PdfReader(io.BytesIO(courriers_pdf([lettre()]))).pages]
    for expected in [
        "Josiane LEFÈVRE",
        "12 rue des Lilas",
        "mardi 3 mars à 14 h 00",
        "Où : Salle multimédia, 2 place de la République",
        "À apporter : votre téléphone",
        "Appelez le 05 56 12 34 56",
        *EXPEDITEUR,
    ]:
        assert expected in page


def test_the_address_block_lies_inside_the_envelopes_window():
    (page,) = runs(courriers_pdf([lettre()]))
    adresse = [run for run in page if FENETRE.contient(run[1], run[2])]
    assert [run[0] for run in adresse] == ["Josiane LEFÈVRE", "12 rue des Lilas", "33160 Saint-Médard-en-Jalles"]
    for value, x, y, size in adresse:
        # The baseline, the top of the capitals and the line's right end all inside the window zone.
        assert FENETRE.contient(x, y) and FENETRE.contient(x + text_width(value, size=size), y + size)
    # Nothing else is printed in the window (the sender's block is top left, hidden in the envelope).
    expediteur = next(run for run in page if run[0] == EXPEDITEUR[0])
    assert expediteur[1] < FENETRE.x and expediteur[2] > FENETRE.y + FENETRE.hauteur


def test_the_letters_text_is_large():
    (page,) = runs(courriers_pdf([lettre()]))
    corps = [run for run in page if run[2] < FENETRE.y]
    assert corps and min(size for *_, size in corps) >= 14


def test_the_days_letters_are_one_pdf_one_sheet_each_in_order():
    noms = ["Josiane LEFÈVRE", "Marc DURAND", "Aïcha BENALI"]
    data = courriers_pdf([lettre(destinataire=(nom, "1 rue Haute", "33000 Bordeaux")) for nom in noms])
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
    assert len(pages) == 3
    assert [nom in page for nom, page in zip(noms, pages, strict=True)] == [True] * 3


def test_a_long_address_is_wrapped_and_shrunk_to_stay_in_the_window():
    # La Poste: 38 characters a line at most; DejaVu at 12 pt puts about 33 in the window.
    longue = (
        "Marie-Christine DE LA ROCHEFOUCAULD",
        "Chez Mme Durand",
        "Appartement 42, escalier 4",
        "Résidence Les Jardins, bâtiment C",
        "127 avenue du Maréchal de Lattre",
        "33160 SAINT-MÉDARD-EN-JALLES",
    )
    lignes, taille = lignes_adresse(longue)
    assert len(lignes) <= LIGNES_ADRESSE_MAX and 10 <= taille < 12
    (page,) = runs(courriers_pdf([lettre(destinataire=longue)]))
    dans_la_fenetre = [run for run in page if FENETRE.contient(run[1], run[2])]
    assert [run[0] for run in dans_la_fenetre] == lignes
    for value, x, y, size in dans_la_fenetre:
        assert FENETRE.contient(x + text_width(value, size=size), y + size)


def test_a_long_letter_continues_on_a_second_sheet():
    corps = "\n".join(f"Ligne numéro {n} du courrier, assez longue pour compter." for n in range(60))
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(courriers_pdf([lettre(corps=corps)]))).pages]
    assert len(pages) >= 2 and "Ligne numéro 59" in pages[-1]


def test_same_letters_same_bytes_and_nothing_to_print_is_refused():
    assert courriers_pdf([lettre()]) == courriers_pdf([lettre()])
    with pytest.raises(ValueError):
        courriers_pdf([])
