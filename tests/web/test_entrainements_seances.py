"""The practice screens of the attendance, the sheet, the plan (on its own page, the learner's, the progress and the
follow-up call pages), the skills' exercises and the structure's practice rules."""

from __future__ import annotations

import html
import io
import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from core.models import Structure
from entrainements.models import PlanEntrainement, Reservation, ResultatEntrainement
from entrainements.occurrences import occurrences_entre, ouvrir_occurrences
from entrainements.reservations import reserver
from evaluations.models import Competence
from extensions import db
from tests.ateliers_fixtures import freeze_clock
from tests.conftest import Browser, csrf_token_from, version_from
from tests.entrainements_fixtures import NOW, TODAY, make_creneau, make_entrainements

PENDANT = datetime(2026, 6, 2, 12, 30)  # Tuesday 2 June, 14:30 Paris


def text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.get_data(as_text=True)))


@pytest.fixture
def competences(app):
    competences = list(db.session.scalars(sa.select(Competence).order_by(Competence.id).limit(2)))
    competences[0].ressource_titre = "Les Bons Clics : la souris"
    competences[0].ressource_url = "https://www.lesbonsclics.fr/fr/exercices/souris"
    db.session.commit()
    return competences


@pytest.fixture
def occurrence(structure, make_apprenant, competences, benevole, monkeypatch):
    """Josiane Martin and Marcel Bernard booked on Tuesday 2 June's slot, run by the volunteer Henri Crozet."""
    freeze_clock(monkeypatch, NOW)
    make_creneau(structure, animateur_id=benevole.id)
    ouvrir_occurrences(structure, TODAY, date(2026, 6, 2))
    (occurrence,) = occurrences_entre(structure.id, TODAY, date(2026, 6, 2))
    entrainements = make_entrainements(
        structure,
        [
            make_apprenant(prenom="Josiane", nom="Martin", telephone="+33612345678"),
            make_apprenant(prenom="Marcel", nom="Bernard", telephone="+33698765432"),
        ],
        competences=[c.id for c in competences],
    )
    for entrainement in entrainements:
        reserver(entrainement, occurrence, now=NOW)
    db.session.commit()
    return occurrence


def reservations() -> dict[str, Reservation]:
    return {r.entrainement.apprenant.nom: r for r in db.session.scalars(sa.select(Reservation))}


def other(browser, compte) -> Browser:
    """A fresh browser signed in as ``compte`` (another person at another desk)."""
    fresh = Browser(browser.client.application.test_client())
    fresh.login(compte)
    return fresh


def url(occurrence) -> str:
    return f"/entrainements/occurrences/{occurrence.id}/presences"


def test_the_mediator_notes_who_came_and_their_levels(browser, mediatrice, occurrence, competences, monkeypatch):
    browser.login(mediatrice)
    avant = text(browser.get(url(occurrence)))
    assert "pas encore commencé" in avant and "mardi 2 juin à 14 h 00" in avant
    freeze_clock(monkeypatch, PENDANT)
    page = text(browser.get(url(occurrence)))
    assert "Josiane Martin" in page and "Annulé par la personne" in page and competences[0].libelle in page
    par_nom = reservations()
    martin, bernard = par_nom["Martin"].id, par_nom["Bernard"].id
    response = browser.submit(
        url(occurrence),
        {f"statut-{martin}": "venu", f"statut-{bernard}": "absent", f"c-{martin}-{competences[0].id}": "acquis"},
    )
    assert response.status_code == 302
    assert {n: r.statut for n, r in reservations().items()} == {"Martin": "honoree", "Bernard": "absente"}
    assert [(r.competence_id, r.resultat) for r in db.session.scalars(sa.select(ResultatEntrainement))] == [
        (competences[0].id, "acquis")
    ]
    assert "Présences de l'entraînement enregistrées (2 personnes modifiées)" in text(browser.get(url(occurrence)))


