import pytest

from core import auth, services
from core.errors import DomainError
from tests.conftest import TEST_PASSWORD

NEW = {"prenom": "Lucie", "nom": "Roux", "email": "lucie@test.local", "role": "benevole", "is_active": True}


def test_admin_creates_an_account_in_its_structure_with_a_hashed_password(make_compte):
    admin = make_compte("admin")
    compte = services.create_compte(admin, {**NEW, "password": "une phrase de passe"})
    assert compte.structure_id == admin.structure_id
    assert compte.password_hash.startswith(("scrypt:", "pbkdf2:", "argon2"))
    assert "une phrase" not in compte.password_hash
    assert auth.authenticate("LUCIE@test.local ", "une phrase de passe") is compte


def test_email_is_unique_across_structures(make_compte, make_structure):
    admin = make_compte("admin")
    make_compte("mediateur", email="lucie@test.local", structure=make_structure())
    with pytest.raises(DomainError) as error:
        services.create_compte(admin, {**NEW, "password": "une phrase de passe"})
    assert error.value.field == "email"


def test_authenticate_refuses_unknown_wrong_and_inactive_alike(make_compte):
    compte = make_compte("mediateur")
    assert auth.authenticate("inconnu@test.local", TEST_PASSWORD) is None
    assert auth.authenticate(compte.email, "mauvais mot de passe") is None
    assert auth.authenticate(compte.email, TEST_PASSWORD) is compte
    compte.is_active = False
    assert auth.authenticate(compte.email, TEST_PASSWORD) is None


def test_password_change_and_deactivation_end_open_sessions(make_compte):
    admin = make_compte("admin")
    compte = make_compte("mediateur")
    before = compte.get_id()
    data = {**NEW, "email": compte.email, "role": "mediateur", "password": "nouvelle phrase de passe"}
    services.update_compte(admin, compte, data)
    after_password = compte.get_id()
    assert after_password != before
    services.update_compte(admin, compte, {**data, "password": None, "is_active": False})
    assert compte.get_id() != after_password


@pytest.mark.parametrize(("change", "field"), [({"is_active": False}, "is_active"), ({"role": "mediateur"}, "role")])
def test_admin_cannot_lock_themselves_out(make_compte, change, field):
    admin = make_compte("admin")
    data = {"prenom": admin.prenom, "nom": admin.nom, "email": admin.email, "role": "admin", "is_active": True}
    with pytest.raises(DomainError) as error:
        services.update_compte(admin, admin, {**data, **change, "password": None})
    assert error.value.field == field
