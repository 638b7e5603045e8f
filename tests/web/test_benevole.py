"""What a volunteer sees of the learners, on every page they can open and on the sheets they print: the first
name and the surname's initial, never a surname or a phone number (DESIGN.md section 7)."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from ateliers.models import Inscription
from extensions import db
from tests.ateliers_fixtures import JOINED_AT, add_animateur
from tests.conftest import Browser, csrf_token_from, version_from

NOW = datetime(2026, 3, 30, 6, 0)  # the morning of séance 1
pytestmark = pytest.mark.usefixtures("frozen_clock")

# Pages a volunteer opens that list the séance's learners.
LISTING_LEARNERS = {
    "ateliers.detail",
    "ateliers.presences",
    "ateliers.competences",
    "ateliers.evaluation_finale",
    "ateliers.emargement",
    "ateliers.emargement_seance",
    "entrainements.presences",
    "entrainements.fiche",
}
# The final evaluation has a page per learner, at séance 6 only.
PARAMETERS_OF = {"ateliers.evaluation_finale": {"numero": 6}}
PRIVATE = ("Martin", "Bernard", "06 12 34 56 78", "+33612345678", "0692 12 34 56", "+262692123456", "12 34 56")


@pytest.fixture
def atelier(atelier, benevole):
    """The shared workshop (Josiane Martin, Marcel Bernard, with phones), the volunteer on séances 1 and 6."""
    telephones = {"Martin": "+33612345678", "Bernard": "+262692123456"}
    for inscription in atelier.inscriptions:
        inscription.apprenant.telephone = telephones[inscription.apprenant.nom]
    db.session.commit()
    add_animateur(atelier, 6, benevole)
    return add_animateur(atelier, 1, benevole)


def text_of(response) -> str:
    if response.mimetype == "application/pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    return response.get_data(as_text=True)


def _seance_d_entrainement(atelier, benevole) -> int:
    """The workshop's learners booked on Tuesday 31 March's practice slot, run by the volunteer: the occurrence's
    id."""
    from datetime import date, time

    from entrainements.models import Entrainement, PlanEntrainement
    from entrainements.occurrences import occurrences_entre, ouvrir_occurrences
    from entrainements.reservations import reserver
    from tests.entrainements_fixtures import make_creneau

    structure = atelier.structure
    make_creneau(structure, animateur_id=benevole.id, debut=time(14), fin=time(16))
    ouvrir_occurrences(structure, date(2026, 3, 31), date(2026, 3, 31))
    (occurrence,) = occurrences_entre(structure.id, date(2026, 3, 31), date(2026, 3, 31))
    for inscription in atelier.inscriptions:
        plan = PlanEntrainement(
            structure_id=structure.id,
            inscription_id=inscription.id,
            apprenant_id=inscription.apprenant_id,
            fin_atelier_on=date(2026, 3, 23),
        )
        plan.entrainements.append(
            Entrainement(
                structure_id=structure.id,
                apprenant_id=inscription.apprenant_id,
                rang=1,
                cible_on=date(2026, 3, 31),
                debut_on=date(2026, 3, 30),
                fin_on=date(2026, 4, 1),
                competences=[],
            )
        )
        db.session.add(plan)
        db.session.flush()
        reserver(plan.entrainements[0], occurrence, now=NOW)
    db.session.commit()
    return occurrence.id


def test_every_page_a_volunteer_opens_names_learners_by_first_name_and_initial(app, browser, benevole, atelier):
    browser.login(benevole)
    parameters = {
        "atelier_id": atelier.id,
        "numero": 1,
        "inscription_id": atelier.inscriptions[0].id,
        "occurrence_id": _seance_d_entrainement(atelier, benevole),
    }
    seen = set()
    for rule in app.url_map.iter_rules():
        roles = getattr(app.view_functions[rule.endpoint], "allowed_roles", None)
        if "GET" not in rule.methods or not isinstance(roles, frozenset) or "benevole" not in roles:
            continue
        assert set(rule.arguments) <= set(parameters), f"give {rule.rule} its parameters here"
        response = browser.get(rule.build({**parameters, **PARAMETERS_OF.get(rule.endpoint, {})})[1])
        assert response.status_code == 200, rule.rule
        page = text_of(response)
        for private in PRIVATE:
            assert private not in page, (rule.endpoint, private)
        if rule.endpoint in LISTING_LEARNERS:
            assert "Josiane M." in page and "Marcel B." in page, rule.endpoint
        seen.add(rule.endpoint)
    assert seen >= LISTING_LEARNERS | {"main.index", "ateliers.liste"}


def test_other_roles_still_see_full_names(browser, mediatrice, atelier):
    browser.login(mediatrice)
    for url in (f"/ateliers/{atelier.id}/seances/1/presences", f"/ateliers/{atelier.id}/seances/1/emargement.pdf"):
        page = text_of(browser.get(url))
        assert "Josiane Martin" in page and "Marcel Bernard" in page, url


@pytest.fixture
def groupe(atelier, make_apprenant):
    """Two more learners, so that the order by surname (Arnaud, Bernard, Martin, Moreau) and the order by
    what a volunteer reads (Josiane A., Josiane M., Josiane M., Marcel B.) differ, with two "Josiane M."."""
    for prenom, nom in (("Josiane", "Moreau"), ("Josiane", "Arnaud")):
        apprenant = make_apprenant(prenom=prenom, nom=nom)
        db.session.add(Inscription(atelier_id=atelier.id, apprenant_id=apprenant.id, joined_at=JOINED_AT))
    db.session.commit()
    inscriptions = db.session.scalars(sa.select(Inscription).where(Inscription.atelier_id == atelier.id))
    return {i.apprenant.nom: i.id for i in inscriptions}


LISTING_PAGES = {
    "page de l'atelier": "/ateliers/{id}",
    "présences": "/ateliers/{id}/seances/1/presences",
    "compétences": "/ateliers/{id}/seances/1/competences",
    "évaluation finale": "/ateliers/{id}/seances/6/competences",
    "feuille d'émargement": "/ateliers/{id}/seances/1/emargement.pdf",
    "feuilles de l'atelier": "/ateliers/{id}/emargement.pdf",
}


def listed(browser, atelier, kind: str) -> str:
    """The text of the page or sheet ``kind``, from its list of learners on."""
    page = text_of(browser.get(LISTING_PAGES[kind].format(id=atelier.id)))
    return page[page.index("Personnes à évaluer") :] if kind == "évaluation finale" else page


@pytest.mark.parametrize("kind", list(LISTING_PAGES))
def test_a_volunteer_s_lists_are_sorted_by_first_name_and_initial(browser, benevole, atelier, groupe, kind):
    browser.login(benevole)
    page = listed(browser, atelier, kind)
    # The two "Josiane M." by a stable id: Martin (enrolled first) before Moreau.
    assert groupe["Martin"] < groupe["Moreau"]
    sheets = [page]
    if kind == "feuilles de l'atelier":  # the volunteer's séances 1 and 6: each sheet in the same order
        avant, apres = page.split("Séance 6")
        sheets = [avant, "Séance 6" + apres]
    for sheet in sheets:
        starts = [sheet.index(name) for name in ("Josiane A.", "Josiane M.", "Marcel B.")]
        assert starts == sorted(starts)
        assert starts[1] < sheet.index("Josiane M.", starts[1] + 1) < starts[2]
    if kind in ("présences", "compétences"):
        ids = [int(i) for i in re.findall(r'name="(?:statut|c)-(\d+)', page)]
        assert list(dict.fromkeys(ids)) == [groupe[n] for n in ("Arnaud", "Martin", "Moreau", "Bernard")]


@pytest.mark.parametrize("kind", list(LISTING_PAGES))
def test_other_roles_lists_follow_the_full_names_shown(browser, mediatrice, atelier, groupe, kind):
    # "Josiane Martin" is read first name first: the list follows it, not a surname read second.
    browser.login(mediatrice)
    names = ["Josiane Arnaud", "Josiane Martin", "Josiane Moreau", "Marcel Bernard"]
    page = listed(browser, atelier, kind)
    assert sorted(names, key=page.index) == names


def test_the_changes_a_volunteer_is_shown_after_a_stale_save_follow_the_same_order(
    app, browser, benevole, mediatrice, atelier, groupe
):
    url = f"/ateliers/{atelier.id}/seances/1/presences"
    browser.login(benevole)
    page = browser.get(url).get_data(as_text=True)
    opened = {"csrf_token": csrf_token_from(page), "version": version_from(page, url, True)}
    collegue = Browser(app.test_client())
    collegue.login(mediatrice)
    assert collegue.submit(url, {f"statut-{i}": "present" for i in groupe.values()}).status_code == 302
    response = browser.client.post(url, data={**opened, **{f"statut-{i}": "absent" for i in groupe.values()}})
    assert response.status_code == 409
    changes = text_of(response)
    changes = changes[
        changes.index('id="modifie-entre-temps"') : changes.index("</ul>", changes.index("modifie-entre-temps"))
    ]
    starts = [changes.index(name) for name in ("Josiane A.", "Josiane M.", "Marcel B.")]
    assert starts == sorted(starts)
    assert "Martin" not in changes and "Bernard" not in changes
