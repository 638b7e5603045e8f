"""Account pages (issue 13, item 5) through the test client: French messages beside the field, what was typed
kept (never a password), CSRF on every form, the idle limit with a moved clock, the TOTP sign-in."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from core import comptes, totp
from core.models import Compte, Connexion
from extensions import db
from tests.ateliers_fixtures import freeze_clock
from tests.conftest import TEST_PASSWORD, Browser, csrf_token_from
from tests.smtp_server import ServeurSmtp

NOUVEAU = "girafe-violon-tempete-orge"
NOW = datetime(2026, 12, 1, 9, 0)


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def errors_beside(response, field: str) -> str:
    match = re.search(rf'<ul class="field-errors" id="{field}-erreurs">(.*?)</ul>', page(response), re.S)
    assert match, f"no error beside {field}"
    return match.group(1)


def password_values(response) -> list[str]:
    """The value attributes of the page's password inputs (must be none: a password is never shown again)."""
    inputs = re.findall(r'<input[^>]*type="password"[^>]*>', response.get_data(as_text=True))
    return [i for i in inputs if "value=" in i and 'value=""' not in i]


# --- password changed by its owner ---------------------------------------------------------------------------


def test_owner_changes_password_wrong_current_password_beside_its_field(browser, make_compte, make_app):
    compte = make_compte("mediateur")
    browser.login(compte)
    elsewhere = Browser(browser.client.application.test_client())
    elsewhere.login(compte)

    refused = browser.submit(
        "/compte/mot-de-passe", {"actuel": "pas le bon", "nouveau": NOUVEAU, "confirmation": NOUVEAU}
    )
    assert refused.status_code == 200
    assert "Mot de passe actuel incorrect." in errors_beside(refused, "actuel")
    assert password_values(refused) == []

    weak = browser.submit(
        "/compte/mot-de-passe", {"actuel": TEST_PASSWORD, "nouveau": "azertyuiop12", "confirmation": "azertyuiop12"}
    )
    assert "Mot de passe trop facile à deviner" in errors_beside(weak, "nouveau")

    done = browser.submit(
        "/compte/mot-de-passe", {"actuel": TEST_PASSWORD, "nouveau": NOUVEAU, "confirmation": NOUVEAU}
    )
    assert done.headers["Location"] == "/compte/"
    assert "Mot de passe changé" in page(browser.get("/compte/"))
    assert browser.get("/apprenants/").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/apprenants/").status_code == 302  # the other one is signed out
    db.session.expire_all()
    assert db.session.get(Compte, compte.id).check_password(NOUVEAU)


def test_every_account_form_refuses_a_post_without_csrf_token(browser, make_compte):
    admin = make_compte("admin")
    other = make_compte("benevole")
    browser.login(admin)
    for url in (
        "/compte/mot-de-passe",
        "/compte/double-authentification",
        "/compte/double-authentification/retirer",
        f"/admin/comptes/{other.id}/reinitialisation",
        f"/admin/comptes/{other.id}/reactiver",
        f"/admin/comptes/{other.id}/double-authentification/retirer",
        "/admin/securite",
        "/reinitialisation",
    ):
        response = browser.client.post(url, data={})
        assert response.status_code == 400, url
        assert "Le formulaire a expiré" in page(response), url


# --- reset by an admin ---------------------------------------------------------------------------------------


def _make_link(browser: Browser, compte: Compte) -> str:
    response = browser.submit(
        f"/admin/comptes/{compte.id}/reinitialisation", {}, form_url=f"/admin/comptes/{compte.id}"
    )
    assert response.status_code == 200
    match = re.search(r'<p class="lien-reinitialisation"><code>([^<]+)</code>', response.get_data(as_text=True))
    assert match, "the link is shown to the admin"
    return html.unescape(match.group(1)).removeprefix("http://localhost")


