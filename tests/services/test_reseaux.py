"""Networks (issue 12, item 6): creating one, adding and removing members, the coordination role's perimeter."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core import reseaux, services
from core.errors import DomainError
from core.models import Journal, Reseau, Structure
from extensions import db


@pytest.fixture
def admin(make_compte):
    return make_compte("admin")


@pytest.fixture
def reseau(admin):
    created = reseaux.creer_reseau(admin, "  Croix-Rouge du Lot-et-Garonne ")
    db.session.commit()
    return created


def journal_details(objet_id):
    return db.session.scalars(
        sa.select(Journal.details).where(Journal.objet == "reseau", Journal.objet_id == objet_id).order_by(Journal.id)
    ).all()


def test_creating_a_network_makes_the_admin_s_structure_its_head(admin, reseau, structure):
    assert reseau.nom == "Croix-Rouge du Lot-et-Garonne"
    assert (structure.reseau_id, structure.is_tete_reseau) == (reseau.id, True)
    assert reseaux.reseau_dirige(structure.id) == reseau
    assert journal_details(reseau.id) == [f"tête : structure {structure.id}"]


@pytest.mark.parametrize(
    ("nom", "message"), [("   ", "Donnez un nom au réseau."), ("Croix-Rouge du Lot-et-Garonne", "porte déjà ce nom")]
)
def test_a_network_needs_a_free_name(make_structure, make_compte, reseau, nom, message):
    other_admin = make_compte("admin", structure=make_structure())
    with pytest.raises(DomainError, match=message) as refused:
        reseaux.creer_reseau(other_admin, nom)
    assert refused.value.field == "nom"


def test_a_structure_already_in_a_network_cannot_create_another(admin, reseau):
    with pytest.raises(DomainError, match="fait déjà partie d'un réseau") as refused:
        reseaux.creer_reseau(admin, "Un autre réseau")
    assert refused.value.field == "nom"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reseau)) == 1


def test_the_head_adds_and_removes_members_journaled(admin, reseau, make_structure):
    member = make_structure(nom="France Services de Bias")
    reseaux.ajouter_structure(admin, member.id)
    db.session.commit()
    assert member.reseau_id == reseau.id and not member.is_tete_reseau
    assert [s.nom for s in reseaux.membres(reseau.id)] == [admin.structure.nom, member.nom]  # the head first
    assert reseaux.structures_sans_reseau() == []
    reseaux.retirer_structure(admin, member.id)
    db.session.commit()
    assert member.reseau_id is None
    assert journal_details(reseau.id)[1:] == [f"ajout : structure {member.id}", f"retrait : structure {member.id}"]


def test_a_member_of_another_network_is_refused(admin, reseau, make_structure, make_compte):
    elsewhere = make_structure(nom="CCAS de Laroque")
    reseaux.creer_reseau(make_compte("admin", structure=elsewhere), "Réseau de Laroque")
    db.session.commit()
    with pytest.raises(DomainError, match="fait déjà partie d'un autre réseau") as refused:
        reseaux.ajouter_structure(admin, elsewhere.id)
    assert refused.value.field == "structure_id"
    with pytest.raises(DomainError, match="fait déjà partie du réseau"):
        reseaux.ajouter_structure(admin, admin.structure_id)
    with pytest.raises(DomainError, match="Choisissez une structure"):
        reseaux.ajouter_structure(admin, 2**31 - 1)


def test_the_head_cannot_leave_and_a_stranger_cannot_be_removed(admin, reseau, make_structure):
    with pytest.raises(DomainError, match="La structure tête ne peut pas quitter"):
        reseaux.retirer_structure(admin, admin.structure_id)
    with pytest.raises(DomainError, match="ne fait pas partie du réseau"):
        reseaux.retirer_structure(admin, make_structure().id)


def test_only_the_head_s_admin_manages_members(admin, reseau, make_structure, make_compte):
    member = make_structure()
    reseaux.ajouter_structure(admin, member.id)
    db.session.commit()
    member_admin = make_compte("admin", structure=member)
    with pytest.raises(DomainError, match="n'est la tête d'aucun réseau"):
        reseaux.ajouter_structure(member_admin, make_structure().id)
    with pytest.raises(DomainError, match="n'est la tête d'aucun réseau"):
        reseaux.retirer_structure(member_admin, member.id)


def test_the_database_keeps_one_head_per_network_and_the_head_inside(reseau, make_structure):
    second = make_structure()
    second.reseau_id, second.is_tete_reseau = reseau.id, True
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    outside = make_structure()
    outside.is_tete_reseau = True
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_coordination_sees_the_network_it_heads_and_nothing_else(admin, reseau, make_structure, make_compte):
    member, stranger = make_structure(), make_structure()
    reseaux.ajouter_structure(admin, member.id)
    db.session.commit()
    coordination = make_compte("coordination")
    assert reseaux.perimetre(coordination) == sorted([admin.structure_id, member.id])
    assert stranger.id not in reseaux.perimetre(coordination)
    # a coordination account of a structure that heads nothing, and any other role, see nothing
    assert reseaux.perimetre(make_compte("coordination", structure=member)) == []
    assert reseaux.perimetre(admin) == []


def account_data(role, email="coord@test.local"):
    return {
        "prenom": "Rémi",
        "nom": "Coordinateur",
        "email": email,
        "role": role,
        "is_active": True,
        "password": "cheval-agrafe-pluie-lanterne",
    }


def test_the_coordination_role_is_given_only_in_a_network_s_head(make_structure, make_compte):
    lone_admin = make_compte("admin", structure=make_structure())
    with pytest.raises(DomainError, match="réservé aux comptes de la structure tête") as refused:
        services.create_compte(lone_admin, account_data("coordination"))
    assert refused.value.field == "role"
    mediateur = make_compte("mediateur", structure=lone_admin.structure)
    with pytest.raises(DomainError, match="réservé aux comptes de la structure tête"):
        services.update_compte(lone_admin, mediateur, account_data("coordination", mediateur.email))
    reseaux.creer_reseau(lone_admin, "Réseau du test")
    compte = services.create_compte(lone_admin, account_data("coordination"))
    assert compte.role == "coordination"
    assert db.session.get(Structure, compte.structure_id).is_tete_reseau
