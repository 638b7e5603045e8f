"""What every page pays (issue 8, item 19): links built once per page or per application, not once per row or
per request, with the very same URLs as ``url_for``."""

from __future__ import annotations

import traceback
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import request, url_for
from werkzeug.routing import BuildError, MapAdapter

from ateliers import services
from core.bounds import MAX_ID
from core.templating import url_fixe, url_par_id
from extensions import db
from tests.ateliers_fixtures import START, TODAY, make_atelier
from tests.conftest import csrf_token_from
from tests.web.test_messages import deposer_message


@pytest.fixture
def count_url_builds(monkeypatch):
    """Context manager counting the URLs werkzeug builds inside it: ``with count_url_builds() as builds:``."""
    builds: list[str] = []
    build = MapAdapter.build

    def counting(self, endpoint, *args, **kwargs):
        builds.append(endpoint)
        return build(self, endpoint, *args, **kwargs)

    monkeypatch.setattr(MapAdapter, "build", counting)

    @contextmanager
    def counter():
        builds.clear()
        yield builds

    return counter


def test_the_menu_and_the_fixed_links_are_built_once_per_application(signed_in, count_url_builds):
    signed_in.get("/")
    with count_url_builds() as builds:
        page = signed_in.get("/").get_data(as_text=True)
    # The menu (seven entries for a mediator), the style sheet, the logo's and the logout's links are reused;
    # only the home page's own links are built.
    assert not {"static", "main.index", "auth.logout", "attente.liste", "groupes.index"} & set(builds)
    assert '<a href="/apprenants/">Apprenants</a>' in page
    assert '<a href="/"' in page and 'href="/static/css/app.css"' in page and 'action="/deconnexion"' in page


def test_the_current_menu_entry_still_follows_the_page(signed_in):
    page = signed_in.get("/liste-attente/").get_data(as_text=True)
    assert '<a href="/liste-attente/" aria-current="page">' in page
    assert '<a href="/apprenants/" aria-current="page">' not in page


@pytest.mark.parametrize(
    "url",
    ["/liste-attente/", "/apprenants/"],
)
def test_a_list_builds_as_many_urls_for_one_row_as_for_many(signed_in, make_candidate, count_url_builds, url):
    counts, made = [], 0
    for rows in (1, 4):
        while made < rows:
            make_candidate()
            made += 1
        signed_in.get(url)
        with count_url_builds() as builds:
            page = signed_in.get(url).get_data(as_text=True)
        assert page.count('href="/apprenants/') >= rows
        counts.append(len(builds))
    assert counts[0] == counts[1]


def test_the_workshop_page_builds_as_many_urls_for_one_member_as_for_four(
    signed_in, mediatrice, structure, make_apprenant, count_url_builds
):
    counts = []
    for size in (1, 4):
        # Room left in both, so both pages offer a person from the waiting list.
        atelier = make_atelier(structure, [make_apprenant() for _ in range(size)], capacite=8)
        services.planifier_atelier(mediatrice, atelier, START, "", [mediatrice.id], TODAY)
        db.session.commit()
        signed_in.get(f"/ateliers/{atelier.id}")
        with count_url_builds() as builds:
            page = signed_in.get(f"/ateliers/{atelier.id}").get_data(as_text=True)
        # Each séance's attendance, skills and sheet links and its co-runners form; each member's two links.
        assert page.count(f'href="/ateliers/{atelier.id}/seances/') >= 3 * 6
        assert page.count(f'action="/ateliers/{atelier.id}/seances/') >= 6
        assert page.count('href="/ateliers/inscriptions/') == 2 * size
        counts.append(len(builds))
    assert counts[0] == counts[1]


def test_url_par_id_gives_the_urls_of_url_for(app):
    with app.test_request_context("/"):
        for ident in (1, 42, 2026, MAX_ID):
            assert url_par_id("apprenants.detail", "apprenant_id")(ident) == url_for(
                "apprenants.detail", apprenant_id=ident
            )
            assert url_par_id("apprenants.modifier", "apprenant_id", _anchor="disponibilites-0")(ident) == url_for(
                "apprenants.modifier", apprenant_id=ident, _anchor="disponibilites-0"
            )
            assert url_par_id("ateliers.presences", "numero", atelier_id=7)(ident) == url_for(
                "ateliers.presences", atelier_id=7, numero=ident
            )
        # An id the placeholder cannot stand for goes through url_for itself, with its answer or its error.
        assert url_par_id("apprenants.detail", "apprenant_id")(0) == url_for("apprenants.detail", apprenant_id=0)
        assert url_par_id("apprenants.detail", "apprenant_id")(True) == url_for("apprenants.detail", apprenant_id=True)
        with pytest.raises(BuildError):
            url_par_id("apprenants.detail", "inconnu")


