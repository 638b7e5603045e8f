"""A save made from a page opened before someone else's save is refused, with what changed and what was typed
(issue 8 item 11, STYLE.md habit 14): one test per protected form, two people in two browsers."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from ateliers import competences
from ateliers.dropout import Seuils
from ateliers.models import Presence, Rattrapage
from ateliers.presences import Saisie, enregistrer_presences
from evaluations.models import EvaluationCompetence, Positionnement
from extensions import db
from tests.ateliers_fixtures import freeze_clock, ids
from tests.conftest import Browser, csrf_token_from, version_from

NOW = datetime(2026, 4, 14, 8, 0)
pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def collegue(app, make_compte):
    """A second mediator, Camille Roux, signed in in another browser."""
    other = Browser(app.test_client())
    other.login(make_compte("mediateur", prenom="Camille", nom="Roux"))
    return other


def texte(response) -> str:
    return response.get_data(as_text=True).replace("&#39;", "'")


def ouvrir(browser: Browser, url: str, action: str | None = None) -> dict:
    """Open a page as a browser does: what its form posting to ``action`` (default: the page) will send."""
    page = browser.get(url).get_data(as_text=True)
    return {"csrf_token": csrf_token_from(page), "version": version_from(page, action or url, action is None)}


def presence(inscription_id: int) -> Presence:
    db.session.expire_all()
    return db.session.scalar(sa.select(Presence).where(Presence.inscription_id == inscription_id))


def test_attendance_saved_from_a_stale_page_is_refused_and_resaved_in_one_click(signed_in, collegue, atelier):
    url = f"/ateliers/{atelier.id}/seances/1/presences"
    martin, bernard = ids(atelier)["Martin"], ids(atelier)["Bernard"]
    assert signed_in.submit(url, {f"statut-{martin}": "absent", f"statut-{bernard}": "present"}).status_code == 302
    page_b = ouvrir(collegue, url)  # B opens the page: Martin absent
    correction = {f"statut-{martin}": "absent_excuse", f"statut-{bernard}": "present"}
    assert signed_in.submit(url, correction).status_code == 302

    # B, on the page opened earlier, adds Bernard's arrival time and saves.
    typed = {f"statut-{martin}": "absent", f"statut-{bernard}": "present", f"arrivee-{bernard}": "09:20"}
    response = collegue.client.post(url, data={**page_b, **typed})

    assert response.status_code == 409
    html = texte(response)
    assert re.search(r"Josiane Martin : absent → absent excusé \(par Awa Diallo à \d{1,2} h \d\d\)", html)
    assert "rien de ce que vous avez saisi n'est encore enregistré" in html
    assert presence(martin).statut == "absent_excuse" and presence(bernard).arrival_at is None
    # What B typed is kept; where B changed nothing the page now shows A's correction.
    assert 'value="09:20"' in html
    assert f'name="statut-{martin}" value="absent_excuse" checked' in html

    again = {f"statut-{martin}": "absent_excuse", f"statut-{bernard}": "present", f"arrivee-{bernard}": "09:20"}
    resend = {"csrf_token": csrf_token_from(html), "version": version_from(html, url, True), **again}
    assert collegue.client.post(url, data=resend).status_code == 302
    assert presence(martin).statut == "absent_excuse"
    assert presence(bernard).arrival_at is not None


def test_attendance_posted_without_the_page_version_is_refused(signed_in, atelier):
    url = f"/ateliers/{atelier.id}/seances/1/presences"
    martin = ids(atelier)["Martin"]
    page = ouvrir(signed_in, url)
    response = signed_in.client.post(url, data={"csrf_token": page["csrf_token"], f"statut-{martin}": "absent"})
    assert response.status_code == 409
    assert "trop ancienne" in texte(response)
    assert presence(martin) is None


def judgement(inscription_id: int, competence_id: int) -> str | None:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(EvaluationCompetence.resultat).where(
            EvaluationCompetence.inscription_id == inscription_id, EvaluationCompetence.competence_id == competence_id
        )
    )


@pytest.mark.parametrize("numero", [1], ids=["grille"])  # the final evaluation: tests/web/test_competences.py
def test_skills_saved_from_a_stale_page_are_refused_with_the_changes_and_typed_values(
    signed_in, collegue, atelier, numero, monkeypatch
):
    freeze_clock(monkeypatch, datetime(2026, 5, 12, 8, 0))  # the day after séance 6
    url = f"/ateliers/{atelier.id}/seances/{numero}/competences"
    martin, bernard = ids(atelier)["Martin"], ids(atelier)["Bernard"]
    premiere, seconde = (c for c in competences.grille(atelier, atelier.seances[numero - 1]).competences[:2])
    assert signed_in.submit(url, {f"c-{martin}-{premiere.id}": "avec_aide"}).status_code == 302
    page_b = ouvrir(collegue, url)
    assert signed_in.submit(url, {f"c-{martin}-{premiere.id}": "acquis"}).status_code == 302

    typed = {f"c-{martin}-{premiere.id}": "avec_aide", f"c-{bernard}-{seconde.id}": "non_acquis"}
    response = collegue.client.post(url, data={**page_b, **typed})

    assert response.status_code == 409
    html = texte(response)
    assert re.search(
        rf"Josiane Martin, {premiere.code} : avec aide → acquis \(fait seul\) \(par Awa Diallo à \d{{1,2}} h \d\d\)",
        html,
    )
    assert judgement(martin, premiere.id) == "acquis" and judgement(bernard, seconde.id) is None
    assert re.search(rf'name="c-{martin}-{premiere.id}" value="acquis"[^>]*checked', html)
    assert re.search(rf'name="c-{bernard}-{seconde.id}" value="non_acquis"[^>]*checked', html)

    resend = {"csrf_token": csrf_token_from(html), "version": version_from(html, url, True)}
    resend |= {f"c-{martin}-{premiere.id}": "acquis", f"c-{bernard}-{seconde.id}": "non_acquis"}
    assert collegue.client.post(url, data=resend).status_code == 302
    assert judgement(martin, premiere.id) == "acquis" and judgement(bernard, seconde.id) == "non_acquis"


def fiche(apprenant, **changes) -> dict:
    """The learner's edit form as a browser posts it, with ``changes``."""
    data = {
        "prenom": apprenant.prenom,
        "nom": apprenant.nom,
        "telephone": "06 12 34 56 78",
        "email": "",
        "adresse": "",
        "code_postal": "",
        "commune": "Agen",
        "tranche_age": "",
        "disponibilites": ["lun-matin"],
        "canal_prefere": "telephone",
    }
    return {**data, **changes}


