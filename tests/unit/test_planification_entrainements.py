"""The booking planner of the entraînements (issue 10, item 3): optimal against brute force, and its reasons."""

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.disponibilites import ALL_MASK, CODES, to_mask
from core.timeutil import periode_fr
from entrainements.planification import (
    PLAFOND_OBJECTIF,
    EntrainementAPlacer,
    OccurrenceCreneau,
    ReservationExistante,
    objectif,
    planifier,
    ponderer,
)

LUNDI = date(2026, 3, 2)  # a Monday


def occ(id, jour, moment="matin", places=1):
    code = f"{CODES[jour.weekday() * 2][:3]}-{'matin' if moment == 'matin' else 'apm'}"
    return OccurrenceCreneau(id=id, jour=jour, demi_journee=code, places_libres=places)


def ent(id, cible, apprenant=None, rang=1, debut=None, fin=None, dispo=ALL_MASK, fin_atelier=date(2026, 2, 1)):
    return EntrainementAPlacer(
        id=id,
        apprenant_id=id if apprenant is None else apprenant,
        rang=rang,
        date_cible=cible,
        debut=debut or cible - timedelta(days=7),
        fin=fin or cible + timedelta(days=7),
        disponibilites=dispo,
        fin_atelier=fin_atelier,
    )


# --- brute force -----------------------------------------------------------------------------------------------


def brute_force(entrainements, occurrences, reservations):
    """The best objective tuple over every assignment, checked with rules written again here."""
    par_id = {o.id: o for o in occurrences}
    pris = {(r.apprenant_id, par_id[r.occurrence_id].jour) for r in reservations}
    choix = []
    for e in entrainements:
        options = [None]
        for o in occurrences:
            jour_ok = e.debut <= o.jour <= e.fin
            dispo_ok = e.disponibilites & to_mask([o.demi_journee])
            if jour_ok and dispo_ok and (e.apprenant_id, o.jour) not in pris:
                options.append(o.id)
        choix.append(options)
    best = None
    for combo in itertools.product(*choix):
        affectation = {e.id: c for e, c in zip(entrainements, combo, strict=True) if c is not None}
        if any(list(affectation.values()).count(o.id) > o.places_libres for o in occurrences):
            continue
        jours = [(e.apprenant_id, par_id[affectation[e.id]].jour) for e in entrainements if e.id in affectation]
        if len(set(jours)) != len(jours):
            continue
        valeur = objectif(entrainements, occurrences, affectation)
        best = valeur if best is None or valeur < best else best
    return best


def valide(entrainements, occurrences, reservations, affectation):
    par_id = {o.id: o for o in occurrences}
    existants = {(r.apprenant_id, par_id[r.occurrence_id].jour) for r in reservations}
    jours = []
    for e in entrainements:
        if e.id in affectation:
            o = par_id[affectation[e.id]]
            assert e.debut <= o.jour <= e.fin
            assert e.disponibilites & to_mask([o.demi_journee])
            jours.append((e.apprenant_id, o.jour))
    assert len(set(jours)) == len(jours)
    assert not existants & set(jours)
    for o in occurrences:
        assert list(affectation.values()).count(o.id) <= o.places_libres


jours_ouvres = [LUNDI + timedelta(days=d) for d in range(13) if (LUNDI + timedelta(days=d)).weekday() < 6]


@st.composite
def instances(draw):
    occurrences = [
        occ(
            i + 1, draw(st.sampled_from(jours_ouvres)), draw(st.sampled_from(["matin", "apm"])), draw(st.integers(0, 2))
        )
        for i in range(draw(st.integers(1, 5)))
    ]
    entrainements = []
    for i in range(draw(st.integers(1, 5))):
        debut = draw(st.sampled_from(jours_ouvres))
        fin = debut + timedelta(days=draw(st.integers(0, 8)))
        cible = debut + timedelta(days=draw(st.integers(0, (fin - debut).days)))
        entrainements.append(
            EntrainementAPlacer(
                id=10 + i,
                apprenant_id=draw(st.integers(1, 3)),
                rang=draw(st.integers(1, 3)),
                date_cible=cible,
                debut=debut,
                fin=fin,
                disponibilites=draw(st.integers(0, ALL_MASK)),
                fin_atelier=LUNDI - timedelta(days=draw(st.integers(1, 60))),
            )
        )
    reservations = [
        ReservationExistante(occurrence_id=draw(st.sampled_from(occurrences)).id, apprenant_id=draw(st.integers(1, 3)))
        for _ in range(draw(st.integers(0, 2)))
    ]
    return entrainements, occurrences, reservations