def test_url_par_id_under_a_script_root(app):
    with app.test_request_context("/", base_url="http://localhost/ateliers-numeriques"):
        assert url_par_id("apprenants.detail", "apprenant_id")(5) == "/ateliers-numeriques/apprenants/5"
        assert url_fixe("static", filename="css/app.css") == "/ateliers-numeriques/static/css/app.css"
    with app.test_request_context("/"):
        assert url_fixe("static", filename="css/app.css") == "/static/css/app.css"
        assert url_fixe("main.index") == url_for("main.index")


def test_the_register_reads_a_page_of_learners_and_counts_them_in_one_statement(
    signed_in, make_apprenant, app, count_queries
):
    app.config["APPRENANTS_PER_PAGE"] = 5
    for number in range(7):
        make_apprenant(prenom="Paul", nom=f"Durand{number:02d}", telephone=f"+3361234560{number}")
    token = csrf_token_from(signed_in.get("/apprenants/").get_data(as_text=True))

    def register(form: dict | None) -> str:
        if form is None:
            return signed_in.get("/apprenants/").get_data(as_text=True)
        return signed_in.client.post("/apprenants/", data={**form, "csrf_token": token}).get_data(as_text=True)

    for form in (None, {"q": "durand"}, {"q": "06 12 34"}, {"q": "durand", "page": "2"}):
        with count_queries() as statements:
            page = register(form)
        assert "7 apprenants" in page and "DURAND0" in page
        assert ("Page 2 sur 2" if form and "page" in form else "Page 1 sur 2") in page
        # The learners of the page and how many there are in one statement (on PostgreSQL one round trip), counted
        # through the index once (no window count reading and sorting every row).
        learners = [s for s in statements if "FROM apprenant" in s]
        assert len(learners) == 1 and "count(*)" in learners[0] and "OVER" not in learners[0], statements


def test_a_register_page_past_the_end_still_says_how_many_learners_there_are(signed_in, make_apprenant, app):
    app.config["APPRENANTS_PER_PAGE"] = 5
    for number in range(7):
        make_apprenant(prenom="Paul", nom=f"Durand{number:02d}")
    past = signed_in.get("/apprenants/?page=3").get_data(as_text=True)
    assert "7 apprenants" in past and "DURAND" not in past
    last = signed_in.get("/apprenants/?page=2").get_data(as_text=True)
    assert "Page 2 sur 2" in last and "DURAND05" in last and "DURAND06" in last


def test_the_learner_page_reads_the_placements_and_who_ran_them_in_one_query(
    signed_in, mediatrice, make_apprenant, count_queries
):
    from evaluations.curriculum import current_questionnaire
    from evaluations.models import Positionnement

    apprenant = make_apprenant()
    for score in (30, 55):
        db.session.add(
            Positionnement(
                apprenant_id=apprenant.id,
                questionnaire_id=current_questionnaire().id,
                compte_id=mediatrice.id,
                mode="telephone",
                reponses={"B1": 2},
                score=score,
                niveau=1,
                is_brouillon=False,
            )
        )
    db.session.commit()
    signed_in.get(f"/apprenants/{apprenant.id}")
    with count_queries() as statements:
        page = signed_in.get(f"/apprenants/{apprenant.id}").get_data(as_text=True)
    assert page.count("Awa Diallo") == 2 and "30 / 100" in page and "55 / 100" in page
    placements = [s for s in statements if "FROM positionnement" in s]
    # Who ran each placement comes with it; the answers, which the page does not show, are not read.
    assert len(placements) == 1 and "compte" in placements[0] and "reponses" not in placements[0]
    assert not any(s.startswith("SELECT compte") and "connexion" not in s for s in statements)


def test_the_main_pages_build_no_sql_statement_once_warmed_up(signed_in, atelier_de_roux, make_candidate, monkeypatch):
    """Building a statement and its cache key on every request cost more than running it: each page runs
    statements built once per process, with the request's values bound."""
    from sqlalchemy.sql.selectable import Select

    make_candidate(prenom="Nadia", nom="Ferhat", telephone="+33612345678")
    apprenant = atelier_de_roux.inscriptions[0].apprenant
    inscription = atelier_de_roux.inscriptions[0]
    token = csrf_token_from(signed_in.get("/apprenants/").get_data(as_text=True))
    pages = [
        ("GET", "/", None),
        ("GET", "/apprenants/", None),
        ("POST", "/apprenants/", {"q": "ferhat"}),
        ("POST", "/apprenants/", {"q": "06 12 34"}),
        ("GET", f"/apprenants/{apprenant.id}", None),
        ("GET", "/positionnements/nouveau", None),
        ("GET", "/liste-attente/", None),
        ("GET", "/liste-attente/?niveau=1&demi_journee=0", None),
        ("GET", f"/ateliers/{atelier_de_roux.id}", None),
        ("GET", f"/ateliers/{atelier_de_roux.id}/seances/1/presences", None),
        ("GET", f"/ateliers/{atelier_de_roux.id}/seances/1/competences", None),
        ("GET", f"/ateliers/{atelier_de_roux.id}/seances/6/competences", None),
        ("GET", f"/ateliers/inscriptions/{inscription.id}/progression", None),
        ("GET", "/ateliers/a-rappeler", None),
    ]
    built = []
    build = Select.__init__

    def counting(self, *args, **kwargs):
        built.append(traceback.format_stack(limit=6)[-3])  # the line of the app that built it
        build(self, *args, **kwargs)

    for method, url, form in pages:
        data = None if form is None else {**form, "csrf_token": token}
        assert signed_in.client.open(url, method=method, data=data).status_code == 200, url
        monkeypatch.setattr(Select, "__init__", counting)
        built.clear()
        assert signed_in.client.open(url, method=method, data=data).status_code == 200, url
        monkeypatch.setattr(Select, "__init__", build)
        assert built == [], url


