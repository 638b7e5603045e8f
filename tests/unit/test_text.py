import pytest

from core.text import (
    SEARCH_KEY_LENGTH,
    display_phone,
    fold,
    has_control_characters,
    name_seen_by,
    name_sort_key,
    normalize_phone,
    phone_search,
    search_key,
    tel_uri,
)


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
    ("raw", "e164", "shown"),
    [
        ("0692 12 34 56", "+262692123456", "0692 12 34 56"),  # La Réunion, mobile
        ("0693 10 12 34", "+262693101234", "0693 10 12 34"),
        ("02 62 16 12 34", "+262262161234", "0262 16 12 34"),
        ("0263 10 12 34", "+262263101234", "0263 10 12 34"),  # accepted as metropolitan before
        ("0269 60 12 34", "+262269601234", "0269 60 12 34"),  # Mayotte
        ("0639 01 23 45", "+262639012345", "0639 01 23 45"),
        ("0590 20 12 34", "+590590201234", "0590 20 12 34"),  # Guadeloupe
        ("06.90.00.12.34", "+590690001234", "0690 00 12 34"),
        ("0590 27 12 34", "+590590271234", "0590 27 12 34"),  # Saint-Barthélemy, Saint-Martin
        ("0596 30 12 34", "+596596301234", "0596 30 12 34"),  # Martinique
        ("0696-20-12-34", "+596696201234", "0696 20 12 34"),
        ("0594 10 12 34", "+594594101234", "0594 10 12 34"),  # Guyane
        ("0694 20 12 34", "+594694201234", "0694 20 12 34"),
        ("05 08 41 23 45", "+508412345", "41 23 45"),  # Saint-Pierre-et-Miquelon, from the rest of France
        ("+508 41 23 45", "+508412345", "41 23 45"),
        ("+262 692 12 34 56", "+262692123456", "0692 12 34 56"),
        ("00 262 692 12 34 56", "+262692123456", "0692 12 34 56"),
        ("+590 690 00 12 34", "+590690001234", "0690 00 12 34"),
        ("+33 6 92 12 34 56", "+262692123456", "0692 12 34 56"),  # +33 before an overseas number
        ("+33 (0)6 12 34 56 78", "+33612345678", "06 12 34 56 78"),
        ("04/72/12/34/56", "+33472123456", "04 72 12 34 56"),
        ("09 51 23 45 67", "+33951234567", "09 51 23 45 67"),
    ],
)
def test_every_french_territory_in_its_written_forms(raw, e164, shown):
    assert normalize_phone(raw) == e164
    assert display_phone(e164) == shown


def test_a_structure_of_saint_pierre_et_miquelon_reads_six_digit_local_numbers():
    assert normalize_phone("41 23 45", region="PM") == "+508412345"
    assert normalize_phone("0692 12 34 56", region="PM") == "+262692123456"
    with pytest.raises(ValueError):
        normalize_phone("41 23 45")  # elsewhere six digits are a number being typed, not a number


@pytest.mark.parametrize(
    ("raw", "territory"),
    [("0596 12 34 56", "Martinique"), ("0269 12 34 56", "Mayotte"), ("0639 98 12 34", "Mayotte")],
)
def test_an_overseas_number_that_does_not_exist_names_its_territory(raw, territory):
    with pytest.raises(ValueError, match=f"n'existe pas \\({territory}\\)"):
        normalize_phone(raw)


@pytest.mark.parametrize(
    ("query", "search"),
    [
        ("06 12 34", [(f"+{code}61234", True) for code in ("33", "262", "590", "594", "596")]),
        ("0692 1", [(f"+{code}6921", True) for code in ("33", "262", "590", "594", "596")]),
        ("0692 12 34 56", [("+262692123456", True)]),
        ("06 12 34 56 78", [("+33612345678", True)]),
        ("+262 692 12 34 56", [("+262692123456", True)]),
        ("05 08 41 23 45", [("+508412345", True)]),
        ("0612", [(f"+{code}612", True) for code in ("33", "262", "590", "594", "596")]),
        ("+33 6 12", [("+33612", True)]),
        ("00 262 69", [("+26269", True)]),
        ("56 78", [("5678", False)]),
        ("41 23 45", [("412345", False)]),
        ("martin", None),
        ("06", None),
        ("+3", None),
    ],
)
def test_phone_search(query, search):
    assert phone_search(query) == search


