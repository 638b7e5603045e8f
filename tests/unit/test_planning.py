"""Planning a workshop's séances around French public holidays and the structure's closures; moving one."""

import itertools
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ateliers.planning import (
    HORAIRES,
    SeancePlanifiee,
    conflits,
    deplacer_seance,
    planifier_seances,
    premier_jour_a_posteriori,
    refus_date_passee,
)
from core.ouverture import Ouverture, PeriodeFermeture, jours_feries

LUNDI_MATIN, LUNDI_APM, MARDI_MATIN, MARDI_APM, MERCREDI_MATIN, MERCREDI_APM = range(6)
JEUDI_MATIN, JEUDI_APM, VENDREDI_MATIN, VENDREDI_APM, SAMEDI_MATIN, SAMEDI_APM = range(6, 12)

NOEL_2026 = (date(2026, 12, 19), date(2027, 1, 3))  # two weeks of Christmas closure, Saturday to Sunday


def d(text):
    return date.fromisoformat(text)


def jours(seances):
    return [s.jour.isoformat() for s in seances]


# --- planning ----------------------------------------------------------------------------------------------

PLANS = [
    pytest.param(
        MARDI_MATIN,
        "2026-04-27",
        (),
        ["2026-04-28", "2026-05-05", "2026-05-12", "2026-05-19", "2026-05-26", "2026-06-02"],
        id="holidays-on-other-weekdays-do-not-matter",  # May 1st, 8th (Fri), Ascension (Thu), Pentecost (Mon)
    ),
    pytest.param(
        LUNDI_MATIN,
        "2026-03-30",
        (),
        ["2026-03-30", "2026-04-13", "2026-04-20", "2026-04-27", "2026-05-04", "2026-05-11"],
        id="easter-monday-skipped",
    ),
    pytest.param(
        LUNDI_APM,
        "2026-05-10",
        (),
        ["2026-05-11", "2026-05-18", "2026-06-01", "2026-06-08", "2026-06-15", "2026-06-22"],
        id="whit-monday-skipped",
    ),
    pytest.param(
        JEUDI_MATIN,
        "2026-05-01",
        (),
        ["2026-05-07", "2026-05-21", "2026-05-28", "2026-06-04", "2026-06-11", "2026-06-18"],
        id="ascension-thursday-skipped",
    ),
    pytest.param(
        MERCREDI_APM,
        "2026-11-02",
        (),
        ["2026-11-04", "2026-11-18", "2026-11-25", "2026-12-02", "2026-12-09", "2026-12-16"],
        id="armistice-wednesday-skipped",
    ),
    pytest.param(
        VENDREDI_MATIN,
        "2026-12-04",
        (),
        ["2026-12-04", "2026-12-11", "2026-12-18", "2027-01-08", "2027-01-15", "2027-01-22"],
        id="christmas-and-new-year-fridays-skipped",
    ),
    pytest.param(
        VENDREDI_APM,
        "2026-04-24",
        (),
        ["2026-04-24", "2026-05-15", "2026-05-22", "2026-05-29", "2026-06-05", "2026-06-12"],
        id="may-1st-and-8th-fridays-skipped",
    ),
    pytest.param(
        MARDI_APM,
        "2026-07-01",
        (),
        ["2026-07-07", "2026-07-21", "2026-07-28", "2026-08-04", "2026-08-11", "2026-08-18"],
        id="national-day-tuesday-skipped",
    ),
    pytest.param(
        SAMEDI_MATIN,
        "2027-04-26",
        (),
        ["2027-05-15", "2027-05-22", "2027-05-29", "2027-06-05", "2027-06-12", "2027-06-19"],
        id="saturday-first-two-weeks-are-holidays",  # May 1st and 8th 2027 are Saturdays
    ),
    pytest.param(
        MARDI_MATIN,
        "2026-12-01",
        (NOEL_2026,),
        ["2026-12-01", "2026-12-08", "2026-12-15", "2027-01-05", "2027-01-12", "2027-01-19"],
        id="two-week-christmas-closure",
    ),
    pytest.param(
        MARDI_MATIN,
        "2026-03-03",
        (d("2026-03-10"), d("2026-03-24")),
        ["2026-03-03", "2026-03-17", "2026-03-31", "2026-04-07", "2026-04-14", "2026-04-21"],
        id="single-closure-days",
    ),
    pytest.param(
        MARDI_MATIN,
        "2026-03-03",
        ((d("2026-03-04"), d("2026-03-10")),),
        ["2026-03-03", "2026-03-17", "2026-03-24", "2026-03-31", "2026-04-07", "2026-04-14"],
        id="period-ending-on-the-day-is-inclusive",
    ),
    pytest.param(
        MARDI_MATIN,
        "2026-03-03",
        ((d("2026-03-10"), d("2026-03-16")),),
        ["2026-03-03", "2026-03-17", "2026-03-24", "2026-03-31", "2026-04-07", "2026-04-14"],
        id="period-starting-on-the-day-is-inclusive",
    ),
    pytest.param(
        MARDI_MATIN,
        "2026-03-03",
        ((d("2026-03-11"), d("2026-03-16")), d("2026-03-09")),
        ["2026-03-03", "2026-03-10", "2026-03-17", "2026-03-24", "2026-03-31", "2026-04-07"],
        id="closures-around-the-day-do-not-matter",
    ),
    pytest.param(
        LUNDI_MATIN,
        "2026-03-30",
        (d("2026-04-13"),),
        ["2026-03-30", "2026-04-20", "2026-04-27", "2026-05-04", "2026-05-11", "2026-05-18"],
        id="holiday-then-closure-in-a-row",
    ),
]


