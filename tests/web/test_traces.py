"""What the app leaves behind: logs, the session cookie, the error page after a database error, bad text.

No personal data in any log, nor in the session cookie (signed, not encrypted); control characters refused
beside the field; a database error answered by the French error page with its security headers.
"""

from __future__ import annotations

import importlib
import logging

import pytest
import sqlalchemy as sa
from flask_wtf import FlaskForm

from core.access import roles_required
from core.forms import AppForm
from core.models import Apprenant
from extensions import db

SURNAME, PHONE = "Villemarqué-Secret", "+33612345678"


@pytest.fixture
def mediatrice(browser, make_compte):
    compte = make_compte("mediateur", prenom="Nadia")
    browser.login(compte)
    return compte


@pytest.fixture
def failing_app(make_app, make_compte, structure):
    """The app with a page whose insert of a learner fails in the database (a check constraint refuses it)."""
    app = make_app(TESTING=False)

    @app.get("/insertion-ratee")
    @roles_required("mediateur")
    def insertion_ratee():
        db.session.add(
            Apprenant(structure_id=structure.id, prenom="Josiane", nom=SURNAME, telephone=PHONE, canal_prefere="pigeon")
        )
        db.session.flush()
        return "jamais"

    return app


def _signed_in(app, compte):
    from tests.conftest import Browser

    browser = Browser(app.test_client())
    browser.login(compte)
    return browser


def test_a_database_error_gets_the_french_page_with_its_security_headers(failing_app, make_compte):
    browser = _signed_in(failing_app, make_compte("mediateur", prenom="Nadia"))
    response = browser.get("/insertion-ratee")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Erreur du serveur" in html and "Nadia" in html  # the full page, the account's header included
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    # The session is usable again at once.
    assert browser.get("/apprenants/").status_code == 200


def test_a_database_error_logs_no_personal_data(failing_app, make_compte, caplog):
    browser = _signed_in(failing_app, make_compte("mediateur"))
    with caplog.at_level(logging.DEBUG):
        assert browser.get("/insertion-ratee").status_code == 500
    logged = caplog.text
    assert "IntegrityError" in logged and "ck_apprenant_canal_prefere" in logged  # the error itself is logged
    for secret in (SURNAME, "Josiane", PHONE, PHONE[3:], "pigeon"):
        assert secret not in logged


def test_a_search_keeps_names_and_phone_numbers_out_of_urls_and_logs(browser, mediatrice, make_apprenant, caplog):
    make_apprenant(prenom="Élodie", nom=SURNAME, telephone=PHONE)
    with caplog.at_level(logging.DEBUG):
        by_name = browser.submit("/apprenants/", {"q": SURNAME})
        by_phone = browser.submit("/apprenants/", {"q": "06 12 34 56 78"})
    for response in (by_name, by_phone):
        assert response.status_code == 200 and SURNAME.upper() in response.get_data(as_text=True)
        assert response.request.query_string == b"" and response.request.method == "POST"
    for secret in (SURNAME, "06 12 34 56 78", PHONE):
        assert secret not in caplog.text


def test_flash_messages_put_no_surname_in_the_session_cookie(app, browser, mediatrice):
    response = browser.submit(
        "/apprenants/nouveau",
        {"prenom": "Élodie", "nom": SURNAME, "telephone": "06 12 34 56 78", "canal_prefere": "telephone"},
    )
    assert response.status_code == 302
    cookie = browser.client.get_cookie("session")
    content = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    flashes = content["_flashes"]
    assert flashes == [("success", "Fiche d'Élodie enregistrée.")]
    assert SURNAME not in str(content) and PHONE not in str(content)


@pytest.mark.parametrize("text", ["Jo\x00siane", "Jo\x1bsiane", "Jo\nsiane", "Jo\tsiane", "Jo\x85siane"])
def test_control_characters_are_refused_beside_the_field_and_what_was_typed_kept(browser, mediatrice, text):
    response = browser.submit(
        "/apprenants/nouveau", {"prenom": text, "nom": "Martin", "telephone": "", "canal_prefere": "courrier"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "caractère invisible non autorisé" in html and 'value="Martin"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Apprenant)) == 0


def test_a_search_with_a_nul_byte_is_refused_beside_the_field_not_a_500(browser, mediatrice):
    search = browser.submit("/apprenants/", {"q": "Mar\x00tin"})
    assert search.status_code == 200 and "caractère invisible non autorisé" in search.get_data(as_text=True)


def test_the_journal_filter_ignores_what_is_not_a_record_kind(make_app, make_compte):
    admin = _signed_in(make_app(), make_compte("admin"))
    for objet in ("apprenant%00", "x" * 300):
        response = admin.get(f"/admin/journal?objet={objet}")
        assert response.status_code == 200 and "Journal" in response.get_data(as_text=True)


def test_every_form_of_the_app_checks_its_text_fields():
    ours = ("core", "ateliers", "evaluations")
    for package in ours:
        importlib.import_module(f"{package}.forms")  # every form class of the app defined

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    forms = [cls for cls in subclasses(FlaskForm) if cls.__module__.split(".")[0] in ours]
    assert len(forms) > 15
    assert [cls.__name__ for cls in forms if not issubclass(cls, AppForm)] == []
