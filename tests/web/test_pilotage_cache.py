"""The dashboards' figures kept a few minutes (pilotage/cache.py): read once per period and structure, the page
says when they were computed, the people at risk stay live, and one structure never gets another's figures."""

from __future__ import annotations

import pytest

from pilotage import cache
from tests.ateliers_fixtures import freeze_clock
from tests.conftest import Browser
from tests.pilotage_fixtures import NOW, semer

ANNEE = "/pilotage/?type=annee&annee=2026"


@pytest.fixture
def avec_cache(app):
    app.config["PILOTAGE_CACHE_SECONDS"] = 300
    cache.init_app(app)
    return app


def test_the_figures_are_read_once_and_the_page_says_when(
    avec_cache, browser, structure, make_compte, monkeypatch, count_queries
):
    freeze_clock(monkeypatch, NOW)
    mediatrice, benevole = make_compte("mediateur"), make_compte("benevole")
    semer(structure, mediatrice, benevole, ateliers=1)
    browser.login(make_compte("direction"))
    with count_queries() as premiere:
        page = browser.get(ANNEE).get_data(as_text=True)
    assert "Chiffres calculés à" in page and "toutes les 5 minutes" in page
    with count_queries() as seconde:
        browser.get(ANNEE)
        for nom in ("survie", "niveaux"):  # the charts the page loads: from the same figures
            assert (
                browser.get(
                    f"/pilotage/structures/{structure.id}/graphiques/{nom}.svg?type=annee&annee=2026"
                ).status_code
                == 200
            )
    assert len(seconde) < len(premiere) - 10
    # new history: the kept figures stay until they expire, the people at risk are read afresh
    semer(structure, mediatrice, benevole, ateliers=1)
    page = browser.get(ANNEE).get_data(as_text=True)
    assert (
        page.split('id="section-ateliers"')[1].split("</section>")[0]
        == (browser.get(ANNEE).get_data(as_text=True).split('id="section-ateliers"')[1].split("</section>")[0])
    )
    assert "2 personnes à risque" in page
    # another period is computed for itself
    trimestre = browser.get("/pilotage/?type=trimestre&annee=2026&trimestre=4").get_data(as_text=True)
    assert "4e trimestre 2026" in trimestre and 'id="section-abandons"' in trimestre


def test_one_structure_never_gets_anothers_kept_figures(avec_cache, make_structure, make_compte, monkeypatch):
    freeze_clock(monkeypatch, NOW)
    a, b = make_structure(nom="CCAS de A"), make_structure(nom="CCAS de B")
    semer(a, make_compte("mediateur", structure=a), make_compte("benevole", structure=a), ateliers=2)
    pages = []
    for structure in (a, b):
        navigateur = Browser(avec_cache.test_client())
        navigateur.login(make_compte("direction", structure=structure))
        pages.append(navigateur.get(ANNEE).get_data(as_text=True))
    page_a, page_b = pages
    section = lambda page: page.split('id="section-ateliers"')[1].split("</section>")[0]  # noqa: E731
    assert section(page_a) != section(page_b)
    assert f"/pilotage/structures/{b.id}/graphiques/" in page_b and f"/structures/{a.id}/" not in page_b
