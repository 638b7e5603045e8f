"""SMS segments: GSM-7 (160, then 153 a segment; extension characters count twice) or UCS-2 (70, then 67)."""

import pytest

from core.messagerie.gsm7 import Segments, en_gsm7, segments, septets


@pytest.mark.parametrize(
    ("texte", "encodage", "unites", "nombre"),
    [
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("éèàù" * 40, "GSM-7", 160, 1),  # é, è, à, ù are in the basic set
        ("€" * 80, "GSM-7", 160, 1),  # extension table: escape + character
        ("€" * 81, "GSM-7", 162, 2),
        ("ê" + "a" * 69, "UCS-2", 70, 1),  # one ê and the whole text is UCS-2
        ("ç" + "a" * 70, "UCS-2", 71, 2),
        ("î" + "a" * 133, "UCS-2", 134, 2),
        ("û" + "a" * 134, "UCS-2", 135, 3),
    ],
)
def test_segments(texte, encodage, unites, nombre):
    assert segments(texte) == Segments(encodage, unites, nombre)


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("Françoise", "Francoise"),
        ("samedi 1er août", "samedi 1er aout"),
        ("Forêt, Hôtel, Île, Zoë", "Foret, Hotel, Ile, Zoe"),
        ("Hélène à l’école « Jules-Ferry »", 'Hélène à l\'école "Jules-Ferry"'),
        ("Cœur", "Coeur"),
        ("王秀英", "王秀英"),  # no GSM-7 form: kept, the SMS goes as UCS-2 rather than garbled
    ],
)
def test_en_gsm7_keeps_what_gsm7_has_and_drops_only_the_accents_it_lacks(texte, attendu):
    assert en_gsm7(texte) == attendu


def test_septets_is_none_outside_the_alphabet():
    assert septets("Ça va") == 5 and septets("ça va") is None
