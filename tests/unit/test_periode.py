from datetime import date

import pytest

from pilotage.periode import Periode, PeriodeRefusee, annee_civile, annee_scolaire, par_defaut, trimestre


@pytest.mark.parametrize(
    ("periode", "libelle", "jours"),
    [
        (annee_civile(2026), "année 2026", 365),
        (annee_civile(2028), "année 2028", 366),
        (annee_scolaire(2025), "année scolaire 2025-2026", 365),
        (trimestre(2026, 1), "1er trimestre 2026", 90),
        (trimestre(2026, 4), "4e trimestre 2026", 92),
        (Periode(date(2026, 3, 1), date(2026, 4, 17)), "du 1er mars 2026 au 17 avril 2026", 48),
    ],
)
def test_periods_in_words_and_days(periode, libelle, jours):
    assert (periode.libelle, periode.jours) == (libelle, jours)


def test_the_previous_period_is_last_year_for_a_year_or_quarter_else_the_same_length_before():
    assert annee_scolaire(2025).precedente() == annee_scolaire(2024)
    assert trimestre(2028, 1).precedente() == trimestre(2027, 1)
    assert Periode(date(2026, 3, 3), date(2026, 3, 9)).precedente() == Periode(date(2026, 2, 24), date(2026, 3, 2))


def test_an_end_before_the_start_or_more_than_five_years_is_refused_beside_the_end():
    with pytest.raises(PeriodeRefusee, match="est avant le début") as refus:
        Periode(date(2026, 3, 3), date(2026, 3, 2))
    assert refus.value.champ == "fin"
    assert Periode(date(2021, 1, 1), date(2025, 12, 31)).jours == 1826
    with pytest.raises(PeriodeRefusee, match="cinq ans"):
        Periode(date(2020, 1, 1), date(2025, 12, 31))
    with pytest.raises(PeriodeRefusee, match="de 1 à 4"):
        trimestre(2026, 5)


def test_the_default_period_is_the_year_so_far_and_a_day_is_inside_it():
    periode = par_defaut(date(2026, 11, 30))
    assert periode == Periode(date(2026, 1, 1), date(2026, 11, 30))
    assert periode.contient(date(2026, 11, 30)) and not periode.contient(date(2026, 12, 1))
    assert periode.fin_exclue == date(2026, 12, 1)