@pytest.mark.parametrize(("demi_journee", "debut", "fermetures", "attendu"), PLANS)
def test_seances_weekly_on_the_half_day_skipping_holidays_and_closures(demi_journee, debut, fermetures, attendu):
    seances = planifier_seances(demi_journee, d(debut), Ouverture(fermetures=fermetures))

    assert jours(seances) == attendu
    assert [s.numero for s in seances] == [1, 2, 3, 4, 5, 6]
    assert {(s.debut, s.fin) for s in seances} == {HORAIRES[demi_journee % 2]}


def test_good_friday_is_a_holiday_only_in_alsace_moselle():
    metropole = planifier_seances(VENDREDI_MATIN, d("2026-03-27"), nombre=3)
    moselle = planifier_seances(VENDREDI_MATIN, d("2026-03-27"), Ouverture(subdivision="57"), nombre=3)

    assert jours(metropole) == ["2026-03-27", "2026-04-03", "2026-04-10"]
    assert jours(moselle) == ["2026-03-27", "2026-04-10", "2026-04-17"]


def test_a_strasbourg_friday_workshop_never_lands_on_good_friday():
    # Strasbourg is in the Bas-Rhin: Good Friday (26 March 2027) is a public holiday there, not in Paris.
    strasbourg = planifier_seances(VENDREDI_MATIN, d("2027-03-19"), Ouverture(subdivision="6AE"))
    paris = planifier_seances(VENDREDI_MATIN, d("2027-03-19"))

    assert jours(strasbourg) == ["2027-03-19", "2027-04-02", "2027-04-09", "2027-04-16", "2027-04-23", "2027-04-30"]
    assert jours(paris)[1] == "2027-03-26"


def test_pentecost_monday_holds_a_seance_when_the_structure_works_it():
    solidarite = Ouverture(feries_travailles=frozenset({"lundi_pentecote"}))

    assert "2026-05-25" in jours(planifier_seances(LUNDI_APM, d("2026-05-18"), solidarite))
    assert "2026-05-25" not in jours(planifier_seances(LUNDI_APM, d("2026-05-18")))
    assert jours(deplacer_seance(MAI, 5, d("2026-05-25"), False, solidarite))[4] == "2026-05-25"
    with pytest.raises(ValueError, match=r"lundi 25 mai 2026 est férié \(Lundi de Pentecôte\)"):
        deplacer_seance(MAI, 5, d("2026-05-25"), False)