def test_learner_record_saved_from_a_stale_page_is_refused_with_the_changes(signed_in, collegue, make_apprenant):
    apprenant = make_apprenant(
        prenom="Élodie", nom="Lefèvre", telephone="+33612345678", commune="Agen", disponibilites=1
    )
    url = f"/apprenants/{apprenant.id}/modifier"
    page_b = ouvrir(collegue, url)
    assert signed_in.submit(url, fiche(apprenant, commune="Villeneuve-sur-Lot")).status_code == 302

    response = collegue.client.post(url, data={**page_b, **fiche(apprenant, telephone="06 98 76 54 32")})

    assert response.status_code == 409
    html = texte(response)
    assert re.search(r"Commune : Agen → Villeneuve-sur-Lot \(par Awa Diallo à \d{1,2} h \d\d\)", html)
    db.session.expire_all()
    assert (apprenant.commune, apprenant.telephone) == ("Villeneuve-sur-Lot", "+33612345678")
    assert 'value="06 98 76 54 32"' in html and 'value="Villeneuve-sur-Lot"' in html

    resend = {"csrf_token": csrf_token_from(html), "version": version_from(html, url, True)}
    resend |= fiche(apprenant, telephone="06 98 76 54 32", commune="Villeneuve-sur-Lot")
    assert collegue.client.post(url, data=resend).status_code == 302
    db.session.expire_all()
    assert (apprenant.commune, apprenant.telephone) == ("Villeneuve-sur-Lot", "+33698765432")


def test_account_saved_from_a_stale_page_does_not_reactivate_it(app, make_compte):
    admin_a, admin_b = Browser(app.test_client()), Browser(app.test_client())
    admin_a.login(make_compte("admin", prenom="Awa", nom="Diallo"))
    admin_b.login(make_compte("admin", prenom="Camille", nom="Roux"))
    compte = make_compte("benevole", prenom="Henri", nom="Crozet", email="henri@test.local")
    url = f"/admin/comptes/{compte.id}"
    form = {"prenom": "Henri", "nom": "Crozet", "email": "henri@test.local", "role": "benevole"}
    page_b = ouvrir(admin_b, url)
    assert admin_a.submit(url, form).status_code == 302  # the box left unticked: deactivated

    response = admin_b.client.post(url, data={**page_b, **form, "nom": "Crozet-Martin", "is_active": "y"})

    assert response.status_code == 409
    html = texte(response)
    assert re.search(r"Compte actif : oui → non \(par Awa Diallo à \d{1,2} h \d\d\)", html)
    db.session.expire_all()
    assert (compte.nom, compte.is_active) == ("Crozet", False)
    assert 'value="Crozet-Martin"' in html
    assert not re.search(r'<input[^>]*checked[^>]*name="is_active"|<input[^>]*name="is_active"[^>]*checked', html)


