"""Dropout rules as tables of attendance histories -> expected alerts, thresholds, and properties."""

import json
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ateliers.dropout import (
    NIVEAUX_RISQUE,
    REGLES,
    RISQUE_PAR_REGLE,
    Alerte,
    Parcours,
    SeanceSuivie,
    Seuils,
    a_rappeler,
    dropout_alerts,
    risque_principal,
)

# Séance n is on a Tuesday, one week after séance n - 1.
SEANCE_1 = date(2026, 3, 3)
STATUTS = {"P": "present", "R": "retard", "E": "absent_excuse", "A": "absent", ".": None}
NE, DEB, CONS, TAUX, NIV = (
    "absence_non_excusee",
    "absence_debut",
    "absences_consecutives",
    "assiduite_faible",
    "niveau_sans_acquis",
)
TITRES = {1: "Découvrir l'ordinateur", 2: "Écrire et se repérer dans Windows"}


def jour(numero):
    return SEANCE_1 + timedelta(weeks=numero - 1)


def debut(numero):
    """Séance n starts at 9:00 Paris (8:00 UTC in March)."""
    return datetime.combine(jour(numero), time(8, 0))


def parcours(historique, joined=1, niveau=2, acquis=None):
    """A learner from a history such as "P A e .": one letter per séance, in order.

    P present, R retard, E absent excusé, A absent, . not taken; a lower-case e or a is an absence whose
    module was caught up. Séance n covers module n. ``joined`` is the séance before whose start, on its day,
    the learner joined.
    """
    seances = tuple(
        SeanceSuivie(
            numero=numero,
            module=numero,
            jour=jour(numero),
            starts_at=debut(numero),
            statut=STATUTS[lettre.upper()],
            rattrapee=lettre.islower(),
        )
        for numero, lettre in enumerate(historique.split(), start=1)
    )
    return Parcours(
        inscription_id=1,
        niveau=niveau,
        joined_at=datetime.combine(jour(joined), time(7, 0)),
        seances=seances,
        competences_acquises_par_module=acquis or {},
    )


def pairs(alertes):
    return {(alerte.regle, alerte.seance) for alerte in alertes}


