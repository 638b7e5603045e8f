"""The words of the practice messages: each SMS in one GSM-7 segment with long real-life values, only the first
name as personal data; letters and emails that say when, where, what to bring and whom to call."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from core.messagerie.gsm7 import segments
from entrainements.textes import A_APPORTER, Seance, annulation, convocation, rappel

LONGUE = Seance(
    prenom="Marie-Christine",
    debut=datetime(2026, 9, 30, 14, 0),  # "mercredi 30 septembre à 14 h 00": the longest day and month
    lieu="Espace numérique, 12 avenue du Général-de-Gaulle",
    structure="Centre communal d'action sociale de Saint-Médard-en-Jalles",
    telephone="05 56 12 34 56",
)
COURTE = Seance(
    prenom="Ana", debut=datetime(2026, 3, 3, 9, 0), lieu="Mairie", structure="CCAS", telephone="05 56 12 34 56"
)

SMS = [
    lambda s: convocation(s, "sms", rang=1),
    lambda s: convocation(s, "sms", rang=2, rappel_prevu=False),
    lambda s: rappel(s, "sms"),
    lambda s: annulation(s, "sms"),
]


@pytest.mark.parametrize("texte", SMS)
def test_each_sms_fits_one_gsm7_segment_with_long_values(texte):
    corps = texte(LONGUE).corps
    assert segments(corps).encodage == "GSM-7" and segments(corps).nombre == 1, (len(corps), corps)
    for attendu in ("Marie-Christine", "mercredi 30 septembre à 14 h 00", "05 56 12 34 56"):
        assert attendu in corps


@pytest.mark.parametrize("texte", SMS[:3])
def test_the_sms_says_where(texte):
    assert LONGUE.lieu in texte(LONGUE).corps


@pytest.mark.parametrize("texte", SMS)
def test_short_values_get_the_longest_plainest_wording(texte):
    corps = texte(COURTE).corps
    assert segments(corps).nombre == 1
    assert "Bonjour" in corps or "Rappel" in corps or "Nous vous enverrons une autre date" in corps
    assert "Si vous ne pouvez pas venir" in corps or "Questions" in corps


@pytest.mark.parametrize("texte", SMS)
def test_values_are_written_in_gsm7_august_and_a_cedilla_included(texte):
    seance = Seance(
        prenom="Françoise",
        debut=datetime(2026, 8, 4, 14, 0),
        lieu="Forêt",
        structure="CCAS",
        telephone="",
    )
    corps = texte(seance).corps
    assert segments(corps).encodage == "GSM-7"
    assert "Francoise" in corps and "mardi 4 aout à 14 h 00" in corps
    assert "appelez" not in corps.lower()  # no number, no sentence about calling


def test_the_sms_carries_no_personal_data_but_the_first_name():
    # The only person-specific value a Seance carries is the first name; the structure's name stays out too.
    for texte in SMS:
        assert LONGUE.structure not in texte(LONGUE).corps


@pytest.mark.parametrize("canal", ["email", "courrier"])
def test_the_letter_and_email_say_when_where_what_to_bring_and_whom_to_call(canal):
    texte = convocation(LONGUE, canal, rang=2)
    for attendu in (
        "Bonjour Marie-Christine,",
        "C'est votre 2e entraînement sur ordinateur.",
        "Quand : mercredi 30 septembre à 14 h 00.",
        f"Où : {LONGUE.lieu}.",
        f"À apporter : {A_APPORTER}.",
        "Nous vous enverrons un rappel deux jours avant.",
        "Vous ne pouvez pas venir ? Appelez le 05 56 12 34 56.",
        LONGUE.structure,
    ):
        assert attendu in texte.corps
    assert texte.objet == "Entraînement mercredi 30 septembre à 14 h 00"
    assert "rappel" not in convocation(LONGUE, canal, rang=1, rappel_prevu=False).corps
    assert "C'est votre 1er entraînement" in convocation(LONGUE, canal, rang=1).corps


@pytest.mark.parametrize("canal", ["email", "courrier"])
def test_letter_sentences_are_short(canal):
    # Plain language for weak readers: no sentence of the fixed wording over 12 words.
    for texte in (convocation(COURTE, canal, rang=1), rappel(COURTE, canal), annulation(COURTE, canal)):
        for phrase in re.split(r"[.?\n]", texte.corps):
            assert len(phrase.split()) <= 12, phrase


@pytest.mark.parametrize("texte", SMS[:3])
def test_a_longer_place_falls_back_to_the_bare_number(texte):
    seance = Seance(
        prenom=LONGUE.prenom,
        debut=LONGUE.debut,
        lieu="Espace numérique de la médiathèque, 12 avenue du Général-de-Gaulle",  # 66 characters
        structure=LONGUE.structure,
        telephone=LONGUE.telephone,
    )
    corps = texte(seance).corps
    assert segments(corps).nombre == 1 and corps.endswith("Tél. 05 56 12 34 56"), corps
