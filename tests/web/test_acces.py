"""Signing in and out, and the limits around it (issue 8, items 12, 17 and 18).

A copied session cookie dies at logout; the login limit counts each client behind the configured proxies;
failures for one account lock it for browsers it never used; request bodies are bounded; the page followed
after sign-in is always one of this site.
"""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import request

from core.access import public
from core.models import Connexion, EchecConnexion
from core.timeutil import utcnow
from extensions import db
from tests.conftest import TEST_PASSWORD, Browser, csrf_token_from

HOME = "/"


def cookie(client, name: str) -> str | None:
    found = client.get_cookie(name)
    return found.value if found else None


class TestLogout:
    def test_a_copied_session_cookie_is_refused_after_logout(self, app, make_compte):
        compte = make_compte("mediateur")
        browser = Browser(app.test_client())
        browser.login(compte)
        stolen = cookie(browser.client, app.config["SESSION_COOKIE_NAME"])
        assert browser.submit("/deconnexion", {}, form_url=HOME).headers["Location"] == "/connexion"
        replay = app.test_client()
        replay.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
        response = replay.get("/apprenants/")
        assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")

    def test_logout_ends_only_that_browser_s_session(self, app, make_compte):
        compte = make_compte("mediateur")
        desk, phone = Browser(app.test_client()), Browser(app.test_client())
        desk.login(compte)
        phone.login(compte)
        desk.submit("/deconnexion", {}, form_url=HOME)
        assert desk.get("/apprenants/").status_code == 302
        assert phone.get("/apprenants/").status_code == 200
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Connexion)) == 1

    def test_a_session_past_its_lifetime_is_refused(self, app, make_compte):
        browser = Browser(app.test_client())
        browser.login(make_compte("mediateur"))
        db.session.execute(sa.update(Connexion).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
        assert browser.get("/apprenants/").headers["Location"].startswith("/connexion")

    def test_a_sign_in_lasts_the_configured_session_lifetime(self, make_app, make_compte):
        app = make_app(PERMANENT_SESSION_LIFETIME=8 * 3600)  # the production setting (config.py)
        Browser(app.test_client()).login(make_compte("mediateur"))
        created, expires = db.session.execute(sa.select(Connexion.created_at, Connexion.expires_at)).one()
        assert expires - created == timedelta(hours=8)

    def test_the_cookie_carries_a_random_token_and_the_database_only_its_hash(self, app, make_compte):
        compte = make_compte("mediateur")
        browser = Browser(app.test_client())
        browser.login(compte)
        with browser.client.session_transaction() as session:
            token = session["_user_id"]
        assert len(token) >= 40 and str(compte.id) != token
        stored = db.session.scalar(sa.select(Connexion.token_hash))
        assert token not in stored and len(stored) == 64


def post_login(client, email: str, password: str, next_url: str | None = None, **kwargs):
    token = csrf_token_from(client.get("/connexion", **kwargs).get_data(as_text=True))
    url = "/connexion" if next_url is None else f"/connexion?next={next_url}"
    return client.post(url, data={"email": email, "password": password, "csrf_token": token}, **kwargs)


@pytest.mark.parametrize(
    "next_url",
    [
        "/apprenants/%0D%0ASet-Cookie:%20x=1",
        "%0D%0A/",
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/%09/evil.example",
        "%2F%2Fevil.example",
    ],
)
def test_an_unsafe_next_page_is_ignored_never_an_error(client, make_compte, next_url):
    response = post_login(client, make_compte("mediateur").email, TEST_PASSWORD, next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_local_next_page_with_a_query_is_followed(client, make_compte):
    response = post_login(client, make_compte("mediateur").email, TEST_PASSWORD, "/liste-attente/%3Fniveau%3D1")
    assert response.headers["Location"] == "/liste-attente/?niveau=1"


def test_a_body_past_the_size_limit_gets_a_french_413(make_app, make_compte):
    app = make_app(MAX_CONTENT_LENGTH=64 * 1024)
    browser = Browser(app.test_client())
    browser.login(make_compte("mediateur"))
    response = browser.submit("/apprenants/nouveau", {"prenom": "Élodie", "nom": "x" * (100 * 1024)})
    assert response.status_code == 413
    page = html.unescape(response.get_data(as_text=True))
    assert "Envoi trop volumineux" in page and '<html lang="fr">' in page
    assert response.headers["X-Content-Type-Options"] == "nosniff"


class TestProxies:
    def test_behind_the_configured_proxy_each_client_has_its_own_limit(self, make_app, make_compte):
        app = make_app(PROXY_COUNT=1, LOGIN_RATE_LIMIT="3 per minute", LOGIN_ACCOUNT_FAILURES=100)
        compte = make_compte("mediateur")
        client = app.test_client()
        first = {"headers": {"X-Forwarded-For": "203.0.113.7"}}
        statuses = [post_login(client, compte.email, "faux", **first).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        # Another person behind the same proxy (same REMOTE_ADDR) still signs in.
        other = post_login(app.test_client(), compte.email, TEST_PASSWORD, headers={"X-Forwarded-For": "203.0.113.8"})
        assert other.status_code == 302

    def test_without_proxies_a_forged_header_does_not_escape_the_limit(self, make_app, make_compte):
        app = make_app(LOGIN_RATE_LIMIT="3 per minute", LOGIN_ACCOUNT_FAILURES=100)
        compte = make_compte("mediateur")
        statuses = [
            post_login(
                app.test_client(), compte.email, "faux", headers={"X-Forwarded-For": f"198.51.100.{n}"}
            ).status_code
            for n in range(4)
        ]
        assert statuses == [200, 200, 200, 429]

    @pytest.mark.parametrize(("count", "scheme"), [(0, "http"), (1, "https")])
    def test_the_scheme_comes_from_the_proxy_only_when_one_is_configured(self, make_app, count, scheme):
        app = make_app(PROXY_COUNT=count)
        seen = {}

        @app.get("/schema-vu")
        @public
        def schema_vu():
            seen["scheme"] = request.scheme
            return ""

        app.test_client().get("/schema-vu", headers={"X-Forwarded-Proto": "https"})
        assert seen["scheme"] == scheme


class TestAccountLock:
    """Failures for one address lock it for new browsers, from any client; its owner's browser stays open."""

    @pytest.fixture
    def lock_app(self, make_app):
        return make_app(PROXY_COUNT=1, LOGIN_ACCOUNT_FAILURES=3, LOGIN_ACCOUNT_LOCK_MINUTES=15)

    @staticmethod
    def from_address(app, address: str):
        client = app.test_client()
        return client, {"headers": {"X-Forwarded-For": address}}

    def test_failures_from_many_addresses_lock_the_account_for_new_browsers(self, lock_app, make_compte):
        compte = make_compte("mediateur")
        for n in range(3):
            client, where = self.from_address(lock_app, f"203.0.113.{n}")
            assert post_login(client, compte.email, "mauvais", **where).status_code == 200
        client, where = self.from_address(lock_app, "203.0.113.99")
        refused = post_login(client, compte.email, TEST_PASSWORD, **where)
        assert refused.status_code == 429
        page = html.unescape(refused.get_data(as_text=True))
        assert "Trop d'échecs de connexion pour ce compte" in page and "suspendue jusqu'à" in page
        assert f'value="{compte.email}"' in page
        # attempts while locked are not counted: the lock cannot be stretched
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EchecConnexion)) == 3

    def test_the_lock_ends_with_its_window(self, lock_app, make_compte):
        compte = make_compte("mediateur")
        for n in range(3):
            client, where = self.from_address(lock_app, f"203.0.113.{n}")
            post_login(client, compte.email, "mauvais", **where)
        db.session.execute(sa.update(EchecConnexion).values(created_at=utcnow() - timedelta(minutes=15, seconds=1)))
        db.session.commit()
        client, where = self.from_address(lock_app, "203.0.113.99")
        assert post_login(client, compte.email, TEST_PASSWORD, **where).status_code == 302

    def test_the_owner_s_usual_browser_is_not_locked_out(self, lock_app, make_compte):
        compte = make_compte("mediateur")
        owner, at_desk = self.from_address(lock_app, "192.0.2.10")
        assert post_login(owner, compte.email, TEST_PASSWORD, **at_desk).status_code == 302
        owner.post("/deconnexion", data={"csrf_token": csrf_token_from(owner.get(HOME).get_data(as_text=True))})
        for n in range(5):
            client, where = self.from_address(lock_app, f"203.0.113.{n}")
            post_login(client, compte.email, "mauvais", **where)
        assert post_login(owner, compte.email, TEST_PASSWORD, **at_desk).status_code == 302

    def test_a_forged_known_browser_cookie_does_not_open_the_lock(self, lock_app, make_compte):
        compte = make_compte("mediateur")
        for n in range(3):
            client, where = self.from_address(lock_app, f"203.0.113.{n}")
            post_login(client, compte.email, "mauvais", **where)
        client, where = self.from_address(lock_app, "203.0.113.99")
        client.set_cookie("poste_connu", "WyJhYmMiXQ.forged.signature")
        assert post_login(client, compte.email, TEST_PASSWORD, **where).status_code == 429

    def test_unknown_addresses_lock_the_same_way(self, lock_app):
        """The lock tells nothing about which addresses have an account."""
        for n in range(3):
            client, where = self.from_address(lock_app, f"203.0.113.{n}")
            post_login(client, "personne@test.local", "mauvais", **where)
        client, where = self.from_address(lock_app, "203.0.113.99")
        assert post_login(client, "personne@test.local", "mauvais", **where).status_code == 429

    def test_nothing_personal_is_stored_about_failures(self, lock_app, make_compte):
        compte = make_compte("mediateur")
        client, where = self.from_address(lock_app, "203.0.113.1")
        post_login(client, compte.email, "mauvais", **where)
        (cle,) = db.session.execute(sa.select(EchecConnexion.cle)).one()
        assert compte.email not in cle and "203.0.113.1" not in cle
