"""The practice sheet: who is booked, the skills to practise and each one's exercise, as text in the PDF."""

import io
import re
from datetime import datetime

from pypdf import PdfReader

from entrainements.fiche_pdf import ApprenantFiche, CompetenceFiche, FicheEntrainement, fiche_entrainement

SOURIS = CompetenceFiche(
    "M1.2", "Utiliser la souris", "Les Bons Clics : la souris", "https://www.lesbonsclics.fr/fr/exercices/souris"
)
CLAVIER = CompetenceFiche("M1.3", "Utiliser le clavier")


def fiche(**overrides) -> FicheEntrainement:
    values = {
        "structure": "CCAS de Saint-Médard",
        "lieu": "Salle multimédia",
        "debut": datetime(2026, 6, 2, 14, 0),
        "fin": datetime(2026, 6, 2, 16, 0),
        "apprenants": [ApprenantFiche("Josiane M.", 1, [SOURIS, CLAVIER]), ApprenantFiche("Zoé Dupont-Aïssa", 2, [])],
    }
    return FicheEntrainement(**{**values, **overrides})


def texte(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_the_sheet_lists_each_learner_with_the_skills_and_their_exercise():
    contenu = texte(fiche_entrainement(fiche()))
    assert "Fiche d'entraînement : mardi 2 juin 2026, 14 h 00 – 16 h 00" in contenu
    assert "Lieu : Salle multimédia" in contenu
    assert "Josiane M. — entraînement 1" in contenu and "Zoé Dupont-Aïssa — entraînement 2" in contenu
    assert "M1.2 — Utiliser la souris" in contenu
    assert "Exercice : Les Bons Clics : la souris" in contenu
    assert "https://www.lesbonsclics.fr/fr/exercices/souris" in contenu
    assert "M1.3 — Utiliser le clavier Pas d'exercice proposé pour cette compétence." in contenu
    assert contenu.index("Josiane M.") < contenu.index("Zoé Dupont-Aïssa")


def test_the_same_sheet_gives_the_same_bytes_and_an_empty_one_says_so():
    assert fiche_entrainement(fiche()) == fiche_entrainement(fiche())
    assert "Personne n'est réservé à cet entraînement." in texte(fiche_entrainement(fiche(apprenants=[])))
