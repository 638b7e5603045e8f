"""Running a demo workshop in the browser: six séances of attendance and skills, a learner slipping away after
two absences in a row, the call, the final evaluation, closing the workshop, the attendance sheet PDF, and the
attestations the closing issued: printed, checked through their QR code, one revoked."""

from __future__ import annotations

import io
import re
from datetime import datetime, time

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from ateliers.models import Atelier
from core.francais import de
from core.timeutil import local_to_utc, system_utcnow, to_local
from demo import load_demo
from extensions import db
from tests.ateliers_fixtures import freeze_clock
from tests.browser.test_attestations import qr_code
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

INTITULE = "Débutants autonomes – lundi après-midi"


@pytest.fixture
def demo_atelier(app, monkeypatch):
    """The demo data set, and a clock the journey moves to the evening of each séance."""
    load_demo(TEST_PASSWORD)
    db.session.commit()
    atelier = db.session.scalar(sa.select(Atelier).where(Atelier.intitule == INTITULE))
    clock = {"now": system_utcnow()}
    freeze_clock(monkeypatch, lambda: clock["now"])
    members = sorted((i.apprenant.nom_complet, i.id) for i in atelier.inscriptions)
    days = [s.jour for s in atelier.seances]
    assert len(days) == 6 and days[0] > to_local(system_utcnow()).date()  # a real demo workshop, not started yet
    return members, days, clock


def evening(day) -> datetime:
    return local_to_utc(day, time(19, 0))


