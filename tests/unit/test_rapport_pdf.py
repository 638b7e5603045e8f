"""The annual report's renderer: pure, plain data in, PDF bytes out; text checked by extraction."""

import io
import subprocess
from datetime import date

import pypdf
import pytest

from pilotage.rapport_pdf import AUCUNE_DONNEE, Graphique, Rapport, Section, cellule, rapport_annuel
from pilotage.tableaux import Tableau

MOTIFS = Tableau.de(
    "abandons_par_motif",
    "Abandons par motif",
    ["Motif", "Abandons", "Part"],
    [["Santé", 4, 0.4], ["Transport", 3, 0.3], ["Niveau inadapté", 2, 0.2], ["Injoignable", 1, 0.1]],
    definition="Apprenants ayant abandonné pendant la période, par motif déclaré.",
    pourcentages=[2],
)
RAPPORT = Rapport(
    "CCAS de Bordeaux",
    "année 2026",
    date(2026, 11, 30),
    [
        Section("Abandons", "Sur 40 apprenants, 10 ont abandonné.", [MOTIFS], Graphique(MOTIFS, 2)),
        Section("Entraînements", "Aucun entraînement.", [Tableau.de("ent", "Entraînements", ["Statut", "Nombre"], [])]),
        Section("Attestations", "Rien à dire.", []),
    ],
)


def _texte(contenu: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(contenu)).pages)


@pytest.mark.parametrize(
    ("valeur", "pourcentage", "attendu"),
    [
        (None, False, "aucune donnée"),
        (0.425, True, "42,5\u00a0%"),
        (1, True, "100\u00a0%"),
        (1234, False, "1\u202f234"),
        (1234.56, False, "1\u202f234,6"),
        (date(2026, 3, 3), False, "03/03/2026"),
        ("Santé", False, "Santé"),
    ],
)
def test_cells_in_french(valeur, pourcentage, attendu):
    assert cellule(valeur, pourcentage) == attendu


def test_the_report_says_the_period_the_figures_their_definition_and_no_data_where_none():
    contenu = rapport_annuel(RAPPORT)
    texte = _texte(contenu)
    for attendu in (
        "Rapport d'activité année 2026",
        "CCAS de Bordeaux",
        "Établi le lundi 30 novembre 2026.",
        "Sur 40 apprenants, 10 ont abandonné.",
        "Niveau inadapté",
        "Définition : Apprenants ayant abandonné",
        AUCUNE_DONNEE,
        "Aucune donnée sur la période.",
    ):
        assert attendu in texte, attendu
    # The chart writes each value at its bar and the table repeats it: "40 %" twice.
    assert texte.count("40 %") + texte.count("40\u00a0%") >= 2
    lecteur = pypdf.PdfReader(io.BytesIO(contenu))
    assert lecteur.metadata.title == "Rapport d'activité – année 2026"
    assert rapport_annuel(RAPPORT) == contenu


def test_the_report_renders_as_pages(tmp_path):
    fichier = tmp_path / "rapport.pdf"
    fichier.write_bytes(rapport_annuel(RAPPORT))
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(fichier), str(tmp_path / "page")], check=True)
    assert sorted(p.name for p in tmp_path.glob("page*.png")) == ["page-1.png"]