def test_admin_reset_link_works_once_then_a_clear_french_message(browser, make_compte, make_app, monkeypatch):
    freeze_clock(monkeypatch, NOW)
    admin, compte = make_compte("admin"), make_compte("benevole", prenom="Lucie", nom="Roux")
    browser.login(admin)
    lien = _make_link(browser, compte)
    assert lien.startswith("/reinitialisation?jeton=")

    visitor = Browser(browser.client.application.test_client())
    form = visitor.get(lien)
    assert "Choisir un nouveau mot de passe" in page(form) and 'name="jeton"' in page(form)
    weak = visitor.submit(
        "/reinitialisation",
        {"jeton": lien.split("=", 1)[1], "nouveau": "lucie-roux-2026", "confirmation": "lucie-roux-2026"},
        form_url=lien,
    )
    assert "nom de la personne" in errors_beside(weak, "nouveau")
    assert password_values(weak) == []

    jeton = lien.split("=", 1)[1]
    done = visitor.submit(
        "/reinitialisation", {"jeton": jeton, "nouveau": NOUVEAU, "confirmation": NOUVEAU}, form_url=lien
    )
    assert done.headers["Location"] == "/connexion"
    visitor.login(compte, NOUVEAU)

    again = Browser(browser.client.application.test_client()).get(lien)
    assert comptes.LIEN_UTILISE in page(again)
    assert 'name="nouveau"' not in page(again)


def test_a_reset_link_after_24_hours_says_so_and_changes_nothing(browser, make_compte, monkeypatch):
    freeze_clock(monkeypatch, NOW)
    admin, compte = make_compte("admin"), make_compte("benevole")
    browser.login(admin)
    lien = _make_link(browser, compte)
    freeze_clock(monkeypatch, NOW + timedelta(hours=24, minutes=1))
    visitor = browser.client.application.test_client()
    assert comptes.LIEN_EXPIRE in page(visitor.get(lien))
    token = csrf_token_from(visitor.get("/connexion").get_data(as_text=True))
    posted = visitor.post(
        "/reinitialisation",
        data={"jeton": lien.split("=", 1)[1], "nouveau": NOUVEAU, "confirmation": NOUVEAU, "csrf_token": token},
    )
    assert comptes.LIEN_EXPIRE in page(posted)
    db.session.expire_all()
    assert db.session.get(Compte, compte.id).check_password(TEST_PASSWORD)


def test_the_link_is_emailed_instead_of_shown_when_smtp_is_configured(make_app, make_compte, tmp_path):
    serveur = ServeurSmtp(mode="plain", dossier=tmp_path).demarrer()
    try:
        app = make_app(**serveur.config(), PUBLIC_URL="https://ateliers.example.fr")
        admin, compte = make_compte("admin"), make_compte("benevole")
        browser = Browser(app.test_client())
        browser.login(admin)
        response = browser.submit(
            f"/admin/comptes/{compte.id}/reinitialisation", {}, form_url=f"/admin/comptes/{compte.id}"
        )
    finally:
        serveur.arreter()
    assert "envoyé par courriel" in page(response) and "jeton=" not in page(response)
    ((_expediteur, destinataires, email),) = serveur.boite.recus
    assert destinataires == [compte.email]
    assert "https://ateliers.example.fr/reinitialisation?jeton=" in email.get_content()


# --- idle sessions -------------------------------------------------------------------------------------------


def test_a_session_idle_for_30_minutes_ends_with_a_french_message(make_app, make_compte, monkeypatch):
    app = make_app(SESSION_IDLE_MINUTES=30)
    with app.app_context():
        compte = make_compte("mediateur")
        freeze_clock(monkeypatch, NOW)
        browser = Browser(app.test_client())
        browser.login(compte)
        freeze_clock(monkeypatch, NOW + timedelta(minutes=25))
        assert browser.get("/apprenants/").status_code == 200  # activity moves the limit on
        freeze_clock(monkeypatch, NOW + timedelta(minutes=54))
        assert browser.get("/apprenants/").status_code == 200
        freeze_clock(monkeypatch, NOW + timedelta(minutes=84, seconds=1))
        ended = browser.get("/apprenants/")
        assert ended.status_code == 302 and ended.headers["Location"].startswith("/connexion?next=")
        login_page = page(browser.get(ended.headers["Location"]))
        assert "Votre session a pris fin après 30 minutes sans activité" in login_page
        assert "Connectez-vous pour accéder" not in login_page
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Connexion)) == 0
        # the message is said once; signing in again works
        assert "sans activité" not in page(browser.get("/connexion"))
        browser.login(compte)
        assert browser.get("/apprenants/").status_code == 200


