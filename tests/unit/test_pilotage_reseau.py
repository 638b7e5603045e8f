"""Laying several dashboards' key figures side by side (``pilotage.reseau.comparer``), on hand-built sections."""

from __future__ import annotations

import pytest

from pilotage.reseau import comparer
from pilotage.tableau_de_bord import Chiffre, Section


def _section(cle: str, *chiffres: Chiffre) -> Section:
    return Section(cle, cle.capitalize(), chiffres, ())


def _colonne(commences: int, taux: float | None, mediane: float | None) -> list[Section]:
    return [
        _section("ateliers", Chiffre("Apprenants ayant commencé", commences, "Inscriptions commencées.")),
        _section(
            "abandons",
            Chiffre("Abandons", 1, "Abandons.", taux, True),
            Chiffre("Attente médiane", mediane, "Jours.", unite="jours"),
        ),
    ]


def test_each_figure_becomes_a_row_with_one_figure_per_column_in_column_order():
    comparees = comparer([_colonne(8, 0.25, 12), _colonne(12, None, None), _colonne(20, 0.1, 9.5)])
    assert [c.cle for c in comparees] == ["ateliers", "abandons"]
    commences = comparees[0].lignes[0]
    assert commences.libelle == "Apprenants ayant commencé"
    assert [c.valeur for c in commences.chiffres] == [8, 12, 20]
    abandons, mediane = comparees[1].lignes
    assert abandons.a_une_part and [c.part for c in abandons.chiffres] == [0.25, None, 0.1]
    # the network's column is whatever its own dashboard says: nothing is added or averaged here
    assert mediane.unite == "jours" and [c.valeur for c in mediane.chiffres] == [12, None, 9.5]


def test_dashboards_of_different_shapes_are_refused():
    with pytest.raises(ValueError):
        comparer([])
    autre = _colonne(1, None, None)
    autre[0] = _section("ateliers", Chiffre("Ateliers menés", 1, "-"))
    with pytest.raises(ValueError):
        comparer([_colonne(1, None, None), autre])
    with pytest.raises(ValueError):
        comparer([_colonne(1, None, None), _colonne(1, None, None)[:1]])
