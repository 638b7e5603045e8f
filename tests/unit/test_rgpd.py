"""Pure pieces of issue 13 items 1 and 3: the retention rule (who is due) and the printed export."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from rgpd.conservation import Contacts, dus, limite, mois_avant
from rgpd.export import Fiche, Section
from rgpd.export_pdf import export_pdf

TODAY = date(2028, 6, 15)


@pytest.mark.parametrize(
    ("jour", "mois", "attendu"),
    [
        (date(2027, 3, 31), 1, date(2027, 2, 28)),
        (date(2028, 3, 31), 1, date(2028, 2, 29)),
        (date(2028, 2, 29), 24, date(2026, 2, 28)),
        (date(2026, 1, 15), 3, date(2025, 10, 15)),
        (date(2026, 1, 15), 0, date(2026, 1, 15)),
    ],
)
def test_months_before_a_day_stay_inside_the_shorter_month(jour, mois, attendu):
    assert mois_avant(jour, mois) == attendu


def test_a_negative_number_of_months_is_refused():
    with pytest.raises(ValueError, match="négatif"):
        mois_avant(TODAY, -1)


def test_the_last_contact_is_the_latest_day_known():
    contacts = Contacts(1, inscrit_on=date(2025, 1, 3), seance_on=date(2026, 4, 1), appel_on=date(2026, 2, 1))
    assert contacts.dernier == date(2026, 4, 1)
    assert Contacts(2, inscrit_on=date(2025, 1, 3)).dernier == date(2025, 1, 3)


def test_who_is_due_after_24_months_without_contact():
    assert limite(TODAY, 24) == date(2026, 6, 15)
    contacts = [
        Contacts(1, inscrit_on=date(2026, 6, 14)),  # a day over: due
        Contacts(2, inscrit_on=date(2026, 6, 15)),  # exactly 24 months: kept today
        Contacts(3, inscrit_on=date(2024, 1, 1), appel_on=date(2027, 1, 5)),  # a call keeps the person
        Contacts(4, inscrit_on=date(2024, 1, 1), entrainement_on=date(2026, 7, 1)),  # a practice session too
        Contacts(5, inscrit_on=date(2024, 1, 1), en_cours=True),  # in a running workshop: never
        Contacts(6, inscrit_on=date(2024, 1, 1), dernier_contact_on=date(2025, 5, 1), seance_on=date(2025, 3, 2)),
        Contacts(7, inscrit_on=date(2024, 1, 1), positionnement_on=date(2027, 9, 1)),
    ]
    assert dus(contacts, today=TODAY, mois=24) == [1, 6]
    assert dus(contacts, today=TODAY, mois=12) == [1, 2, 3, 4, 6]


def _texte(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_the_printed_export_says_each_section_in_plain_french():
    fiche = Fiche(
        structure="CCAS de Saint-Médard",
        personne="Josiane Martin",
        le="lundi 1er juin 2026",
        sections=(
            Section("Votre identité et vos coordonnées", ("Prénom : Josiane", "Téléphone : 06 12 34 56 78")),
            Section("Vos attestations"),
        ),
    )
    data = export_pdf(fiche)
    texte = _texte(data)
    for attendu in (
        "Vos données personnelles",
        "Josiane Martin, le lundi 1er juin 2026.",
        "Structure : CCAS de Saint-Médard.",
        "Ce document rassemble tout ce que cette structure garde à votre sujet",
        "Votre identité et vos coordonnées",
        "Téléphone : 06 12 34 56 78",
        "Vos attestations Rien d'enregistré.",
        "adressez-vous à l'accueil de cette structure. Elle vous répond dans un délai d'un mois.",
    ):
        assert attendu in texte
    assert export_pdf(fiche) == data  # same input, same bytes
