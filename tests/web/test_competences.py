"""Skills pages, final evaluation, progress page, closing and unlocking a workshop, through the web."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from ateliers import competences
from ateliers.models import Inscription, Presence, Rattrapage
from ateliers.presences import Saisie, enregistrer_presences
from core import versions
from evaluations.models import EvaluationCompetence
from extensions import db
from tests.ateliers_fixtures import JOINED_AT, add_animateur, freeze_clock, ids, make_atelier
from tests.conftest import Browser, csrf_token_from, version_from

NOW = datetime(2026, 5, 12, 8, 0)  # the day after séance 6 (11 May 2026)
pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def atelier(atelier, benevole):
    """The shared workshop, the volunteer co-running séance 1 only."""
    return add_animateur(atelier, 1, benevole)


def url(atelier, numero=1) -> str:
    return f"/ateliers/{atelier.id}/seances/{numero}/competences"


def codes(atelier, numero=1) -> dict[str, int]:
    return {c.code: c.id for c in competences.grille(atelier, atelier.seances[numero - 1]).competences}


def attend_all(mediatrice, atelier, numeros=range(1, 7), **statuts):
    for numero in numeros:
        data = {i.id: Saisie(statuts.get(i.apprenant.nom, "present")) for i in atelier.inscriptions}
        enregistrer_presences(mediatrice, atelier, atelier.seances[numero - 1], data, NOW.date())
    db.session.commit()


def test_the_grid_saves_every_learner_in_one_submit(browser, mediatrice, atelier):
    browser.login(mediatrice)
    page = browser.get(url(atelier)).get_data(as_text=True)
    assert "Compétences de la séance 1" in page and "Josiane Martin" in page
    assert "M1.4" in page and "M2.1" not in page
    detail = browser.get(f"/ateliers/{atelier.id}").get_data(as_text=True)
    assert url(atelier) in detail and "Évaluation finale (grille M1 à M6)" in detail
    inscrits, c = ids(atelier), codes(atelier)
    response = browser.submit(
        url(atelier),
        {f"c-{inscrits['Martin']}-{c['M1.1']}": "acquis", f"c-{inscrits['Bernard']}-{c['M1.2']}": "avec_aide"},
    )
    assert response.status_code == 302
    rows = db.session.execute(sa.select(EvaluationCompetence.inscription_id, EvaluationCompetence.resultat)).all()
    assert sorted(rows) == sorted([(inscrits["Martin"], "acquis"), (inscrits["Bernard"], "avec_aide")])
    page = browser.get(url(atelier)).get_data(as_text=True)
    assert f'name="c-{inscrits["Martin"]}-{c["M1.1"]}" value="acquis"' in page
    assert "Compétences de la séance 1 enregistrées (2 personnes modifiées)" in page
    # Earlier modules are visible from séance 2 on.
    page = browser.get(url(atelier, 2)).get_data(as_text=True)
    assert "Modules précédents" in page and "M1 : 1 acquis, 0 avec aide, 0 non acquis, 3 non évalués" in page


def test_a_judgement_for_someone_not_enrolled_is_404_and_writes_nothing(
    browser, mediatrice, atelier, make_apprenant, structure
):
    other = make_atelier(structure, [make_apprenant()]).inscriptions[0]
    browser.login(mediatrice)
    c = codes(atelier)
    response = browser.submit(url(atelier), {f"c-{other.id}-{c['M1.1']}": "acquis"})
    assert response.status_code == 404
    response = browser.submit(url(atelier), {f"c-{ids(atelier)['Martin']}-{codes(atelier, 2)['M2.1']}": "acquis"})
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationCompetence)) == 0


def test_an_absent_learner_is_refused_beside_their_grid_and_the_values_kept(browser, mediatrice, atelier):
    attend_all(mediatrice, atelier, [1], Martin="absent")
    browser.login(mediatrice)
    inscrits, c = ids(atelier), codes(atelier)
    page = browser.get(url(atelier)).get_data(as_text=True)
    assert "Absence à cette séance, sans rattrapage fait" in page and "disabled" in page
    response = browser.submit(
        url(atelier),
        {f"c-{inscrits['Martin']}-{c['M1.1']}": "acquis", f"c-{inscrits['Bernard']}-{c['M1.3']}": "non_acquis"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="erreurs-{inscrits["Martin"]}"' in page
    assert f'name="c-{inscrits["Bernard"]}-{c["M1.3"]}" value="non_acquis" aria-labelledby' in page
    assert f'value="non_acquis" aria-labelledby="c-{inscrits["Bernard"]}-{c["M1.3"]}-libelle' in page
    assert "checked" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationCompetence)) == 0


def finale(atelier, inscription_id) -> str:
    return f"{url(atelier, 6)}/{inscription_id}"


def fields_of(page: str) -> set[int]:
    """The inscription ids whose judgement fields the page holds."""
    return {int(i) for i in re.findall(r'name="c-(\d+)-\d+"', page)}


def text(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'")


def test_the_final_evaluation_covers_the_whole_grid_of_one_learner_at_a_time(browser, mediatrice, atelier):
    inscrits, c = ids(atelier), codes(atelier, 6)
    browser.login(mediatrice)
    page = text(browser.get(url(atelier, 6)))
    assert "Évaluation finale (séance 6)" in page
    for code in ("M1.1", "M3.4", "M6.5"):
        assert code in page
    # One learner's grid only: the first whose evaluation is to do, in the list's order (Josiane, then Marcel).
    assert fields_of(page) == {inscrits["Martin"]}
    nav = page[page.index("Personnes à évaluer") : page.index('id="personne-titre"')]
    assert nav.index("Josiane Martin") < nav.index("Marcel Bernard") and nav.count("à faire") == 2
    assert f'href="{finale(atelier, inscrits["Martin"])}" aria-current="page"' in nav
    # The final scenario first, then the grid M1 to M6.
    assert page.index("Mise en situation finale") < page.index("M6.5") < page.index("M1.1") < page.index("M6.1")
    response = browser.submit(
        finale(atelier, inscrits["Martin"]),
        {f"c-{inscrits['Martin']}-{c['M6.5']}": "acquis", f"c-{inscrits['Martin']}-{c['M2.3']}": "acquis"},
    )
    assert response.status_code == 302 and response.location.endswith(finale(atelier, inscrits["Martin"]))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationCompetence)) == 2
    page = text(browser.get(response.location))
    assert "Évaluation finale de Josiane Martin enregistrée." in page
    assert fields_of(page) == {inscrits["Martin"]}
    nav = page[page.index("Personnes à évaluer") : page.index('id="personne-titre"')]
    assert re.search(r"Josiane Martin</a> : <span[^>]*>faite</span> <span[^>]*>\(2 compétences notées sur 25\)", nav)
    assert re.search(r"Marcel Bernard</a> : <span[^>]*>à faire</span> <span[^>]*>\(0 compétence notée sur 25\)", nav)
    # A séance that is not the final evaluation has no page per learner.
    assert browser.get(f"{url(atelier, 1)}/{inscrits['Martin']}").status_code == 404


def test_the_final_evaluation_is_pre_filled_and_moves_on_to_the_next_learner(browser, mediatrice, atelier):
    inscrits, c = ids(atelier), codes(atelier, 6)
    attend_all(mediatrice, atelier, [2])
    browser.login(mediatrice)
    assert browser.submit(url(atelier, 2), {f"c-{inscrits['Martin']}-{c['M2.1']}": "avec_aide"}).status_code == 302
    page = text(browser.get(finale(atelier, inscrits["Martin"])))
    assert re.search(rf'name="c-{inscrits["Martin"]}-{c["M2.1"]}" value="avec_aide" checked', page)
    assert "Noté à la séance 2." in page
    assert "Enregistrer et passer à Marcel Bernard" in page and "Suivante : Marcel Bernard" in page
    response = browser.submit(
        finale(atelier, inscrits["Martin"]), {f"c-{inscrits['Martin']}-{c['M6.5']}": "acquis", "suite": "suivante"}
    )
    assert response.status_code == 302 and response.location.endswith(finale(atelier, inscrits["Bernard"]))
    page = text(browser.get(response.location))
    assert "Évaluation finale de Josiane Martin enregistrée." in page
    assert "Précédente : Josiane Martin" in page and "Suivante :" not in page


def test_saving_one_learner_keeps_what_a_colleague_saved_for_another(app, browser, mediatrice, atelier, make_compte):
    inscrits, c = ids(atelier), codes(atelier, 6)
    collegue = Browser(app.test_client())
    collegue.login(make_compte("mediateur", prenom="Camille", nom="Roux"))
    browser.login(mediatrice)
    martin, bernard = finale(atelier, inscrits["Martin"]), finale(atelier, inscrits["Bernard"])
    page_martin = browser.get(martin).get_data(as_text=True)
    opened = {"csrf_token": csrf_token_from(page_martin), "version": version_from(page_martin, martin, True)}
    # Meanwhile the colleague saves Bernard's evaluation.
    assert collegue.submit(bernard, {f"c-{inscrits['Bernard']}-{c['M6.5']}": "acquis"}).status_code == 302
    response = browser.client.post(martin, data={**opened, f"c-{inscrits['Martin']}-{c['M6.5']}": "avec_aide"})
    assert response.status_code == 302
    rows = db.session.execute(sa.select(EvaluationCompetence.inscription_id, EvaluationCompetence.resultat)).all()
    assert sorted(rows) == sorted([(inscrits["Bernard"], "acquis"), (inscrits["Martin"], "avec_aide")])

    # The same learner saved by both: the later save is refused, what was typed kept, the change said.
    page_bernard = browser.get(bernard).get_data(as_text=True)
    opened = {"csrf_token": csrf_token_from(page_bernard), "version": version_from(page_bernard, bernard, True)}
    assert collegue.submit(bernard, {f"c-{inscrits['Bernard']}-{c['M1.1']}": "acquis"}).status_code == 302
    typed = {f"c-{inscrits['Bernard']}-{c['M1.1']}": "non_acquis", f"c-{inscrits['Bernard']}-{c['M1.2']}": "acquis"}
    response = browser.client.post(bernard, data={**opened, **typed})
    assert response.status_code == 409
    page = text(response)
    assert "Marcel Bernard, M1.1 : non évalué → acquis (fait seul) (par Camille Roux" in page
    assert re.search(rf'name="c-{inscrits["Bernard"]}-{c["M1.1"]}" value="non_acquis" checked', page)
    assert re.search(rf'name="c-{inscrits["Bernard"]}-{c["M1.2"]}" value="acquis" checked', page)
    assert (
        db.session.scalar(
            sa.select(EvaluationCompetence.resultat).where(
                EvaluationCompetence.inscription_id == inscrits["Bernard"],
                EvaluationCompetence.competence_id == c["M1.1"],
            )
        )
        == "acquis"
    )
    resend = {"csrf_token": csrf_token_from(page), "version": version_from(page, bernard, True), **typed}
    assert browser.client.post(bernard, data=resend).status_code == 302


def test_a_module_missed_without_catch_up_is_not_judged_at_the_final_evaluation_either(browser, mediatrice, atelier):
    inscrits, c = ids(atelier), codes(atelier, 6)
    attend_all(mediatrice, atelier, Martin="absent") if False else None
    attend_all(mediatrice, atelier, [1, 2, 4, 5, 6])
    attend_all(mediatrice, atelier, [3], Martin="absent")
    competences.enregistrer_competences(
        mediatrice, atelier, atelier.seances[0], {inscrits["Martin"]: {c["M1.1"]: "avec_aide"}}, NOW.date()
    )
    db.session.commit()
    browser.login(mediatrice)
    page = text(browser.get(finale(atelier, inscrits["Martin"])))
    note = "Module 3 manqué, sans rattrapage fait : ses compétences seront notées après le rattrapage."
    module_3 = page[page.index("M3 — ") : page.index("M4 — ")]
    assert note in module_3 and 'aria-describedby="module-' in module_3
    assert module_3.count(" disabled>") == 12  # 4 skills x 3 choices
    assert "Modules manqués sans rattrapage fait : M3." in page
    response = browser.submit(
        finale(atelier, inscrits["Martin"]),
        {f"c-{inscrits['Martin']}-{c['M3.1']}": "acquis", f"c-{inscrits['Martin']}-{c['M6.5']}": "acquis"},
    )
    assert response.status_code == 200
    page = text(response)
    assert f'id="erreurs-{inscrits["Martin"]}"' in page and note in page
    assert re.search(rf'name="c-{inscrits["Martin"]}-{c["M6.5"]}" value="acquis" checked', page)
    assert re.search(rf'name="c-{inscrits["Martin"]}-{c["M1.1"]}" value="avec_aide" checked', page)  # stored
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationCompetence)) == 1
    # Once the catch-up of module 3 is done, its skills are judged there too.
    db.session.add(
        Rattrapage(
            inscription_id=inscrits["Martin"],
            module_id=atelier.seances[2].module_id,
            prevu_at=datetime(2026, 4, 22, 8, 0),
            fait_on=date(2026, 4, 22),
        )
    )
    db.session.commit()
    assert "Module 3 manqué" not in text(browser.get(finale(atelier, inscrits["Martin"])))
    response = browser.submit(finale(atelier, inscrits["Martin"]), {f"c-{inscrits['Martin']}-{c['M3.1']}": "acquis"})
    assert response.status_code == 302


def test_the_volunteer_sees_first_names_on_their_seance_only(browser, benevole, atelier):
    browser.login(benevole)
    page = browser.get(url(atelier)).get_data(as_text=True)
    assert "Josiane" in page and "Martin" not in page
    assert browser.get(url(atelier, 2)).status_code == 403


def test_direction_cannot_judge_skills(browser, make_compte, atelier):
    browser.login(make_compte("direction"))
    assert browser.get(url(atelier)).status_code == 403


def test_skills_and_attendance_pages_run_a_flat_number_of_queries(
    browser, mediatrice, atelier, make_apprenant, count_queries
):
    browser.login(mediatrice)
    attend_all(mediatrice, atelier, [1])

    def counts():
        found = {}
        for name, page in (
            ("competences", url(atelier)),
            ("presences", url(atelier).replace("competences", "presences")),
            ("progression", f"/ateliers/inscriptions/{ids(atelier)['Martin']}/progression"),
        ):
            with count_queries() as statements:
                assert browser.get(page).status_code == 200
            found[name] = len(statements)
        with count_queries() as statements:
            assert browser.get(url(atelier, 6)).status_code == 200
        found["finale"] = len(statements)
        return found

    counts()  # the first request of the application reads the curriculum, later ones find it cached
    two = counts()
    for _ in range(8):
        db.session.add(Inscription(atelier_id=atelier.id, apprenant_id=make_apprenant().id, joined_at=JOINED_AT))
    db.session.commit()
    attend_all(mediatrice, atelier, [1])
    assert counts() == two


def test_the_final_evaluation_more_than_a_day_ahead_says_so_before_anything_is_typed(
    browser, mediatrice, atelier, monkeypatch
):
    freeze_clock(monkeypatch, datetime(2026, 5, 1, 8, 0))  # ten days before séance 6
    browser.login(mediatrice)
    page = text(browser.get(url(atelier, 6)))
    assert (
        "Cette séance a lieu le lundi 11 mai 2026, dans plus d'un jour : ses compétences se notent à partir de la "
        "veille, le dimanche 10 mai 2026." in page
    )
    assert '<fieldset class="plain" disabled>' in page and "Enregistrer l'évaluation finale" not in page
    assert "Personnes à évaluer" in page  # the list and the grid are there to read


def test_someone_absent_at_the_final_evaluation_is_not_judged_there_and_the_page_says_why(browser, mediatrice, atelier):
    inscrits = ids(atelier)
    attend_all(mediatrice, atelier, [6], Martin="absent_excuse")
    browser.login(mediatrice)
    page = text(browser.get(finale(atelier, inscrits["Martin"])))
    assert "(séance 6 : absent excusé)" in page
    assert (
        "Absence à cette séance, sans rattrapage fait : les compétences seront notées après le rattrapage du module 6."
        in page
    )
    assert page.count(" disabled>") == 25 * 3 and "Rattrapages de Josiane Martin" in page


def test_a_page_opened_before_the_change_still_saves_the_whole_grid(app, browser, mediatrice, atelier):
    """A final evaluation page opened before it went one learner at a time posts every learner's grid to the
    séance's address with a version covering them all: it is still saved, every judgement compared."""
    inscrits, c = ids(atelier), codes(atelier, 6)
    browser.login(mediatrice)
    page = browser.get(url(atelier, 6)).get_data(as_text=True)
    with app.test_request_context():
        version = versions.jeton(competences.instantane_competences(atelier, atelier.seances[5]))
    data = {
        "csrf_token": csrf_token_from(page),
        "version": version,
        f"c-{inscrits['Martin']}-{c['M6.5']}": "acquis",
        f"c-{inscrits['Bernard']}-{c['M6.5']}": "avec_aide",
    }
    response = browser.client.post(url(atelier, 6), data=data)
    assert response.status_code == 302 and response.location.endswith(url(atelier, 6))
    rows = db.session.execute(sa.select(EvaluationCompetence.inscription_id, EvaluationCompetence.resultat)).all()
    assert sorted(rows) == sorted([(inscrits["Martin"], "acquis"), (inscrits["Bernard"], "avec_aide")])
    assert "Évaluation finale enregistrée (2 personnes modifiées)." in text(browser.get(url(atelier, 6)))