# 0: the four criteria solved one after another; 40: some merged, some not; the default: all merged here.
@pytest.mark.parametrize("plafond", [0, 40, PLAFOND_OBJECTIF])
@settings(max_examples=100, deadline=None)
@given(instance=instances())
def test_planner_reaches_the_brute_force_optimum(plafond, instance):
    entrainements, occurrences, reservations = instance
    plan = planifier(entrainements, occurrences, reservations, plafond=plafond)
    valide(entrainements, occurrences, reservations, plan.affectation)
    assert objectif(entrainements, occurrences, plan.affectation) == brute_force(
        entrainements, occurrences, reservations
    )
    assert set(plan.motifs) == {e.id for e in entrainements} - set(plan.affectation)


# --- examples --------------------------------------------------------------------------------------------------


def test_scarce_places_beat_nearest_first():
    mardi, jeudi = LUNDI + timedelta(days=1), LUNDI + timedelta(days=3)
    # Entraînement 1 prefers Tuesday (its target) but can take Thursday; entraînement 2 can only take Tuesday.
    # Nearest-first gives Tuesday to 1 and nothing to 2; the optimum books both.
    e1 = ent(1, mardi)
    e2 = ent(2, mardi, debut=mardi, fin=mardi)
    plan = planifier([e1, e2], [occ(100, mardi), occ(200, jeudi)])
    assert plan.affectation == {1: 200, 2: 100}
    assert plan.motifs == {}


def test_nearest_date_then_lower_rank_then_oldest_workshop():
    mardi = LUNDI + timedelta(days=1)
    proche = planifier([ent(1, mardi)], [occ(100, mardi + timedelta(days=2)), occ(200, mardi + timedelta(days=1))])
    assert proche.affectation == {1: 200}
    rangs = planifier([ent(1, mardi, rang=2), ent(2, mardi, rang=1)], [occ(100, mardi)])
    assert rangs.affectation == {2: 100}
    anciens = planifier(
        [ent(1, mardi, fin_atelier=date(2026, 2, 10)), ent(2, mardi, fin_atelier=date(2026, 1, 5))], [occ(100, mardi)]
    )
    assert anciens.affectation == {2: 100}


def test_full_slots_say_so():
    mardi = LUNDI + timedelta(days=1)  # 3 March 2026
    e = ent(1, mardi, debut=mardi, fin=date(2026, 3, 17), dispo=to_mask(["mar-apm"]))
    plan = planifier([e], [occ(100, mardi, "apm", places=0), occ(200, mardi + timedelta(days=7), "apm", places=0)])
    assert plan.affectation == {}
    assert plan.motifs[1] == (
        "aucun créneau libre le mardi après-midi entre le 3 et le 17 mars (2 créneaux complets) : "
        "ajoutez des places ou proposez une autre date"
    )


def test_no_slot_at_their_half_days_says_so():
    mardi = LUNDI + timedelta(days=1)
    e = ent(1, mardi, debut=date(2026, 2, 26), fin=date(2026, 3, 17), dispo=to_mask(["mar-apm", "jeu-matin"]))
    # A free slot on Tuesday morning, when the learner is not available, and one after the window.
    plan = planifier([e], [occ(100, mardi, "matin", places=5), occ(200, date(2026, 3, 19), "matin", places=5)])
    assert plan.affectation == {}
    assert plan.motifs[1] == (
        "aucun créneau le mardi après-midi ou le jeudi matin entre le 26 février et le 17 mars : "
        "ouvrez un créneau à ces moments ou élargissez ses disponibilités"
    )


def test_no_availability_at_all():
    mardi = LUNDI + timedelta(days=1)
    plan = planifier([ent(1, mardi, dispo=0)], [occ(100, mardi, places=3)])
    assert plan.affectation == {}
    assert plan.motifs[1] == "aucune demi-journée de disponibilité n'est renseignée : complétez ses disponibilités"