def test_a_seance_in_la_reunion_is_at_nine_reunion_time():
    reunion = Ouverture(subdivision="974", fuseau="Indian/Reunion")

    seance = planifier_seances(LUNDI_MATIN, d("2026-06-01"), reunion, nombre=1)[0]

    # La Réunion is UTC+4 all year: 9:00 there is 5:00 UTC (7:00 UTC for a 9:00 séance in Paris in June).
    assert (seance.jour, seance.debut) == (d("2026-06-01"), time(9))
    assert (seance.starts_at, seance.ends_at) == (datetime(2026, 6, 1, 5), datetime(2026, 6, 1, 8))


@pytest.mark.parametrize(("nombre", "attendu"), [(1, ["2026-03-03"]), (3, ["2026-03-03", "2026-03-10", "2026-03-17"])])
def test_number_of_seances(nombre, attendu):
    assert jours(planifier_seances(MARDI_MATIN, d("2026-03-03"), nombre=nombre)) == attendu


def test_hours_can_be_overridden():
    horaires = {0: (time(9, 30), time(12, 30)), 1: (time(13, 30), time(16, 30))}

    seances = planifier_seances(JEUDI_APM, d("2026-03-03"), nombre=2, horaires=horaires)

    assert [(s.debut, s.fin) for s in seances] == [(time(13, 30), time(16, 30))] * 2


@pytest.mark.parametrize(
    ("jour", "debut", "fin", "starts_at", "ends_at"),
    [
        pytest.param("2026-01-13", time(9), time(12), datetime(2026, 1, 13, 8), datetime(2026, 1, 13, 11), id="winter"),
        pytest.param(
            "2026-06-16", time(14), time(17), datetime(2026, 6, 16, 12), datetime(2026, 6, 16, 15), id="summer"
        ),
        pytest.param(
            "2026-03-30", time(9), time(12), datetime(2026, 3, 30, 7), datetime(2026, 3, 30, 10), id="day-after-dst"
        ),
        pytest.param(
            "2026-10-26", time(9), time(12), datetime(2026, 10, 26, 8), datetime(2026, 10, 26, 11), id="back-to-winter"
        ),
    ],
)
def test_paris_hours_as_naive_utc(jour, debut, fin, starts_at, ends_at):
    seance = SeancePlanifiee(1, d(jour), debut, fin)

    assert (seance.starts_at, seance.ends_at) == (starts_at, ends_at)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param({"demi_journee": -1}, "Demi-journée invalide : -1", id="half-day-negative"),
        pytest.param({"demi_journee": 12}, "Demi-journée invalide : 12", id="half-day-sunday"),
        pytest.param({"nombre": 0}, "Nombre de séances invalide : 0", id="no-seance"),
        pytest.param({"nombre": -2}, "Nombre de séances invalide : -2", id="negative-count"),
        pytest.param(
            {"horaires": {0: (time(12), time(9)), 1: (time(14), time(17))}}, "Horaires invalides", id="hours-inverted"
        ),
        pytest.param(
            {"ouverture": Ouverture(fermetures=[(d("2026-03-01"), d("2027-06-30"))])},
            "Impossible de placer 6 séances",
            id="closed-for-a-year",
        ),
    ],
)
def test_bad_input_refused_in_french(arguments, message):
    arguments = {"demi_journee": MARDI_MATIN, "debut": d("2026-03-03"), **arguments}

    with pytest.raises(ValueError, match=message):
        planifier_seances(**arguments)


