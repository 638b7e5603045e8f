"""The network page of a head structure's admin (issue 12, item 6), and the coordination account's home."""

from __future__ import annotations

import html

import sqlalchemy as sa

from core import reseaux
from core.models import Apprenant, Journal, Structure
from extensions import db

URL = "/admin/reseau"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_an_admin_creates_a_network_then_adds_and_removes_a_structure(browser, make_compte, make_structure, structure):
    admin = make_compte("admin")
    bias = make_structure(nom="France Services de Bias", commune="Bias")
    browser.login(admin)
    assert "ne fait partie d'aucun réseau" in text(browser.get(URL))

    created = browser.submit(URL, {"nom": "Réseau du Lot-et-Garonne"})
    assert created.status_code == 302
    page = text(browser.get(URL))
    assert "Réseau du Lot-et-Garonne" in page and "(tête du réseau)" in page
    assert "France Services de Bias (Bias)" in page  # offered in the list of structures to add

    assert browser.submit(f"{URL}/ajouter", {"structure_id": str(bias.id)}, form_url=URL).status_code == 302
    assert db.session.get(Structure, bias.id).reseau_id == structure.reseau_id
    assert "fait maintenant partie du réseau" in text(browser.get(URL))

    assert browser.submit(f"{URL}/retirer", {"structure_id": str(bias.id)}, form_url=URL).status_code == 302
    db.session.expire_all()
    assert db.session.get(Structure, bias.id).reseau_id is None
    actions = db.session.scalars(sa.select(Journal.details).where(Journal.objet == "reseau").order_by(Journal.id))
    assert [d.split(" :")[0] for d in actions] == ["tête", "ajout", "retrait"]


def test_bad_input_is_refused_beside_the_field_and_kept(browser, make_compte, make_structure):
    admin = make_compte("admin")
    make_structure(nom="Réseau voisin, structure tête")
    browser.login(admin)
    refused = browser.submit(URL, {"nom": "x" * 161})
    page = text(refused)
    assert refused.status_code == 200 and 'id="nom-erreurs"' in page and "x" * 161 in page
    assert "Le formulaire n'a pas été enregistré" in page

    browser.submit(URL, {"nom": "Réseau A"})
    refused = browser.submit(f"{URL}/ajouter", {"structure_id": "999999"}, form_url=URL)
    page = text(refused)
    assert 'id="structure_id-erreurs"' in page and "Choisissez une structure dans la liste." in page
    refused = browser.submit(f"{URL}/retirer", {"structure_id": str(admin.structure_id)}, form_url=URL)
    assert "La structure tête ne peut pas quitter son réseau." in text(refused)
    refused = browser.submit(f"{URL}/retirer", {"structure_id": "abc"}, form_url=URL)
    assert 'id="retrait-erreurs"' in text(refused)


def test_a_structure_taken_by_another_network_meanwhile_is_refused_beside_the_field(
    browser, make_compte, make_structure
):
    admin = make_compte("admin")
    browser.login(admin)
    browser.submit(URL, {"nom": "Réseau A"})
    target = make_structure(nom="CCAS de Laroque")
    page = browser.get(URL).get_data(as_text=True)  # the page offers it...
    other_admin = make_compte("admin", structure=make_structure(nom="CCAS tête B"))
    reseaux.creer_reseau(other_admin, "Réseau B")
    reseaux.ajouter_structure(other_admin, target.id)  # ...then another network takes it
    db.session.commit()
    assert "CCAS de Laroque" in page
    refused = browser.submit(f"{URL}/ajouter", {"structure_id": str(target.id)}, form_url=URL)
    assert "Choisissez une structure dans la liste." in text(refused)
    assert db.session.get(Structure, target.id).reseau_id != admin.structure.reseau_id


def test_a_member_s_admin_sees_the_network_read_only(browser, make_compte, make_structure):
    head_admin = make_compte("admin")
    member = make_structure(nom="CCAS membre")
    reseaux.creer_reseau(head_admin, "Réseau A")
    reseaux.ajouter_structure(head_admin, member.id)
    db.session.commit()
    browser.login(make_compte("admin", structure=member))
    page = text(browser.get(URL))
    assert "Seul l'administrateur de la structure tête" in page and "Retirer du réseau" not in page
    refused = browser.submit(f"{URL}/retirer", {"structure_id": str(member.id)}, form_url=URL)
    assert "n'est la tête d'aucun réseau" in text(refused)


def test_the_posts_need_the_csrf_token(make_app, make_compte):
    from tests.web.test_access_matrix import signed_in_client

    app = make_app(WTF_CSRF_ENABLED=True)
    client = signed_in_client(app, make_compte("admin"))
    assert client.post(URL, data={"nom": "Réseau A"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Journal)) == 0


def test_coordination_home_lists_the_network_s_structures_with_counts_only(
    browser, make_compte, make_structure, make_apprenant
):
    head_admin = make_compte("admin")
    member = make_structure(nom="France Services de Bias", commune="Bias")
    reseaux.creer_reseau(head_admin, "Réseau A")
    reseaux.ajouter_structure(head_admin, member.id)
    db.session.commit()
    for _ in range(3):
        make_apprenant(structure=member)
    browser.login(make_compte("coordination"))
    page = text(browser.get("/"))
    assert "Réseau « Réseau A »" in page and "2 structures du réseau" in page
    assert "<td>France Services de Bias</td>" in page and "<td>3</td>" in page
    assert not any(a.nom in page for a in db.session.scalars(sa.select(Apprenant)))
    assert 'href="/apprenants/' not in page


def test_coordination_home_runs_a_flat_number_of_queries(
    browser, make_compte, make_structure, make_apprenant, count_queries
):
    head_admin = make_compte("admin")
    reseaux.creer_reseau(head_admin, "Réseau A")
    db.session.commit()
    browser.login(make_compte("coordination"))
    with count_queries() as few:
        assert "1 structure du réseau" in text(browser.get("/"))
    for number in range(4):
        member = make_structure(nom=f"Membre {number}")
        reseaux.ajouter_structure(head_admin, member.id)
        make_apprenant(structure=member)
    db.session.commit()
    with count_queries() as more:
        assert "5 structures du réseau" in text(browser.get("/"))
    assert len(more) == len(few)
