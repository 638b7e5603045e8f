import html

import pytest
import sqlalchemy as sa

from core.models import Compte
from extensions import db

NEW = {
    "prenom": "Lucie",
    "nom": "Roux",
    "email": "Lucie.Roux@test.local",
    "role": "benevole",
    "is_active": "y",
    "password": "une phrase de passe",
    "password_confirm": "une phrase de passe",
}


def test_admin_creates_an_account_that_can_sign_in(browser, make_compte, app):
    browser.login(make_compte("admin"))
    response = browser.submit("/admin/comptes/nouveau", NEW)
    assert response.headers["Location"] == "/admin/comptes"
    listing = browser.get("/admin/comptes").get_data(as_text=True)
    assert "Lucie Roux" in listing and "Bénévole" in listing
    compte = db.session.scalar(sa.select(Compte).where(Compte.email == "lucie.roux@test.local"))
    other = app.test_client()
    from tests.conftest import Browser

    Browser(other).login(compte, "une phrase de passe")


def test_short_or_mismatched_password_is_refused_beside_the_field(browser, make_compte):
    browser.login(make_compte("admin"))
    short = browser.submit("/admin/comptes/nouveau", {**NEW, "password": "court", "password_confirm": "court"})
    assert "12 caractères au moins." in short.get_data(as_text=True)
    assert 'value="Lucie"' in short.get_data(as_text=True)
    mismatch = browser.submit("/admin/comptes/nouveau", {**NEW, "password_confirm": "autre chose encore"})
    assert "Les deux mots de passe diffèrent." in mismatch.get_data(as_text=True)
    missing = browser.submit("/admin/comptes/nouveau", {**NEW, "password": "", "password_confirm": ""})
    assert "Choisissez un mot de passe" in missing.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Compte)) == 1


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        (" " * 12, "seul caractère répété (espaces compris)"),
        ("123456789012", "les plus courants"),
        ("lucie-roux-2026", "le nom de la personne"),
        ("x" * 129, "128 caractères au plus"),
    ],
)
def test_weak_passwords_are_refused_beside_the_field_on_creation_and_change(browser, make_compte, password, reason):
    browser.login(make_compte("admin"))
    typed = {**NEW, "password": password, "password_confirm": password}
    page = html.unescape(browser.submit("/admin/comptes/nouveau", typed).get_data(as_text=True))
    assert 'id="password-erreurs"' in page and reason in page
    assert 'value="Lucie"' in page
    compte = make_compte("benevole", prenom="Lucie", nom="Roux")
    data = {"prenom": "Lucie", "nom": "Roux", "email": compte.email, "role": "benevole", "is_active": "y"}
    changed = browser.submit(
        f"/admin/comptes/{compte.id}", {**data, "password": password, "password_confirm": password}
    )
    assert changed.status_code == 200 and reason in html.unescape(changed.get_data(as_text=True))
    db.session.refresh(compte)
    assert not compte.check_password(password)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Compte)) == 2


def test_duplicate_email_is_refused_beside_the_field(browser, make_compte):
    browser.login(make_compte("admin"))
    make_compte("mediateur", email="lucie.roux@test.local")
    response = browser.submit("/admin/comptes/nouveau", NEW)
    assert "Un compte utilise déjà cette adresse." in response.get_data(as_text=True)


def test_admin_edits_and_deactivates_an_account(browser, make_compte):
    browser.login(make_compte("admin"))
    compte = make_compte("benevole")
    form = browser.get(f"/admin/comptes/{compte.id}").get_data(as_text=True)
    assert f'value="{compte.email}"' in form
    data = {"prenom": compte.prenom, "nom": "Nouveau-Nom", "email": compte.email, "role": "mediateur"}
    response = browser.submit(f"/admin/comptes/{compte.id}", data)  # "is_active" unticked
    assert response.status_code == 302
    db.session.refresh(compte)
    assert (compte.nom, compte.role, compte.is_active) == ("Nouveau-Nom", "mediateur", False)
    assert "Désactivé" in browser.get("/admin/comptes").get_data(as_text=True)


def test_admin_cannot_deactivate_themselves(browser, make_compte):
    admin = make_compte("admin")
    browser.login(admin)
    data = {"prenom": admin.prenom, "nom": admin.nom, "email": admin.email, "role": "admin"}
    response = browser.submit(f"/admin/comptes/{admin.id}", data)
    assert response.status_code == 200
    assert "Vous ne pouvez pas désactiver votre propre compte." in response.get_data(as_text=True)


def test_admin_reads_the_journal_of_its_structure_only(
    browser, make_compte, make_apprenant, make_structure, count_queries
):
    from core import journal

    admin = make_compte("admin")
    mediatrice = make_compte("mediateur")
    apprenant = make_apprenant()
    journal.record(mediatrice, "consultation", "apprenant", apprenant.id, "fiche")
    outsider = make_compte("mediateur", structure=make_structure())
    journal.record(outsider, "export", "apprenant", 999, "fiche")
    db.session.commit()
    browser.login(admin)
    with count_queries() as few:
        html = browser.get("/admin/journal").get_data(as_text=True)
    assert mediatrice.nom_complet in html and f"apprenant n° {apprenant.id}" in html
    assert outsider.nom_complet not in html and "n° 999" not in html
    for _ in range(20):
        journal.record(mediatrice, "consultation", "apprenant", apprenant.id, "fiche")
    db.session.commit()
    with count_queries() as many:
        browser.get("/admin/journal")
    assert len(many) == len(few)
    filtered = browser.get(f"/admin/journal?objet=apprenant&objet_id={apprenant.id}").get_data(as_text=True)
    assert "Tout afficher" in filtered