# (history, today as a séance number, joined at séance, niveau, skills acquired per module, thresholds, expected)
TABLE = [
    # default thresholds, the whole workshop held
    ("P P P P P P", 6, 1, 2, {}, Seuils(), set()),
    ("R R P R P P", 6, 1, 2, {}, Seuils(), set()),
    ("P P A P P P", 6, 1, 2, {}, Seuils(), {(NE, 3)}),
    ("A P P P P P", 6, 1, 2, {}, Seuils(), {(NE, 1), (DEB, 1)}),
    ("E P P P P P", 6, 1, 2, {}, Seuils(), {(DEB, 1)}),
    ("P P E P P P", 6, 1, 2, {}, Seuils(), set()),
    ("P A A P P P", 6, 1, 2, {}, Seuils(), {(NE, 2), (NE, 3), (DEB, 2), (CONS, 3), (TAUX, None)}),
    ("P E A P P P", 6, 1, 2, {}, Seuils(), {(NE, 3), (DEB, 2), (CONS, 3), (TAUX, None)}),
    ("P P E E P P", 6, 1, 2, {}, Seuils(), {(CONS, 4), (TAUX, None)}),
    ("P P P A A P", 6, 1, 2, {}, Seuils(), {(NE, 4), (NE, 5), (CONS, 5), (TAUX, None)}),
    ("A A P A A P", 6, 1, 2, {}, Seuils(), {(NE, 1), (NE, 2), (NE, 4), (NE, 5), (DEB, 1), (CONS, 5), (TAUX, None)}),
    # part of the workshop held; statuses after today are ignored
    ("P A . . . .", 2, 1, 2, {}, Seuils(), {(NE, 2), (DEB, 2)}),
    ("P P A . . .", 3, 1, 2, {}, Seuils(), {(NE, 3), (TAUX, None)}),
    ("P A A A . .", 4, 1, 2, {}, Seuils(), {(NE, 2), (NE, 3), (NE, 4), (DEB, 2), (CONS, 3), (TAUX, None)}),
    ("P P P A A A", 4, 1, 2, {}, Seuils(), {(NE, 4), (TAUX, None)}),
    ("P P P P A .", 5, 1, 2, {}, Seuils(), {(NE, 5)}),  # 4 of 5 is 80 %: not under
    ("P P P P A A", 6, 1, 2, {}, Seuils(), {(NE, 5), (NE, 6), (CONS, 6), (TAUX, None)}),
    ("P A . A . .", 4, 1, 2, {}, Seuils(), {(NE, 2), (NE, 4), (DEB, 2), (TAUX, None)}),  # untaken ends a run
    ("P P . . . .", 4, 1, 2, {}, Seuils(), set()),  # attendance not taken: not held, not absent
    # late joiners: séances before the joining day never count, whatever was recorded
    ("A A P P P P", 6, 3, 2, {}, Seuils(), set()),
    (". . A P P P", 6, 3, 2, {}, Seuils(), {(NE, 3), (TAUX, None)}),
    (". . E P P P", 6, 3, 2, {}, Seuils(), {(TAUX, None)}),
    (". A P P . .", 3, 2, 2, {}, Seuils(), {(NE, 2), (DEB, 2)}),
    (". . P A . .", 4, 3, 2, {}, Seuils(), {(NE, 4)}),  # 2 séances held since joining: rate not checked
    (". . . . P P", 6, 5, 0, {}, Seuils(), set()),  # module 2 was before joining
    # catch-ups (lower case): no call for that séance, no run, but the rate still counts the absence
    ("a P P P P P", 6, 1, 2, {}, Seuils(), set()),
    ("e P P P P P", 6, 1, 2, {}, Seuils(), set()),
    ("P a A P P P", 6, 1, 2, {}, Seuils(), {(NE, 3), (TAUX, None)}),
    ("P P a a P P", 6, 1, 2, {}, Seuils(), {(TAUX, None)}),
    ("P A a A P P", 6, 1, 2, {}, Seuils(), {(NE, 2), (NE, 4), (DEB, 2), (TAUX, None)}),
    ("p P P P P P", 6, 1, 2, {}, Seuils(), set()),  # the flag means nothing on a presence
    # lowest niveau without any skill acquired by module 2
    ("P P . . . .", 2, 1, 0, {}, Seuils(), {(NIV, 2)}),
    ("P . . . . .", 1, 1, 0, {}, Seuils(), set()),
    ("P . . . . .", 2, 1, 0, {}, Seuils(), set()),  # module 2 attendance not taken yet
    ("P P . . . .", 2, 1, 0, {2: 1}, Seuils(), set()),
    ("P P P . . .", 3, 1, 0, {3: 2}, Seuils(), {(NIV, 2)}),
    ("P A . . . .", 2, 1, 0, {}, Seuils(), {(NE, 2), (DEB, 2), (NIV, 2)}),
    ("P P P P P P", 6, 1, 1, {}, Seuils(), set()),
    ("P P P P P P", 6, 1, None, {}, Seuils(), set()),
    # thresholds of a structure
    ("P A A P P P", 6, 1, 2, {}, Seuils(taux_minimum=0.5), {(NE, 2), (NE, 3), (DEB, 2), (CONS, 3)}),
    ("P A A P P P", 6, 1, 2, {}, Seuils(absences_consecutives=3), {(NE, 2), (NE, 3), (DEB, 2), (TAUX, None)}),
    ("P A A A P P", 6, 1, 2, {}, Seuils(absences_consecutives=3, taux_minimum=0.5),
     {(NE, 2), (NE, 3), (NE, 4), (DEB, 2), (CONS, 4)}),
    ("P P A P P P", 6, 1, 2, {}, Seuils(toute_absence_non_excusee=False), set()),
    ("A A P P P P", 6, 1, 2, {}, Seuils(toute_absence_non_excusee=False), {(DEB, 1), (CONS, 2), (TAUX, None)}),
    ("P P E P P P", 6, 1, 2, {}, Seuils(seances_critiques=(1, 2, 3)), {(DEB, 3)}),
    ("A P P P P P", 6, 1, 2, {}, Seuils(seances_critiques=()), {(NE, 1)}),
    ("P A P P . .", 4, 1, 2, {}, Seuils(taux_apres_seance=5), {(NE, 2), (DEB, 2)}),
    ("P P P R P P", 6, 1, 2, {}, Seuils(taux_minimum=1.0), set()),
    ("P P P E . .", 4, 1, 2, {}, Seuils(taux_minimum=1.0), {(TAUX, None)}),
    ("P P E . . .", 3, 1, 2, {}, Seuils(absences_consecutives=1), {(CONS, 3), (TAUX, None)}),
    ("P P P . . .", 3, 1, 1, {}, Seuils(niveau_fragile=1, module_sans_acquis=3), {(NIV, 3)}),
    ("P P . . . .", 2, 1, 1, {}, Seuils(niveau_fragile=1, module_sans_acquis=3), set()),
    ("P P P . . .", 3, 1, 1, {1: 1}, Seuils(niveau_fragile=1, module_sans_acquis=3), set()),
]  # fmt: skip


