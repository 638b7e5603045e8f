"""The dashboard's figures on a seeded history (tests/pilotage_fixtures.py), on SQLite and PostgreSQL: every key
figure and every table line is compared with the same count made another way, by walking the ORM objects in
Python; another structure's rows never count; the statements stay as many when the history grows."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa

from ateliers.constants import RESULTATS_SUIVI, STATUTS_PRESENCE, SUITES_SUIVI
from ateliers.dropout import REGLES, REGLES_APRES_ATELIER
from ateliers.models import Alerte, Atelier, Suivi
from attestations.models import Attestation
from core.constants import MOTIFS_SORTIE
from core.models import Apprenant
from core.timeutil import to_local
from entrainements.models import Entrainement, Reservation
from evaluations.constants import MODES_POSITIONNEMENT
from evaluations.models import Positionnement
from extensions import db
from pilotage import queries, tableau_de_bord
from pilotage.periode import Periode, annee_civile, trimestre
from tests.pilotage_fixtures import NOW, TODAY, semer

PRESENT = ("present", "retard")


@pytest.fixture
def deux_structures(structure, make_structure, make_compte):
    semer(structure, make_compte("mediateur"), make_compte("benevole"), ateliers=3)
    autre = make_structure(nom="France Services de l'Autre-Rive")
    semer(autre, make_compte("mediateur", structure=autre), make_compte("benevole", structure=autre), ateliers=2)
    return structure, autre


def _jour(moment):
    return to_local(moment).date()


def attendus(structure_id: int, periode: Periode) -> dict:
    """Every figure of the dashboard of ``structure_id``, counted by walking the ORM objects."""
    ateliers = db.session.scalars(sa.select(Atelier).where(Atelier.structure_id == structure_id)).all()
    apprenants = db.session.scalars(sa.select(Apprenant).where(Apprenant.structure_id == structure_id)).all()
    inscriptions = [i for a in ateliers for i in a.inscriptions]
    tenues = [s for a in ateliers if a.statut != "annule" for s in a.seances if s.starts_at <= NOW]
    dans = [s for s in tenues if periode.contient(_jour(s.starts_at))]
    figures: dict = {}

    # waiting
    figures["Personnes en attente aujourd'hui"] = sum(a.statut in ("en_attente", "propose") for a in apprenants)
    delais = []
    for apprenant in apprenants:
        premieres = [
            s.starts_at
            for i in inscriptions
            if i.apprenant_id == apprenant.id
            for s in i.atelier.seances
            if s.starts_at <= NOW and i.was_enrolled_at(s)
        ]
        if premieres and periode.contient(_jour(min(premieres))):
            premiere = _jour(min(premieres))
            depuis = apprenant.en_attente_depuis_on
            depuis = depuis if depuis is not None and depuis <= premiere else _jour(apprenant.created_at)
            delais.append((premiere - depuis).days)
    figures["Personnes entrées en atelier"] = len(delais)
    figures["Attente médiane avant la première séance"] = statistics.median(delais) if delais else None
    figures["Attente de 9 personnes sur 10 au plus"] = (
        sorted(delais)[math.ceil(0.9 * len(delais)) - 1] if delais else None
    )
    placements = [
        p
        for p in db.session.scalars(sa.select(Positionnement)).all()
        if p.apprenant.structure_id == structure_id and not p.is_brouillon and periode.contient(_jour(p.completed_at))
    ]
    figures["Personnes orientées ailleurs"] = sum(p.niveau == 3 for p in placements)
    figures["Questionnaires terminés"] = len(placements)
    tables = {
        "positionnements_par_mode": Counter(p.mode for p in placements),
        "niveaux": Counter(p.niveau for p in placements),
    }

    # workshops
    figures["Ateliers menés"] = len({s.atelier_id for s in dans})
    commences_ateliers = [a for a in ateliers if a.statut != "annule" and a.seances[0] in dans]
    figures["Ateliers commencés"] = len(commences_ateliers)
    figures["Places offertes"] = sum(a.capacite for a in commences_ateliers)
    prises = sum(i.was_enrolled_at(a.seances[0]) for a in commences_ateliers for i in a.inscriptions)
    offertes = figures["Places offertes"]
    figures["Places prises (taux de remplissage)"] = (prises, prises / offertes if offertes else None)

    def suivies(inscription):
        return sorted((p.seance for p in inscription.presences if p.statut in PRESENT), key=lambda s: s.starts_at)

    commences = [i for i in inscriptions if suivies(i) and periode.contient(_jour(suivies(i)[0].starts_at))]
    figures["Apprenants ayant commencé"] = len(commences)

    # attendance
    presences = [p for s in dans for p in s.presences]
    presents = [p for p in presences if p.statut in PRESENT]
    retards = [p for p in presences if p.statut == "retard"]
    figures["Présences (taux d'assiduité)"] = (len(presents), len(presents) / len(presences) if presences else None)
    figures["Arrivées en retard"] = (len(retards), len(retards) / len(presences) if presences else None)
    figures["Heures apprenants"] = sum(p.minutes for p in presents) / 60
    figures["Heures animateurs"] = sum(s.module.duree_minutes * len(s.animateurs) for s in dans) / 60
    tables["presences_par_statut"] = Counter(STATUTS_PRESENCE[p.statut] for p in presences)

    # dropout
    partis = [i for i in commences if i.statut == "abandon"]
    figures["Abandons (taux d'abandon)"] = (len(partis), len(partis) / len(commences) if commences else None)
    tables["abandons_par_motif"] = Counter(MOTIFS_SORTIE[i.motif_sortie] for i in partis)
    tables["survie"] = {
        f"Séance {k}": (len(commences) - sum(suivies(i)[-1].numero < k for i in partis)) / len(commences)
        if commences
        else None
        for k in range(1, 7)
    }
    alertes = [
        a
        for a in db.session.scalars(sa.select(Alerte)).all()
        if a.inscription.atelier.structure_id == structure_id
        and not a.is_historique
        and periode.contient(_jour(a.created_at))
    ]
    tables["alertes_par_regle"] = Counter(REGLES[a.regle] for a in alertes)
    suivis = [
        s
        for s in db.session.scalars(sa.select(Suivi)).all()
        if s.inscription.atelier.structure_id == structure_id and periode.contient(s.appel_on)
    ]
    figures["Appels de suivi"] = len(suivis)
    tables["appels_par_resultat"] = Counter(RESULTATS_SUIVI[s.resultat] for s in suivis)
    tables["appels_par_suite"] = Counter(SUITES_SUIVI[s.suite] for s in suivis)
    premiers: dict = {}
    for suivi in suivis:
        couvertes = db.session.scalars(sa.select(Alerte).where(Alerte.traitee_par_suivi_id == suivi.id)).all()
        if any(a.regle not in REGLES_APRES_ATELIER for a in couvertes):
            premiers[suivi.inscription] = min(premiers.get(suivi.inscription, suivi.appel_on), suivi.appel_on)
    appeles = revenus = 0
    for inscription, jour in premiers.items():
        apres = [s for s in inscription.atelier.seances if s.starts_at.date() >= jour]
        if apres:
            appeles += 1
            revenus += any(p.seance in apres and p.statut in PRESENT for p in inscription.presences)
    figures["Revenues après un appel"] = (revenus, revenus / appeles if appeles else None)

    # skills
    evaluees = [
        e
        for a in ateliers
        if a.seances[5] in dans
        for i in a.inscriptions
        if i.was_enrolled_at(a.seances[5])
        for e in i.evaluations
    ]
    acquis = [e for e in evaluees if e.resultat == "acquis"]
    figures["Compétences acquises à l'évaluation finale"] = (
        len(acquis),
        len(acquis) / len(evaluees) if evaluees else None,
    )
    par_module = Counter(e.competence.module.numero for e in evaluees)
    acquis_module = Counter(e.competence.module.numero for e in acquis)
    tables["acquis_par_module"] = {n: acquis_module[n] / par_module[n] for n in par_module}

    # practice
    reservations = [
        r
        for r in db.session.scalars(sa.select(Reservation)).all()
        if r.entrainement.structure_id == structure_id and periode.contient(r.jour)
    ]
    statuts = Counter(r.statut for r in reservations)
    figures["Entraînements réservés"] = statuts["honoree"] + statuts["absente"] + statuts["reservee"]
    honorees = statuts["honoree"] + statuts["absente"]
    figures["Entraînements honorés"] = (statuts["honoree"], statuts["honoree"] / honorees if honorees else None)
    figures["Absences à l'entraînement"] = statuts["absente"]
    figures["Entraînements refusés"] = sum(
        e.statut == "decline" and periode.contient(e.cible_on)
        for e in db.session.scalars(sa.select(Entrainement).where(Entrainement.structure_id == structure_id))
    )
    derniers = {}
    for r in db.session.scalars(sa.select(Reservation).where(Reservation.statut == "honoree")).all():
        plan = r.entrainement.plan_id
        if r.entrainement.structure_id == structure_id and (plan not in derniers or r.jour > derniers[plan].jour):
            derniers[plan] = r
    resultats = [res for r in derniers.values() if periode.contient(r.jour) for res in r.resultats]
    gardes = sum(res.resultat == "acquis" for res in resultats)
    figures["Compétences maintenues au dernier entraînement"] = (gardes, gardes / len(resultats) if resultats else None)

    # attestations
    attestations = db.session.scalars(sa.select(Attestation).where(Attestation.structure_id == structure_id)).all()
    figures["Attestations émises"] = sum(periode.contient(_jour(a.emise_at)) for a in attestations)
    figures["Attestations révoquées"] = sum(
        a.revoquee_at is not None and periode.contient(_jour(a.revoquee_at)) for a in attestations
    )
    return {"figures": figures, "tables": tables}


def _plat(figures: dict) -> dict:
    """``{"Abandons": (6, 0.375)}`` -> ``{"Abandons": 6, "Abandons (part)": 0.375}``."""
    plat = {}
    for libelle, valeur in figures.items():
        if isinstance(valeur, tuple):
            plat[libelle], plat[f"{libelle} (part)"] = valeur
        else:
            plat[libelle] = valeur
    return plat


def _figures(sections) -> dict:
    return _plat(
        {c.libelle: (c.valeur, c.part) if c.a_une_part else c.valeur for section in sections for c in section.chiffres}
    )


def _table(sections, nom):
    return next(t for s in sections for t in s.tableaux if t.nom == nom)


@pytest.mark.parametrize("periode", [annee_civile(2026), trimestre(2026, 1), trimestre(2026, 4), annee_civile(2016)])
def test_every_figure_matches_a_count_made_another_way(deux_structures, periode):
    structure, _ = deux_structures
    sections = tableau_de_bord.sections(tableau_de_bord.contexte([structure.id], periode, NOW, TODAY))
    attendu = attendus(structure.id, periode)

    assert _figures(sections) == pytest.approx(_plat(attendu["figures"]))
    for nom in ("positionnements_par_mode", "abandons_par_motif", "alertes_par_regle", "appels_par_resultat"):
        lignes = {ligne[0]: ligne[1] for ligne in _table(sections, nom).lignes if ligne[1]}
        compte = dict(attendu["tables"][nom])
        if nom == "positionnements_par_mode":
            compte = {MODES_POSITIONNEMENT[k]: n for k, n in compte.items()}
        assert lignes == compte, nom
    for nom in ("presences_par_statut", "appels_par_suite"):
        assert {ligne[0]: ligne[1] for ligne in _table(sections, nom).lignes if ligne[1]} == attendu["tables"][nom]
    assert {int(ligne[0][0]): ligne[1] for ligne in _table(sections, "niveaux").lignes if ligne[1]} == dict(
        attendu["tables"]["niveaux"]
    )
    assert dict((ligne[0], ligne[1]) for ligne in _table(sections, "survie").lignes) == pytest.approx(
        attendu["tables"]["survie"]
    )
    assert {int(ligne[0][1]): ligne[3] for ligne in _table(sections, "acquis_par_module").lignes} == pytest.approx(
        attendu["tables"]["acquis_par_module"]
    )


def test_the_seeded_year_has_something_in_every_section(deux_structures):
    """The comparison above is not a comparison of zeros: the year 2026 holds every kind of row."""
    structure, _ = deux_structures
    figures = attendus(structure.id, annee_civile(2026))["figures"]
    vides = [libelle for libelle, valeur in _plat(figures).items() if valeur in (0, None)]
    assert vides == []


def test_another_structure_never_counts(deux_structures):
    structure, autre = deux_structures
    annee = annee_civile(2026)
    seule = tableau_de_bord.sections(tableau_de_bord.contexte([structure.id], annee, NOW, TODAY))
    autre_seule = tableau_de_bord.sections(tableau_de_bord.contexte([autre.id], annee, NOW, TODAY))
    ensemble = tableau_de_bord.sections(tableau_de_bord.contexte([structure.id, autre.id], annee, NOW, TODAY))
    # counts add up over the two structures (the network view is the same queries over both)
    for libelle, valeur in _figures(ensemble).items():
        if libelle in ("Questionnaires terminés", "Ateliers menés", "Abandons (taux d'abandon)", "Attestations émises"):
            assert valeur == _figures(seule)[libelle] + _figures(autre_seule)[libelle], libelle
    assert _figures(seule) != _figures(autre_seule)
    assert {p.prenom for p in queries.a_risque([structure.id])}.isdisjoint(
        {p.prenom for p in queries.a_risque([autre.id])}
    )


def test_the_learners_at_risk_are_those_with_an_open_alert_of_today(deux_structures):
    structure, _ = deux_structures
    a_risque = queries.a_risque([structure.id])
    assert [(p.atelier, p.regles) for p in a_risque] == [("Atelier 4", ("absences_consecutives",))]
    attendu = db.session.scalar(
        sa.select(Apprenant.prenom)
        .join(Alerte.inscription)
        .join(Apprenant)
        .where(Alerte.resolved_at.is_(None), Apprenant.structure_id == structure.id)
    )
    assert a_risque[0].prenom == attendu


def test_statements_stay_as_many_when_the_history_grows(structure, make_structure, make_compte, count_queries):
    grande = make_structure(nom="CCAS de Grandeville")
    semer(structure, make_compte("mediateur"), make_compte("benevole"), ateliers=1)
    semer(grande, make_compte("mediateur", structure=grande), make_compte("benevole", structure=grande), ateliers=8)
    comptes = []
    for structure_id in (structure.id, grande.id):
        db.session.expire_all()
        with count_queries() as statements:
            ctx = tableau_de_bord.contexte([structure_id], annee_civile(2026), NOW, TODAY)
            sections = tableau_de_bord.sections(ctx)
            queries.a_risque([structure_id])
        comptes.append(len(statements))
    assert comptes[0] == comptes[1]
    assert comptes[0] <= 25
    assert _figures(sections)["Ateliers menés"] == 9


def test_an_empty_period_shows_no_data_rather_than_zero_rates(structure):
    sections = tableau_de_bord.sections(
        tableau_de_bord.contexte([structure.id], Periode(date(2026, 1, 1), date(2026, 1, 31)), NOW, TODAY)
    )
    parts = [c.part for s in sections for c in s.chiffres if c.a_une_part]
    assert parts and all(part is None for part in parts)
    assert _figures(sections)["Attente médiane avant la première séance"] is None
