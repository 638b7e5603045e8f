"""Which days a structure can hold an appointment: its holidays (by subdivision), those it works, its closures."""

from datetime import date
from zoneinfo import ZoneInfo

import holidays
import pytest

from core.ouverture import (
    FERIES,
    FUSEAUX,
    SUBDIVISIONS,
    Ouverture,
    PeriodeFermeture,
    feries_declarables,
    fuseaux_possibles,
    jours_feries,
)

PENTECOTE_2026 = date(2026, 5, 25)


def test_may_day_refused_with_its_name():
    assert Ouverture().refus(date(2026, 5, 1)) == "vendredi 1er mai 2026 est férié (Fête du Travail)"
    assert not Ouverture().accepte(date(2026, 5, 1))


def test_an_ordinary_day_is_accepted():
    assert Ouverture().refus(date(2026, 5, 4)) is None
    assert Ouverture().accepte(date(2026, 5, 4))


def test_pentecost_monday_allowed_when_declared_worked_refused_with_its_name_otherwise():
    assert Ouverture().refus(PENTECOTE_2026) == "lundi 25 mai 2026 est férié (Lundi de Pentecôte)"
    assert Ouverture(feries_travailles=frozenset({"lundi_pentecote"})).refus(PENTECOTE_2026) is None
    # Working Pentecost Monday changes no other holiday.
    travaille = Ouverture(feries_travailles=frozenset({"lundi_pentecote"}))
    assert travaille.refus(date(2026, 5, 14)) == "jeudi 14 mai 2026 est férié (Ascension)"


def test_a_worked_holiday_is_still_refused_when_the_structure_is_closed():
    ouverture = Ouverture(
        feries_travailles=frozenset({"lundi_pentecote"}),
        fermetures=(PeriodeFermeture(date(2026, 5, 25), date(2026, 5, 29), "inventaire"),),
    )
    assert ouverture.refus(PENTECOTE_2026) == (
        "la structure est fermée du lundi 25 mai 2026 au vendredi 29 mai 2026 (inventaire)"
    )


def test_two_holidays_on_one_day_are_both_named_and_both_must_be_worked():
    # 1 May 2008 was also Ascension Thursday.
    assert Ouverture().refus(date(2008, 5, 1)) == "jeudi 1er mai 2008 est férié (Ascension et Fête du Travail)"
    assert Ouverture(feries_travailles=frozenset({"ascension"})).refus(date(2008, 5, 1)) == (
        "jeudi 1er mai 2008 est férié (Fête du Travail)"
    )


@pytest.mark.parametrize(
    ("subdivision", "jour", "refus"),
    [
        (None, date(2027, 3, 26), None),
        ("6AE", date(2027, 3, 26), "vendredi 26 mars 2027 est férié (Vendredi saint)"),
        ("57", date(2026, 12, 26), "samedi 26 décembre 2026 est férié (Saint-Étienne)"),
        ("974", date(2026, 12, 20), "dimanche 20 décembre 2026 est férié (Abolition de l'esclavage)"),
        ("971", date(2026, 5, 27), "mercredi 27 mai 2026 est férié (Abolition de l'esclavage)"),
        (None, date(2026, 5, 27), None),
    ],
)
def test_holidays_depend_on_the_subdivision(subdivision, jour, refus):
    assert Ouverture(subdivision=subdivision).refus(jour) == refus


def test_closures_give_their_dates_and_reason():
    ouverture = Ouverture(
        fermetures=(
            date(2026, 6, 1),
            (date(2026, 8, 3), date(2026, 8, 21)),
            PeriodeFermeture(date(2026, 12, 24), date(2026, 12, 31), "congés de fin d'année"),
        )
    )

    assert ouverture.refus(date(2026, 6, 1)) == "la structure est fermée le lundi 1er juin 2026"
    assert ouverture.refus(date(2026, 8, 3)) == "la structure est fermée du lundi 3 août 2026 au vendredi 21 août 2026"
    assert ouverture.refus(date(2026, 8, 21)) is not None
    assert ouverture.refus(date(2026, 8, 24)) is None
    assert ouverture.refus(date(2026, 12, 28)) == (
        "la structure est fermée du jeudi 24 décembre 2026 au jeudi 31 décembre 2026 (congés de fin d'année)"
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"subdivision": "Bretagne"}, "Subdivision inconnue"),
        ({"subdivision": "Zone A"}, "Subdivision inconnue"),  # school holidays, not public ones
        ({"feries_travailles": frozenset({"fete_travail"})}, "Le 1er mai est chômé pour tous"),
        ({"feries_travailles": frozenset({"pont_de_l_ascension"})}, "Jour férié inconnu"),
        ({"fuseau": "Mars/Olympus_Mons"}, "Fuseau horaire inconnu"),
        ({"fermetures": [(date(2026, 3, 20), date(2026, 3, 10))]}, "Période de fermeture invalide"),
    ],
)
def test_bad_settings_refused_in_french(arguments, message):
    with pytest.raises(ValueError, match=message):
        Ouverture(**arguments)


def test_the_zone_is_the_structures():
    assert Ouverture().zone == ZoneInfo("Europe/Paris")
    assert Ouverture(subdivision="974", fuseau="Indian/Reunion").zone == ZoneInfo("Indian/Reunion")


def test_every_holiday_the_library_knows_has_a_stable_code():
    # A library upgrade that renames a holiday must fail here, not silently forget a structure's setting.
    noms = set()
    for subdivision in (None, *SUBDIVISIONS):
        for nom in holidays.France(years=range(1990, 2061), subdiv=subdivision, language="fr").values():
            noms.update(nom.split("; "))
    assert noms <= set(FERIES.values())


def test_every_subdivision_is_known_to_the_library_with_existing_zones():
    assert set(SUBDIVISIONS) <= set(holidays.France.subdivisions)
    for subdivision in (None, *SUBDIVISIONS):
        zones = fuseaux_possibles(subdivision)
        assert zones and set(zones) <= set(FUSEAUX)
        for zone in zones:
            ZoneInfo(zone)


def test_holidays_a_structure_may_declare_worked():
    metropole = dict(feries_declarables(None, 2026))
    alsace = dict(feries_declarables("6AE", 2026))

    assert metropole["lundi_pentecote"] == "Lundi de Pentecôte"
    assert "fete_travail" not in metropole and "fete_travail" not in alsace
    assert set(alsace) - set(metropole) == {"vendredi_saint", "saint_etienne"}
    assert list(metropole)[:2] == ["jour_an", "lundi_paques"]


def test_public_holidays_by_year_and_subdivision():
    assert jours_feries([2026], "57") - jours_feries([2026]) == {date(2026, 4, 3), date(2026, 12, 26)}
