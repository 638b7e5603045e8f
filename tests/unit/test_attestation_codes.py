"""Attestation numbers and verification codes (issue 11, item 2): pure rules."""

from __future__ import annotations

import math

import pytest

from attestations import codes

AMBIGUS = set("0O1IL")


def test_a_code_has_at_least_40_bits_of_randomness_and_no_ambiguous_character():
    assert len(codes.ALPHABET) == len(set(codes.ALPHABET)) == 31
    assert not AMBIGUS & set(codes.ALPHABET)
    assert codes.LONGUEUR_CODE * math.log2(len(codes.ALPHABET)) >= 40
    tires = {codes.nouveau_code() for _ in range(2000)}
    assert len(tires) == 2000
    assert all(len(code) == 12 and set(code) <= set(codes.ALPHABET) for code in tires)
    # every symbol is drawn (secrets.choice over the whole alphabet)
    assert set("".join(tires)) == set(codes.ALPHABET)


def test_a_code_is_printed_in_groups_of_four():
    assert codes.code_groupe("7KQ2XM9DR4TB") == "7KQ2-XM9D-R4TB"


@pytest.mark.parametrize(
    "saisie",
    [
        "7KQ2-XM9D-R4TB",
        "7kq2-xm9d-r4tb",
        " 7KQ2 XM9D R4TB ",
        "7kq2xm9dr4tb",
        "7KQ2\u2013XM9D\u2014R4TB",
        "7KQ2.XM9D.R4TB",
    ],
)
def test_a_typed_code_is_understood(saisie):
    assert codes.normaliser_code(saisie) == "7KQ2XM9DR4TB"


@pytest.mark.parametrize(
    "saisie",
    [
        None,
        "",
        "7KQ2-XM9D",
        "7KQ2-XM9D-R4TB-2",
        "0KQ2-XM9D-R4TB",
        "OKQ2-XM9D-R4TB",
        "1KQ2-XM9D-R4TB",
        "IKQ2-XM9D-R4TB",
        "LKQ2-XM9D-R4TB",
        "7KQ2/XM9D/R4TB",
        "<script>",
        "7" * 200,
    ],
)
def test_anything_else_is_no_code(saisie):
    assert codes.normaliser_code(saisie) is None


def test_the_number_carries_structure_year_and_sequence():
    assert codes.numero("CCAS-DEMO", 2026, 12) == "CCAS-DEMO-2026-00012"
    assert codes.numero("S7", 2027, 123456) == "S7-2027-123456"
    assert codes.code_structure_par_defaut(7) == "S7"
    for code_structure, sequence in (("ccas", 1), ("-CCAS", 1), ("CCAS DEMO", 1), ("C", 1), ("CCAS", 0)):
        with pytest.raises(ValueError):
            codes.numero(code_structure, 2026, sequence)