@pytest.mark.parametrize(("historique", "today", "joined", "niveau", "acquis", "seuils", "expected"), TABLE)
def test_dropout_rules_table(historique, today, joined, niveau, acquis, seuils, expected):
    alertes = dropout_alerts(parcours(historique, joined, niveau, acquis), jour(today), seuils)

    assert pairs(alertes) == expected
    assert len(alertes) == len(expected)
    assert all(alerte.niveau_risque == RISQUE_PAR_REGLE[alerte.regle] for alerte in alertes)


def test_today_between_two_seances_counts_the_last_one_held():
    history = parcours("P A A . . .")

    assert pairs(dropout_alerts(history, jour(2) - timedelta(days=1))) == set()
    assert pairs(dropout_alerts(history, jour(2))) == {(NE, 2), (DEB, 2)}
    assert pairs(dropout_alerts(history, jour(3) - timedelta(days=1))) == {(NE, 2), (DEB, 2)}


def test_joining_before_a_seance_starts_counts_it_joining_once_it_started_does_not():
    history = parcours(". A P P", joined=2)

    assert pairs(dropout_alerts(history, jour(4))) == {(NE, 2), (DEB, 2), (TAUX, None)}
    for joined_at in (debut(2), debut(2) + timedelta(hours=6), debut(3) - timedelta(days=1)):
        later = Parcours(1, 2, joined_at, history.seances)
        assert dropout_alerts(later, jour(4)) == []


def test_a_place_taken_the_afternoon_after_seance_3_no_low_attendance_when_every_later_seance_is_attended():
    # The example: on the day of séance 3, at 16:00 Paris (14:00 UTC), after it was held; a status
    # recorded for her at séance 3 all the same is not read.
    history = parcours(". . A P P P")
    nadia = Parcours(1, 2, datetime.combine(jour(3), time(14, 0)), history.seances)

    assert dropout_alerts(nadia, jour(6)) == []
    assert pairs(dropout_alerts(Parcours(1, 2, debut(3) - timedelta(hours=1), history.seances), jour(6))) == {
        (NE, 3),
        (TAUX, None),
    }


def test_seances_after_leaving_are_not_read():
    history = parcours("P P P A A A")
    parti = Parcours(1, 2, debut(1) - timedelta(days=9), history.seances, ended_at=debut(3) + timedelta(hours=6))

    assert dropout_alerts(parti, jour(6)) == []
    reste = Parcours(1, 2, debut(1) - timedelta(days=9), history.seances, ended_at=debut(4) + timedelta(minutes=1))
    assert pairs(dropout_alerts(reste, jour(6))) == {(NE, 4), (TAUX, None)}


def test_alerts_are_ordered_by_severity_then_seance():
    alertes = dropout_alerts(parcours("A A P A A P", niveau=0), jour(6))

    assert [(alerte.regle, alerte.seance) for alerte in alertes] == [
        (CONS, 5),
        (DEB, 1),
        (NIV, 2),
        (TAUX, None),
        (NE, 1),
        (NE, 2),
        (NE, 4),
        (NE, 5),
    ]
    assert risque_principal(alertes) == alertes[0]
    assert risque_principal(list(reversed(alertes))) == alertes[0]
    assert a_rappeler(alertes)


