"""The information notice and the register entry (issue 13, item 4): filled with the structure's details, every
right and the CNIL named, one A4 page in large type whatever the details' length (text extracted with pypdf)."""

from __future__ import annotations

import io
import re
from datetime import date

import pypdf

from core import mention_pdf
from core.information import Fiche, mention_information, registre_traitement

FICHE = Fiche(
    nom="CCAS de Saint-Aubin-sur-Loire",
    type="ccas",
    adresse="2 rue de la Mairie",
    commune="41000 Saint-Aubin-sur-Loire",
    telephone="02 54 12 34 56",
    dpo_nom="Service RGPD mutualisé de l'agglomération",
    dpo_contact="dpo@agglo-saint-aubin.fr",
)


def fill(words: str, length: int) -> str:
    """``words`` repeated up to ``length`` characters: a column filled to its limit with ordinary words."""
    texte = words
    while len(texte) + 1 + len(words) <= length:
        texte += " " + words
    return texte


# Every detail at the length its column allows (Structure: 160, 255, 120, 20, 160, 255): still one page.
LONGEST = Fiche(
    nom=fill("Centre communal d'action sociale", 160),
    type="ccas",
    adresse=fill("12 avenue du Général de Gaulle,", 255),
    commune=fill("Saint-Aubin-sur-Loire", 120),
    telephone="+33 2 54 12 34 56 78",
    dpo_nom=fill("Service mutualisé", 160),
    dpo_contact=fill("dpo@agglo-saint-aubin.fr, 1 place de la Mairie", 255),
)


def pdf_text(contenu: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(contenu))
    texte = " ".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", texte)


def flat(sections) -> str:
    return " ".join(f"{s.titre} {' '.join(s.paragraphes)}" for s in sections)


def test_the_notice_says_who_what_why_how_long_the_rights_and_whom_to_contact():
    pages, texte = pdf_text(mention_pdf.render_mention(FICHE, mention_information(FICHE)))
    assert pages == 1
    for attendu in (
        "Vos informations personnelles",
        "CCAS de Saint-Aubin-sur-Loire, 2 rue de la Mairie, 41000 Saint-Aubin-sur-Loire, 02 54 12 34 56.",
        "mission d'intérêt public du CCAS",
        "2 ans après notre dernier contact",
        "voir vos informations, à les corriger, à les effacer, à en limiter l'usage, ou vous opposer",
        "vous plaindre à la CNIL : www.cnil.fr/plaintes",
        "Le délégué à la protection des données : Service RGPD mutualisé de l'agglomération – "
        "dpo@agglo-saint-aubin.fr.",
        "Rien sur votre santé",
    ):
        assert attendu in texte, attendu


def test_without_a_dpo_the_notice_sends_people_to_the_structure():
    sans_dpo = Fiche(nom="France Services de Blois", type="france_services", commune="Blois", conservation_mois=36)
    texte = flat(mention_information(sans_dpo))
    assert "L'accueil de la structure : France Services de Blois, Blois." in texte
    assert "3 ans après notre dernier contact" in texte
    assert "mission d'intérêt public de la structure" in texte


def test_the_notice_holds_on_one_page_in_large_type_with_the_longest_details():
    contenu = mention_pdf.render_mention(LONGEST, mention_information(LONGEST))
    pages, texte = pdf_text(contenu)
    assert pages == 1
    assert "Qui contacter ?" in texte and "place de la Mairie." in texte
    sizes = set()
    page = pypdf.PdfReader(io.BytesIO(contenu)).pages[0]
    page.extract_text(visitor_text=lambda text, _cm, tm, _font, size: text.strip() and sizes.add(round(size * tm[0])))
    assert min(sizes) >= 12 and mention_pdf.BODY_SIZE >= 14


def test_the_notice_is_the_same_bytes_for_the_same_structure():
    assert mention_pdf.render_mention(FICHE, mention_information(FICHE)) == mention_pdf.render_mention(
        FICHE, mention_information(FICHE)
    )


def test_the_register_entry_has_every_rubric_of_article_30():
    sections = registre_traitement(FICHE, date(2026, 12, 1), sauvegardes_gardees=14)
    assert [s.titre for s in sections] == [
        "Responsable du traitement",
        "Nom du traitement",
        "Finalités",
        "Base légale",
        "Catégories de personnes",
        "Catégories de données",
        "Destinataires",
        "Transferts hors de l'Union européenne",
        "Durées de conservation",
        "Mesures de sécurité",
    ]
    texte = flat(sections)
    assert "Délégué à la protection des données : Service RGPD mutualisé de l'agglomération" in texte
    assert "Fiche à jour du mardi 1er décembre 2026." in texte
    assert "2 ans après le dernier contact, puis anonymisées" in texte
    assert "Journal des consultations, modifications et exports : 12 mois." in texte
    assert "Texte des messages envoyés et fichiers joints : 3 mois." in texte  # rgpd.jobs deletes both
    assert "une par nuit, gardées 14 nuits" in texte
    assert "aucun numéro de sécurité sociale" in texte


def test_the_register_entry_asks_for_a_dpo_when_none_is_set():
    texte = flat(registre_traitement(Fiche(nom="CCAS de Blois", type="ccas"), date(2026, 12, 1), 1))
    assert "Délégué à la protection des données : à désigner" in texte
    assert "gardées 1 nuit." in texte
