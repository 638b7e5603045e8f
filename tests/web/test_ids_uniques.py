"""Every page a mediator or a volunteer reaches has unique HTML ids, and each label points at a field.

The test signs in and crawls the app from the home page with the test client, following the links of each
page (one page per kind of address: ``/apprenants/3`` stands for every learner), and parses every HTML page
with the standard library's parser. Two elements sharing an id, or a ``<label for>`` naming no field of the
page, make a screen reader read the wrong label and the browser tick the wrong box (issue 9, item 8: two
inputs shared ``ecart_max`` on the groups screen).
"""

from __future__ import annotations

import re
from collections import Counter, deque
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.ateliers_fixtures import add_animateur, freeze_clock, make_atelier

# The morning of séance 1 (Monday 30 March 2026, 10:00 Paris): the home page lists the séances of the week.
NOW = datetime(2026, 3, 30, 8, 0)

# Elements a label may name (HTML, "labelable elements"); hidden inputs are not.
LABELABLE = {"button", "input", "meter", "output", "progress", "select", "textarea"}
SKIPPED = re.compile(r"^/(static/|deconnexion|verifier/)|\.(pdf|ics|csv|xlsx|ods)$|/export")
MAX_PAGES = 120


class PageIds(HTMLParser):
    """The ids of a page, the ids of its labelable fields, and the targets of its labels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.fields: set[str] = set()
        self.label_targets: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(attributes["id"])
            if tag in LABELABLE and not (tag == "input" and attributes.get("type") == "hidden"):
                self.fields.add(attributes["id"])
        if tag == "label" and attributes.get("for"):
            self.label_targets.append(attributes["for"])
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])

    handle_startendtag = handle_starttag

    def problems(self) -> list[str]:
        repeated = sorted(i for i, n in Counter(self.ids).items() if n > 1)
        dangling = sorted({t for t in self.label_targets if t not in self.fields})
        return [f"id repeated: {i}" for i in repeated] + [f"label for a missing field: {t}" for t in dangling]


def _kind(url: str) -> str:
    """One crawl per kind of address: numbers replaced, query values dropped."""
    parts = urlsplit(url)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def crawl(browser, seeds: list[str], at_least: int) -> dict[str, list[str]]:
    """The problems of each HTML page reached from ``seeds`` (page URL -> problems, only pages with some);
    fails when fewer than ``at_least`` pages were reached (a crawl that stopped at the login page)."""
    queue, seen, found, visited = deque(seeds), set(), {}, 0
    while queue and visited < MAX_PAGES:
        url = queue.popleft()
        if _kind(url) in seen:
            continue
        seen.add(_kind(url))
        response = browser.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        visited += 1
        page = PageIds()
        page.feed(response.get_data(as_text=True))
        if page.problems():
            found[url] = page.problems()
        for href in page.links:
            target = urldefrag(href)[0]
            if target.startswith("/") and not target.startswith("//") and not SKIPPED.search(urlsplit(target).path):
                queue.append(target)
    assert visited >= at_least, f"the crawl reached only {visited} pages"
    return found


@pytest.fixture
def world(monkeypatch, structure, atelier_de_roux, benevole, nadia, make_candidate, make_apprenant, mediatrice):
    """The workshop story (the volunteer co-runs séance 1), someone waiting without any half-day, a workshop
    to fill."""
    add_animateur(atelier_de_roux, 1, benevole)
    freeze_clock(monkeypatch, NOW)
    make_candidate(prenom="Léon", nom="Sansdispo", dispo=())
    make_atelier(structure, intitule="Atelier du mardi matin", demi_journee=2)
    return atelier_de_roux


def test_no_page_of_the_mediator_repeats_an_id_or_labels_a_missing_field(browser, world, mediatrice, nadia):
    browser.login(mediatrice)
    seeds = [
        "/",
        "/groupes/",
        f"/groupes/?atelier={world.id}",
        f"/groupes/proposition?atelier={world.id}",
        "/liste-attente/",
        "/positionnements/nouveau",
        f"/positionnements/nouveau?apprenant_id={nadia.id}",
        f"/apprenants/{nadia.id}/modifier",
        "/apprenants/nouveau",
        f"/ateliers/{world.id}",
        f"/ateliers/{world.id}/seances/6/competences",
    ]
    assert crawl(browser, seeds, at_least=20) == {}


def test_no_page_of_the_volunteer_repeats_an_id_or_labels_a_missing_field(browser, world, benevole):
    browser.login(benevole)
    assert crawl(browser, ["/", f"/ateliers/{world.id}"], at_least=4) == {}
