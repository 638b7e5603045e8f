import pytest

from core.access import public
from tests.conftest import TEST_PASSWORD, csrf_token_from


def test_security_headers_on_every_page(client):
    response = client.get("/connexion")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_or_style(browser, make_compte):
    browser.login(make_compte("admin"))
    for url in ("/", "/apprenants/", "/apprenants/nouveau", "/admin/comptes", "/admin/comptes/nouveau"):
        html = browser.get(url).get_data(as_text=True)
        assert "<script>" not in html and "style=" not in html and "<style" not in html, url


def test_session_cookie_is_httponly_lax_and_secure_in_production(make_app, make_compte):
    app = make_app(SESSION_COOKIE_SECURE=True)
    compte = make_compte("mediateur")
    client = app.test_client()
    token = csrf_token_from(client.get("/connexion").get_data(as_text=True))
    response = client.post("/connexion", data={"email": compte.email, "password": TEST_PASSWORD, "csrf_token": token})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_post_without_csrf_token_gets_a_french_400(browser, make_compte):
    browser.login(make_compte("mediateur"))
    response = browser.client.post("/apprenants/nouveau", data={"prenom": "Élodie", "nom": "Lefèvre"})
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.get_data(as_text=True)


def test_unknown_url_gets_a_french_404(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)
    assert '<html lang="fr">' in response.get_data(as_text=True)


def test_server_error_gets_a_french_500(make_app):
    app = make_app(TESTING=False)

    @app.get("/panne")
    @public
    def panne():
        raise RuntimeError("boom")

    response = app.test_client().get("/panne")
    assert response.status_code == 500
    assert "Erreur du serveur" in response.get_data(as_text=True)


def test_a_view_without_declared_roles_is_refused(make_app):
    app = make_app()

    @app.get("/oubliee")
    def oubliee():
        return "secret"

    assert app.test_client().get("/oubliee").status_code == 403


class TestLogin:
    def test_wrong_password_and_unknown_email_get_the_same_french_message(self, browser, make_compte):
        compte = make_compte("mediateur")
        wrong = browser.submit("/connexion", {"email": compte.email, "password": "pas le bon"})
        unknown = browser.submit("/connexion", {"email": "personne@test.local", "password": "pas le bon"})
        for response in (wrong, unknown):
            assert response.status_code == 200
            assert "Adresse électronique ou mot de passe incorrect." in response.get_data(as_text=True)
        assert f'value="{compte.email}"' in wrong.get_data(as_text=True)

    def test_login_starts_a_new_session_and_follows_only_local_next(self, browser, make_compte):
        compte = make_compte("mediateur")
        browser.client.get("/connexion")
        with browser.client.session_transaction() as session:
            session["planted"] = "by an attacker"
        token = csrf_token_from(browser.get("/connexion").get_data(as_text=True))
        response = browser.client.post(
            "/connexion?next=https://exemple.com/piege",
            data={"email": compte.email, "password": TEST_PASSWORD, "csrf_token": token},
        )
        assert response.headers["Location"] == "/"
        with browser.client.session_transaction() as session:
            assert "planted" not in session
        assert browser.get("/connexion").headers["Location"] == "/"  # already signed in

    def test_next_page_after_login(self, browser, make_compte):
        compte = make_compte("mediateur")
        first = browser.get("/apprenants/")
        assert first.headers["Location"].startswith("/connexion?next=")
        response = browser.submit(
            "/connexion?next=/apprenants/", {"email": compte.email, "password": TEST_PASSWORD}, form_url="/connexion"
        )
        assert response.headers["Location"] == "/apprenants/"

    def test_inactive_account_cannot_sign_in(self, browser, make_compte):
        compte = make_compte("mediateur", is_active=False)
        response = browser.submit("/connexion", {"email": compte.email, "password": TEST_PASSWORD})
        assert "Adresse électronique ou mot de passe incorrect." in response.get_data(as_text=True)

    def test_logout_ends_the_session(self, browser, make_compte):
        browser.login(make_compte("mediateur"))
        response = browser.submit("/deconnexion", {}, form_url="/")
        assert response.headers["Location"] == "/connexion"
        assert browser.get("/").status_code == 302


@pytest.fixture
def limited_app(make_app):
    return make_app(LOGIN_RATE_LIMIT="3 per minute")


def test_login_is_rate_limited_with_a_clear_french_message(limited_app, make_compte):
    compte = make_compte("mediateur")
    client = limited_app.test_client()
    token = csrf_token_from(client.get("/connexion").get_data(as_text=True))
    statuses = [
        client.post("/connexion", data={"email": compte.email, "password": "faux", "csrf_token": token}).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    blocked = client.post("/connexion", data={"email": compte.email, "password": TEST_PASSWORD, "csrf_token": token})
    assert blocked.status_code == 429
    html = blocked.get_data(as_text=True)
    assert "Trop de tentatives de connexion" in html
    assert f'value="{compte.email}"' in html
    # looking at the page is never limited
    assert client.get("/connexion").status_code == 200


def test_deactivating_an_account_ends_its_open_session(browser, make_compte, app):
    from extensions import db

    compte = make_compte("mediateur")
    browser.login(compte)
    assert browser.get("/apprenants/").status_code == 200
    compte.is_active = False
    db.session.commit()
    assert browser.get("/apprenants/").status_code == 302


def test_forms_render_no_placeholder_attribute_values(browser, make_compte):
    """An unset ARIA attribute must be left out, never rendered as "None" (screen readers would use it)."""
    browser.login(make_compte("admin"))
    for url in ("/apprenants/nouveau", "/admin/comptes/nouveau", "/positionnements/nouveau", "/groupes/"):
        html = browser.get(url).get_data(as_text=True)
        assert '="None"' not in html, url