def test_six_seances_a_learner_slipping_away_the_call_the_final_evaluation_and_closing(
    page: Page, journey, demo_atelier, chromium, tmp_path
):
    members, days, clock = demo_atelier
    (absent_name, _absent_id), *others = members
    journey.login("mediatrice@demo.local", TEST_PASSWORD)
    nav = page.get_by_role("navigation", name="Navigation principale")

    for numero, day in enumerate(days, start=1):
        clock["now"] = evening(day)
        nav.get_by_role("link", name="Ateliers").click()
        page.get_by_role("link", name=INTITULE).click()

        # Attendance: everybody present, except one learner at séances 2 and 3.
        page.get_by_role("link", name=f"Noter les présences de la séance {numero}").click()
        for name, _ident in members:
            statut = "Absent" if name == absent_name and numero in (2, 3) else "Présent"
            page.get_by_role("group", name=name).get_by_role("radio", name=statut, exact=True).check()
        page.get_by_role("button", name="Enregistrer les présences").click()
        expect(page.locator(".flash-success")).to_contain_text(f"Présences de la séance {numero} enregistrées")

        if numero == 3:
            # After the second absence in a row, the learner is on the list once, with every reason.
            nav.get_by_role("link", name="À rappeler").click()
            row = page.locator("li.rappel").filter(has_text=absent_name)
            expect(row).to_have_count(1)
            expect(row).to_contain_text("Abandon probable")
            expect(row).to_contain_text("2 absences de suite")
            expect(row).to_contain_text("Absence sans excuse à la séance 3")
            expect(row).to_contain_text("Modules manqués : module 2")
            row.get_by_role("link", name="Noter l'appel").click()
            page.get_by_label("Résultat").select_option(label="Personne jointe")
            page.get_by_label("Motif").select_option(label="Contraintes familiales")
            page.get_by_label("Suite donnée").select_option(label="Revient")
            page.get_by_role("button", name=re.compile("Enregistrer")).click()
            expect(page.locator(".flash-success")).to_contain_text(re.compile(r"Appel d(e |')\w+ enregistré"))
            # The call was made: the person leaves the list until something new happens.
            expect(page.locator("li.rappel").filter(has_text=absent_name)).to_have_count(0)
            nav.get_by_role("link", name="Ateliers").click()
            page.get_by_role("link", name=INTITULE).click()
            page.get_by_role("link", name="Compétences de la séance 3", exact=True).click()
        else:
            page.get_by_role("link", name=f"Puis les compétences de la séance {numero}").click()

        if numero == 6:
            # The final evaluation, one learner at a time: the scenario first, each saved on its own.
            personnes = page.get_by_role("navigation", name="Personnes à évaluer")
            for name, _ident in members:
                personnes.get_by_role("link", name=name, exact=True).click()
                expect(page.get_by_role("heading", level=2, name=name)).to_be_visible()
                if name == absent_name:
                    expect(page.locator("#modules-manques")).to_contain_text("M2, M3")
                scenario = page.get_by_role("group", name=re.compile(r"^M6\.5 "))
                scenario.get_by_role("radio", name="Acquis (fait seul)").check()
                page.get_by_role("button", name=re.compile("^Enregistrer l'évaluation finale")).click()
                expect(page.locator(".flash-success")).to_contain_text("Évaluation finale")
            expect(page.locator(".etat-a-faire")).to_have_count(0)
            continue

        # Skills of the séance.
        for name, ident in members:
            if name == absent_name and numero in (2, 3):
                expect(page.locator(f"#personne-{ident}")).to_contain_text("Absence à cette séance")
                continue
            radios = page.locator(f"#personne-{ident}").get_by_role("radio", name=re.compile(r"Acquis \(fait seul\)$"))
            for index in range(radios.count()):
                radios.nth(index).check()
        page.get_by_role("button", name="Enregistrer les compétences").click()
        expect(page.locator(".flash-success")).to_contain_text(f"Compétences de la séance {numero} enregistrées")

    # Closing: everybody finished; hours totalled, the workshop locked.
    nav.get_by_role("link", name="Ateliers").click()
    page.get_by_role("link", name=INTITULE).click()
    page.get_by_role("link", name="Clôturer l'atelier").click()
    page.get_by_role("button", name="Clôturer et verrouiller l'atelier").click()
    expect(page.locator(".flash-success").first).to_contain_text("Atelier clos")
    # the closing issued the attestations of those who finished (issue 11)
    expect(page.locator(".flash-success", has_text="attestations émises")).to_be_visible()
    expect(page.get_by_text("Atelier clos et verrouillé")).to_be_visible()
    members_list = page.locator("section.card").filter(has=page.get_by_role("heading", name="Membres"))
    expect(members_list).to_contain_text(f"{absent_name} (parcours terminé, 12,0 h suivies)")
    expect(members_list).to_contain_text(f"{others[0][0]} (parcours terminé, 18,0 h suivies)")

    # The learner's progress page: two absences, the final scenario acquired.
    page.get_by_role("link", name=absent_name, exact=True).click()
    expect(page.get_by_role("heading", name=f"Progression {de(absent_name)}")).to_be_visible()
    expect(page.locator("table.grille-progression")).to_contain_text("Absent")
    expect(page.locator(".lead")).to_contain_text("12,0 h suivies sur 18 h")
    # Printed, the grid fits one A4 landscape page and keeps every module.
    page.emulate_media(media="print")
    printed = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    assert len(printed.pages) == 1
    assert round(printed.pages[0].mediabox.width) == 842  # A4 landscape, in points
    printed_text = printed.pages[0].extract_text()
    assert f"Progression {de(absent_name)}" in printed_text and "M6" in printed_text
    assert "Imprimez cette page" not in printed_text
    page.emulate_media(media="screen")

    # The attendance sheet of the whole workshop, as printed.
    page.go_back()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Feuilles d'émargement (PDF)").click()
    reader = PdfReader(io.BytesIO(download_info.value.path().read_bytes()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) == 6
    assert INTITULE in text and "Séance 6" in text
    for name, _ident in members:
        assert name in text

    # The attestations the closing issued (issue 11): printed, the QR code of the first page read from the
    # rendered image leads anyone to the public check (valid); revoked, the same check says so.
    page.get_by_role("link", name="Attestations", exact=True).click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Imprimer les attestations de l'atelier").click()
    attestations = download_info.value.path().read_bytes()
    assert len(PdfReader(io.BytesIO(attestations)).pages) == len(members)
    lien = qr_code(attestations, tmp_path)
    visiteur = chromium.new_context(locale="fr-FR")
    verification = visiteur.new_page()
    verification.goto(lien)
    expect(verification.get_by_role("heading", name="Attestation valide")).to_be_visible()
    numero = verification.locator("dl.details dd").first.inner_text()
    assert numero in PdfReader(io.BytesIO(attestations)).pages[0].extract_text()
    formulaire = page.locator("form", has=page.get_by_role("button", name=f"Révoquer l'attestation n° {numero}"))
    formulaire.get_by_label("Motif de la révocation").select_option("erreur")
    formulaire.get_by_role("button", name=f"Révoquer l'attestation n° {numero}").click()
    expect(page.get_by_text(f"Attestation n° {numero} révoquée.")).to_be_visible()
    verification.reload()
    expect(verification.get_by_role("heading", name="Attestation révoquée le")).to_be_visible()
    visiteur.close()