def test_bad_input_is_refused_beside_the_field_and_kept(browser, mediatrice, occurrence, competences, monkeypatch):
    freeze_clock(monkeypatch, PENDANT)
    browser.login(mediatrice)
    par_nom = reservations()
    martin, bernard = par_nom["Martin"].id, par_nom["Bernard"].id
    response = browser.submit(
        url(occurrence),
        {
            f"statut-{martin}": "peut-etre",
            f"statut-{bernard}": "absent",
            f"c-{bernard}-{competences[1].id}": "avec_aide",
        },
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="statut-{martin}-erreurs"><li>Choisissez venu, absent ou annulé par la personne.' in page
    assert f'id="c-{bernard}-{competences[1].id}-erreurs"><li>Un niveau ne se note que pour une personne venue' in page
    assert 'value="absent" checked' in page and 'value="avec_aide" selected' in page
    assert {r.statut for r in reservations().values()} == {"reservee"}


def test_a_stale_page_shows_what_a_colleague_saved(browser, mediatrice, benevole, occurrence, client, monkeypatch):
    freeze_clock(monkeypatch, PENDANT)
    browser.login(mediatrice)
    page = browser.get(url(occurrence)).get_data(as_text=True)
    par_nom = reservations()
    autre = other(browser, benevole)
    assert autre.submit(url(occurrence), {f"statut-{par_nom['Martin'].id}": "venu"}).status_code == 302
    response = browser.client.post(
        url(occurrence),
        data={
            "csrf_token": csrf_token_from(page),
            "version": version_from(page, url(occurrence), True),
            f"statut-{par_nom['Bernard'].id}": "absent",
        },
    )
    assert response.status_code == 409
    assert "Josiane M." not in text(response) and "Josiane Martin : non noté → venu (par Henri Crozet" in text(response)
    assert reservations()["Bernard"].statut == "reservee"


def test_the_volunteer_running_the_slot_sees_first_names_and_initials_only(
    browser, benevole, occurrence, competences, monkeypatch
):
    freeze_clock(monkeypatch, PENDANT)
    browser.login(benevole)
    page = text(browser.get(url(occurrence)))
    assert "Josiane M." in page and "Marcel B." in page
    assert "Martin" not in page and "Bernard" not in page
    assert "06 12" not in page and "+336" not in page and "tel:" not in page
    assert browser.submit(url(occurrence), {f"statut-{reservations()['Martin'].id}": "venu"}).status_code == 302
    fiche = browser.get(f"/entrainements/occurrences/{occurrence.id}/fiche.pdf")
    assert fiche.mimetype == "application/pdf"
    contenu = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(fiche.data)).pages))
    assert "Josiane M." in contenu and "Martin" not in contenu and "+336" not in contenu
    assert "Les Bons Clics : la souris" in contenu and "https://www.lesbonsclics.fr/fr/exercices/souris" in contenu
    assert "mardi 2 juin 2026, 14 h 00 – 16 h 00" in contenu


def test_who_may_open_the_attendance_page(browser, make_compte, occurrence, make_structure, monkeypatch):
    freeze_clock(monkeypatch, PENDANT)
    browser.login(make_compte("benevole", prenom="Zoé", nom="Vidal"))  # a volunteer who does not run this slot
    assert browser.get(url(occurrence)).status_code == 404
    assert browser.get(f"/entrainements/occurrences/{occurrence.id}/fiche.pdf").status_code == 404
    browser = other(browser, make_compte("direction"))
    assert browser.get(url(occurrence)).status_code == 403
    browser = other(browser, make_compte("mediateur", structure=make_structure()))
    assert browser.get(url(occurrence)).status_code == 404


def test_a_post_without_csrf_token_is_refused(browser, mediatrice, occurrence, monkeypatch):
    freeze_clock(monkeypatch, PENDANT)
    browser.login(mediatrice)
    response = browser.client.post(url(occurrence), data={f"statut-{reservations()['Martin'].id}": "venu"})
    assert response.status_code == 400
    assert reservations()["Martin"].statut == "reservee"


