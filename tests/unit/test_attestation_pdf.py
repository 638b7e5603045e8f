"""The attestation PDF (issue 11, item 3): one A4 page whatever the snapshot, 12-18 pt, the number, the code
and the QR code of the verification URL, "RÉVOQUÉE" when revoked, same snapshot -> same bytes."""

from __future__ import annotations

import io
import re
import subprocess
import tomllib
import unicodedata
from datetime import date

import pypdf
import pytest
import zxingcpp
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFontFace

from attestations import attestation_pdf
from attestations.constants import NATURE_ACTION, OBJECTIFS
from core import pdf
from core.timeutil import duree_fr
from evaluations.referentiel import DEFAULT_FILE

TOUTES_LES_COMPETENCES = [
    competence["attestation"]
    for module in tomllib.loads(DEFAULT_FILE.read_text(encoding="utf-8"))["curriculum"]["modules"]
    for competence in module["competences"]
]


def snapshot(**overrides) -> dict:
    """A snapshot as ``attestations.services.instantane`` writes it: Josiane Martin, 25 skills acquired."""
    values = {
        "version": 1,
        "type": "parcours",
        "titre": "Attestation de fin de parcours",
        "numero": "CCAS-DEMO-2026-00012",
        "code": "7KQ2-XM9D-R4TB",
        "url_verification": "http://localhost/verifier/7KQ2XM9DR4TB",
        "structure": {
            "nom": "CCAS de Saint-Test",
            "adresse": "1 place de la Mairie, 99000 Testville",
            "telephone": "01 23 45 67 89",
        },
        "apprenant": {"prenom": "Josiane", "nom": "Martin"},
        "atelier": {"intitule": "Atelier du lundi matin", "nature": NATURE_ACTION, "lieu": "Salle 2"},
        "objectifs": list(OBJECTIFS),
        "debut_on": "2026-03-30",
        "fin_on": "2026-05-11",
        "seances_prevues": 6,
        "seances_suivies": 5,
        "minutes_prevues": 1080,
        "minutes_suivies": 990,
        "competences": list(TOUTES_LES_COMPETENCES),
        "fait_a": "Testville",
        "emise_on": "2026-05-12",
        "signataire": {"nom": "Awa Diallo", "fonction": "Médiatrice numérique"},
    }
    values.update(overrides)
    return values


def pages(contenu: bytes) -> list[pypdf.PageObject]:
    return list(pypdf.PdfReader(io.BytesIO(contenu)).pages)


def texte(contenu: bytes) -> str:
    return "\n".join(page.extract_text() for page in pages(contenu))


def tailles_de_texte(contenu: bytes) -> set[float]:
    """Every font size the pages set (``Tf`` operators of their content streams)."""
    tailles = set()
    for page in pages(contenu):
        flux = page.get_contents().get_data().decode("latin-1")
        tailles |= {float(taille) for taille in re.findall(r"/F\d+\+?\d* ([\d.]+) Tf", flux)}
    return tailles


def test_every_part_of_the_attestation_is_printed():
    contenu = attestation_pdf.render(snapshot())
    lu = " ".join(texte(contenu).split())
    for attendu in (
        "CCAS de Saint-Test",
        "Attestation de fin de parcours",
        "Action d'initiation au numérique",
        "Josiane Martin",
        "du lundi 30 mars 2026 au lundi 11 mai 2026, Salle 2",
        "Objectifs de l'atelier : se servir d'un ordinateur",
        "Durée prévue : 18 h. Heures suivies : 16 h 30 (5 séances sur 6).",
        "Je sais taper une phrase et la corriger",
        "Fait à Testville, le mardi 12 mai 2026.",
        "Awa Diallo",
        "Médiatrice numérique",
        "Attestation n° CCAS-DEMO-2026-00012",
        "Code de vérification : 7KQ2-XM9D-R4TB",
    ):
        assert attendu in lu
    assert "RÉVOQUÉE" not in lu


