"""Every number and date a request carries is checked against its real range before use (issue 8, item 13).

Walks every URL rule of the app, as a signed-in mediator (as an admin for the admin's pages), with ids past
what the database stores (2^31 on PostgreSQL, 2^63 on SQLite), absurd query strings, and absurd values in
every form field the app's pages show. Nothing may answer 500, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

import html
import re
import tracemalloc
from datetime import datetime

import pytest

from core.access import PUBLIC
from tests.ateliers_fixtures import make_atelier
from tests.web.test_access_matrix import PARAMETERS, World, build, methods, rules, signed_in_client

HUGE_IDS = ("2147483648", "9223372036854775808", "99999999999999999999")
ABSURD = (
    "99999999999999999999",
    "4000000000",
    "2147483648",
    "-1",
    "0",
    "²",
    "1e400",
    "31/12/9999",
    "9999-12-31",
    "0001-01-01",
    "25:99",
)
QUERY_NAMES = (  # every name a view reads from the query string (grep request.args)
    "page",
    "niveau",
    "demi_journee",
    "statut",
    "objet",
    "objet_id",
    "apprenant_id",
    "atelier",
    "ecart_max",
    "module",
    "q",
    "next",
)
FIELD_NAME = re.compile(r'name="([^"]+)"')
# Before the world's workshop (six Mondays from 1 June 2026): its séances can still be moved, so the page shows
# the move form and its date field, which a séance already held no longer offers.
NOW = datetime(2026, 5, 15, 8, 0)
pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def bornes_app(make_app):
    return make_app(WTF_CSRF_ENABLED=False)


@pytest.fixture
def world(bornes_app, structure, make_structure, make_compte, make_apprenant):
    """The access matrix's records, and a workshop of the mediator's structure not planned yet."""
    world = World(make_structure, make_compte, make_apprenant)
    world.projet = make_atelier(structure, [make_apprenant()]).id
    return world


def _urls(rule, world) -> list[str]:
    """The rule's URL for the world's own records, and for the unplanned workshop when it takes one alone."""
    urls = [build(rule, world, 0)]
    if set(rule.arguments) == {"atelier_id"}:
        urls.append(rule.build({"atelier_id": world.projet})[1])
    return urls


def _reader(app, rule, world):
    """Who walks ``rule``: the mediator, or the admin for the pages only an admin opens, or else the first role
    allowed (the coordination's network pages)."""
    allowed = app.view_functions[rule.endpoint].allowed_roles
    if allowed == PUBLIC or "mediateur" in allowed:
        return world.comptes["mediateur"]
    return world.comptes["admin" if "admin" in allowed else sorted(allowed)[0]]


def _open(app, rule, world, url: str, method: str = "GET", **kwargs):
    """``url`` opened by the rule's reader in a fresh signed-in browser; never sent back to the login page
    (which would mean the walk tested nothing), but by the logout itself."""
    response = signed_in_client(app, _reader(app, rule, world)).open(url, method=method, **kwargs)
    if rule.endpoint != "auth.logout":
        assert not response.headers.get("Location", "").startswith("/connexion"), (method, url)
    return response


def _with_huge(rule, world, argument: str, huge: str) -> str:
    """The rule's URL for the world's own records, with ``argument`` replaced by ``huge``."""
    marker = 7_654_321
    values = {name: getattr(world, PARAMETERS[name])[0] for name in rule.arguments}
    values[argument] = marker
    return rule.build(values)[1].replace(str(marker), huge)


def test_huge_ids_in_any_url_are_not_found(bornes_app, world):
    checked = 0
    for rule in rules(bornes_app):
        for argument in rule.arguments:
            for huge in HUGE_IDS:
                url = _with_huge(rule, world, argument, huge)
                for method in methods(rule):
                    response = _open(bornes_app, rule, world, url, method)
                    assert response.status_code == 404, (method, url, response.status_code)
                    checked += 1
    assert checked > 100


@pytest.mark.parametrize("value", ABSURD)
def test_absurd_query_values_never_give_a_server_error(bornes_app, world, value):
    query = "&".join(f"{name}={value}" for name in QUERY_NAMES)
    for rule in rules(bornes_app):
        for url in _urls(rule, world):
            for method in methods(rule):
                response = _open(bornes_app, rule, world, f"{url}?{query}", method)
                assert response.status_code < 500, (method, url, value, response.status_code)


def _field_names(app, world) -> set[str]:
    """Every input name the app's pages show, and the same names with their ids made huge."""
    names: set[str] = set()
    for rule in rules(app):
        if "GET" not in rule.methods:
            continue
        for url in _urls(rule, world):
            response = _open(app, rule, world, url)
            if response.mimetype == "text/html":
                names.update(FIELD_NAME.findall(response.get_data(as_text=True)))
    names -= {"csrf_token"}
    return names | {re.sub(r"\d+", HUGE_IDS[-1], name) for name in names if re.search(r"\d", name)}


@pytest.mark.parametrize("value", ABSURD)
def test_absurd_form_values_never_give_a_server_error(bornes_app, world, value):
    names = _field_names(bornes_app, world)
    assert {"jour", "debut", "capacite", "animateurs", "appel_on", "role", "password"} <= names
    assert any(name.endswith("-fait_on") for name in names)
    posted = 0
    for rule in rules(bornes_app):
        if "POST" not in rule.methods:
            continue
        for url in _urls(rule, world):
            response = _open(bornes_app, rule, world, url, "POST", data=dict.fromkeys(names, value))
            assert response.status_code < 500, (url, value, response.status_code)
            posted += 1
    assert posted > 10


NOW = datetime(2026, 3, 1, 8, 0)


def test_a_huge_half_day_filter_allocates_nothing_and_is_shown_not_applied(signed_in, make_candidate, frozen_clock):
    """``1 << 4000000000`` used to build a 500 MB integer; a filter off the list is refused beside its field."""
    make_candidate(nom="Ferhat", dispo=("lun-matin",))
    tracemalloc.start()
    try:
        response = signed_in.get("/liste-attente/?demi_journee=4000000000&niveau=99999999999999999999")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choisissez une demi-journée de la liste." in page and "Choisissez un niveau de la liste." in page
    assert "Ferhat" in page  # the list is shown unfiltered


def test_a_seance_moved_to_9999_is_refused_beside_the_field(signed_in, atelier, frozen_clock):
    url = f"/ateliers/{atelier.id}"
    response = signed_in.submit(f"{url}/seances/2/deplacer", {"jour": "9999-12-31", "decaler": "y"}, form_url=url)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert 'id="jour-2-erreurs"' in page
    assert "Vérifiez l'année : indiquez une date entre le 01/01/2024 et le 31/12/2029." in page
    assert 'value="9999-12-31"' in page


@pytest.mark.parametrize(
    ("path", "data", "field"),
    [
        ("planifier", {"debut": "0001-01-01"}, "debut"),
        ("/ateliers/fermetures", {"debut_on": "2026-05-04", "fin_on": "9999-12-31"}, "fin_on"),
    ],
)
def test_dates_far_from_today_are_refused_beside_their_field(
    signed_in, atelier_en_projet, frozen_clock, path, data, field
):
    url = f"/ateliers/{atelier_en_projet.id}"
    target = f"{url}/{path}" if not path.startswith("/") else path
    response = signed_in.submit(target, data, form_url=url if target != path else "/ateliers/")
    page = html.unescape(response.get_data(as_text=True))
    assert f'id="{field}-erreurs"' in page and "Vérifiez l'année" in page


@pytest.mark.parametrize("objet", ["%00", "x" * 300, "apprenant%0D%0A"])
def test_the_journal_filter_takes_code_words_only(bornes_app, world, objet):
    """A NUL byte in a query parameter reached PostgreSQL, which refuses it (500)."""
    admin = signed_in_client(bornes_app, world.comptes["admin"])
    response = admin.get(f"/admin/journal?objet={objet}&objet_id=1")
    assert response.status_code == 200