def test_the_final_evaluation_runs_a_flat_number_of_queries_as_the_group_and_its_judgements_grow(
    browser, mediatrice, atelier, make_apprenant, count_queries
):
    martin = ids(atelier)["Martin"]
    attend_all(mediatrice, atelier, [3], Martin="absent")
    browser.login(mediatrice)

    page_martin = finale(atelier, martin)

    def count() -> int:
        with count_queries() as statements:
            page = browser.get(page_martin).get_data(as_text=True)
        assert fields_of(page) == {martin}  # one learner's grid, however large the group
        return len(statements)

    count()  # the first request of the application reads the curriculum, later ones find it cached
    few = count()
    for _ in range(8):
        db.session.add(Inscription(atelier_id=atelier.id, apprenant_id=make_apprenant().id, joined_at=JOINED_AT))
    db.session.commit()
    attend_all(mediatrice, atelier, range(1, 7), Martin="absent")
    seance = atelier.seances[5]
    toutes = [c.id for c in competences.grille(atelier, seance).competences]
    autres = {i.id: dict.fromkeys(toutes, "acquis") for i in atelier.inscriptions if i.id != martin}
    competences.enregistrer_competences(mediatrice, atelier, seance, autres, NOW.date())
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvaluationCompetence)) == 9 * 25
    assert count() == few