def test_helpers_on_no_alert():
    assert risque_principal([]) is None
    assert not a_rappeler([])
    assert a_rappeler([Alerte(NE, "a_rappeler", "…", 2, 2)])


def test_messages_name_the_seance_and_module_with_titles():
    alertes = dropout_alerts(parcours("P A A P P P", niveau=0), jour(6), titres_modules=TITRES)
    messages = {alerte.regle: alerte.message for alerte in alertes}

    assert [a.message for a in alertes if a.regle == NE] == [
        "Absence sans excuse à la séance 2 (module 2 : Écrire et se repérer dans Windows)",
        "Absence sans excuse à la séance 3 (module 3)",
    ]
    assert messages[DEB] == "Absence en début d'atelier : séance 2 (module 2 : Écrire et se repérer dans Windows)"
    assert messages[CONS] == (
        "2 absences de suite : séance 2 (module 2 : Écrire et se repérer dans Windows) et séance 3 (module 3)"
    )
    assert messages[TAUX] == "Assiduité de 67 % (4 séances suivies sur 6), sous le seuil de 80 %"
    assert messages[NIV] == (
        "Niveau « débutant complet » et aucune compétence acquise aux modules 1 et 2 : risque de découragement"
    )


def test_messages_without_titles_and_long_runs():
    alertes = dropout_alerts(parcours("A E A A . ."), jour(4), Seuils(module_sans_acquis=3))
    messages = {alerte.regle: alerte.message for alerte in alertes}

    assert messages[DEB] == "Absences en début d'atelier : séance 1 (module 1) et séance 2 (module 2)"
    assert messages[CONS] == (
        "4 absences de suite : séance 1 (module 1), séance 2 (module 2), séance 3 (module 3) et séance 4 (module 4)"
    )
    assert messages[TAUX] == "Assiduité de 0 % (0 séance suivie sur 4), sous le seuil de 80 %"
    run = next(alerte for alerte in alertes if alerte.regle == CONS)
    assert (run.seance, run.module) == (2, 2)  # where the run reached the threshold: stable while it goes on


def test_alerts_about_seances_keyed_in_from_paper_are_history():
    # The workshop was entered in the app on the evening of séance 3: séances 1 to 3 were keyed in from paper.
    base = parcours("A A P A . .", niveau=0)
    papier = Parcours(**{**base.__dict__, "atelier_cree_at": datetime.combine(jour(3), time(18, 0))})
    alertes = {(a.regle, a.seance): a.is_historique for a in dropout_alerts(papier, jour(4))}

    assert alertes == {
        (NE, 1): True,
        (NE, 2): True,
        (NE, 4): False,  # held since the workshop is in the app: a call to make
        (DEB, 1): True,
        (CONS, 2): True,  # the run of séances 1-2 is over, before the app
        (TAUX, None): False,  # the rate reads séance 4 too
        (NIV, 2): True,
    }
    assert not any(a.is_historique for a in dropout_alerts(base, jour(4)))  # entered before its séances


def test_rate_message_never_reads_as_equal_to_the_threshold():
    alertes = dropout_alerts(parcours("P P A P P P"), jour(6), Seuils(taux_minimum=0.84))

    assert [alerte.message for alerte in alertes if alerte.regle == TAUX] == [
        "Assiduité de 83 % (5 séances suivies sur 6), sous le seuil de 84 %"
    ]
    alertes = dropout_alerts(parcours("P P A . . ."), jour(3), Seuils(taux_minimum=0.67))
    assert [alerte.message for alerte in alertes if alerte.regle == TAUX] == [
        "Assiduité de 66,6 % (2 séances suivies sur 3), sous le seuil de 67 %"
    ]


def test_niveau_message_follows_the_thresholds():
    alertes = dropout_alerts(parcours("P . . . . .", niveau=1), jour(1), Seuils(niveau_fragile=1, module_sans_acquis=1))

    assert [alerte.message for alerte in alertes] == [
        "Niveau « débutant » et aucune compétence acquise au module 1 : risque de découragement"
    ]


