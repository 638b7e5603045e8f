import pytest

from core.text import display_phone, fold, normalize_phone, phone_search


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Élodie  LEFÈVRE", "elodie lefevre"),
        ("Jean-François", "jean francois"),
        ("N'Diaye", "n diaye"),
        ("Aïcha", "aicha"),
        ("  ", ""),
    ],
)
def test_fold_removes_accents_case_and_punctuation(raw, folded):
    assert fold(raw) == folded


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("01 99 00 12 34", "+33199001234"),
        ("+32 470 12 34 56", "+32470123456"),
    ],
)
def test_normalize_phone_returns_e164(raw, e164):
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize("raw", ["06 12 34", "12", "bonjour", "06 12 34 56 78 90", "07 12 34 56 78"])
def test_normalize_phone_refuses_invalid_numbers_in_french(raw):
    with pytest.raises(ValueError) as error:
        normalize_phone(raw)
    assert "numéro" in str(error.value).lower()


def test_display_phone_writes_french_numbers_the_french_way():
    assert display_phone("+33612345678") == "06 12 34 56 78"
    assert display_phone("+32470123456") == "+32 470 12 34 56"
    assert display_phone(None) == ""


@pytest.mark.parametrize(
    ("query", "search"),
    [
        ("06 12 34", ("+3361234", True)),
        ("0612", ("+33612", True)),
        ("+33 6 12", ("+33612", True)),
        ("56 78", ("5678", False)),
        ("martin", None),
        ("06", None),
        ("+3", None),
    ],
)
def test_phone_search(query, search):
    assert phone_search(query) == search