def test_the_plan_is_declined_from_the_learners_page(browser, mediatrice, occurrence, monkeypatch):
    browser.login(mediatrice)
    martin = reservations()["Martin"]
    plan_id, apprenant_id = martin.entrainement.plan_id, martin.apprenant_id
    fiche = text(browser.get(f"/apprenants/{apprenant_id}"))
    assert "Entraînements après l'atelier" in fiche and "mardi 2 juin à 14 h 00, Salle informatique" in fiche
    assert f"/entrainements/plans/{plan_id}" in fiche
    refuse = browser.submit(
        f"/entrainements/plans/{plan_id}/statut", {"statut": "inconnu"}, f"/entrainements/plans/{plan_id}"
    )
    assert refuse.status_code == 200 and "field-errors" in refuse.get_data(as_text=True)
    response = browser.submit(
        f"/entrainements/plans/{plan_id}/statut", {"statut": "decline"}, f"/entrainements/plans/{plan_id}"
    )
    assert response.status_code == 302
    page = text(browser.get(f"/entrainements/plans/{plan_id}"))
    assert "Refus enregistré" in page and "Refusé par la personne" in page and "Réservations annulées : 1" in page
    assert db.session.get(PlanEntrainement, plan_id).statut == "decline"
    assert reservations()["Martin"].motif_annulation == "plan_arrete"


def test_the_plan_page_is_for_the_mediation_team_of_the_structure(
    browser, make_compte, occurrence, make_structure, benevole
):
    plan_id = reservations()["Martin"].entrainement.plan_id
    browser.login(benevole)
    assert browser.get(f"/entrainements/plans/{plan_id}").status_code == 403
    browser = other(browser, make_compte("direction"))
    assert browser.get(f"/entrainements/plans/{plan_id}").status_code == 200
    assert (
        browser.submit(
            f"/entrainements/plans/{plan_id}/statut", {"statut": "suspendu"}, f"/entrainements/plans/{plan_id}"
        ).status_code
        == 403
    )
    browser = other(browser, make_compte("mediateur", structure=make_structure()))
    assert browser.get(f"/entrainements/plans/{plan_id}").status_code == 404


def test_progress_and_follow_up_pages_show_the_plan_and_how_skills_evolved(
    browser, mediatrice, occurrence, competences, monkeypatch
):
    freeze_clock(monkeypatch, PENDANT)
    browser.login(mediatrice)
    martin = reservations()["Martin"]
    browser.submit(url(occurrence), {f"statut-{martin.id}": "venu", f"c-{martin.id}-{competences[0].id}": "avec_aide"})
    inscription_id = martin.entrainement.plan.inscription_id
    page = text(browser.get(f"/ateliers/inscriptions/{inscription_id}/progression"))
    assert "Entraînements après l'atelier" in page and "Fait" in page
    assert "Évolution des compétences après l'atelier" in page
    assert "Avec aide, le 02/06/2026 (entraînement 1)" in page
    suivi = text(browser.get(f"/ateliers/inscriptions/{inscription_id}/suivi"))
    assert f"/entrainements/plans/{martin.entrainement.plan_id}" in suivi


def test_a_learner_nobody_can_reach_is_flagged(browser, mediatrice, structure, make_apprenant):
    browser.login(mediatrice)
    (entrainement,) = make_entrainements(
        structure,
        [make_apprenant(telephone=None, email=None)],
        motif_non_planifie="aucun créneau libre le mardi après-midi entre le 1er et le 20 juin",
    )
    page = text(browser.get(f"/apprenants/{entrainement.apprenant_id}"))
    assert "Aucun moyen de prévenir la personne" in page
    assert "aucun créneau libre le mardi après-midi entre le 1er et le 20 juin" in page


def test_pages_with_plans_run_a_flat_number_of_queries(
    browser, mediatrice, structure, make_apprenant, count_queries, monkeypatch
):
    freeze_clock(monkeypatch, NOW)
    browser.login(mediatrice)
    apprenant = make_apprenant()
    make_creneau(structure, capacite=30)
    ouvrir_occurrences(structure, TODAY, date(2026, 6, 30))
    occurrences = occurrences_entre(structure.id, TODAY, date(2026, 6, 30))
    (premier,) = make_entrainements(structure, [apprenant], rangs=(1,))
    inscription_id = premier.plan.inscription_id
    reserver(premier, occurrences[0], now=NOW)
    db.session.commit()

    def pages():
        found = {}
        for nom, page in (
            ("fiche", f"/apprenants/{apprenant.id}"),
            ("progression", f"/ateliers/inscriptions/{inscription_id}/progression"),
            ("presences", f"/entrainements/occurrences/{occurrences[0].id}/presences"),
        ):
            browser.get(page)
            with count_queries() as statements:
                assert browser.get(page).status_code == 200
            found[nom] = len(statements)
        return found

    un = pages()
    plan = premier.plan
    for rang in range(2, 5):
        db.session.add(
            type(premier)(
                plan_id=plan.id,
                structure_id=structure.id,
                apprenant_id=apprenant.id,
                rang=rang,
                cible_on=TODAY,
                debut_on=TODAY,
                fin_on=date(2026, 6, 30),
            )
        )
    db.session.commit()
    for entrainement, occurrence in zip(plan.entrainements[1:], occurrences[1:], strict=False):
        reserver(entrainement, occurrence, now=NOW)
    for autre in make_entrainements(structure, [make_apprenant() for _ in range(4)]):
        reserver(autre, occurrences[0], now=NOW)
    db.session.commit()
    assert pages() == un