@pytest.mark.parametrize(
    "apprenant",
    [
        {"prenom": "Marie-Élisabeth", "nom": "Van-der-Berghe-Dupont-de-la-Tour-d'Auvergne-X"},
        {"prenom": "Nguyễn Thị", "nom": "Phương-Thảo Trần-Hoàng-Lê-Đặng"},
        {"prenom": "ʿAbd al-Raḥmān", "nom": "Ibn Khaldūn al-Ḥaḍramī"},
        {"prenom": "Maximilien-Jean-Baptiste", "nom": "X" * 45},
    ],
)
def test_one_a4_page_with_the_longest_names_and_25_skills(apprenant):
    assert len(max(apprenant.values(), key=len)) >= 20
    contenu = attestation_pdf.render(snapshot(apprenant=apprenant))
    (page,) = pages(contenu)
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.5)
    lu = "".join(texte(contenu).split())
    assert "".join(f"{apprenant['prenom']}{apprenant['nom']}".split()) in lu
    assert lu.count("Jesais") + lu.count("J'ai") == 25
    assert "\ufffd" not in lu


def test_an_arabic_name_is_printed_joined_and_right_to_left():
    contenu = attestation_pdf.render(snapshot(apprenant={"prenom": "عبد الرحمن", "nom": "بن خلدون"}))
    (ligne,) = [line for line in texte(contenu).splitlines() if re.search("[\u0600-\u06ff\ufe70-\ufeff]", line)]
    # Each letter in its joined form (Arabic presentation forms), read back in the order it is written.
    assert all("\ufe70" <= char <= "\ufeff" for char in ligne.replace(" ", ""))
    assert unicodedata.normalize("NFKC", ligne) == "عبد الرحمن بن خلدون"


def test_the_45_character_surname_is_not_cut():
    nom = "Van-der-Berghe-Dupont-de-la-Tour-d'Auvergne-X"
    assert len(nom) == 45
    assert nom in "".join(texte(attestation_pdf.render(snapshot(apprenant={"prenom": "Marie", "nom": nom}))).split())


def test_text_sizes_stay_between_12_and_18_points():
    assert tailles_de_texte(attestation_pdf.render(snapshot())) <= set(range(12, 19))
    assert min(tailles_de_texte(attestation_pdf.render(snapshot(competences=[])))) >= 12


def test_the_attendance_only_version_prints_no_skill():
    contenu = attestation_pdf.render(snapshot(type="presence", titre="Attestation de présence", competences=[]))
    lu = " ".join(texte(contenu).split())
    assert "Attestation de présence" in lu and "Je sais" not in lu
    assert "elle ne porte pas sur les compétences" in lu


def test_same_snapshot_same_bytes_and_metadata():
    premier = attestation_pdf.render(snapshot())
    assert attestation_pdf.render(snapshot()) == premier
    lecteur = pypdf.PdfReader(io.BytesIO(premier))
    assert lecteur.metadata.title == "Attestation de fin de parcours n° CCAS-DEMO-2026-00012"
    assert lecteur.metadata.author == "CCAS de Saint-Test"
    assert lecteur.trailer["/Root"]["/Lang"] == "fr-FR"


def test_the_bytes_do_not_depend_on_what_the_process_printed_before(monkeypatch):
    """The embedded font subsets and the parsed paragraphs are kept per process (``core.pdf``): a document
    printed cold, after another one with other letters, or with reportlab's own font embedding is the same."""
    pdf._subset_file.cache_clear()
    pdf._parsed.cache_clear()
    froid = attestation_pdf.render(snapshot())
    attestation_pdf.render(
        snapshot(apprenant={"prenom": "Nguyễn Thị", "nom": "Trần-Hoàng"}, competences=TOUTES_LES_COMPETENCES[::-1])
    )
    assert attestation_pdf.render(snapshot()) == froid
    for police in (pdf.FONT_REGULAR, pdf.FONT_BOLD):
        monkeypatch.setattr(pdfmetrics.getFont(police).face, "__class__", TTFontFace)
    assert attestation_pdf.render(snapshot()) == froid


