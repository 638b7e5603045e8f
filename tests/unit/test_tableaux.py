import pytest

from pilotage.tableaux import Tableau


def test_a_table_keeps_its_rows_and_refuses_a_ragged_one():
    tableau = Tableau.de("abandons_par_motif", "Abandons par motif", ["Motif", "Nombre"], [["santé", 2]])
    assert tableau.lignes == (("santé", 2),)
    with pytest.raises(ValueError, match="2 colonnes"):
        Tableau.de("abandons_par_motif", "Abandons par motif", ["Motif", "Nombre"], [["santé"]])


@pytest.mark.parametrize("nom", ["", "x" * 32, "abandons_été"])
def test_a_table_name_must_fit_a_sheet_name(nom):
    with pytest.raises(ValueError, match="nom de tableau"):
        Tableau.de(nom, "Titre", ["A"], [])
