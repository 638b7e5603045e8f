"""The annual report's renderer: pure, the dashboard's sections in, PDF bytes out; text checked by extraction,
pages rendered."""

import io
import subprocess
from dataclasses import replace
from datetime import date

import pypdf

from pilotage.rapport_pdf import Rapport, chiffre_fr, rapport_annuel, resume
from pilotage.tableau_de_bord import Chiffre, Graphique, Section
from pilotage.tableaux import Tableau

MOTIFS = Tableau.de(
    "abandons_par_motif",
    "Abandons par motif",
    ["Motif", "Abandons", "Part"],
    [["Santé", 4, 0.4], ["Transport", 3, 0.3], ["Niveau inadapté", 2, 0.2], ["Injoignable", 1, 0.1]],
    definition="Apprenants ayant abandonné pendant la période, par motif déclaré.",
    pourcentages=[2],
)
ABANDONS = Section(
    "abandons",
    "Abandons",
    (Chiffre("Abandons", 10, "Apprenants sortis avant la fin.", part=0.25, a_une_part=True),),
    (MOTIFS,),
    (Graphique("abandons_par_motif", "Abandons par motif", "barres", 1, "La santé est le premier motif d'abandon."),),
)
ENTRAINEMENTS = Section(
    "entrainements",
    "Entraînements",
    (Chiffre("Réservés", 0, "Entraînements réservés."), Chiffre("Honorés", None, "Venus.", a_une_part=True)),
    (Tableau.de("entrainements", "Entraînements par statut", ["Statut", "Nombre"], []),),
)
RAPPORT = Rapport("CCAS de Bordeaux", "année 2026", date(2026, 11, 30), (ABANDONS, ENTRAINEMENTS))


def _texte(contenu: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(contenu)).pages)


def test_a_section_is_summed_up_by_its_charts_sentences_else_its_first_figures():
    assert resume(ABANDONS) == "La santé est le premier motif d'abandon."
    assert resume(ENTRAINEMENTS) == "Réservés : 0; Honorés : aucune donnée (aucune donnée)."
    assert chiffre_fr(ABANDONS.chiffres[0]) == "Abandons : 10 (25\u202f%)"
    assert resume(Section("vide", "Vide", (), ())) == "Aucune donnée sur la période."


def test_the_report_says_the_period_the_figures_their_definition_and_no_data_where_none():
    contenu = rapport_annuel(RAPPORT)
    texte = _texte(contenu)
    for attendu in (
        "Rapport d'activité – année 2026",
        "CCAS de Bordeaux",
        "Établi le lundi 30 novembre 2026.",
        "La santé est le premier motif d'abandon.",
        "Niveau inadapté",
        "Définition : Apprenants ayant abandonné",
        "Apprenants sortis avant la fin.",
        "aucune donnée",
    ):
        assert attendu in texte.replace("\u202f", " "), attendu
    # The chart writes each count at its bar, the table repeats it beside the rate.
    assert texte.count("Santé") >= 2
    lecteur = pypdf.PdfReader(io.BytesIO(contenu))
    assert lecteur.metadata.title == "Rapport d'activité – année 2026"
    assert rapport_annuel(RAPPORT) == contenu


def test_a_networks_report_names_the_network():
    texte = _texte(rapport_annuel(Rapport("CCAS de Bordeaux", "année 2026", date(2026, 11, 30), (), "Gironde")))
    assert "Réseau Gironde (CCAS de Bordeaux)" in texte


def test_a_table_given_for_a_section_follows_its_key_figures():
    par_structure = Tableau.de(
        "reseau_abandons",
        "Abandons : par structure et pour le réseau",
        ["Indicateur", "CCAS de Bordeaux", "France Services de Bias", "Réseau"],
        [["Abandons", "4 (20 %)", "6 (30 %)", "10 (25 %)"]],
    )
    texte = " ".join(_texte(rapport_annuel(replace(RAPPORT, par_structure={"abandons": par_structure}))).split())
    assert "Abandons : par structure et pour le réseau" in texte and "France Services de Bias" in texte
    assert texte.index("Apprenants sortis avant la fin.") < texte.index("6 (30 %)") < texte.index("Niveau inadapté")
    assert "France Services de Bias" not in _texte(rapport_annuel(RAPPORT))


def test_the_report_renders_as_pages(tmp_path):
    fichier = tmp_path / "rapport.pdf"
    fichier.write_bytes(rapport_annuel(RAPPORT))
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(fichier), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page*.png"))) >= 1
