import pytest

from core.francais import accord, avec, de, elide_devant, nombre


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("Ana", "d'Ana"),
        ("Émile", "d'Émile"),
        ("Hélène", "d'Hélène"),
        ("Hugo Martin", "d'Hugo Martin"),
        ("Yves", "d'Yves"),
        ("Yasmine", "de Yasmine"),
        ("Marc", "de Marc"),
        ("Hubert", "de Hubert"),
        ("  Océane ", "d'Océane"),
        ("3 séances", "de 3 séances"),
        ("", "de "),
    ],
)
def test_de_elides_before_a_vowel_or_a_mute_h(texte, attendu):
    assert de(texte) == attendu


def test_avec_keeps_the_case_of_the_short_word_and_joins_words_without_elision():
    assert avec("De", "Ana") == "D'Ana"
    assert avec("la", "assiduité") == "l'assiduité"
    assert avec("que", "elle") == "qu'elle"
    assert avec("à", "Ana") == "à Ana"
    assert not elide_devant("Jean-Hugues")
    assert elide_devant("Anne-Marie")


@pytest.mark.parametrize(
    ("n", "attendu"),
    [(0, "0 compétence acquise"), (1, "1 compétence acquise"), (2, "2 compétences acquises")],
)
def test_nombre_agrees_with_the_count(n, attendu):
    assert nombre(n, "compétence acquise") == attendu


def test_nombre_takes_an_irregular_plural_and_keeps_words_ending_in_s():
    assert nombre(3, "travail", "travaux") == "3 travaux"
    assert nombre(2, "absence non excusée") == "2 absences non excusées"
    assert nombre(2, "mois") == "2 mois"


def test_nombre_leaves_the_words_after_a_preposition_alone():
    assert nombre(2, "séance de rattrapage") == "2 séances de rattrapage"
    assert nombre(4, "appel d'abandon") == "4 appels d'abandon"


def test_accord_is_the_phrase_of_nombre_without_the_number():
    assert accord(0, "personne à rappeler", "personnes à rappeler") == "personne à rappeler"
    assert accord(1, "personne à rappeler", "personnes à rappeler") == "personne à rappeler"
    assert accord(3, "personne à rappeler", "personnes à rappeler") == "personnes à rappeler"
    assert accord(2, "séance de rattrapage") == "séances de rattrapage"
