"""The placement pages through the test client: questionnaire, drafts, autosave, result, access and scoping."""

import re

import pytest
import sqlalchemy as sa
from markupsafe import escape

from core.models import Apprenant, Journal
from core.timeutil import structure_today
from evaluations.curriculum import current_questionnaire
from evaluations.forms import initial_data, positionnement_form
from evaluations.models import Positionnement
from extensions import db
from tests.conftest import csrf_token_from, version_from

B = ("B1", "B2", "B3", "B4", "B5", "B6", "B7")
C = ("C1", "C2", "C3", "C4")
CANDIDATE = {"prenom": "Élodie", "nom": "Lefèvre", "telephone": "06 12 34 56 78"}
CALL = {"mode": "telephone", "canal_prefere": "telephone"}
PART_A = {
    "A1": "non",
    "A2": "oui",
    "A4": "ne sait pas",
    "disponibilites": ["mar-matin", "jeu-apm"],
    "canal_prefere": "sms",
}


def scored(b=1, c=1, **overrides):
    return {**dict.fromkeys(B, b), **dict.fromkeys(C, c), **overrides}


def text_of(response) -> str:
    """The page's visible text, tags removed, entities of quotes restored, spaces collapsed."""
    html = response.get_data(as_text=True).replace("&#39;", "'").replace("&#34;", '"')
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def is_checked(html: str, name: str, value) -> bool:
    pattern = rf'<input[^>]*name="{name}"[^>]*value="{re.escape(str(value))}"[^>]*>'
    return any("checked" in tag for tag in re.findall(pattern, html))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def mediatrice(browser, make_compte):
    compte = make_compte("mediateur")
    browser.login(compte)
    return compte


def complete_placement(apprenant, compte, niveau=1, score=50):
    positionnement = Positionnement(
        apprenant_id=apprenant.id,
        questionnaire=current_questionnaire(),
        compte_id=compte.id,
        mode="telephone",
        reponses=scored(),
        score=score,
        niveau=niveau,
        is_brouillon=False,
    )
    db.session.add(positionnement)
    db.session.commit()
    return positionnement