def test_each_main_page_reads_and_writes_in_one_transaction(signed_in, atelier_de_roux, make_candidate):
    """A page that commits its consultation and then reads again takes the connection out of the pool a second
    time: on PostgreSQL a ping, a BEGIN and a ROLLBACK more, and the driver forgets its prepared statements. Each
    page checks its connection out once."""
    make_candidate(prenom="Nadia", nom="Ferhat", telephone="+33612345678")
    apprenant = atelier_de_roux.inscriptions[0].apprenant
    inscription = atelier_de_roux.inscriptions[0]
    pages = [
        "/",
        "/apprenants/",
        f"/apprenants/{apprenant.id}",
        "/positionnements/nouveau",
        "/liste-attente/",
        f"/ateliers/{atelier_de_roux.id}",
        f"/ateliers/{atelier_de_roux.id}/seances/1/presences",
        f"/ateliers/{atelier_de_roux.id}/seances/1/competences",
        f"/ateliers/{atelier_de_roux.id}/seances/6/competences",
        f"/ateliers/inscriptions/{inscription.id}/progression",
        f"/ateliers/inscriptions/{inscription.id}/rattrapages",
        "/ateliers/a-rappeler",
        "/messages/",
    ]
    checkouts: list[str] = []

    def checked_out(*_args):
        checkouts.append("checkout")

    sa.event.listen(db.engine, "checkout", checked_out)
    try:
        found = {}
        for url in pages:
            checkouts.clear()
            assert signed_in.get(url).status_code == 200, url
            found[url] = len(checkouts)
    finally:
        sa.event.remove(db.engine, "checkout", checked_out)
    assert found == dict.fromkeys(pages, 1)


def test_the_menu_counts_the_messages_to_send_with_the_signed_in_account(signed_in, make_apprenant, count_queries):
    """The menu's "Messages (n)" is read in the account's own statement, not in one more after the page."""
    deposer_message(make_apprenant(prenom="Josiane", telephone="+33612345678"), 1)
    with count_queries() as statements:
        page = signed_in.get("/").get_data(as_text=True)
    assert '<a href="/messages/">Messages (1)</a>' in page
    counts = [s for s in statements if "FROM message" in s]
    assert len(counts) == 1 and "FROM compte" in counts[0]


def test_a_page_whose_request_queued_a_message_counts_the_messages_again(signed_in, make_apprenant, monkeypatch):
    """What the request itself queued shows: the menu counts afresh (here a message queued just after the account
    was loaded stands for one the POST queued)."""
    manager = signed_in.client.application.login_manager
    load = manager._user_callback

    def loaded_then_queued(token):
        compte = load(token)
        if compte is not None and request.method == "POST":
            deposer_message(make_apprenant(prenom="Marc", telephone="+33612345679"), 2)
        return compte

    monkeypatch.setattr(manager, "_user_callback", loaded_then_queued)
    page = signed_in.submit("/compte/mot-de-passe", {"actuel": "faux", "nouveau": "x", "confirmation": "x"})
    assert page.status_code == 200
    assert '<a href="/messages/">Messages (1)</a>' in page.get_data(as_text=True)
    assert '<a href="/messages/">Messages (1)</a>' in signed_in.get("/").get_data(as_text=True)


def test_a_post_that_writes_no_message_reads_the_count_with_the_account(
    signed_in, make_apprenant, make_candidate, count_queries
):
    """The learner search is a POST that writes only its journal line: the menu's count comes with the account,
    and the page checks its connection out once (on PostgreSQL a count after the commit cost four round trips)."""
    deposer_message(make_apprenant(prenom="Josiane", telephone="+33612345678"), 1)
    make_candidate(prenom="Nadia", nom="Ferhat", telephone="+33612345679")
    token = csrf_token_from(signed_in.get("/apprenants/").get_data(as_text=True))
    checkouts: list[str] = []

    def checked_out(*_args):
        checkouts.append("checkout")

    sa.event.listen(db.engine, "checkout", checked_out)
    try:
        with count_queries() as statements:
            page = signed_in.client.post("/apprenants/", data={"q": "ferhat", "csrf_token": token})
    finally:
        sa.event.remove(db.engine, "checkout", checked_out)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "FERHAT" in html
    assert '<a href="/messages/">Messages (1)</a>' in html
    counts = [s for s in statements if "FROM message" in s]
    assert len(counts) == 1 and "FROM compte" in counts[0], counts
    assert len(checkouts) == 1