def test_seance_pages_reuse_the_curriculum_and_load_no_co_runner_for_a_mediator(
    browser, mediatrice, atelier, count_queries
):
    browser.login(mediatrice)
    inscription = ids(atelier)["Martin"]
    pages = (
        url(atelier),
        url(atelier, 6),
        url(atelier).replace("competences", "presences"),
        f"/ateliers/inscriptions/{inscription}/progression",
    )
    for page in pages:
        assert browser.get(page).status_code == 200
    for page in pages:
        with count_queries() as statements:
            assert browser.get(page).status_code == 200
        sql = " ".join(statements)
        # A curriculum version never changes: it was read by the first requests, not again on every page.
        assert "FROM module" not in sql and "FROM competence" not in sql, page
        # These pages show nobody's co-runners: a mediator's request does not load them.
        assert "seance_animateur" not in sql and "atelier_animateur" not in sql, page
        # The judgements are read once: the page's version snapshot is made from the same read.
        assert sql.count("FROM evaluation_competence") <= 1, page


def test_the_progress_page_shows_the_grid_and_is_readable_by_direction(browser, mediatrice, atelier, make_compte):
    attend_all(mediatrice, atelier, [1, 2], Martin="absent")
    martin = ids(atelier)["Martin"]
    browser.login(make_compte("direction"))
    page = browser.get(f"/ateliers/inscriptions/{martin}/progression").get_data(as_text=True)
    assert "Progression de Josiane Martin" in page
    assert "0,0 h suivies sur 18 h" in page
    assert page.count(">Absent<") == 2
    assert "Compétence 5" in page and "M6" in page


