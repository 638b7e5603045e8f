"""Paper first and the workshop page at a glance (issue 9, items 3 and 4), through the web.

The group was put into the app on Wednesday 15 April 2026 (NOW); the workshop started on paper on Monday
30 March (START): séance 1 on 30 March, séance 2 on 13 April (Easter Monday skipped), séance 3 on 20 April.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape

import pytest

from ateliers import competences, services
from ateliers.models import Atelier
from ateliers.presences import Saisie, enregistrer_presences
from extensions import db
from tests.ateliers_fixtures import START, ids, make_atelier

NOW = datetime(2026, 4, 15, 8, 0)
pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest.fixture
def sur_papier(structure, make_apprenant):
    membres = [make_apprenant(prenom="Josiane", nom="Martin"), make_apprenant(prenom="Marcel", nom="Bernard")]
    return make_atelier(structure, membres, joined_at=NOW)


def page_of(browser, atelier) -> str:
    return browser.get(f"/ateliers/{atelier.id}").get_data(as_text=True)


def seance_block(page: str, numero: int) -> str:
    return re.search(rf"<h3>Séance {numero} :.*?</li>\s*(?=<li class=\"seance\">|</ol>)", page, re.S).group(0)


def text(page: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page)))


def codes(atelier, numero) -> dict[str, int]:
    return {c.code: c.id for c in competences.grille(atelier, atelier.seances[numero - 1]).competences}


def test_a_workshop_started_on_paper_is_planned_keyed_in_and_followed_seance_by_seance(signed_in, sur_papier):
    atelier_url = f"/ateliers/{sur_papier.id}"
    page = page_of(signed_in, sur_papier)
    assert "À faire : Planifier l'atelier" in text(page)
    assert 'name="a_posteriori"' not in page

    # A past start: refused beside the date, with the box to tick, and everything typed kept.
    data = {"debut": START.isoformat(), "lieu": "Salle du conseil"}
    response = signed_in.submit(f"{atelier_url}/planifier", data, form_url=atelier_url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    erreurs = re.search(r'<ul class="field-errors" id="debut-erreurs">.*?</ul>', page, re.S).group(0)
    assert "Le lundi 30 mars 2026 est passé" in erreurs and "cochez « Saisie a posteriori »" in erreurs
    assert 'name="a_posteriori"' in page and "Saisie a posteriori : ces séances ont déjà eu lieu sur papier" in page
    assert 'value="Salle du conseil"' in page and 'value="2026-03-30"' in page

    response = signed_in.submit(f"{atelier_url}/planifier", {**data, "a_posteriori": "y"}, form_url=atelier_url)
    assert response.status_code == 302
    atelier = db.session.get(Atelier, sur_papier.id)
    page = page_of(signed_in, atelier)
    assert "lundi 30 mars 2026, 9 h 00" in page and "lundi 13 avril 2026, 9 h 00" in page
    assert f'<a href="{atelier_url}/seances/1/presences">Prendre les présences de la séance 1</a>' in page
    assert "Présences : non notées" in text(seance_block(page, 1))
    # Past séances offer no move; the four to come do.
    assert "Nouvelle date de la séance 1" not in page and "Nouvelle date de la séance 2" not in page
    assert page.count('<button type="submit" class="button button-secondary">Déplacer</button>') == 4

    # The paper sheets keyed in: séance 1 everyone present, séance 2 Marcel Bernard absent.
    inscrits = ids(atelier)
    for numero, bernard in ((1, "present"), (2, "absent")):
        statuts = {f"statut-{inscrits['Martin']}": "present", f"statut-{inscrits['Bernard']}": bernard}
        assert signed_in.submit(f"{atelier_url}/seances/{numero}/presences", statuts).status_code == 302
    page = page_of(signed_in, atelier)
    assert "Noter les compétences de la séance 1</a>" in page
    m1, m2 = codes(atelier, 1), codes(atelier, 2)
    grille = {f"c-{inscrits['Martin']}-{m1['M1.1']}": "acquis", f"c-{inscrits['Bernard']}-{m1['M1.1']}": "avec_aide"}
    assert signed_in.submit(f"{atelier_url}/seances/1/competences", grille).status_code == 302
    page = page_of(signed_in, atelier)
    assert "Noter les compétences de la séance 2</a>" in page
    grille = {f"c-{inscrits['Martin']}-{m2['M2.1']}": "acquis"}
    assert signed_in.submit(f"{atelier_url}/seances/2/competences", grille).status_code == 302

    page = page_of(signed_in, atelier)
    premiere, deuxieme, troisieme = (text(seance_block(page, n)) for n in (1, 2, 3))
    assert "Présences : notées, aucune absence" in premiere and "Compétences : notées" in premiere
    assert "Présences : notées ; absences : Marcel Bernard" in deuxieme
    assert "Compétences : notées" in deuxieme and "Rattrapages en attente : 1 à prévoir" in deuxieme
    assert "À venir" in troisieme
    assert "À faire : Rien à saisir avant la séance 3, le lundi 20 avril 2026" in text(page)


def test_the_pages_of_a_seance_more_than_a_day_ahead_say_so_before_anything_is_typed(signed_in, sur_papier):
    services.planifier_atelier(signed_in_compte(sur_papier), sur_papier, START, "", [], NOW.date(), a_posteriori=True)
    db.session.commit()
    for page_name, quoi in (("presences", "ses présences"), ("competences", "ses compétences")):
        page = signed_in.get(f"/ateliers/{sur_papier.id}/seances/4/{page_name}").get_data(as_text=True)
        assert (
            f"Cette séance a lieu le lundi 27 avril 2026, dans plus d'un jour : {quoi} se notent à partir de la "
            "veille, le dimanche 26 avril 2026." in text(page)
        )
        assert '<fieldset class="plain" disabled>' in page
        assert "Enregistrer les" not in page
    page = signed_in.get(f"/ateliers/{sur_papier.id}/seances/2/presences").get_data(as_text=True)
    assert '<fieldset class="plain">' in page and "Enregistrer les présences" in page


def test_a_refused_move_into_the_past_offers_the_box_beside_the_date(signed_in, sur_papier):
    services.planifier_atelier(signed_in_compte(sur_papier), sur_papier, START, "", [], NOW.date(), a_posteriori=True)
    db.session.commit()
    url = f"/ateliers/{sur_papier.id}"
    response = signed_in.submit(f"{url}/seances/3/deplacer", {"jour": "2026-04-14"}, form_url=url)
    page = response.get_data(as_text=True)
    assert "Le mardi 14 avril 2026 est passé" in page and 'value="2026-04-14"' in page
    assert 'name="a_posteriori" value="y">' in page
    data = {"jour": "2026-04-14", "a_posteriori": "y"}
    assert signed_in.submit(f"{url}/seances/3/deplacer", data, form_url=url).status_code == 302
    assert "mardi 14 avril 2026, 9 h 00" in page_of(signed_in, sur_papier)


def test_the_workshop_page_reads_the_seances_state_in_a_flat_number_of_queries(
    signed_in, structure, make_apprenant, count_queries
):
    counts = []
    for size in (1, 4):
        atelier = make_atelier(structure, [make_apprenant() for _ in range(size)], joined_at=NOW)
        mediatrice = signed_in_compte(atelier)
        services.planifier_atelier(mediatrice, atelier, START, "", [], NOW.date(), a_posteriori=True)
        m11 = codes(atelier, 1)["M1.1"]
        for numero, statut in ((1, "present"), (2, "absent")):
            saisies = {i.id: Saisie(statut) for i in atelier.inscriptions}
            enregistrer_presences(mediatrice, atelier, atelier.seances[numero - 1], saisies, NOW.date())
        judgements = {i.id: {m11: "acquis"} for i in atelier.inscriptions}
        competences.enregistrer_competences(mediatrice, atelier, atelier.seances[0], judgements, NOW.date())
        db.session.commit()
        signed_in.get(f"/ateliers/{atelier.id}")  # the curriculum, read once per application (core.cache)
        with count_queries() as statements:
            page = signed_in.get(f"/ateliers/{atelier.id}").get_data(as_text=True)
        assert "Rattrapages en attente" in page
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_the_learner_page_links_each_workshop_and_its_progress(signed_in, sur_papier):
    inscription = sur_papier.inscriptions[0]
    page = signed_in.get(f"/apprenants/{inscription.apprenant_id}").get_data(as_text=True)
    assert f'<a href="/ateliers/{sur_papier.id}">Atelier du lundi matin</a>' in page
    assert f'href="/ateliers/inscriptions/{inscription.id}/progression">Progression' in page


def signed_in_compte(atelier):
    from core.models import Compte

    return db.session.query(Compte).filter_by(structure_id=atelier.structure_id, role="mediateur").first()


def test_a_past_catch_up_offers_the_box_beside_the_date(signed_in, sur_papier):
    mediatrice = signed_in_compte(sur_papier)
    services.planifier_atelier(mediatrice, sur_papier, START, "", [], NOW.date(), a_posteriori=True)
    saisies = {i.id: Saisie("absent") for i in sur_papier.inscriptions}
    enregistrer_presences(mediatrice, sur_papier, sur_papier.seances[0], saisies, NOW.date())
    db.session.commit()
    martin = ids(sur_papier)["Martin"]
    url = f"/ateliers/inscriptions/{martin}/rattrapages"
    data = {"module": sur_papier.seances[0].module_id, "jour": "2026-04-08", "heure": "14:00"}
    page = signed_in.submit(url, data).get_data(as_text=True)
    assert "Le mercredi 8 avril 2026 est passé." in page and 'name="a_posteriori"' in page
    assert 'value="2026-04-08"' in page and 'value="14:00"' in page
    assert signed_in.submit(url, {**data, "a_posteriori": "y"}).status_code == 302
    assert "Rattrapages en attente : 1 prévu, 1 à prévoir" in text(page_of(signed_in, sur_papier))


def test_a_seance_s_absences_are_listed_in_the_order_of_the_names_shown(signed_in, structure, make_apprenant):
    membres = [make_apprenant(prenom="Zoé", nom="Adam"), make_apprenant(prenom="Ana", nom="Zed")]
    atelier = make_atelier(structure, membres, joined_at=NOW)
    services.planifier_atelier(signed_in_compte(atelier), atelier, START, "", [], NOW.date(), a_posteriori=True)
    db.session.commit()
    inscrits = ids(atelier)
    absents = {f"statut-{inscrits['Adam']}": "absent", f"statut-{inscrits['Zed']}": "absent"}
    assert signed_in.submit(f"/ateliers/{atelier.id}/seances/1/presences", absents).status_code == 302
    assert "absences : Ana Zed, Zoé Adam" in text(seance_block(page_of(signed_in, atelier), 1))


def test_a_seance_of_this_morning_offers_no_move_once_it_has_started(signed_in, sur_papier, monkeypatch):
    from datetime import timedelta

    from tests.ateliers_fixtures import freeze_clock

    services.planifier_atelier(signed_in_compte(sur_papier), sur_papier, START, "", [], NOW.date(), a_posteriori=True)
    db.session.commit()
    debut = db.session.get(Atelier, sur_papier.id).seances[2].starts_at
    freeze_clock(monkeypatch, debut - timedelta(minutes=30))
    assert "Nouvelle date de la séance 3" in page_of(signed_in, sur_papier)
    freeze_clock(monkeypatch, debut + timedelta(minutes=30))
    page = page_of(signed_in, sur_papier)
    assert "Nouvelle date de la séance 3" not in page and "Nouvelle date de la séance 4" in page
    # A page opened before the start, posted after it: refused beside the date, with the reason.
    version = re.search(r'action="[^"]*/seances/4/deplacer".*?name="version" value="([^"]+)"', page, re.S).group(1)
    response = signed_in.submit(
        f"/ateliers/{sur_papier.id}/seances/3/deplacer",
        {"jour": "2026-04-21", "version": version},
        form_url=f"/ateliers/{sur_papier.id}",
    )
    assert "La séance 3 a déjà eu lieu" in unescape(response.get_data(as_text=True))