@pytest.mark.parametrize(
    ("role", "prenom", "nom", "seen"),
    [
        ("benevole", "Josiane", "Martin", "Josiane M."),
        ("benevole", "Jean-Baptiste", "Dupont-de-la-Villemarqué", "Jean-Baptiste D."),
        ("benevole", "Awa", "de la Tour", "Awa D."),
        ("benevole", "Élodie", "élie", "Élodie É."),
        ("benevole", "Mei", "王", "Mei 王."),
        ("benevole", "Anne", "'", "Anne"),
        ("mediateur", "Josiane", "Martin", "Josiane Martin"),
        ("admin", "Josiane", "Martin", "Josiane Martin"),
        ("direction", "Josiane", "Martin", "Josiane Martin"),
    ],
)
def test_a_volunteer_sees_the_first_name_and_the_surname_initial(role, prenom, nom, seen):
    assert name_seen_by(role, prenom, nom) == seen


# (prénom, nom, id) as a group might be enrolled: two "Josiane M.", an accented first name, a lower-case surname.
GROUPE = [
    ("Josiane", "Martin", 7),
    ("Marcel", "Bernard", 3),
    ("Élodie", "Zola", 9),
    ("Josiane", "moreau", 2),
    ("josiane", "Arnaud", 5),
    ("Emile", "Abadie", 4),
]


def ordre(role: str) -> list[str]:
    rangs = sorted(GROUPE, key=lambda p: name_sort_key(role, *p))
    return [name_seen_by(role, prenom, nom) for prenom, nom, _ident in rangs]


def test_a_volunteer_s_lists_follow_the_names_shown_then_a_stable_id():
    # First name (accents and case aside), then initial, then the id: "Josiane M." (id 2) before "Josiane M." (7).
    assert ordre("benevole") == ["Élodie Z.", "Emile A.", "josiane A.", "Josiane M.", "Josiane M.", "Marcel B."]
    rangs = sorted(GROUPE, key=lambda p: name_sort_key("benevole", *p))
    assert [ident for *_nom, ident in rangs][3:5] == [2, 7]


@pytest.mark.parametrize("role", ["mediateur", "admin", "direction"])
def test_other_roles_lists_follow_the_full_names_shown_first_name_first(role):
    assert ordre(role) == [
        "Élodie Zola",
        "Emile Abadie",
        "josiane Arnaud",
        "Josiane Martin",
        "Josiane moreau",
        "Marcel Bernard",
    ]


def test_search_key_fits_its_column_whatever_the_name_folds_to():
    assert search_key("Lefèvre", "Élodie") == "lefevre elodie"
    assert fold("\ufdfa") != "\ufdfa" and len(fold("\ufdfa")) > 10  # one character, a whole phrase once folded
    long_key = search_key("\ufdfa" * 80, "ﬃ" * 80)
    assert len(long_key) <= SEARCH_KEY_LENGTH and long_key == long_key.strip()
    assert long_key == search_key("\ufdfa" * 80, "ﬃ" * 80)  # the same name always gives the same key


@pytest.mark.parametrize(
    ("text", "multiline", "refused"),
    [
        ("Jean-François N'Diaye", False, False),
        ("Ligne 1\r\nLigne 2\tfin", True, False),
        ("Ligne 1\nLigne 2", False, True),
        ("tab\there", False, True),
        ("nul\x00", True, True),
        ("échap\x1b[0m", True, True),
        ("suppr\x7f", False, True),
        ("c1\x85", True, True),
        ("émoji 🙂 et 中文", False, False),
    ],
)
def test_control_characters_are_spotted(text, multiline, refused):
    assert has_control_characters(text, multiline=multiline) is refused


def test_tel_uri_dials_the_stored_number_from_a_phone():
    assert tel_uri("+33612345678") == "tel:+33-6-12-34-56-78"
    assert tel_uri("+262692123456") == "tel:+262-692-12-34-56"
    assert tel_uri("") == "" and tel_uri(None) == "" and tel_uri("pas un numéro") == ""