@given(
    demi_journee=st.integers(0, 11),
    debut=st.dates(date(2026, 1, 1), date(2030, 12, 31)),
    fermetures=st.lists(
        st.one_of(
            st.dates(date(2026, 1, 1), date(2031, 6, 30)),
            st.tuples(st.dates(date(2026, 1, 1), date(2031, 6, 30)), st.integers(0, 20)).map(
                lambda p: (p[0], p[0] + timedelta(days=p[1]))
            ),
        ),
        max_size=6,
    ),
    nombre=st.integers(1, 8),
)
def test_plan_rules_hold_for_any_start_and_closures(demi_journee, debut, fermetures, nombre):
    seances = planifier_seances(demi_journee, debut, Ouverture(fermetures=fermetures), nombre=nombre)

    feries = jours_feries(range(debut.year, debut.year + 3))

    def libre(jour):
        return jour not in feries and not any(
            f == jour if isinstance(f, date) else f[0] <= jour <= f[1] for f in fermetures
        )

    assert [s.numero for s in seances] == list(range(1, nombre + 1))
    assert all(s.jour.weekday() == demi_journee // 2 and libre(s.jour) for s in seances)
    assert debut <= seances[0].jour
    # No free week is left unused before or between séances.
    semaine = timedelta(weeks=1)
    jour = seances[0].jour - semaine
    while jour >= debut:
        assert not libre(jour)
        jour -= semaine
    for avant, apres in itertools.pairwise(seances):
        assert (apres.jour - avant.jour).days % 7 == 0 and apres.jour > avant.jour
        assert not any(libre(avant.jour + k * semaine) for k in range(1, (apres.jour - avant.jour).days // 7))


# --- public holidays ---------------------------------------------------------------------------------------


def test_public_holidays_of_metropolitan_france():
    feries = jours_feries([2026])

    assert feries == {
        d("2026-01-01"),
        d("2026-04-06"),
        d("2026-05-01"),
        d("2026-05-08"),
        d("2026-05-14"),
        d("2026-05-25"),
        d("2026-07-14"),
        d("2026-08-15"),
        d("2026-11-01"),
        d("2026-11-11"),
        d("2026-12-25"),
    }


def test_public_holidays_over_several_years_and_in_moselle():
    assert {d("2026-12-25"), d("2027-01-01"), d("2027-05-17")} <= jours_feries([2026, 2027])
    assert jours_feries([2026], subdivision="57") - jours_feries([2026]) == {d("2026-04-03"), d("2026-12-26")}


# --- moving a séance ---------------------------------------------------------------------------------------

# Tuesday mornings: 3, 10, 17, 24, 31 March and 7 April 2026.
MARS = planifier_seances(MARDI_MATIN, d("2026-03-03"))
# Tuesday afternoons: 28 April, 5, 12, 19, 26 May and 2 June 2026 (Ascension is Thursday 14 May).
MAI = planifier_seances(MARDI_APM, d("2026-04-28"))

DEPLACEMENTS = [
    pytest.param(
        MARS,
        3,
        "2026-03-19",
        False,
        (),
        ["2026-03-03", "2026-03-10", "2026-03-19", "2026-03-24", "2026-03-31", "2026-04-07"],
        id="thursday-same-week-others-kept",
    ),
    pytest.param(
        MARS,
        3,
        "2026-03-26",
        True,
        (),
        ["2026-03-03", "2026-03-10", "2026-03-26", "2026-04-02", "2026-04-09", "2026-04-16"],
        id="later-thursday-following-shifted-to-thursdays",
    ),
    pytest.param(
        MARS,
        1,
        "2026-02-24",
        False,
        (),
        ["2026-02-24", "2026-03-10", "2026-03-17", "2026-03-24", "2026-03-31", "2026-04-07"],
        id="first-moved-earlier",
    ),
    pytest.param(
        MARS,
        6,
        "2026-05-05",
        False,
        (),
        ["2026-03-03", "2026-03-10", "2026-03-17", "2026-03-24", "2026-03-31", "2026-05-05"],
        id="last-moved-later-without-shift",
    ),
    pytest.param(
        MARS,
        6,
        "2026-04-09",
        True,
        (),
        ["2026-03-03", "2026-03-10", "2026-03-17", "2026-03-24", "2026-03-31", "2026-04-09"],
        id="last-moved-with-shift-has-nothing-to-shift",
    ),
    pytest.param(
        MARS,
        4,
        "2026-03-24",
        True,
        ((d("2026-03-31"), d("2026-04-12")),),
        ["2026-03-03", "2026-03-10", "2026-03-17", "2026-03-24", "2026-04-14", "2026-04-21"],
        id="same-day-with-shift-replans-around-new-closure",
    ),
    pytest.param(
        MAI,
        2,
        "2026-05-07",
        True,
        (),
        ["2026-04-28", "2026-05-07", "2026-05-21", "2026-05-28", "2026-06-04", "2026-06-11"],
        id="shift-to-thursdays-skips-ascension",
    ),
    pytest.param(
        MAI,
        2,
        "2026-05-11",
        True,
        (),
        ["2026-04-28", "2026-05-11", "2026-05-18", "2026-06-01", "2026-06-08", "2026-06-15"],
        id="shift-to-mondays-skips-whit-monday",
    ),
    pytest.param(
        MAI,
        3,
        "2026-05-13",
        True,
        (d("2026-05-20"), (d("2026-05-27"), d("2026-06-03"))),
        ["2026-04-28", "2026-05-05", "2026-05-13", "2026-06-10", "2026-06-17", "2026-06-24"],
        id="shift-skips-closure-day-and-period",
    ),
    pytest.param(
        MARS,
        2,
        "2026-03-13",
        False,
        ((d("2026-03-24"), d("2026-03-24")),),
        ["2026-03-03", "2026-03-13", "2026-03-17", "2026-03-24", "2026-03-31", "2026-04-07"],
        id="without-shift-a-later-seance-on-a-closure-stays",
    ),
]


@pytest.mark.parametrize(("seances", "numero", "jour", "decaler", "fermetures", "attendu"), DEPLACEMENTS)
def test_move_a_seance(seances, numero, jour, decaler, fermetures, attendu):
    moved = deplacer_seance(seances, numero, d(jour), decaler, Ouverture(fermetures=fermetures))

    assert jours(moved) == attendu
    assert [s.numero for s in moved] == [1, 2, 3, 4, 5, 6]
    assert [(s.debut, s.fin) for s in moved] == [(s.debut, s.fin) for s in seances]


def test_move_keeps_each_seances_own_hours_and_sorts_by_number():
    seances = [
        SeancePlanifiee(2, d("2026-03-10"), time(14), time(17)),
        SeancePlanifiee(1, d("2026-03-03"), time(9), time(12)),
        SeancePlanifiee(3, d("2026-03-17"), time(10), time(13)),
    ]

    moved = deplacer_seance(seances, 1, d("2026-03-05"), True)

    assert moved == [
        SeancePlanifiee(1, d("2026-03-05"), time(9), time(12)),
        SeancePlanifiee(2, d("2026-03-12"), time(14), time(17)),
        SeancePlanifiee(3, d("2026-03-19"), time(10), time(13)),
    ]


@pytest.mark.parametrize(
    ("numero", "jour", "decaler", "fermetures", "message"),
    [
        pytest.param(7, "2026-04-14", False, (), "pas de séance n° 7", id="unknown-number"),
        pytest.param(
            2,
            "2026-04-06",
            True,
            (),
            r"Impossible de placer la séance 2 : lundi 6 avril 2026 est férié \(Lundi de Pâques\)\.",
            id="holiday",
        ),
        pytest.param(
            3,
            "2026-03-19",
            False,
            (PeriodeFermeture(d("2026-03-16"), d("2026-03-20"), "vacances de printemps"),),
            r"la structure est fermée du lundi 16 mars 2026 au vendredi 20 mars 2026 \(vacances de printemps\)\.",
            id="closure-period",
        ),
        pytest.param(
            3, "2026-03-18", False, (d("2026-03-18"),), r"fermée le mercredi 18 mars 2026\.$", id="closure-day"
        ),
        pytest.param(3, "2026-03-10", False, (), "après la séance 2 du mardi 10 mars 2026", id="same-day-as-previous"),
        pytest.param(3, "2026-03-09", True, (), "après la séance 2", id="before-previous-even-with-shift"),
        pytest.param(1, "2026-03-10", False, (), "avant la séance 2 du mardi 10 mars 2026", id="same-day-as-next"),
        pytest.param(3, "2026-03-26", False, (), "avant la séance 4", id="after-next-without-shift"),
    ],
)
def test_move_refused_in_french(numero, jour, decaler, fermetures, message):
    with pytest.raises(ValueError, match=message):
        deplacer_seance(MARS, numero, d(jour), decaler, Ouverture(fermetures=fermetures))


# --- conflicts ---------------------------------------------------------------------------------------------


def test_conflicts_after_closures_added_later():
    seances = planifier_seances(MARDI_MATIN, d("2026-12-01"))  # 1, 8, 15, 22, 29 Dec 2026 and 5 Jan 2027

    fermetures = [PeriodeFermeture(*NOEL_2026, "congés de Noël"), d("2026-12-01")]

    assert conflits(seances, Ouverture(fermetures=fermetures)) == [
        "La séance 1 est à déplacer : la structure est fermée le mardi 1er décembre 2026.",
        "La séance 4 est à déplacer : la structure est fermée du samedi 19 décembre 2026 au dimanche 3 janvier 2027 "
        "(congés de Noël).",
        "La séance 5 est à déplacer : la structure est fermée du samedi 19 décembre 2026 au dimanche 3 janvier 2027 "
        "(congés de Noël).",
    ]


def test_conflicts_on_public_holidays_in_french():
    seances = [
        SeancePlanifiee(2, d("2026-05-25"), time(9), time(12)),
        SeancePlanifiee(1, d("2026-05-18"), time(9), time(12)),
        SeancePlanifiee(3, d("2026-06-01"), time(9), time(12)),
    ]

    assert conflits(seances, Ouverture()) == [
        "La séance 2 est à déplacer : lundi 25 mai 2026 est férié (Lundi de Pentecôte)."
    ]


def test_conflicts_depend_on_the_subdivision():
    seances = [SeancePlanifiee(1, d("2026-12-26"), time(9), time(12))]

    assert conflits(seances, Ouverture()) == []
    assert conflits(seances, Ouverture(subdivision="6AE")) == [
        "La séance 1 est à déplacer : samedi 26 décembre 2026 est férié (Saint-Étienne)."
    ]


def test_no_conflict_for_a_fresh_plan():
    noel = Ouverture(fermetures=[NOEL_2026])
    assert conflits(planifier_seances(VENDREDI_MATIN, d("2026-12-04"), noel), noel) == []


# --- saisie a posteriori: how far back a séance may be dated (issue 9, item 3) -----------------------------


@pytest.mark.parametrize("jour", ["2026-04-15", "2026-04-16", "2027-01-04"])
def test_a_day_from_today_on_needs_no_confirmation(jour):
    assert refus_date_passee(d(jour), d("2026-04-15"), a_posteriori=False) is None


def test_a_past_day_asks_for_the_confirmation_and_says_what_it_is_for():
    message = refus_date_passee(d("2026-04-14"), d("2026-04-15"), a_posteriori=False)
    assert message == (
        "Le mardi 14 avril 2026 est passé. S'il s'agit de séances déjà tenues sur papier, cochez "
        "« Saisie a posteriori » : vous pourrez ensuite saisir leurs présences et leurs compétences."
    )
    assert refus_date_passee(d("2026-04-14"), d("2026-04-15"), a_posteriori=True) is None


def test_a_posteriori_goes_back_three_months_and_no_further():
    today = d("2026-04-15")
    assert premier_jour_a_posteriori(today) == d("2026-01-13")
    assert refus_date_passee(d("2026-01-13"), today, a_posteriori=True) is None
    message = refus_date_passee(d("2026-01-12"), today, a_posteriori=True)
    assert message == (
        "Le lundi 12 janvier 2026 est trop loin dans le passé : une saisie a posteriori remonte au plus à "
        "trois mois, soit le mardi 13 janvier 2026."
    )
