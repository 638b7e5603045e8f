"""Laying several dashboards' key figures side by side (``pilotage.reseau.comparer``), and the tables the network's
downloads write from them, on hand-built sections."""

from __future__ import annotations

import pytest

from pilotage.reseau import VueReseau, comparer, tableaux, tableaux_du_rapport
from pilotage.tableau_de_bord import Chiffre, Section
from pilotage.tableaux import Tableau


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


def _vue() -> VueReseau:
    colonnes = [_colonne(8, 0.25, 12), _colonne(12, None, None), _colonne(20, 0.1, 9.5)]
    motifs = Tableau.de("abandons_par_motif", "Abandons par motif", ["Motif", "Abandons"], [["Santé", 2]])
    reseau = [colonnes[2][0], Section("abandons", "Abandons", colonnes[2][1].chiffres, (motifs,))]
    return VueReseau(("CCAS", "France Services", "Réseau"), tuple(comparer([*colonnes[:2], reseau])), tuple(reseau))


def test_the_export_writes_counts_and_rates_across_the_columns_then_the_network_s_tables():
    ecrits = tableaux(_vue())
    assert [t.nom for t in ecrits] == [
        "reseau_ateliers",
        "reseau_abandons",
        "reseau_abandons_parts",
        "abandons_par_motif",
    ]
    ateliers, abandons, parts, motifs = ecrits
    assert ateliers.colonnes == ("Indicateur", "CCAS", "France Services", "Réseau", "Définition")
    assert ateliers.lignes == (("Apprenants ayant commencé", 8, 12, 20, "Inscriptions commencées."),)
    assert abandons.lignes == (("Abandons", 1, 1, 1, "Abandons."), ("Attente médiane (jours)", 12, None, 9.5, "Jours."))
    # only the figures that have a rate, as numbers from 0 to 1 in percentage columns
    assert parts.lignes == (("Abandons", 0.25, None, 0.1),) and parts.pourcentages == {1, 2, 3}
    assert motifs.titre == "Abandons par motif (réseau)" and motifs.lignes == (("Santé", 2),)


def test_the_report_s_tables_write_each_figure_as_the_page_does():
    rapport = tableaux_du_rapport(_vue())
    assert list(rapport) == ["ateliers", "abandons"]
    assert rapport["abandons"].colonnes == ("Indicateur", "CCAS", "France Services", "Réseau")
    assert rapport["abandons"].lignes == (
        ("Abandons", "1 (25\u202f%)", "1 (aucune donnée)", "1 (10\u202f%)"),
        ("Attente médiane (jours)", "12", "aucune donnée", "9,5"),
    )