SEUILS_DE_REFERENCE = {
    "toute_absence_non_excusee": "y",
    "seances_critiques": ["1", "2"],
    "absences_consecutives": "2",
    "taux_minimum": "80",
    "taux_apres_seance": "3",
    "niveau_fragile": "0",
    "module_sans_acquis": "2",
}


def seuils_stockes(structure) -> dict:
    db.session.expire_all()
    return Seuils.from_dict(structure.seuils_decrochage or {}).to_dict()


def test_thresholds_saved_from_a_stale_page_are_refused_with_the_changes(signed_in, collegue, structure):
    page_b = ouvrir(collegue, "/ateliers/seuils")
    assert signed_in.submit("/ateliers/seuils", {**SEUILS_DE_REFERENCE, "taux_minimum": "75"}).status_code == 302

    response = collegue.client.post(
        "/ateliers/seuils", data={**page_b, **SEUILS_DE_REFERENCE, "absences_consecutives": "4"}
    )

    assert response.status_code == 409
    html = texte(response)
    assert re.search(r"Taux minimum d'assiduité \(%\) : 80 → 75 \(par Awa Diallo à \d{1,2} h \d\d\)", html)
    assert seuils_stockes(structure)["absences_consecutives"] == 2
    assert 'name="taux_minimum" required type="number" value="75"' in html
    assert 'name="absences_consecutives" required type="number" value="4"' in html

    # The reference button of the same stale page does not undo the colleague's rate either.
    reference = collegue.client.post("/ateliers/seuils", data={**page_b, "action": "reference"})
    assert reference.status_code == 409
    assert seuils_stockes(structure)["taux_minimum"] == 0.75


def test_waiting_status_changed_from_a_stale_list_is_refused(signed_in, collegue, make_candidate):
    personne = make_candidate(prenom="Nadia", nom="Ferhat")
    action = f"/liste-attente/{personne.id}/statut"
    page_b = ouvrir(collegue, "/liste-attente/", action)
    assert signed_in.submit(action, {"statut": "retire"}, form_url="/liste-attente/").status_code == 302

    response = collegue.client.post(action, data={**page_b, "statut": "oriente"}, follow_redirects=True)

    html = texte(response)
    assert re.search(r"Statut : en attente → retiré \(par Awa Diallo à \d{1,2} h \d\d\)", html)
    assert "« orienté ailleurs », n'est pas enregistré" in html
    db.session.expire_all()
    assert personne.statut == "retire"


def test_a_seance_moved_from_a_stale_workshop_page_is_refused(signed_in, collegue, atelier):
    page = f"/ateliers/{atelier.id}"
    action = f"{page}/seances/3/deplacer"
    page_b = ouvrir(collegue, page, action)
    assert signed_in.submit(action, {"jour": "2026-04-22"}, form_url=page).status_code == 302  # 20 → 22 April

    response = collegue.client.post(action, data={**page_b, "jour": "2026-04-21"})

    assert response.status_code == 409
    html = texte(response)
    assert re.search(
        r"Séance 3 : lundi 20 avril 2026, 9 h 00 → mercredi 22 avril 2026, 9 h 00 \(par Awa Diallo à \d{1,2} h \d\d\)",
        html,
    )
    assert 'value="2026-04-21"' in html
    db.session.expire_all()
    assert atelier.seances[2].jour.isoformat() == "2026-04-22"


def test_co_runners_changed_from_a_stale_workshop_page_are_refused(signed_in, collegue, atelier, benevole, mediatrice):
    page = f"/ateliers/{atelier.id}"
    action = f"{page}/seances/2/animateurs"
    page_b = ouvrir(collegue, page, action)
    both = [str(mediatrice.id), str(benevole.id)]
    assert signed_in.submit(action, {"animateurs": both}, form_url=page).status_code == 302

    response = collegue.client.post(action, data={**page_b, "animateurs": [str(mediatrice.id)], "suivantes": "y"})

    assert response.status_code == 409
    assert re.search(
        r"Animateurs de la séance 2 : Awa Diallo → Awa Diallo, Henri Crozet \(par Awa Diallo à \d{1,2} h \d\d\)",
        texte(response),
    )
    db.session.expire_all()
    assert {c.id for c in atelier.seances[1].animateurs} == {mediatrice.id, benevole.id}