def test_seances_may_come_in_any_order_and_modules_differ_from_numbers():
    seances = (
        SeanceSuivie(numero=3, module=4, jour=jour(3), starts_at=debut(3), statut="absent"),
        SeanceSuivie(numero=1, module=1, jour=jour(1), starts_at=debut(1), statut="present"),
        SeanceSuivie(numero=2, module=2, jour=jour(2), starts_at=debut(2), statut="absent"),
    )
    alertes = dropout_alerts(Parcours(7, 2, debut(1) - timedelta(days=1), seances), jour(3))

    assert {(alerte.regle, alerte.seance, alerte.module) for alerte in alertes} == {
        (NE, 2, 2),
        (NE, 3, 4),
        (DEB, 2, 2),
        (CONS, 3, 4),
        (TAUX, None, None),
    }


def test_alert_key_and_labels():
    alerte = dropout_alerts(parcours("P A"), jour(2))[0]

    assert alerte.cle == (DEB, 2)
    assert alerte.libelle == "Absence en début d'atelier"
    assert alerte.libelle_risque == "Risque de décrochage"
    assert set(RISQUE_PAR_REGLE) == set(REGLES)
    assert set(RISQUE_PAR_REGLE.values()) <= set(NIVEAUX_RISQUE)


# --- plain data is checked on the way in ------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs", [{"numero": 0}, {"numero": 7}, {"statut": "excuse"}, {"statut": ""}], ids=["0", "7", "statut", "vide"]
)
def test_bad_seance_is_refused(kwargs):
    with pytest.raises(ValueError):
        SeanceSuivie(
            **{"numero": 1, "module": 1, "jour": jour(1), "starts_at": debut(1), "statut": "present", **kwargs}
        )


def test_parcours_refuses_two_seances_with_one_number_and_unknown_niveau():
    seance = SeanceSuivie(1, 1, jour(1), debut(1), "present")
    with pytest.raises(ValueError, match="même numéro"):
        Parcours(1, 2, debut(1), (seance, seance))
    with pytest.raises(ValueError, match="Niveau"):
        Parcours(1, 4, debut(1), (seance,))


# --- thresholds stored per structure ----------------------------------------------------------------------


def test_default_thresholds_are_the_reference_ones():
    assert Seuils().to_dict() == {
        "toute_absence_non_excusee": True,
        "seances_critiques": [1, 2],
        "absences_consecutives": 2,
        "taux_minimum": 0.8,
        "taux_apres_seance": 3,
        "niveau_fragile": 0,
        "module_sans_acquis": 2,
    }
    assert Seuils.from_dict({}) == Seuils()


def test_thresholds_round_trip_through_json():
    seuils = Seuils(
        toute_absence_non_excusee=False,
        seances_critiques=(3, 1),
        absences_consecutives=3,
        taux_minimum=0.5,
        taux_apres_seance=4,
        niveau_fragile=1,
        module_sans_acquis=3,
    )

    assert seuils.seances_critiques == (1, 3)
    assert Seuils.from_dict(json.loads(json.dumps(seuils.to_dict()))) == seuils


def test_from_dict_takes_json_shapes():
    seuils = Seuils.from_dict({"seances_critiques": [2, 1, 2], "taux_minimum": 1, "absences_consecutives": 3})

    assert seuils == Seuils(seances_critiques=(1, 2), taux_minimum=1.0, absences_consecutives=3)
    assert isinstance(seuils.taux_minimum, float)
    assert Seuils.from_dict({"seances_critiques": []}).seances_critiques == ()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"taux_minimum": 1.5}, "taux minimum"),
        ({"taux_minimum": -0.1}, "taux minimum"),
        ({"taux_minimum": 80}, "taux minimum"),
        ({"taux_minimum": float("nan")}, "taux minimum"),
        ({"taux_minimum": "0.8"}, "taux minimum"),
        ({"taux_minimum": True}, "taux minimum"),
        ({"absences_consecutives": 0}, "absences consécutives"),
        ({"absences_consecutives": 7}, "absences consécutives"),
        ({"absences_consecutives": 2.0}, "absences consécutives"),
        ({"absences_consecutives": True}, "absences consécutives"),
        ({"taux_apres_seance": 0}, "contrôler l'assiduité"),
        ({"seances_critiques": [0, 1]}, "séances critiques"),
        ({"seances_critiques": [7]}, "séances critiques"),
        ({"seances_critiques": 1}, "séances critiques"),
        ({"seances_critiques": "12"}, "séances critiques"),
        ({"niveau_fragile": 4}, "niveau fragile"),
        ({"niveau_fragile": -1}, "niveau fragile"),
        ({"module_sans_acquis": 0}, "module"),
        ({"toute_absence_non_excusee": 1}, "oui ou non"),
        ({"taux": 0.8}, "inconnu : taux"),
        ([("taux_minimum", 0.8)], "objet JSON"),
    ],
)
def test_bad_thresholds_are_refused_in_french(data, message):
    with pytest.raises(ValueError, match=message):
        Seuils.from_dict(data)