def test_the_idle_limit_comes_from_the_environment(monkeypatch):
    import config

    monkeypatch.setenv("SESSION_IDLE_MINUTES", "15")
    assert config.from_environment()["SESSION_IDLE_MINUTES"] == 15
    monkeypatch.delenv("SESSION_IDLE_MINUTES")
    assert config.from_environment()["SESSION_IDLE_MINUTES"] == 30


# --- TOTP ----------------------------------------------------------------------------------------------------


def enrol(browser: Browser, now: datetime) -> str:
    """Enrol the signed-in account through its pages; return the secret read from the page, as a person would."""
    enrolment = page(browser.get("/compte/double-authentification"))
    assert "<svg" in enrolment
    groupes = re.search(r'<p class="cle-totp" id="cle-totp"><code>([A-Z2-7 ]+)</code>', enrolment).group(1)
    secret = groupes.replace(" ", "")
    wrong = browser.submit("/compte/double-authentification", {"code": "12345"})
    assert "6 chiffres" in errors_beside(wrong, "code") and 'value="12345"' in wrong.get_data(as_text=True)
    done = browser.submit("/compte/double-authentification", {"code": totp.code_a(secret, now)})
    assert done.headers["Location"] == "/compte/"
    return secret


def test_sign_in_with_totp_asks_the_code_after_the_password(browser, make_compte, monkeypatch):
    freeze_clock(monkeypatch, NOW)
    compte = make_compte("mediateur")
    browser.login(compte)
    secret = enrol(browser, NOW)
    browser.submit("/deconnexion", {}, form_url="/")

    later = NOW + timedelta(minutes=2)
    freeze_clock(monkeypatch, later)
    step = browser.submit(
        "/connexion?next=/apprenants/", {"email": compte.email, "password": TEST_PASSWORD}, form_url="/connexion"
    )
    assert step.headers["Location"] == "/connexion/code"
    assert browser.get("/apprenants/").status_code == 302  # not signed in yet
    wrong = browser.submit(
        "/connexion/code", {"code": "000000" if totp.code_a(secret, later) != "000000" else "111111"}
    )
    assert "Code refusé" in errors_beside(wrong, "code")
    done = browser.submit("/connexion/code", {"code": totp.code_a(secret, later)})
    assert done.headers["Location"] == "/apprenants/"
    assert browser.get("/apprenants/").status_code == 200

    # the same code, once more from another browser, is refused
    other = Browser(browser.client.application.test_client())
    other.submit("/connexion", {"email": compte.email, "password": TEST_PASSWORD})
    assert "Code refusé" in errors_beside(other.submit("/connexion/code", {"code": totp.code_a(secret, later)}), "code")


def test_the_code_step_expires_and_cannot_be_reached_without_the_password(browser, make_compte, monkeypatch):
    freeze_clock(monkeypatch, NOW)
    compte = make_compte("mediateur")
    assert browser.get("/connexion/code").headers["Location"] == "/connexion"
    browser.login(compte)
    enrol(browser, NOW)
    browser.submit("/deconnexion", {}, form_url="/")
    browser.submit("/connexion", {"email": compte.email, "password": TEST_PASSWORD})
    freeze_clock(monkeypatch, NOW + timedelta(minutes=6))
    late = browser.get("/connexion/code")
    assert late.headers["Location"] == "/connexion"
    assert "Le délai pour saisir le code est dépassé" in page(browser.get("/connexion"))


def test_failed_codes_lock_the_address_like_failed_passwords(make_app, make_compte, monkeypatch):
    app = make_app(LOGIN_ACCOUNT_FAILURES=3)
    with app.app_context():
        freeze_clock(monkeypatch, NOW)
        compte = make_compte("mediateur")
        secret = totp.nouveau_secret()
        compte.totp_secret_chiffre = totp.chiffrer(secret, app.config["SECRET_KEY"])
        compte.has_totp = True
        db.session.commit()
        mauvais = "000000" if totp.code_a(secret, NOW) != "000000" else "111111"
        attacker = Browser(app.test_client())
        attacker.submit("/connexion", {"email": compte.email, "password": TEST_PASSWORD})
        for _ in range(3):
            assert "Code refusé" in errors_beside(attacker.submit("/connexion/code", {"code": mauvais}), "code")
        locked = attacker.submit("/connexion/code", {"code": totp.code_a(secret, NOW)})
        assert locked.status_code == 429 and "Trop d'échecs de connexion" in errors_beside(locked, "code")