def test_the_admin_edits_a_skills_exercise(browser, make_compte, competences):
    admin = make_compte("admin")
    browser.login(admin)
    competence = competences[1]
    assert competence.libelle in text(browser.get("/entrainements/ressources"))
    adresse = f"/entrainements/ressources/{competence.id}"
    refuse = browser.submit(adresse, {"titre": "Exercice du clavier", "url": "javascript:alert(1)"})
    page = refuse.get_data(as_text=True)
    assert refuse.status_code == 200 and "Adresse web attendue" in page and 'value="Exercice du clavier"' in page
    seul = browser.submit(adresse, {"titre": "Exercice du clavier", "url": ""})
    assert seul.status_code == 200 and "Indiquez le titre et l&#39;adresse" in seul.get_data(as_text=True)
    ok = browser.submit(adresse, {"titre": "Exercice du clavier", "url": "https://www.lesbonsclics.fr/clavier"})
    assert ok.status_code == 302
    db.session.refresh(competence)
    assert (competence.ressource_titre, competence.ressource_url) == (
        "Exercice du clavier",
        "https://www.lesbonsclics.fr/clavier",
    )
    browser = other(browser, make_compte("mediateur"))
    assert browser.get("/entrainements/ressources").status_code == 403


@pytest.mark.parametrize(
    ("saisi", "champ", "message"),
    [
        ({"decalages": "7, 30, 30"}, "decalages", "aller en augmentant"),
        ({"decalages": "0, 30"}, "decalages", "de 1 à 365"),
        ({"decalages": "sept, trente"}, "decalages", "séparés par des virgules"),
        ({"part_tolerance": "150"}, "part_tolerance", "de 0 à 100"),
        ({"part_tolerance": "vingt"}, "part_tolerance", "nombre entier"),
        ({"tolerance_minimum": "400"}, "tolerance_minimum", "de 0 à 365"),
    ],
)
def test_practice_rules_refused_beside_the_field_with_the_value_kept(browser, make_compte, saisi, champ, message):
    browser.login(make_compte("admin"))
    donnees = {"decalages": "7, 30, 90", "part_tolerance": "20", "tolerance_minimum": "1", **saisi}
    response = browser.submit("/entrainements/reglages", donnees)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    erreurs = re.search(rf'<ul class="field-errors" id="{champ}-erreurs">(.*?)</ul>', page, re.S)
    assert erreurs and message in erreurs.group(1)
    assert f'value="{saisi[champ]}"' in page


def test_practice_rules_are_saved_for_new_plans(browser, make_compte, structure):
    browser.login(make_compte("admin"))
    reglages = text(browser.get("/admin/structure"))
    assert "/entrainements/reglages" in reglages and "/entrainements/ressources" in reglages
    page = text(browser.get("/entrainements/reglages"))
    assert 'value="7, 30, 90"' in page and "les plans déjà faits gardent leurs dates" in page
    response = browser.submit(
        "/entrainements/reglages", {"decalages": "10, 40", "part_tolerance": "25", "tolerance_minimum": "2"}
    )
    assert response.status_code == 302
    assert db.session.get(Structure, structure.id).regles_entrainement == {
        "decalages": [10, 40],
        "part_tolerance": 0.25,
        "tolerance_minimum": 2,
    }
    browser = other(browser, make_compte("mediateur"))
    assert browser.get("/entrainements/reglages").status_code == 403