def test_a_revoked_attestation_prints_revoquee_across_it():
    contenu = attestation_pdf.render(snapshot(), revoquee_on=date(2026, 6, 3))
    lu = " ".join(texte(contenu).split())
    assert "RÉVOQUÉE" in lu and "le mercredi 3 juin 2026" in lu
    assert len(pages(contenu)) == 1
    assert contenu != attestation_pdf.render(snapshot())


def test_the_qr_code_read_from_the_rendered_page_is_the_verification_url(tmp_path):
    (tmp_path / "a.pdf").write_bytes(attestation_pdf.render(snapshot()))
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", "a.pdf", "page"], cwd=tmp_path, check=True)
    (lu,) = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"), formats=zxingcpp.BarcodeFormat.QRCode)
    assert lu.text == "http://localhost/verifier/7KQ2XM9DR4TB"


def test_a_batch_prints_one_page_per_attestation_in_order():
    lot = [(snapshot(numero=f"S1-2026-{n:05d}"), None) for n in range(1, 4)]
    contenu = attestation_pdf.render_lot(lot, titre="Attestations – Atelier du lundi matin")
    assert [re.search(r"S1-2026-\d{5}", page.extract_text()).group(0) for page in pages(contenu)] == [
        "S1-2026-00001",
        "S1-2026-00002",
        "S1-2026-00003",
    ]


@pytest.mark.parametrize(("minutes", "attendu"), [(1080, "18 h"), (990, "16 h 30"), (45, "45 min"), (0, "0 min")])
def test_durations_are_written_the_french_way(minutes, attendu):
    assert duree_fr(minutes) == attendu


def test_only_the_embedded_sans_serif_is_used():
    (page,) = pages(attestation_pdf.render(snapshot()))
    polices = {str(police["/BaseFont"]) for police in page["/Resources"]["/Font"].values()}
    assert polices and all("DejaVuSans" in police for police in polices)


def test_even_25_skills_reworded_three_lines_long_stay_on_one_page():
    # Far beyond the curriculum's wording: the page is scaled down rather than split.
    longues = [
        f"{competence}, {competence[8:].lower()}, {competence[8:].lower()}" for competence in TOUTES_LES_COMPETENCES
    ]
    contenu = attestation_pdf.render(
        snapshot(competences=longues, apprenant={"prenom": "Marie-Élisabeth", "nom": "X" * 45})
    )
    assert len(pages(contenu)) == 1
    assert "Code de vérification : 7KQ2-XM9D-R4TB" in " ".join(texte(contenu).split())


def test_the_logo_and_the_signature_print_when_given():
    from tests.unit.test_attestation_images import image

    logo, signature = image("PNG", (400, 200)), image("JPEG", (300, 100), "black")
    contenu = snapshot(logo="a" * 64, signature="b" * 64)
    sans_octets = attestation_pdf.render(contenu)
    avec = attestation_pdf.render(contenu, images={"a" * 64: logo, "b" * 64: signature})
    (page,) = pages(avec)
    objets = page["/Resources"]["/XObject"]
    assert len(objets) == 2
    assert attestation_pdf.render(contenu, images={"a" * 64: logo, "b" * 64: signature}) == avec
    assert "/XObject" not in pages(sans_octets)[0]["/Resources"]  # named but not given: left out


def test_mon_memo_is_one_large_type_page_per_learner_blank_of_secrets():
    from attestations import memo_pdf

    structure = {"nom": "CCAS de Saint-Test", "adresse": "1 place de la Mairie", "telephone": "01 23 45 67 89"}
    contenu = memo_pdf.render(
        [{"prenom": "Josiane", "structure": structure}, {"prenom": "Nadia", "structure": structure}]
    )
    feuilles = pages(contenu)
    assert len(feuilles) == 2
    lu = " ".join(feuilles[0].extract_text().split())
    for attendu in (
        "Mon mémo – Josiane",
        "Mon adresse électronique",
        "CAF",
        "Ameli",
        "impots.gouv.fr",
        "France Travail",
        "ANTS",
        "Je n'écris jamais un mot de passe",
        "CCAS de Saint-Test",
        "01 23 45 67 89",
    ):
        assert attendu in lu
    assert min(tailles_de_texte(contenu)) >= 16
