from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from core import auth, services
from core.errors import DomainError
from core.models import Connexion
from core.timeutil import utcnow
from extensions import db
from tests.conftest import TEST_PASSWORD, open_session

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
    desk, phone = open_session(compte), open_session(compte)
    data = {**NEW, "email": compte.email, "role": "mediateur", "password": "nouvelle phrase de passe"}
    services.update_compte(admin, compte, data)
    assert auth.compte_of_token(desk, utcnow()) is None and auth.compte_of_token(phone, utcnow()) is None
    again = open_session(compte)
    services.update_compte(admin, compte, {**data, "password": None, "is_active": False})
    assert auth.compte_of_token(again, utcnow()) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Connexion)) == 0


def test_admins_changing_their_own_password_keep_their_session_only(make_compte):
    admin = make_compte("admin")
    current, elsewhere = open_session(admin), open_session(admin)
    admin = auth.compte_of_token(current, utcnow())
    data = {"prenom": admin.prenom, "nom": admin.nom, "email": admin.email, "role": "admin", "is_active": True}
    services.update_compte(admin, admin, {**data, "password": "nouvelle phrase de passe"})
    assert auth.compte_of_token(current, utcnow()) is admin
    assert auth.compte_of_token(elsewhere, utcnow()) is None


def test_a_session_ends_with_its_lifetime(make_compte):
    compte = make_compte("mediateur")
    opened = datetime(2026, 11, 30, 9, 0)
    token = auth.open_connexion(compte, timedelta(hours=8), opened)
    assert auth.compte_of_token(token, opened + timedelta(hours=7, minutes=59)) is compte
    assert auth.compte_of_token(token, opened + timedelta(hours=8)) is None
    # the next sign-in, of anyone, deletes the expired row
    auth.open_connexion(make_compte("benevole"), timedelta(hours=8), opened + timedelta(hours=9))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Connexion)) == 1


@pytest.mark.parametrize("password", [" " * 12, "123456789012", "aaaaaaaaaaaa"])
def test_services_refuse_a_weak_password_beside_its_field(make_compte, password):
    admin = make_compte("admin")
    with pytest.raises(DomainError) as created:
        services.create_compte(admin, {**NEW, "password": password})
    assert created.value.field == "password"
    compte = make_compte("mediateur")
    data = {**NEW, "email": compte.email, "role": "mediateur", "password": password}
    with pytest.raises(DomainError) as updated:
        services.update_compte(admin, compte, data)
    assert updated.value.field == "password"


@pytest.mark.parametrize(("change", "field"), [({"is_active": False}, "is_active"), ({"role": "mediateur"}, "role")])
def test_admin_cannot_lock_themselves_out(make_compte, change, field):
    admin = make_compte("admin")
    data = {"prenom": admin.prenom, "nom": admin.nom, "email": admin.email, "role": "admin", "is_active": True}
    with pytest.raises(DomainError) as error:
        services.update_compte(admin, admin, {**data, **change, "password": None})
    assert error.value.field == field
