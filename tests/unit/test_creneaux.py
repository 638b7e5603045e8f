"""Weekly practice slots turned into dated occurrences: holidays of the subdivision, closures, cancellations."""

from datetime import date, time

import pytest

from core.ouverture import Ouverture, PeriodeFermeture
from entrainements.creneaux import Creneau, JourSaute, demi_journee, occurrences

VENDREDI_MATIN = Creneau(1, 4, time(9, 30), time(11, 30), 6, "Salle informatique")
VENDREDI_APM = Creneau(2, 4, time(14, 0), time(16, 0), 4, "Salle informatique")
MARDI_MIDI = Creneau(3, 1, time(12, 0), time(13, 30), 2, "Médiathèque")
# Good Friday 2027 is 26 March: a public holiday in Alsace-Moselle only.
VENDREDI_SAINT_2027 = date(2027, 3, 26)


def _jours(calendrier):
    return [(o.creneau.id, o.jour) for o in calendrier.occurrences]


def test_weekly_slots_give_one_occurrence_per_week_in_order():
    calendrier = occurrences(
        [VENDREDI_APM, MARDI_MIDI, VENDREDI_MATIN], date(2027, 3, 1), date(2027, 3, 12), Ouverture()
    )
    assert _jours(calendrier) == [
        (3, date(2027, 3, 2)),
        (1, date(2027, 3, 5)),
        (2, date(2027, 3, 5)),
        (3, date(2027, 3, 9)),
        (1, date(2027, 3, 12)),
        (2, date(2027, 3, 12)),
    ]
    assert calendrier.jours_sautes == ()


def test_good_friday_skipped_in_alsace_with_its_reason_kept_elsewhere():
    alsace = occurrences([VENDREDI_MATIN, VENDREDI_APM], date(2027, 3, 22), date(2027, 4, 2), Ouverture("6AE"))
    assert _jours(alsace) == [(1, date(2027, 4, 2)), (2, date(2027, 4, 2))]
    assert alsace.jours_sautes == (
        JourSaute(VENDREDI_SAINT_2027, "vendredi 26 mars 2027 est férié (Vendredi saint)", (1, 2)),
    )
    metropole = occurrences([VENDREDI_MATIN], date(2027, 3, 22), date(2027, 4, 2), Ouverture())
    assert _jours(metropole) == [(1, VENDREDI_SAINT_2027), (1, date(2027, 4, 2))]


def test_a_closure_skips_its_days_with_its_reason():
    ouverture = Ouverture(fermetures=(PeriodeFermeture(date(2027, 3, 8), date(2027, 3, 12), "travaux"),))
    calendrier = occurrences([MARDI_MIDI], date(2027, 3, 1), date(2027, 3, 16), ouverture)
    assert _jours(calendrier) == [(3, date(2027, 3, 2)), (3, date(2027, 3, 16))]
    assert calendrier.jours_sautes == (
        JourSaute(
            date(2027, 3, 9),
            "la structure est fermée du lundi 8 mars 2027 au vendredi 12 mars 2027 (travaux)",
            (3,),
        ),
    )


def test_a_worked_holiday_keeps_its_occurrence():
    lundi = Creneau(4, 0, time(9, 0), time(10, 0), 3, "Salle 2")
    pentecote = date(2027, 5, 17)
    chome = occurrences([lundi], pentecote, pentecote, Ouverture())
    assert chome.occurrences == ()
    assert chome.jours_sautes[0].raison == "lundi 17 mai 2027 est férié (Lundi de Pentecôte)"
    travaille = occurrences([lundi], pentecote, pentecote, Ouverture(feries_travailles=frozenset({"lundi_pentecote"})))
    assert _jours(travaille) == [(4, pentecote)]
    assert travaille.jours_sautes == ()


def test_a_cancelled_occurrence_is_removed_and_not_listed_as_skipped():
    calendrier = occurrences(
        [VENDREDI_MATIN, VENDREDI_APM],
        date(2027, 3, 5),
        date(2027, 3, 12),
        Ouverture(),
        annulees={(1, date(2027, 3, 5)), (2, date(2027, 3, 19))},
    )
    assert _jours(calendrier) == [(2, date(2027, 3, 5)), (1, date(2027, 3, 12)), (2, date(2027, 3, 12))]
    assert calendrier.jours_sautes == ()


def test_half_day_codes_morning_before_noon_afternoon_from_noon():
    calendrier = occurrences(
        [VENDREDI_MATIN, VENDREDI_APM, MARDI_MIDI], date(2027, 3, 1), date(2027, 3, 5), Ouverture()
    )
    assert [(o.creneau.id, o.demi_journee) for o in calendrier.occurrences] == [
        (3, "mar-apm"),
        (1, "ven-matin"),
        (2, "ven-apm"),
    ]
    assert demi_journee(0, time(11, 59)) == "lun-matin"
    assert demi_journee(5, time(12, 0)) == "sam-apm"
    with pytest.raises(ValueError, match="du lundi au samedi"):
        demi_journee(6, time(10, 0))
    assert calendrier.occurrences[1].debut.isoformat() == "2027-03-05T09:30:00"


@pytest.mark.parametrize(
    ("valeurs", "message"),
    [
        ({"jour_semaine": 7}, "du lundi au samedi"),
        ({"jour_semaine": 6}, "du lundi au samedi"),
        ({"fin": time(9, 0)}, "après son heure de début"),
        ({"capacite": 0}, "de 1 à 30 places"),
        ({"capacite": 31}, "de 1 à 30 places"),
        ({"lieu": "  "}, "lieu"),
    ],
)
def test_bad_slot_refused_in_french(valeurs, message):
    champs = {"id": 9, "jour_semaine": 2, "debut": time(9, 0), "fin": time(11, 0), "capacite": 5, "lieu": "Salle"}
    with pytest.raises(ValueError, match=message):
        Creneau(**(champs | valeurs))


def test_bad_period_or_duplicate_slot_ids_refused():
    with pytest.raises(ValueError, match="fin de la période"):
        occurrences([VENDREDI_MATIN], date(2027, 3, 5), date(2027, 3, 4), Ouverture())
    with pytest.raises(ValueError, match="même identifiant"):
        occurrences([VENDREDI_MATIN, VENDREDI_MATIN], date(2027, 3, 1), date(2027, 3, 5), Ouverture())
