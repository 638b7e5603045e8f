"""Skills judged at a séance, the final evaluation at module 6, closing and unlocking a workshop."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from ateliers import cloture, competences, periode
from ateliers.models import Alerte, Rattrapage
from ateliers.presences import PresencesRefusees, Saisie, enregistrer_presences
from ateliers.progression import progression
from ateliers.suivis import abandonner
from ateliers.verrou import AtelierClos
from core import versions
from core.errors import DomainError
from core.models import Journal
from evaluations.curriculum import current_questionnaire
from evaluations.models import Competence, EvaluationCompetence, Positionnement
from extensions import db
from tests.ateliers_fixtures import inscription_of, make_atelier

# Séances on 30 March, 13, 20, 27 April, 4 and 11 May 2026 (Easter Monday 6 April skipped).
AFTER_SEANCE_2 = date(2026, 4, 14)
AFTER_LAST = date(2026, 5, 12)
CLOSING = datetime(2026, 5, 12, 8, 0)


def skills(atelier, numero: int) -> list[Competence]:
    return competences.grille(atelier, atelier.seances[numero - 1]).competences


def attend(mediatrice, atelier, numero, today=AFTER_LAST, **statuts):
    seance = atelier.seances[numero - 1]
    data = {inscription_of(atelier, nom).id: Saisie(statut) for nom, statut in statuts.items()}
    enregistrer_presences(mediatrice, atelier, seance, data, today)
    db.session.commit()


def judge(mediatrice, atelier, numero, today=AFTER_LAST, **par_nom):
    """``Martin={"M1.1": "acquis"}`` or ``Martin="acquis"`` (every skill of the séance)."""
    seance = atelier.seances[numero - 1]
    codes = {c.code: c.id for c in skills(atelier, numero)}
    saisies = {}
    for nom, valeurs in par_nom.items():
        if isinstance(valeurs, str):
            valeurs = dict.fromkeys(codes, valeurs)
        saisies[inscription_of(atelier, nom).id] = {codes[code]: v for code, v in valeurs.items()}
    changed = competences.enregistrer_competences(mediatrice, atelier, seance, saisies, today)
    db.session.commit()
    return changed


def judgements(inscription) -> dict[str, str]:
    rows = db.session.scalars(
        sa.select(EvaluationCompetence).where(EvaluationCompetence.inscription_id == inscription.id)
    )
    return {row.competence.code: row.resultat for row in rows}


def test_a_seance_judges_its_module_and_shows_earlier_ones(atelier):
    assert [c.code for c in skills(atelier, 2)] == ["M2.1", "M2.2", "M2.3", "M2.4"]
    vue = competences.grille(atelier, atelier.seances[2])
    assert not vue.finale
    assert [m.numero for m in vue.precedents] == [1, 2]


def test_the_last_seance_is_the_final_evaluation_over_the_whole_grid(atelier):
    vue = competences.grille(atelier, atelier.seances[5])
    assert vue.finale
    assert [m.numero for m in vue.modules] == [1, 2, 3, 4, 5, 6]
    codes = [c.code for c in vue.competences]
    assert len(codes) == 25 and "M6.5" in codes and "M1.1" in codes
    assert [c.code for c in vue.competences if c.is_evaluation_finale] == ["M6.5"]


def test_judgements_are_upserted_and_journaled(atelier, mediatrice):
    attend(mediatrice, atelier, 1, Martin="present", Bernard="present")
    changed = judge(mediatrice, atelier, 1, Martin={"M1.1": "avec_aide", "M1.2": "acquis"}, Bernard="non_acquis")
    assert len(changed) == 2
    martin = inscription_of(atelier, "Martin")
    assert judgements(martin) == {"M1.1": "avec_aide", "M1.2": "acquis"}
    # Same values again: nothing changes; a new value updates the one row.
    assert judge(mediatrice, atelier, 1, Martin={"M1.1": "avec_aide"}) == []
    judge(mediatrice, atelier, 1, Martin={"M1.1": "acquis"})
    assert judgements(martin)["M1.1"] == "acquis"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationCompetence)) == 6
    details = db.session.scalars(sa.select(Journal.details).where(Journal.objet == "inscription")).all()
    assert "compétences séance 1 : 2 jugements" in details and "compétences séance 1 : 1 jugement" in details


def test_the_final_evaluation_completes_earlier_modules(atelier, mediatrice):
    judge(mediatrice, atelier, 6, Martin={"M6.5": "acquis", "M1.3": "avec_aide", "M4.2": "acquis"})
    assert judgements(inscription_of(atelier, "Martin")) == {"M6.5": "acquis", "M1.3": "avec_aide", "M4.2": "acquis"}


def test_the_final_evaluation_reads_the_groups_judgements_and_attendance_in_one_statement(
    atelier, mediatrice, count_queries
):
    all_attended(mediatrice, atelier, Bernard="absent_excuse")
    judge(mediatrice, atelier, 6, Martin={"M6.5": "acquis", "M1.3": "avec_aide"})
    martin, bernard = inscription_of(atelier, "Martin"), inscription_of(atelier, "Bernard")
    grille = competences.grille(atelier, atelier.seances[5]).competences
    m13 = next(c.id for c in grille if c.code == "M1.3")
    with count_queries() as statements:
        stockes, statuts = competences.jugements_et_statuts([martin.id, bernard.id], [m13])
    assert len(statements) == 1
    assert stockes == {martin.id: {m13: competences.Jugement("avec_aide", atelier.seances[5].id)}}  # M6.5 not asked
    assert statuts[martin.id] == {s.id: "present" for s in atelier.seances}
    assert statuts[bernard.id] == {s.id: "absent_excuse" for s in atelier.seances}
    assert competences.jugements_et_statuts([], [m13]) == ({}, {})


def test_a_seances_skills_page_reads_judgements_and_attendance_in_one_statement(atelier, mediatrice, count_queries):
    attend(mediatrice, atelier, 1, Martin="present", Bernard="absent")
    attend(mediatrice, atelier, 2, Martin="absent", Bernard="present")
    judge(mediatrice, atelier, 1, Martin={"M1.1": "acquis", "M1.2": "avec_aide"})
    martin, bernard = inscription_of(atelier, "Martin"), inscription_of(atelier, "Bernard")
    with count_queries() as statements:
        stockes, statuts = competences.resultats_et_statuts([martin.id], atelier.seances[0].id)
    assert len(statements) == 1
    assert {c: e.resultat for c, e in stockes[martin.id].items()} == {
        c.id: r for c, r in zip(skills(atelier, 1)[:2], ("acquis", "avec_aide"), strict=True)
    }
    # The attendance of the séance asked, for whoever it was taken (the page lists who it expects itself).
    assert statuts == {martin.id: "present", bernard.id: "absent"}
    assert competences.resultats_et_statuts([], atelier.seances[2].id) == ({}, {})


def test_someone_not_expected_or_a_foreign_skill_is_refused_as_unknown(atelier, mediatrice, make_apprenant):
    seance = atelier.seances[0]
    m1 = skills(atelier, 1)[0].id
    stranger = make_atelier(atelier.structure, [make_apprenant()]).inscriptions[0]
    with pytest.raises(competences.InscriptionInconnue):
        competences.enregistrer_competences(mediatrice, atelier, seance, {stranger.id: {m1: "acquis"}}, AFTER_LAST)
    m2 = skills(atelier, 2)[0].id
    martin = inscription_of(atelier, "Martin")
    with pytest.raises(competences.CompetenceInconnue):
        competences.enregistrer_competences(mediatrice, atelier, seance, {martin.id: {m2: "acquis"}}, AFTER_LAST)
    # Left before the séance started: not on its list either.
    abandonner(mediatrice, inscription_of(atelier, "Bernard"), "transport", datetime(2026, 3, 20, 9))
    db.session.commit()
    bernard = inscription_of(atelier, "Bernard")
    with pytest.raises(competences.InscriptionInconnue):
        competences.enregistrer_competences(mediatrice, atelier, seance, {bernard.id: {m1: "acquis"}}, AFTER_LAST)


def test_refusals_write_nothing(atelier, mediatrice):
    seance = atelier.seances[0]
    m1 = skills(atelier, 1)[0].id
    martin, bernard = inscription_of(atelier, "Martin"), inscription_of(atelier, "Bernard")
    with pytest.raises(competences.CompetencesRefusees, match="plus d'un jour"):
        competences.enregistrer_competences(mediatrice, atelier, seance, {martin.id: {m1: "acquis"}}, date(2026, 3, 1))
    with pytest.raises(competences.CompetencesRefusees) as refused:
        competences.enregistrer_competences(
            mediatrice, atelier, seance, {martin.id: {m1: "acquis"}, bernard.id: {m1: "parfait"}}, AFTER_LAST
        )
    assert set(refused.value.erreurs) == {bernard.id}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationCompetence)) == 0


def test_an_absent_learner_is_judged_only_after_a_catch_up_of_the_module(atelier, mediatrice):
    attend(mediatrice, atelier, 1, Martin="absent", Bernard="present")
    martin = inscription_of(atelier, "Martin")
    with pytest.raises(competences.CompetencesRefusees) as refused:
        judge(mediatrice, atelier, 1, Martin={"M1.1": "acquis"})
    assert "rattrapage" in refused.value.erreurs[martin.id]
    db.session.rollback()
    db.session.add(
        Rattrapage(
            inscription_id=martin.id,
            module_id=atelier.seances[0].module_id,
            prevu_at=datetime(2026, 4, 2, 8, 0),
            fait_on=date(2026, 4, 2),
        )
    )
    db.session.commit()
    judge(mediatrice, atelier, 1, Martin={"M1.1": "acquis"})
    assert judgements(martin) == {"M1.1": "acquis"}


def test_who_cannot_be_judged_is_the_same_from_the_attendance_the_page_read(atelier, mediatrice, count_queries):
    # The skills page passes the séance's attendance it has already read, instead of reading absences again.
    attend(mediatrice, atelier, 1, Martin="absent", Bernard="absent_excuse")
    martin, bernard = inscription_of(atelier, "Martin"), inscription_of(atelier, "Bernard")
    db.session.add(
        Rattrapage(
            inscription_id=bernard.id,
            module_id=atelier.seances[0].module_id,
            prevu_at=datetime(2026, 4, 2, 8, 0),
            fait_on=date(2026, 4, 2),
        )
    )
    db.session.commit()
    seance, inscrits = atelier.seances[0], list(atelier.inscriptions)
    statuts = {(p.inscription_id, seance.id): p.statut for p in seance.presences}
    competences.grille(atelier, seance)  # the curriculum, read once per application
    with count_queries() as statements:
        from_page = competences.empechements(atelier, seance, inscrits, statuts)
    assert from_page == competences.empechements(atelier, seance, inscrits)
    assert from_page == {martin.id: {seance.module_id: periode.ABSENCE_A_LA_SEANCE}}
    assert len(statements) == 1  # the catch-ups of the absent learners only


def test_saving_skills_recomputes_the_beginner_alert(atelier, mediatrice):
    martin = inscription_of(atelier, "Martin")
    db.session.add(
        Positionnement(
            apprenant_id=martin.apprenant_id,
            questionnaire=current_questionnaire(),
            mode="presentiel",
            score=10,
            niveau=0,
            is_brouillon=False,
            completed_at=datetime(2026, 3, 1),
        )
    )
    db.session.commit()
    attend(mediatrice, atelier, 1, today=AFTER_SEANCE_2, Martin="present", Bernard="present")
    attend(mediatrice, atelier, 2, today=AFTER_SEANCE_2, Martin="present", Bernard="present")

    def open_rules():
        return set(
            db.session.scalars(
                sa.select(Alerte.regle).where(Alerte.inscription_id == martin.id, Alerte.resolved_at.is_(None))
            )
        )

    assert open_rules() == {"niveau_sans_acquis"}
    judge(mediatrice, atelier, 2, today=AFTER_SEANCE_2, Martin={"M2.1": "acquis"})
    assert open_rules() == set()


def all_attended(mediatrice, atelier, **statuts):
    for numero in range(1, 7):
        attend(mediatrice, atelier, numero, **({"Martin": "present", "Bernard": "present"} | statuts))


def test_closing_needs_the_last_seance_held_and_every_attendance_taken(atelier, mediatrice):
    assert "n'a pas encore eu lieu" in cloture.empechements_cloture(atelier, AFTER_SEANCE_2)[0]
    for numero in range(1, 6):
        attend(mediatrice, atelier, numero, Martin="present", Bernard="present")
    raisons = cloture.empechements_cloture(atelier, AFTER_LAST)
    assert raisons == ["Les présences ne sont pas notées pour tout le monde aux séances : 6. Notez-les d'abord."]
    with pytest.raises(DomainError, match="séances : 6"):
        cloture.cloturer_atelier(mediatrice, atelier, {}, AFTER_LAST, now=CLOSING)


def test_closing_ends_inscriptions_totals_hours_and_locks(atelier, mediatrice):
    all_attended(mediatrice, atelier)
    attend(mediatrice, atelier, 5, Martin="present", Bernard="absent")
    martin, bernard = inscription_of(atelier, "Martin"), inscription_of(atelier, "Bernard")
    with pytest.raises(DomainError) as refused:
        cloture.cloturer_atelier(
            mediatrice, atelier, {martin.id: ("termine", None), bernard.id: ("abandon", None)}, AFTER_LAST, now=CLOSING
        )
    assert refused.value.field == f"motif-{bernard.id}"
    db.session.rollback()
    # A missing decision is shown beside that person's choice; the message, also flashed, names nobody.
    with pytest.raises(DomainError) as refused:
        cloture.cloturer_atelier(mediatrice, atelier, {martin.id: ("termine", None)}, AFTER_LAST, now=CLOSING)
    assert refused.value.field == f"decision-{bernard.id}" and "Bernard" not in refused.value.message
    db.session.rollback()

    cloture.cloturer_atelier(
        mediatrice,
        atelier,
        {martin.id: ("termine", None), bernard.id: ("abandon", "transport")},
        AFTER_LAST,
        now=CLOSING,
    )
    db.session.commit()
    assert (martin.statut, martin.minutes_suivies, martin.ended_at) == ("termine", 18 * 60, CLOSING)
    assert (bernard.statut, bernard.motif_sortie, bernard.minutes_suivies) == ("abandon", "transport", 15 * 60)
    assert atelier.statut == "termine" and atelier.is_locked
    db.session.refresh(atelier)
    assert atelier.places_prises == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Alerte).where(Alerte.resolved_at.is_(None))) == 0
    assert db.session.scalar(sa.select(Journal.details).where(Journal.details.like("clôture%"))) == (
        "clôture : 1 inscription terminée, 1 abandon à la clôture, 33.0 h suivies au total"
    )


def test_a_closed_workshop_refuses_changes_until_unlocked(atelier, mediatrice):
    all_attended(mediatrice, atelier)
    decisions = {i.id: ("termine", None) for i in atelier.inscriptions}
    cloture.cloturer_atelier(mediatrice, atelier, decisions, AFTER_LAST, now=CLOSING)
    db.session.commit()

    with pytest.raises(PresencesRefusees, match="Déverrouiller pour corriger"):
        attend(mediatrice, atelier, 4, Martin="absent", Bernard="present")
    db.session.rollback()
    with pytest.raises(AtelierClos):
        judge(mediatrice, atelier, 6, Martin={"M6.5": "acquis"})
    db.session.rollback()

    with pytest.raises(DomainError) as refused:
        cloture.deverrouiller(mediatrice, atelier, "  ")
    assert refused.value.field == "motif"
    cloture.deverrouiller(mediatrice, atelier, "Séance 4 mal notée pour Mme Martin")
    db.session.commit()
    attend(mediatrice, atelier, 4, Martin="absent", Bernard="present")
    martin = inscription_of(atelier, "Martin")
    # A closed inscription corrected after the unlock gets no alert, and keeps its status.
    assert martin.statut == "termine"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Alerte).where(Alerte.resolved_at.is_(None))) == 0
    cloture.reverrouiller(mediatrice, atelier, date(2026, 5, 12))
    db.session.commit()
    assert atelier.is_locked and martin.minutes_suivies == 15 * 60
    details = db.session.scalars(sa.select(Journal.details).where(Journal.objet == "atelier")).all()
    # The reason typed stays on the workshop only: the journal, kept 12 months, says what was done.
    assert atelier.motif_deverrouillage == "Séance 4 mal notée pour Mme Martin"
    assert "déverrouillage pour correction" in details and "reverrouillage après correction" in details
    assert not any("Martin" in detail for detail in details)


def test_progression_gathers_attendance_skills_and_catch_ups(atelier, mediatrice):
    attend(mediatrice, atelier, 1, Martin="present", Bernard="present")
    attend(mediatrice, atelier, 2, Martin="absent", Bernard="present")
    judge(mediatrice, atelier, 1, Martin={"M1.1": "acquis", "M1.2": "avec_aide"})
    martin = inscription_of(atelier, "Martin")
    vue = progression(martin)
    assert [c.module.numero for c in vue.colonnes] == [1, 2, 3, 4, 5, 6]
    assert vue.colonnes[0].presence.statut == "present" and vue.colonnes[1].presence.statut == "absent"
    assert vue.colonnes[2].presence is None
    assert vue.colonnes[0].acquises == 1 and vue.acquises == 1
    assert vue.minutes_suivies == 180 and vue.minutes_prevues == 18 * 60
    assert vue.competences == 25 and vue.lignes == 5


def test_closing_warns_about_a_missing_final_evaluation(atelier, mediatrice):
    all_attended(mediatrice, atelier)
    assert {i.apprenant.nom for i in cloture.sans_evaluation_finale(atelier)} == {"Martin", "Bernard"}
    judge(mediatrice, atelier, 6, Martin={"M6.5": "non_acquis"})
    assert [i.apprenant.nom for i in cloture.sans_evaluation_finale(atelier)] == ["Bernard"]


def test_the_final_evaluation_refuses_a_module_missed_without_catch_up_like_the_seance_pages(atelier, mediatrice):
    attend(mediatrice, atelier, 3, Martin="absent", Bernard="present")
    martin = inscription_of(atelier, "Martin")
    with pytest.raises(competences.CompetencesRefusees) as refused:
        judge(mediatrice, atelier, 6, Martin={"M6.5": "acquis", "M3.1": "acquis"})
    assert refused.value.erreurs == {
        martin.id: "Module 3 manqué, sans rattrapage fait : ses compétences seront notées après le rattrapage."
    }
    db.session.rollback()
    assert judgements(martin) == {}
    # The other modules are judged; module 3 too once its catch-up is done.
    judge(mediatrice, atelier, 6, Martin={"M6.5": "acquis", "M2.1": "acquis"}, Bernard={"M3.1": "acquis"})
    db.session.add(
        Rattrapage(
            inscription_id=martin.id,
            module_id=atelier.seances[2].module_id,
            prevu_at=datetime(2026, 4, 22, 8, 0),
            fait_on=date(2026, 4, 22),
        )
    )
    db.session.commit()
    judge(mediatrice, atelier, 6, Martin={"M3.1": "avec_aide"})
    assert judgements(martin) == {"M6.5": "acquis", "M2.1": "acquis", "M3.1": "avec_aide"}


def test_a_save_of_one_learner_compares_only_their_judgements(app, atelier, mediatrice):
    finale = atelier.seances[5]
    martin, bernard = inscription_of(atelier, "Martin"), inscription_of(atelier, "Bernard")
    codes = {c.code: c.id for c in skills(atelier, 6)}
    page_martin = versions.instantane(competences.instantane_competences(atelier, finale, [martin.id]))
    assert set(page_martin) == {f"c-{martin.id}-{c}" for c in codes.values()}
    page_groupe = versions.instantane(competences.instantane_competences(atelier, finale))
    judge(mediatrice, atelier, 6, Bernard={"M6.5": "acquis"})  # a colleague, meanwhile
    with pytest.raises(versions.ModifieEntreTemps):
        competences.enregistrer_competences(
            mediatrice, atelier, finale, {martin.id: {codes["M6.5"]: "avec_aide"}}, AFTER_LAST, vu=page_groupe
        )
    db.session.rollback()
    with pytest.raises(competences.InscriptionInconnue):
        competences.enregistrer_competences(
            mediatrice,
            atelier,
            finale,
            {bernard.id: {codes["M6.5"]: "avec_aide"}},
            AFTER_LAST,
            vu=page_martin,
            personnes=[martin.id],
        )
    db.session.rollback()
    competences.enregistrer_competences(
        mediatrice,
        atelier,
        finale,
        {martin.id: {codes["M6.5"]: "avec_aide"}},
        AFTER_LAST,
        vu=page_martin,
        personnes=[martin.id],
    )
    db.session.commit()
    assert judgements(martin) == {"M6.5": "avec_aide"} and judgements(bernard) == {"M6.5": "acquis"}