def test_progress_page_of_another_structure_is_404(browser, make_structure, make_compte, atelier):
    other = make_structure(nom="Autre structure")
    browser.login(make_compte("mediateur", structure=other))
    assert browser.get(f"/ateliers/inscriptions/{ids(atelier)['Martin']}/progression").status_code == 404


def test_closing_then_unlocking_through_the_pages(browser, mediatrice, atelier):
    browser.login(mediatrice)
    detail = browser.get(f"/ateliers/{atelier.id}").get_data(as_text=True)
    assert "pourra être clos après la séance 6" in detail
    attend_all(mediatrice, atelier)
    detail = browser.get(f"/ateliers/{atelier.id}").get_data(as_text=True)
    assert "Clôturer l'atelier</a>" in detail
    inscrits = ids(atelier)
    cloture_url = f"/ateliers/{atelier.id}/cloture"
    page = browser.get(cloture_url).get_data(as_text=True)
    assert "L'évaluation finale n'est pas saisie pour : Josiane Martin, Marcel Bernard." in page
    response = browser.submit(
        cloture_url, {f"decision-{inscrits['Martin']}": "termine", f"decision-{inscrits['Bernard']}": "abandon"}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="motif-{inscrits["Bernard"]}-erreurs"' in page and "Indiquez le motif de l&#39;abandon." in page
    assert f'name="decision-{inscrits["Bernard"]}" value="abandon" checked' in page
    response = browser.submit(
        cloture_url,
        {
            f"decision-{inscrits['Martin']}": "termine",
            f"decision-{inscrits['Bernard']}": "abandon",
            f"motif-{inscrits['Bernard']}": "famille",
        },
    )
    assert response.status_code == 302
    detail = browser.get(f"/ateliers/{atelier.id}").get_data(as_text=True)
    assert "Atelier clos et verrouillé" in detail and "18,0 h suivies" in detail

    # Attendance on a closed workshop: refused with how to unlock, the typed status kept.
    presences = f"/ateliers/{atelier.id}/seances/3/presences"
    response = browser.submit(presences, {f"statut-{inscrits['Martin']}": "absent_excuse"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Déverrouiller pour corriger" in page
    assert 'value="absent_excuse" checked' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Presence).where(Presence.statut != "present")) == 0

    response = browser.submit(
        f"/ateliers/{atelier.id}/deverrouiller", {"motif": ""}, form_url=f"/ateliers/{atelier.id}"
    )
    assert response.status_code == 200 and "Indiquez ce qu&#39;il faut corriger." in response.get_data(as_text=True)
    response = browser.submit(
        f"/ateliers/{atelier.id}/deverrouiller",
        {"motif": "Séance 3 : Mme Martin excusée"},
        form_url=f"/ateliers/{atelier.id}",
    )
    assert response.status_code == 302
    # Bernard left at the closing: séance 3 is still his, the page carries his status along.
    correction = {f"statut-{inscrits['Martin']}": "absent_excuse", f"statut-{inscrits['Bernard']}": "present"}
    assert browser.submit(presences, correction).status_code == 302
    response = browser.submit(f"/ateliers/{atelier.id}/reverrouiller", {}, form_url=f"/ateliers/{atelier.id}")
    assert response.status_code == 302
    db.session.expire_all()
    martin = db.session.get(Inscription, inscrits["Martin"])
    assert martin.atelier.is_locked and martin.minutes_suivies == 15 * 60


def test_closing_is_for_mediators(browser, benevole, make_compte, atelier):
    browser.login(benevole)
    assert browser.get(f"/ateliers/{atelier.id}/cloture").status_code == 403


def test_a_simultaneous_save_is_refused_by_the_database_with_the_typed_values_kept(
    browser, mediatrice, atelier, monkeypatch
):
    inscrits, c = ids(atelier), codes(atelier)
    # A colleague's judgement lands between our read and our write: the unique (inscription, skill) rule refuses ours.
    db.session.add(EvaluationCompetence(inscription_id=inscrits["Martin"], competence_id=c["M1.1"], resultat="acquis"))
    db.session.commit()
    monkeypatch.setattr(competences, "resultats", lambda _ids: defaultdict(dict))
    lus = competences.resultats_et_statuts  # the page's reading: the judgements not there yet, the attendance
    monkeypatch.setattr(
        competences, "resultats_et_statuts", lambda ids, seance: (defaultdict(dict), lus(ids, seance)[1])
    )
    browser.login(mediatrice)
    response = browser.submit(url(atelier), {f"c-{inscrits['Martin']}-{c['M1.1']}": "avec_aide"})
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 200
    assert "viennent d'être enregistrées par quelqu'un d'autre" in html
    assert f'name="c-{inscrits["Martin"]}-{c["M1.1"]}" value="avec_aide"' in html
    assert db.session.scalar(sa.select(EvaluationCompetence.resultat)) == "acquis"


def test_opening_a_seances_attendance_skills_or_final_evaluation_is_journaled(browser, mediatrice, atelier):
    """They show learners' names and results: every view of personal data is journaled (DESIGN.md section 7)."""
    from core.models import Journal

    attend_all(mediatrice, atelier)
    browser.login(mediatrice)
    premier = min(ids(atelier).values())
    for address in (
        f"/ateliers/{atelier.id}/seances/1/presences",
        url(atelier),
        url(atelier, 6),
        f"{url(atelier, 6)}/{premier}",
    ):
        assert browser.get(address).status_code == 200
    vues = db.session.execute(
        sa.select(Journal.objet, Journal.objet_id, Journal.details)
        .where(Journal.action == "consultation", Journal.compte_id == mediatrice.id)
        .order_by(Journal.id)
    ).all()
    assert [tuple(v) for v in vues] == [
        ("atelier", atelier.id, "présences de la séance 1"),
        ("atelier", atelier.id, "compétences de la séance 1"),
        ("atelier", atelier.id, "évaluation finale"),
        ("inscription", premier, "évaluation finale"),
    ]