def test_new_candidate_by_phone_end_to_end(browser, mediatrice):
    draft_response = browser.submit(
        "/positionnements/nouveau",
        {**CANDIDATE, "mode": "telephone", **PART_A, "B1": "2", "B2": "1", "enregistrer": "1"},
    )
    assert draft_response.status_code == 302
    apprenant = db.session.scalar(sa.select(Apprenant))
    draft = db.session.scalar(sa.select(Positionnement))
    assert draft_response.headers["Location"] == f"/positionnements/{draft.id}/questionnaire"
    assert (apprenant.telephone, apprenant.canal_prefere) == ("+33612345678", "sms")
    assert apprenant.disponibilites == (1 << 2) | (1 << 7)
    assert draft.is_brouillon and draft.reponses == {"A1": "non", "A2": "oui", "A4": "ne sait pas", "B1": 2, "B2": 1}

    # resumed later: the answers are there, and the page is the same draft's
    page = browser.get(draft_response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "Brouillon enregistré à" in html
    assert is_checked(html, "B1", 2) and is_checked(html, "B2", 1) and is_checked(html, "A4", "ne sait pas")
    assert is_checked(html, "mode", "telephone") and is_checked(html, "disponibilites", "jeu-apm")
    assert not is_checked(html, "B3", 0)
    assert 'name="prenom"' not in html  # the candidate exists now: no identity fields

    done = browser.submit(
        draft_response.headers["Location"],
        {"mode": "telephone", **PART_A, **scored(1, 1, B1=2), "M1": "Écrire à mes petits-enfants", "calculer": "1"},
    )
    assert done.status_code == 302
    assert done.headers["Location"] == f"/positionnements/{draft.id}"
    db.session.expire_all()
    stored = db.session.get(Positionnement, draft.id)
    assert (stored.is_brouillon, stored.niveau) == (False, 1)
    assert stored.reponses["M1"] == "Écrire à mes petits-enfants"
    assert db.session.get(Apprenant, apprenant.id).statut == "en_attente"

    result = text_of(browser.get(done.headers["Location"]))
    assert f"Score {stored.score} / 100" in result
    assert "Niveau 1 : Débutant" in result
    assert "Score entre 26 et 60 : débutant." in result
    # The structure's day (Paris), not the machine's: from 23:00 UTC in winter they differ.
    aujourdhui = structure_today(db.session.get(Apprenant, apprenant.id).structure)
    assert f"Sur la liste d'attente depuis le {_date_fr(aujourdhui)}" in result
    assert "Écrire à mes petits-enfants" in result
    assert count(Apprenant) == 1 and count(Positionnement) == 1


def _date_fr(day):
    from core.timeutil import date_fr

    return date_fr(day)


def test_missing_answers_are_named_and_the_others_kept(browser, mediatrice):
    answers = {k: v for k, v in scored(2, 1).items() if k not in {"B4", "C2"}}
    response = browser.submit(
        "/positionnements/nouveau", {**CANDIDATE, "mode": "presentiel", **PART_A, **answers, "calculer": "1"}
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "Il manque 2 réponses : B4 et C2 ." in text
    html = response.get_data(as_text=True)
    assert html.count("Réponse manquante") == 2
    assert re.search(r'id="question-B4"[^>]*aria-describedby="B4-erreurs"', html)
    assert '<ul class="field-errors" id="C2-erreurs">' in html
    assert is_checked(html, "B1", 2) and is_checked(html, "C4", 1) and is_checked(html, "A1", "non")
    assert is_checked(html, "mode", "presentiel")

    # the draft is saved anyway, and the form now posts to it: nothing is created twice
    draft = db.session.scalar(sa.select(Positionnement))
    assert draft.is_brouillon and draft.reponses["B1"] == 2 and "B4" not in draft.reponses
    assert f'action="/positionnements/{draft.id}/questionnaire"' in html
    again = browser.client.post(
        f"/positionnements/{draft.id}/questionnaire",
        data={
            "csrf_token": csrf_token_from(html),
            "version": version_from(html, f"/positionnements/{draft.id}/questionnaire", False),
            "mode": "presentiel",
            **PART_A,
            **scored(2, 1),
            "calculer": "1",
        },
    )
    assert again.status_code == 302
    assert count(Apprenant) == 1 and count(Positionnement) == 1


def test_one_missing_answer_is_named_in_the_singular(browser, mediatrice, make_apprenant):
    apprenant = make_apprenant()
    answers = {k: v for k, v in scored().items() if k != "C3"}
    response = browser.submit(
        f"/positionnements/nouveau?apprenant_id={apprenant.id}", {**CALL, **answers, "calculer": "1"}
    )
    assert "Il manque 1 réponse : C3 ." in text_of(response)


def test_possible_duplicate_is_shown_with_nothing_lost(browser, mediatrice, make_apprenant):
    existing = make_apprenant(prenom="Elodie", nom="LEFEVRE", telephone=None)
    data = {**CANDIDATE, "mode": "telephone", **PART_A, "B1": "2", "enregistrer": "1"}
    response = browser.submit("/positionnements/nouveau", data)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Cette personne existe peut-être déjà" in html
    assert f'<a href="/positionnements/nouveau?apprenant_id={existing.id}">Positionner cette personne</a>' in html
    assert 'name="confirmer_doublon"' in html
    assert 'value="Élodie"' in html and 'value="06 12 34 56 78"' in html
    assert is_checked(html, "B1", 2) and is_checked(html, "canal_prefere", "sms")
    assert count(Apprenant) == 1 and count(Positionnement) == 0

    confirmed = browser.submit("/positionnements/nouveau", {**data, "confirmer_doublon": "y"})
    assert confirmed.status_code == 302
    assert count(Apprenant) == 2 and count(Positionnement) == 1


def test_bad_phone_comes_back_beside_the_field(browser, mediatrice):
    response = browser.submit("/positionnements/nouveau", {**CANDIDATE, "telephone": "06 12 34", **CALL, "B2": "1"})
    assert response.status_code == 200
    assert "Ce numéro de téléphone n'existe pas" in text_of(response)
    assert 'id="telephone-erreurs"' in response.get_data(as_text=True)
    assert is_checked(response.get_data(as_text=True), "B2", 1)
    assert count(Apprenant) == 0


def test_unusable_channel_is_named_at_the_top_and_beside_the_field(browser, mediatrice):
    response = browser.submit(
        "/positionnements/nouveau", {**CANDIDATE, "telephone": "", **CALL, "B2": "1", "enregistrer": "1"}
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "Rien n'a été enregistré" in text
    assert "Moyen de contact préféré : Un numéro est nécessaire pour un contact par téléphone ou SMS." in text
    html = response.get_data(as_text=True)
    assert '<a href="#canal_prefere-0">Moyen de contact préféré</a>' in html
    assert 'id="canal_prefere-erreurs"' in html
    assert is_checked(html, "B2", 1)
    assert count(Apprenant) == 0


def test_existing_learner_resumes_their_draft(browser, mediatrice, make_apprenant):
    apprenant = make_apprenant()
    nouveau = f"/positionnements/nouveau?apprenant_id={apprenant.id}"
    second_tab = browser.get(nouveau).get_data(as_text=True)  # opened before any draft exists
    first = browser.submit(nouveau, {**CALL, "B1": "1", "enregistrer": "1"})
    draft = db.session.scalar(sa.select(Positionnement))
    assert first.headers["Location"] == f"/positionnements/{draft.id}/questionnaire"

    resumed = browser.get(nouveau)
    assert resumed.status_code == 302
    assert resumed.headers["Location"] == f"/positionnements/{draft.id}/questionnaire"
    # a second tab still showing the new placement page is told a draft was saved meanwhile, and nothing is
    # created twice; its answers are kept and the form now posts to the draft: one click saves into it
    typed = {**CALL, "B1": "1", "B2": "2", "enregistrer": "1"}
    refused = browser.client.post(
        nouveau,
        data={"csrf_token": csrf_token_from(second_tab), "version": version_from(second_tab, nouveau, False), **typed},
    )
    assert refused.status_code == 409
    assert count(Positionnement) == 1
    html = refused.get_data(as_text=True)
    assert f'action="/positionnements/{draft.id}/questionnaire"' in html and is_checked(html, "B2", 2)
    again = browser.client.post(
        f"/positionnements/{draft.id}/questionnaire",
        data={
            "csrf_token": csrf_token_from(html),
            "version": version_from(html, f"/positionnements/{draft.id}/questionnaire", False),
            **typed,
        },
    )
    assert again.headers["Location"] == f"/positionnements/{draft.id}/questionnaire"
    assert count(Positionnement) == 1
    db.session.expire_all()
    assert db.session.get(Positionnement, draft.id).reponses == {"B1": 1, "B2": 2}

    detail = browser.get(f"/apprenants/{apprenant.id}").get_data(as_text=True)
    assert f'href="/positionnements/nouveau?apprenant_id={apprenant.id}">Faire un positionnement</a>' in detail
    assert f'href="/positionnements/{draft.id}/questionnaire">reprendre</a>' in detail
    assert f'href="/positionnements/{draft.id}"' in detail


def test_autosave_answers_json_and_switches_to_the_draft(browser, mediatrice):
    page = browser.get("/positionnements/nouveau").get_data(as_text=True)
    token = csrf_token_from(page)
    json = {"Accept": "application/json"}

    refused = browser.client.post(
        "/positionnements/nouveau", data={"csrf_token": token, "prenom": "Élodie", **CALL}, headers=json
    )
    assert refused.status_code == 422
    assert refused.json["saved"] is False
    assert refused.json["errors"] == {"nom": ["Ce champ est obligatoire."]}
    assert refused.json["message"] == "Brouillon non enregistré. Nom : Ce champ est obligatoire."

    saved = browser.client.post(
        "/positionnements/nouveau",
        data={"csrf_token": token, **CANDIDATE, **CALL, "B1": "2"},
        headers=json,
    )
    assert saved.status_code == 200
    draft = db.session.scalar(sa.select(Positionnement))
    assert saved.json["saved"] is True
    assert saved.json["id"] == draft.id
    assert saved.json["url"] == f"/positionnements/{draft.id}/questionnaire"
    assert re.fullmatch(r"Brouillon enregistré à \d{1,2} h \d{2}\.", saved.json["message"])

    # The script puts the answered version in the form: the next save compares with what the page now shows.
    version = saved.json["version"]
    again = browser.client.post(
        saved.json["url"], data={"csrf_token": token, "version": version, **CALL, "B1": "2", "B2": "0"}, headers=json
    )
    assert again.status_code == 200 and again.json["id"] == draft.id
    db.session.expire_all()
    assert db.session.get(Positionnement, draft.id).reponses == {"B1": 2, "B2": 0}
    assert count(Apprenant) == 1 and count(Positionnement) == 1

    version = again.json["version"]
    done = browser.client.post(
        saved.json["url"],
        data={
            "csrf_token": token,
            "version": version,
            **CALL,
            **scored(),
            "disponibilites": "mar-matin",
            "calculer": "1",
        },
    )
    assert done.status_code == 302
    closed = browser.client.post(saved.json["url"], data={"csrf_token": token, **CALL}, headers=json)
    assert closed.status_code == 409
    assert closed.json["url"] == f"/positionnements/{draft.id}"


def test_a_bad_answer_to_part_d_gets_a_french_message(browser, mediatrice, make_apprenant):
    apprenant = make_apprenant()
    url = f"/positionnements/nouveau?apprenant_id={apprenant.id}"
    response = browser.submit(url, {**CALL, "D1": "Toujours", "enregistrer": "1"})
    text = text_of(response)
    assert response.status_code == 200
    assert "N'est pas un choix valide." in text and "Not a valid choice" not in text
    assert 'id="D1-erreurs"' in response.get_data(as_text=True)


def test_a_csrf_failure_on_the_autosave_answers_json_in_french_with_a_fresh_token(browser, mediatrice):
    json = {"Accept": "application/json"}
    refused = browser.client.post(
        "/positionnements/nouveau", data={"csrf_token": "perime", **CANDIDATE, **CALL}, headers=json
    )
    assert refused.status_code == 400
    assert refused.mimetype == "application/json"
    assert refused.json["message"].startswith("Rien n'a été enregistré : la page a expiré")
    assert count(Apprenant) == 0

    saved = browser.client.post(
        "/positionnements/nouveau", data={"csrf_token": refused.json["csrf_token"], **CANDIDATE, **CALL}, headers=json
    )
    assert saved.status_code == 200 and saved.json["saved"] is True
    assert count(Apprenant) == 1

    # Other refusals answer the autosave in JSON too, in French.
    token = csrf_token_from(browser.get("/positionnements/nouveau").get_data(as_text=True))
    missing = browser.client.post("/positionnements/999999/questionnaire", data={"csrf_token": token}, headers=json)
    assert missing.status_code == 404 and missing.json == {
        "message": "Cette page n'existe pas, ou elle ne vous est pas accessible."
    }

    # A page, not JSON, for a browser posting the form itself.
    page = browser.client.post("/positionnements/nouveau", data={"csrf_token": "perime", **CANDIDATE, **CALL})
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert "Le formulaire a expiré" in text_of(page)


def test_result_shows_orientation_and_delegated_procedures(browser, mediatrice, make_apprenant):
    apprenant = make_apprenant()
    data = {
        "mode": "presentiel",
        "canal_prefere": "telephone",
        **scored(2, 2),
        "D1": "Quelqu'un le fait pour moi",
        "D4": "Seul",
        "calculer": "1",
    }
    response = browser.submit(f"/positionnements/nouveau?apprenant_id={apprenant.id}", data)
    text = text_of(browser.get(response.headers["Location"]))

    assert "Niveau 3 : Intermédiaire" in text
    assert "orientez la personne vers un atelier de perfectionnement" in text
    assert "liste d'attente depuis" not in text
    assert "Quelqu'un fait ces démarches pour la personne : CAF." in text
    assert "Aidants Connect" in text
    assert db.session.get(Apprenant, apprenant.id).statut == "oriente"


def test_viewing_a_result_is_journaled(browser, mediatrice, make_apprenant):
    positionnement = complete_placement(make_apprenant(), mediatrice)
    assert browser.get(f"/positionnements/{positionnement.id}").status_code == 200
    entry = db.session.scalar(sa.select(Journal).where(Journal.objet == "positionnement"))
    assert (entry.action, entry.objet_id, entry.compte_id, entry.details) == (
        "consultation",
        positionnement.id,
        mediatrice.id,
        "résultat",
    )


def test_other_structure_is_not_found(browser, mediatrice, make_structure, make_apprenant, make_compte):
    other = make_structure(nom="France Services d'Ailleurs")
    stranger = make_apprenant(structure=other)
    placement = complete_placement(stranger, make_compte("mediateur", structure=other))
    draft = Positionnement(apprenant_id=stranger.id, questionnaire=current_questionnaire(), mode="telephone")
    db.session.add(draft)
    db.session.commit()

    assert browser.get(f"/positionnements/nouveau?apprenant_id={stranger.id}").status_code == 404
    assert browser.get(f"/positionnements/{placement.id}").status_code == 404
    assert browser.get(f"/positionnements/{draft.id}/questionnaire").status_code == 404
    posted = browser.submit(
        f"/positionnements/{draft.id}/questionnaire",
        {"mode": "presentiel", "canal_prefere": "telephone"},
        form_url="/positionnements/nouveau",
    )
    assert posted.status_code == 404
    assert db.session.get(Positionnement, draft.id).mode == "telephone"


def test_direction_reads_a_result_but_not_the_form(browser, make_compte, make_apprenant):
    mediatrice = make_compte("mediateur")
    direction = make_compte("direction")
    apprenant = make_apprenant()
    placement = complete_placement(apprenant, mediatrice)
    browser.login(direction)

    result = browser.get(f"/positionnements/{placement.id}")
    assert result.status_code == 200
    assert "Niveau 1 : Débutant" in text_of(result)
    assert "Faire un nouveau positionnement" not in text_of(result)
    assert browser.get("/positionnements/nouveau").status_code == 403
    assert browser.get(f"/positionnements/nouveau?apprenant_id={apprenant.id}").status_code == 403
    assert browser.get(f"/positionnements/{placement.id}/questionnaire").status_code == 403
    assert "Faire un positionnement" not in browser.get(f"/apprenants/{apprenant.id}").get_data(as_text=True)


def test_navigation_leads_mediators_to_the_questionnaire(browser, mediatrice):
    home = browser.get("/").get_data(as_text=True)
    assert '<a href="/positionnements/nouveau">Positionnement</a>' in home


def test_page_queries_do_not_grow_with_the_placement_history(browser, mediatrice, make_apprenant, count_queries):
    apprenant = make_apprenant()
    placement = complete_placement(apprenant, mediatrice)
    draft = Positionnement(apprenant_id=apprenant.id, questionnaire=current_questionnaire(), mode="telephone")
    db.session.add(draft)
    db.session.commit()
    pages = (
        f"/positionnements/{placement.id}",
        f"/positionnements/{draft.id}/questionnaire",
        f"/positionnements/nouveau?apprenant_id={apprenant.id}",
        f"/positionnements/nouveau?apprenant_id={make_apprenant().id}",
        "/positionnements/nouveau",
    )

    def measure():
        counts = []
        for url in pages:
            with count_queries() as statements:
                assert browser.get(url).status_code in (200, 302), url
            counts.append(len(statements))
        return counts

    before = measure()
    for _ in range(15):
        complete_placement(apprenant, mediatrice)
    after = measure()
    assert after == before
    assert max(before) <= 8, before


def test_choice_inputs_are_the_markup_wtforms_gives(app, browser, mediatrice, make_apprenant):
    # The page writes its ~90 radio buttons and checkboxes in the macro (WTForms' widgets cost ~20 ms): the same
    # attributes, ids, required flags and checked states as WTForms' own rendering, for a new candidate and a draft.
    apprenant = make_apprenant(disponibilites=(1 << 2) | (1 << 7), canal_prefere="sms")
    draft = Positionnement(
        apprenant_id=apprenant.id,
        questionnaire=current_questionnaire(),
        mode="presentiel",
        reponses={"A1": "non", "A4": "ne sait pas", "B1": 2, "C3": 0},
    )
    db.session.add(draft)
    db.session.commit()
    draft_data = initial_data(draft, apprenant)
    for url, form_args in (
        ("/positionnements/nouveau", {"with_candidate": True, "data": initial_data()}),
        (f"/positionnements/{draft.id}/questionnaire", {"with_candidate": False, "data": draft_data}),
    ):
        html = browser.get(url).get_data(as_text=True)
        with app.test_request_context():
            form = positionnement_form(current_questionnaire(), **form_args)
            fields = [field for field in form if field.type in ("RadioField", "MultiCheckboxField")]
            assert len(fields) > 20
            checked = 0
            for field in fields:
                for option in field:
                    assert f'<label class="choice">{option()} <span>{escape(option.label.text)}</span></label>' in html
                    checked += option.checked
        assert 'required type="radio" value="telephone"' in html  # the mode is required
        assert checked == (1 if url.endswith("nouveau") else 8)