def test_a_catch_up_planned_from_a_stale_page_does_not_move_the_colleagues(signed_in, collegue, atelier):
    martin = ids(atelier)["Martin"]
    page = f"/ateliers/inscriptions/{martin}/rattrapages"
    saisie = {martin: Saisie("absent"), ids(atelier)["Bernard"]: Saisie("present")}
    enregistrer_presences(atelier.seances[0].animateurs[0], atelier, atelier.seances[0], saisie, NOW.date())
    db.session.commit()
    module = atelier.seances[0].module_id
    page_b = ouvrir(collegue, page)
    assert signed_in.submit(page, {"module": module, "jour": "2026-04-16", "heure": "14:00"}).status_code == 302

    response = collegue.client.post(page, data={**page_b, "module": module, "jour": "2026-04-17", "heure": "10:00"})

    assert response.status_code == 409
    html = texte(response)
    assert re.search(
        r"Rattrapage du module 1, prévu le : non prévu → jeudi 16 avril 2026, 14 h 00 "
        r"\(par Awa Diallo à \d{1,2} h \d\d\)",
        html,
    )
    assert 'value="2026-04-17"' in html
    db.session.expire_all()
    (rattrapage,) = db.session.scalars(sa.select(Rattrapage)).all()
    assert rattrapage.prevu_at.date().isoformat() == "2026-04-16"
    cancel = ouvrir(collegue, page, f"/ateliers/rattrapages/{rattrapage.id}/annuler")
    assert collegue.client.post(f"/ateliers/rattrapages/{rattrapage.id}/annuler", data=page_b).status_code == 409
    assert collegue.client.post(f"/ateliers/rattrapages/{rattrapage.id}/annuler", data=cancel).status_code == 302


def test_placement_draft_autosaved_from_a_stale_page_is_refused_with_the_changes(
    signed_in, collegue, mediatrice, make_apprenant
):
    apprenant = make_apprenant(prenom="Élodie", nom="Lefèvre")
    page = f"/positionnements/nouveau?apprenant_id={apprenant.id}"
    assert signed_in.submit(page, {"mode": "telephone", "canal_prefere": "telephone", "B1": "1"}).status_code == 302
    (draft,) = db.session.scalars(sa.select(Positionnement)).all()
    url = f"/positionnements/{draft.id}/questionnaire"
    page_b = ouvrir(collegue, url)
    assert signed_in.submit(url, {"mode": "telephone", "canal_prefere": "telephone", "B1": "2"}).status_code == 302

    typed = {"mode": "telephone", "canal_prefere": "telephone", "B1": "1", "B2": "1"}
    autosave = collegue.client.post(url, data={**page_b, **typed}, headers={"Accept": "application/json"})

    assert autosave.status_code == 409 and autosave.json["saved"] is False
    (change,) = autosave.json["changes"]
    assert re.fullmatch(
        r"B1\. Savez-vous allumer et éteindre un ordinateur \? : Un peu, avec aide → Oui, seul "
        r"\(par Awa Diallo à \d{1,2} h \d\d\)",
        change,
    )
    db.session.expire_all()
    assert db.session.get(Positionnement, draft.id).reponses == {"B1": 2}

    # The button shows the page: B2 as typed, B1 as the colleague saved it; one click saves both.
    shown = collegue.client.post(url, data={**page_b, **typed, "enregistrer": "1"})
    assert shown.status_code == 409
    html = texte(shown)
    assert change in html
    assert 'checked id="B1-2"' in html and 'checked id="B2-1"' in html
    resend = {"csrf_token": csrf_token_from(html), "version": version_from(html, url, False)}
    resend |= {**typed, "B1": "2", "enregistrer": "1"}
    assert collegue.client.post(url, data=resend).status_code == 302
    db.session.expire_all()
    assert db.session.get(Positionnement, draft.id).reponses == {"B1": 2, "B2": 1}


def test_structure_calendar_saved_from_a_stale_page_is_refused_with_the_changes(app, make_compte, structure):
    admin_a, admin_b = Browser(app.test_client()), Browser(app.test_client())
    admin_a.login(make_compte("admin", prenom="Awa", nom="Diallo"))
    admin_b.login(make_compte("admin", prenom="Camille", nom="Roux"))
    url = "/admin/structure"
    page_b = ouvrir(admin_b, url)
    assert admin_a.submit(url, {"subdivision_feries": "57", "fuseau_horaire": "Europe/Paris"}).status_code == 302

    response = admin_b.client.post(
        url, data={**page_b, "subdivision_feries": "", "fuseau_horaire": "Europe/Paris", "feries_travailles": []}
    )

    assert response.status_code == 409
    html = texte(response)
    assert re.search(
        r"Jours fériés applicables : France métropolitaine \(hors Alsace-Moselle\) → Moselle "
        r"\(par Awa Diallo à \d{1,2} h \d\d\)",
        html,
    )
    db.session.expire_all()
    assert structure.subdivision_feries == "57"
    assert '<option selected value="57">Moselle</option>' in html