def test_existing_booking_blocks_its_day():
    mardi = LUNDI + timedelta(days=1)
    matin, apm = occ(100, mardi, "matin", places=3), occ(200, mardi, "apm", places=3)
    plan = planifier([ent(1, mardi, apprenant=7)], [matin, apm], [ReservationExistante(100, 7)])
    assert plan.affectation == {}
    assert plan.motifs[1].startswith("aucun créneau libre entre le 24 février et le 10 mars (")
    assert "(2 créneaux tombent un jour où une séance est déjà réservée)" in plan.motifs[1]
    # Another learner's booking does not block the day: either half-day does (they are equally good).
    assert planifier([ent(1, mardi, apprenant=8)], [matin, apm], [ReservationExistante(100, 7)]).affectation in (
        {1: 100},
        {1: 200},
    )


def test_one_booking_per_learner_per_day():
    mardi = LUNDI + timedelta(days=1)
    matin, apm = occ(100, mardi, "matin", places=3), occ(200, mardi, "apm", places=3)
    plan = planifier([ent(1, mardi, apprenant=7), ent(2, mardi, apprenant=7, rang=2)], [matin, apm])
    assert list(plan.affectation) == [1]
    assert "tombent un jour où une séance est déjà réservée" in plan.motifs[2]


def test_dates_in_french():
    assert periode_fr(date(2026, 3, 1), date(2026, 4, 2)) == "entre le 1er mars et le 2 avril"
    assert periode_fr(date(2026, 12, 28), date(2027, 1, 5)) == "entre le 28 décembre 2026 et le 5 janvier 2027"
    assert periode_fr(date(2026, 3, 3), date(2026, 3, 3)) == "le 3 mars"


def test_inconsistent_input_is_refused():
    mardi = LUNDI + timedelta(days=1)
    with pytest.raises(ValueError, match="n'est pas un"):
        planifier([ent(1, mardi)], [OccurrenceCreneau(1, mardi, "lun-matin", 1)])
    with pytest.raises(ValueError, match="négatives"):
        planifier([ent(1, mardi)], [occ(1, mardi, places=-1)])
    with pytest.raises(ValueError, match="inconnue"):
        planifier([ent(1, mardi)], [occ(1, mardi)], [ReservationExistante(9, 1)])


# --- merged objectives -----------------------------------------------------------------------------------------


def test_merged_weights_keep_the_lexicographic_order():
    # Two groups (entraînements); spans: booked 2, distance 3 + 2 = 5, rank 2 + 3 = 5.
    criteres = [[-1, -1, -1], [3, 0, 2], [1, 2, 3]]
    # rank weight 1; distance weight 1 + 5 = 6; booked weight 1 + 5 + 6 * 5 = 36.
    assert ponderer(criteres, [1, 1, 2], 10**6) == [[-36 + 18 + 1, -36 + 0 + 2, -36 + 12 + 3]]


@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 9), st.integers(0, 9)), min_size=1, max_size=6),
    st.integers(0, 400),
)
def test_merged_objectives_order_solutions_like_the_criteria(variables, plafond):
    """Every choice of at most one variable per group compares by the merged objectives, taken one after
    another, exactly as by the criteria tuple."""
    groupes = [g for g, _, _ in variables]
    criteres = [[-1] * len(variables), [a for _, a, _ in variables], [b for _, _, b in variables]]
    objectifs = ponderer(criteres, groupes, plafond)
    options = [[None] + [i for i, g in enumerate(groupes) if g == groupe] for groupe in sorted(set(groupes))]
    choix = [[i for i in combo if i is not None] for combo in itertools.product(*options)]

    def par_criteres(c):
        return tuple(sum(critere[i] for i in c) for critere in criteres)

    def par_objectifs(c):
        return tuple(sum(objectif[i] for i in c) for objectif in objectifs)

    for a, b in itertools.combinations(choix, 2):
        assert (par_criteres(a) < par_criteres(b)) == (par_objectifs(a) < par_objectifs(b))
        assert (par_criteres(a) == par_criteres(b)) == (par_objectifs(a) == par_objectifs(b))


def test_a_low_ceiling_keeps_the_criteria_apart():
    criteres = [[-1, -1], [5, 7], [1, 2]]
    assert ponderer(criteres, [1, 2], 0) == criteres
    # Spans: booked 2, distance 12, rank 3. Booked (weight 13) + distance reach 12 + 13 * 2 = 38 <= 40; with the
    # rank (weights 52, 4, 1) they would reach 155.
    assert ponderer(criteres, [1, 2], 40) == [[-13 + 5, -13 + 7], [1, 2]]
    assert ponderer(criteres, [1, 2], 155) == [[-52 + 20 + 1, -52 + 28 + 2]]
