"""Sentences the pages build around a name or a count, said as French says them (issue 9, item 10): "d'Ana",
not "de Ana"; "1 compétence acquise", not "compétence(s) acquise(s)"."""

from __future__ import annotations

import html
import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from ateliers import competences, services
from ateliers.presences import Saisie, enregistrer_presences
from core.models import Journal
from extensions import db
from tests.ateliers_fixtures import START, TODAY, freeze_clock, make_atelier

NOW = datetime(2026, 4, 1, 8, 0)  # two days after séance 1 (Monday 30 March 2026)


def texte(response) -> str:
    """The page's text with its tags removed and its spaces collapsed, as a person reads it."""
    sans_balises = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(sans_balises))


def flashes(browser) -> list[str]:
    with browser.client.session_transaction() as session:
        return [message for _category, message in session.get("_flashes", [])]


def test_a_new_learner_whose_name_starts_with_a_vowel_is_announced_with_elision(browser, mediatrice):
    browser.login(mediatrice)
    response = browser.submit(
        "/apprenants/nouveau",
        {"prenom": "Ana", "nom": "Ortiz", "telephone": "06 12 34 56 78", "canal_prefere": "telephone"},
    )
    assert response.status_code == 302
    assert flashes(browser) == ["Fiche d'Ana enregistrée."]


def test_a_new_account_is_announced_with_elision_before_a_mute_h(browser, make_compte):
    browser.login(make_compte("admin"))
    response = browser.submit(
        "/admin/comptes/nouveau",
        {
            "prenom": "Hélène",
            "nom": "Ibert",
            "email": "helene.ibert@test.local",
            "role": "benevole",
            "is_active": "y",
            "password": "une phrase de passe",
            "password_confirm": "une phrase de passe",
        },
    )
    assert response.status_code == 302
    assert flashes(browser) == ["Compte d'Hélène créé."]


@pytest.fixture
def atelier_d_ana(structure, make_apprenant, mediatrice, monkeypatch):
    """Ana Ortiz and Marc Petit in the shared workshop plan, séance 1 held, Ana present, Marc absent."""
    ana, marc = make_apprenant(prenom="Ana", nom="Ortiz"), make_apprenant(prenom="Marc", nom="Petit")
    atelier = make_atelier(structure, [ana, marc])
    services.planifier_atelier(mediatrice, atelier, START, "Salle 2", [mediatrice.id], TODAY)
    db.session.commit()
    freeze_clock(monkeypatch, NOW)
    saisies = {i.id: Saisie("present" if i.apprenant.prenom == "Ana" else "absent") for i in atelier.inscriptions}
    enregistrer_presences(mediatrice, atelier, atelier.seances[0], saisies, NOW.date())
    db.session.commit()
    return atelier


def test_the_progress_page_elides_de_and_counts_skills_in_words(browser, mediatrice, atelier_d_ana):
    ana = next(i for i in atelier_d_ana.inscriptions if i.apprenant.prenom == "Ana")
    marc = next(i for i in atelier_d_ana.inscriptions if i.apprenant.prenom == "Marc")
    browser.login(mediatrice)
    page = texte(browser.get(f"/ateliers/inscriptions/{ana.id}/progression"))
    assert "Progression d'Ana Ortiz" in page and "Progression de Ana" not in page
    assert "0 compétence acquise sur 25" in page
    codes = {c.code: c.id for c in competences.grille(atelier_d_ana, atelier_d_ana.seances[0]).competences}
    grille = f"/ateliers/{atelier_d_ana.id}/seances/1/competences"
    browser.submit(grille, {f"c-{ana.id}-{codes['M1.1']}": "acquis"})
    assert "1 compétence acquise sur 25" in texte(browser.get(f"/ateliers/inscriptions/{ana.id}/progression"))
    browser.submit(grille, {f"c-{ana.id}-{codes['M1.1']}": "acquis", f"c-{ana.id}-{codes['M1.2']}": "acquis"})
    assert "2 compétences acquises sur 25" in texte(browser.get(f"/ateliers/inscriptions/{ana.id}/progression"))
    assert "Progression de Marc Petit" in texte(browser.get(f"/ateliers/inscriptions/{marc.id}/progression"))


def test_saving_attendance_counts_the_changes_in_words(browser, mediatrice, atelier_d_ana):
    ana = next(i for i in atelier_d_ana.inscriptions if i.apprenant.prenom == "Ana")
    marc = next(i for i in atelier_d_ana.inscriptions if i.apprenant.prenom == "Marc")
    url = f"/ateliers/{atelier_d_ana.id}/seances/1/presences"
    browser.login(mediatrice)
    browser.submit(url, {f"statut-{ana.id}": "absent", f"statut-{marc.id}": "absent"})
    assert flashes(browser) == ["Présences de la séance 1 enregistrées (1 modification)."]
    browser.submit(url, {f"statut-{ana.id}": "present", f"statut-{marc.id}": "present"})
    assert flashes(browser) == ["Présences de la séance 1 enregistrées (2 modifications)."]


def test_the_journal_names_one_attendance_sheet_in_the_singular(browser, mediatrice, atelier_d_ana):
    browser.login(mediatrice)
    assert browser.get(f"/ateliers/{atelier_d_ana.id}/seances/1/emargement.pdf").status_code == 200
    assert browser.get(f"/ateliers/{atelier_d_ana.id}/emargement.pdf").status_code == 200
    details = db.session.scalars(
        sa.select(Journal.details).where(Journal.action == "export").order_by(Journal.id)
    ).all()
    assert details == ["feuille d'émargement, séance 1", "feuille d'émargement, séances 1, 2, 3, 4, 5, 6"]


def test_a_member_s_status_agrees_with_no_one_since_the_app_knows_no_gender(browser, mediatrice, atelier_d_ana):
    browser.login(mediatrice)
    page = texte(browser.get(f"/ateliers/{atelier_d_ana.id}"))
    assert "Ana Ortiz (inscription en cours)" in page and "(inscrit)" not in page