def test_bad_thresholds_are_refused_when_built_directly():
    with pytest.raises(ValueError, match="taux minimum"):
        Seuils(taux_minimum=2)


# --- properties --------------------------------------------------------------------------------------------

lettres = st.sampled_from("PREA.")
historiques = st.lists(st.tuples(lettres, st.booleans()), min_size=1, max_size=6)
seuils_valides = st.builds(
    Seuils,
    toute_absence_non_excusee=st.booleans(),
    seances_critiques=st.lists(st.integers(1, 6), max_size=3).map(tuple),
    absences_consecutives=st.integers(1, 6),
    taux_minimum=st.floats(0, 1),
    taux_apres_seance=st.integers(1, 6),
    niveau_fragile=st.integers(0, 3),
    module_sans_acquis=st.integers(1, 6),
)


def build(historique, joined=1, niveau=None, acquis=None):
    return parcours(
        " ".join(lettre.lower() if rattrapee else lettre for lettre, rattrapee in historique), joined, niveau, acquis
    )


@given(st.lists(st.sampled_from("PR."), min_size=1, max_size=6), st.integers(1, 6), st.integers(1, 7), seuils_valides)
def test_a_learner_who_always_comes_never_alerts(lettres_presentes, joined, today, seuils):
    history = parcours(" ".join(lettres_presentes), joined, niveau=None)

    assert dropout_alerts(history, jour(today), seuils) == []


@given(historiques, st.data(), st.integers(1, 6), st.integers(1, 7), st.sampled_from([None, 0, 1]), seuils_valides)
def test_one_more_absence_never_removes_an_alert(historique, data, joined, today, niveau, seuils):
    index = data.draw(st.integers(0, len(historique) - 1))
    plus_absent = [*historique]
    plus_absent[index] = ("A", historique[index][1])
    before = dropout_alerts(build(historique, joined, niveau), jour(today), seuils)
    after = dropout_alerts(build(plus_absent, joined, niveau), jour(today), seuils)

    assert {a.regle for a in before} <= {a.regle for a in after}
    assert {a.seance for a in before if a.regle == NE} <= {a.seance for a in after if a.regle == NE}


@given(historiques, st.integers(1, 6), st.integers(1, 7), st.sampled_from([None, 0]), seuils_valides)
def test_seances_before_joining_or_after_today_do_not_matter(historique, joined, today, niveau, seuils):
    kept = [
        (lettre, rattrapee) if joined <= numero <= today else (".", False)
        for numero, (lettre, rattrapee) in enumerate(historique, start=1)
    ]
    alertes = dropout_alerts(build(historique, joined, niveau), jour(today), seuils)

    assert alertes == dropout_alerts(build(kept, joined, niveau), jour(today), seuils)
    assert all(alerte.seance is None or joined <= alerte.seance <= today for alerte in alertes)


@given(historiques, st.integers(1, 7), st.sampled_from([None, 0]), seuils_valides)
def test_alerts_are_unique_and_sorted(historique, today, niveau, seuils):
    alertes = dropout_alerts(build(historique, 1, niveau), jour(today), seuils)

    assert len({alerte.cle for alerte in alertes}) == len(alertes)
    assert sum(1 for alerte in alertes if alerte.regle != NE) == len({a.regle for a in alertes if a.regle != NE})
    assert risque_principal(alertes) == (alertes[0] if alertes else None)
    severites = [list(NIVEAUX_RISQUE).index(alerte.niveau_risque) for alerte in alertes]
    assert severites == sorted(severites)