@pytest.mark.parametrize("obligatoire", [True, False])
def test_an_admin_without_totp_is_sent_to_enrolment_when_the_structure_requires_it(
    browser, make_compte, structure, obligatoire
):
    structure.is_totp_admin_obligatoire = obligatoire
    db.session.commit()
    admin = make_compte("admin")
    browser.login(admin)
    response = browser.get("/ateliers/")
    if obligatoire:
        assert response.headers["Location"] == "/compte/double-authentification"
        assert "activez-la avant de continuer" in page(browser.get("/compte/double-authentification"))
    else:
        assert response.status_code == 200


def test_admin_sets_the_structure_rule_and_removes_a_lost_phones_second_factor(browser, make_compte, structure):
    admin, compte = make_compte("admin"), make_compte("mediateur", prenom="Awa")
    compte.totp_secret_chiffre, compte.has_totp = "x", True
    db.session.commit()
    browser.login(admin)
    assert browser.submit("/admin/securite", {"is_totp_admin_obligatoire": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(structure), structure.id).is_totp_admin_obligatoire
    # the admin is now sent to enrolment before anything else, the security page included
    assert browser.get(f"/admin/comptes/{compte.id}").headers["Location"] == "/compte/double-authentification"
    structure = db.session.get(type(structure), structure.id)
    structure.is_totp_admin_obligatoire = False
    db.session.commit()
    assert "Retirer la double authentification" in page(browser.get(f"/admin/comptes/{compte.id}"))
    browser.submit(
        f"/admin/comptes/{compte.id}/double-authentification/retirer", {}, form_url=f"/admin/comptes/{compte.id}"
    )
    db.session.expire_all()
    assert not db.session.get(Compte, compte.id).has_totp


# --- inactivity notice ---------------------------------------------------------------------------------------


def test_the_accounts_page_lists_accounts_deactivated_for_inactivity_and_reactivates_them(browser, make_compte):
    admin = make_compte("admin")
    dormant = make_compte("benevole", prenom="Henri", nom="Crozet", is_active=False, desactive_inactivite_at=NOW)
    make_compte("benevole", prenom="Zoé", nom="Vidal", is_active=False)  # deactivated by hand: not listed
    browser.login(admin)
    listing = page(browser.get("/admin/comptes"))
    notice = listing.split('id="desactives-titre"', 1)[1].split("</section>", 1)[0]
    assert "1 compte désactivé faute d'utilisation depuis six mois" in notice
    assert "Henri Crozet" in notice and "Zoé" not in notice
    response = browser.submit(f"/admin/comptes/{dormant.id}/reactiver", {}, form_url="/admin/comptes")
    assert response.headers["Location"] == "/admin/comptes"
    after = page(browser.get("/admin/comptes"))
    assert "Compte d'Henri réactivé." in after and 'id="desactives-titre"' not in after
    db.session.expire_all()
    reactive = db.session.get(Compte, dormant.id)
    assert reactive.is_active and reactive.reactive_at is not None and reactive.desactive_inactivite_at is None


def test_the_per_client_limit_applies_to_codes(make_app, make_compte, monkeypatch):
    app = make_app(LOGIN_RATE_LIMIT="3 per minute")
    with app.app_context():
        freeze_clock(monkeypatch, NOW)
        compte = make_compte("mediateur")
        secret = totp.nouveau_secret()
        compte.totp_secret_chiffre = totp.chiffrer(secret, app.config["SECRET_KEY"])
        compte.has_totp = True
        db.session.commit()
        client = Browser(app.test_client())
        client.submit("/connexion", {"email": compte.email, "password": TEST_PASSWORD})
        token = csrf_token_from(client.get("/connexion/code").get_data(as_text=True))
        statuses = [
            client.client.post("/connexion/code", data={"code": "12345", "csrf_token": token}).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        assert "Trop de demandes" in page(
            client.client.post("/connexion/code", data={"code": "1", "csrf_token": token})
        )
