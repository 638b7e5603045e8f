"""Accounts (issue 13, item 5) at the service layer: the owner's password, reset links, the inactivity job,
the TOTP second factor and the idle limit, each with the moment passed in."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from core import auth, comptes, totp
from core.errors import DomainError
from core.jobs import desactiver_comptes_inactifs
from core.models import Compte, Connexion, JetonReinitialisation, Journal
from core.timeutil import utcnow
from extensions import db
from tests.conftest import TEST_PASSWORD, open_session
from tests.smtp_server import ServeurSmtp

NOW = datetime(2026, 12, 1, 9, 0)
NOUVEAU = "girafe-violon-tempete-orge"
CLE = "cle-de-test-seulement"


def journal_details(compte_id=None) -> list[str]:
    statement = sa.select(Journal.details).order_by(Journal.id)
    if compte_id is not None:
        statement = statement.where(Journal.objet == "compte", Journal.objet_id == compte_id)
    return list(db.session.scalars(statement))


# --- password changed by its owner ---------------------------------------------------------------------------


def test_owner_changes_password_with_the_current_one_and_other_sessions_end(make_compte):
    compte = make_compte("mediateur")
    ici, ailleurs = open_session(compte), open_session(compte)
    compte = auth.compte_of_token(ici, utcnow())
    comptes.changer_mot_de_passe(compte, TEST_PASSWORD, NOUVEAU)
    db.session.commit()
    assert compte.check_password(NOUVEAU) and not compte.check_password(TEST_PASSWORD)
    assert auth.compte_of_token(ici, utcnow()) is compte
    assert auth.compte_of_token(ailleurs, utcnow()) is None
    assert journal_details(compte.id) == ["mot de passe changé par son titulaire"]


@pytest.mark.parametrize(
    ("actuel", "nouveau", "champ"),
    [
        ("pas le bon", NOUVEAU, "actuel"),
        (TEST_PASSWORD, "azertyuiop12", "nouveau"),
        (TEST_PASSWORD, TEST_PASSWORD, "nouveau"),
    ],
)
def test_owner_password_change_refused_beside_its_field(make_compte, actuel, nouveau, champ):
    compte = make_compte("mediateur")
    with pytest.raises(DomainError) as refus:
        comptes.changer_mot_de_passe(compte, actuel, nouveau)
    assert refus.value.field == champ
    db.session.rollback()
    assert compte.check_password(TEST_PASSWORD)


# --- reset links ---------------------------------------------------------------------------------------------


def test_a_reset_link_stores_only_its_hash_works_once_and_ends_every_session(make_compte):
    admin, compte = make_compte("admin"), make_compte("benevole")
    session_ouverte = auth.open_connexion(compte, timedelta(hours=30), now=NOW)
    jeton = comptes.creer_lien(admin, compte, NOW)
    db.session.commit()
    ligne = db.session.scalar(sa.select(JetonReinitialisation))
    assert ligne.token_hash == hashlib.sha256(jeton.encode()).hexdigest() and jeton not in ligne.token_hash
    assert ligne.expires_at == NOW + timedelta(hours=24)

    comptes.reinitialiser(jeton, NOUVEAU, NOW + timedelta(hours=23))
    db.session.commit()
    assert compte.check_password(NOUVEAU)
    assert auth.compte_of_token(session_ouverte, NOW + timedelta(hours=23)) is None

    with pytest.raises(DomainError) as refus:
        comptes.reinitialiser(jeton, "autre-phrase-bien-longue-zebre", NOW + timedelta(hours=23, minutes=1))
    assert refus.value.message == comptes.LIEN_UTILISE and refus.value.field is None
    db.session.rollback()
    assert compte.check_password(NOUVEAU)
    assert journal_details(compte.id) == [
        "lien de réinitialisation du mot de passe créé",
        "mot de passe choisi par lien de réinitialisation",
    ]


def test_a_reset_link_after_24_hours_changes_nothing(make_compte):
    admin, compte = make_compte("admin"), make_compte("benevole")
    jeton = comptes.creer_lien(admin, compte, NOW)
    db.session.commit()
    with pytest.raises(DomainError) as refus:
        comptes.reinitialiser(jeton, NOUVEAU, NOW + timedelta(hours=24))
    assert refus.value.message == comptes.LIEN_EXPIRE
    db.session.rollback()
    assert compte.check_password(TEST_PASSWORD)
    assert db.session.scalar(sa.select(JetonReinitialisation.used_at)) is None


def test_a_new_link_replaces_the_earlier_one_and_unknown_links_are_refused(make_compte):
    admin, compte = make_compte("admin"), make_compte("benevole")
    ancien = comptes.creer_lien(admin, compte, NOW)
    nouveau = comptes.creer_lien(admin, compte, NOW + timedelta(hours=1))
    db.session.commit()
    with pytest.raises(DomainError) as refus:
        comptes.jeton_valable(ancien, NOW + timedelta(hours=2))
    assert refus.value.message == comptes.LIEN_REMPLACE
    assert comptes.jeton_valable(nouveau, NOW + timedelta(hours=2)).compte_id == compte.id
    for inconnu in (None, "", "x" * 101, "pas-un-jeton"):
        with pytest.raises(DomainError) as refus:
            comptes.jeton_valable(inconnu, NOW)
        assert refus.value.message == comptes.LIEN_INCONNU


def test_a_weak_password_through_the_link_is_refused_and_the_link_stays_usable(make_compte):
    admin, compte = make_compte("admin"), make_compte("benevole", prenom="Lucie", nom="Roux")
    jeton = comptes.creer_lien(admin, compte, NOW)
    db.session.commit()
    with pytest.raises(DomainError) as refus:
        comptes.reinitialiser(jeton, "lucie-roux-2026", NOW)
    assert refus.value.field == "nouveau"
    db.session.rollback()
    comptes.reinitialiser(jeton, NOUVEAU, NOW)
    assert compte.check_password(NOUVEAU)


def test_no_link_for_another_structure_nor_a_deactivated_account(make_compte, make_structure):
    admin = make_compte("admin")
    ailleurs = make_compte("benevole", structure=make_structure())
    inactif = make_compte("benevole", is_active=False)
    for compte in (ailleurs, inactif):
        with pytest.raises(DomainError):
            comptes.creer_lien(admin, compte, NOW)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JetonReinitialisation)) == 0


def test_the_link_is_emailed_when_smtp_is_configured(app, make_compte, tmp_path):
    serveur = ServeurSmtp(mode="plain", dossier=tmp_path).demarrer()
    try:
        compte = make_compte("benevole", prenom="Lucie")
        assert comptes.lien_envoye_par_courriel(app.config, compte, "https://a.test/l") is False  # no SMTP_HOST
        app.config.update(serveur.config())
        assert comptes.lien_envoye_par_courriel(app.config, compte, "https://a.test/reinitialisation?jeton=abc")
    finally:
        serveur.arreter()
    ((_expediteur, destinataires, email),) = serveur.boite.recus
    assert destinataires == [compte.email]
    texte = email.get_content()
    assert "https://a.test/reinitialisation?jeton=abc" in texte and "Bonjour Lucie" in texte
    assert TEST_PASSWORD not in texte


# --- accounts unused for six months --------------------------------------------------------------------------


def test_the_job_deactivates_unused_accounts_once_journaled_with_counts(make_compte, structure):
    admin = make_compte("admin", created_at=NOW - timedelta(days=30))
    vieux = make_compte("benevole", created_at=datetime(2025, 1, 1), last_login_at=datetime(2026, 5, 31))
    jamais = make_compte("mediateur", created_at=datetime(2026, 5, 1))
    recent = make_compte("mediateur", created_at=datetime(2025, 1, 1), last_login_at=datetime(2026, 7, 1))
    session_ouverte = auth.open_connexion(vieux, timedelta(hours=8), now=NOW - timedelta(minutes=1))

    bilan = desactiver_comptes_inactifs(NOW)
    assert bilan.desactives == {structure.id: 2}
    db.session.expire_all()
    assert (vieux.is_active, jamais.is_active, recent.is_active, admin.is_active) == (False, False, True, True)
    assert vieux.desactive_inactivite_at == NOW
    assert auth.compte_of_token(session_ouverte, NOW) is None
    assert journal_details() == ["désactivation pour inactivité (6 mois) : 2 comptes"]
    assert [c.id for c in comptes.desactives_pour_inactivite(structure.id)] == [vieux.id, jamais.id]

    again = desactiver_comptes_inactifs(NOW + timedelta(days=1))
    assert again.desactives == {} and journal_details() == ["désactivation pour inactivité (6 mois) : 2 comptes"]


def test_the_structure_keeps_its_last_admin_and_a_reactivated_account_gets_six_months(make_compte, structure):
    ancien = make_compte("admin", created_at=datetime(2025, 1, 1), last_login_at=datetime(2025, 3, 1))
    dernier = make_compte("admin", created_at=datetime(2025, 1, 1), last_login_at=datetime(2025, 4, 1))
    desactiver_comptes_inactifs(NOW)
    db.session.expire_all()
    assert (ancien.is_active, dernier.is_active) == (False, True)

    assert comptes.reactiver(dernier, ancien, NOW + timedelta(days=1))
    db.session.commit()
    assert ancien.is_active and ancien.desactive_inactivite_at is None
    assert comptes.desactives_pour_inactivite(structure.id) == []
    # the reactivated admin now keeps the structure open: the other unused admin goes
    bilan = desactiver_comptes_inactifs(NOW + timedelta(days=2))
    db.session.expire_all()
    assert (ancien.is_active, dernier.is_active) == (True, False) and bilan.desactives == {structure.id: 1}
    assert journal_details()[-1] == "désactivation pour inactivité (6 mois) : 1 compte"  # singular, as French says


def test_the_admins_are_emailed_the_count_when_smtp_is_configured(app, make_compte, tmp_path):
    serveur = ServeurSmtp(mode="plain", dossier=tmp_path).demarrer()
    try:
        app.config.update(serveur.config())
        admin = make_compte("admin", created_at=NOW - timedelta(days=3))
        make_compte("benevole", prenom="Zoé", created_at=datetime(2025, 1, 1))
        bilan = desactiver_comptes_inactifs(NOW)
    finally:
        serveur.arreter()
    assert bilan.courriels == 1
    ((_expediteur, destinataires, email),) = serveur.boite.recus
    assert destinataires == [admin.email]
    assert "1 compte inutilisé depuis six mois a été désactivé" in email.get_content()
    assert "Zoé" not in email.get_content()


# --- TOTP ----------------------------------------------------------------------------------------------------


def test_enrolment_is_confirmed_by_a_first_code_and_a_code_works_once(make_compte):
    compte = make_compte("admin")
    secret = comptes.secret_en_cours(compte, CLE)
    assert comptes.secret_en_cours(compte, CLE) == secret  # the page shows the same secret again
    assert secret not in compte.totp_secret_chiffre
    with pytest.raises(DomainError) as refus:
        comptes.confirmer_totp(compte, "000000" if totp.code_a(secret, NOW) != "000000" else "111111", NOW, CLE)
    assert refus.value.field == "code" and not compte.has_totp

    comptes.confirmer_totp(compte, totp.code_a(secret, NOW), NOW, CLE)
    db.session.commit()
    assert compte.has_totp
    later = NOW + timedelta(seconds=10)
    assert not comptes.verifier_code(compte, totp.code_a(secret, NOW), later, CLE)  # the same code again
    assert comptes.verifier_code(compte, totp.code_a(secret, NOW + timedelta(seconds=30)), later, CLE)
    assert not comptes.verifier_code(compte, totp.code_a(secret, NOW + timedelta(minutes=5)), later, CLE)
    assert journal_details(compte.id) == ["double authentification activée"]


def test_the_secret_does_not_decrypt_with_another_key(make_compte):
    compte = make_compte("mediateur")
    secret = comptes.secret_en_cours(compte, CLE)
    comptes.confirmer_totp(compte, totp.code_a(secret, NOW), NOW, CLE)
    later = NOW + timedelta(seconds=30)
    assert not comptes.verifier_code(compte, totp.code_a(secret, later), later, "une-autre-cle")


def test_an_admin_removes_the_second_factor_of_a_lost_phone(make_compte, make_structure):
    admin, compte = make_compte("admin"), make_compte("mediateur")
    secret = comptes.secret_en_cours(compte, CLE)
    comptes.confirmer_totp(compte, totp.code_a(secret, NOW), NOW, CLE)
    assert comptes.retirer_totp(admin, compte)
    assert (compte.has_totp, compte.totp_secret_chiffre, compte.totp_dernier_pas) == (False, None, None)
    assert not comptes.retirer_totp(admin, compte)
    with pytest.raises(DomainError):
        comptes.retirer_totp(admin, make_compte("mediateur", structure=make_structure()))


def test_an_admin_must_enrol_only_when_the_structure_says_so(make_compte, structure):
    admin, mediatrice = make_compte("admin"), make_compte("mediateur")
    assert not comptes.doit_activer_totp(admin)
    assert comptes.regler_totp_admin(admin, structure, True)
    assert not comptes.regler_totp_admin(admin, structure, True)
    assert comptes.doit_activer_totp(admin) and not comptes.doit_activer_totp(mediatrice)
    assert journal_details() == ["second facteur obligatoire admins : oui"]


# --- the idle limit ------------------------------------------------------------------------------------------


def test_a_session_idle_past_the_limit_ends_and_activity_keeps_it_open(app, make_compte):
    app.config["SESSION_IDLE_MINUTES"] = 30
    compte = make_compte("mediateur")
    token = auth.open_connexion(compte, timedelta(hours=8), now=NOW)
    db.session.commit()
    assert auth.compte_of_token(token, NOW + timedelta(minutes=29)) is not None  # and it counts as activity
    assert db.session.scalar(sa.select(Connexion.last_seen_at)) == NOW + timedelta(minutes=29)
    assert auth.compte_of_token(token, NOW + timedelta(minutes=58)) is not None
    assert auth.compte_of_token(token, NOW + timedelta(minutes=88, seconds=1)) is None
    assert auth.ended_for_inactivity()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Connexion)) == 0


def test_activity_is_written_at_most_once_a_minute(app, make_compte, count_queries):
    compte = make_compte("mediateur")
    token = auth.open_connexion(compte, timedelta(hours=8), now=NOW)
    db.session.commit()
    with count_queries() as statements:
        auth.compte_of_token(token, NOW + timedelta(seconds=59))
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in statements)
    assert db.session.scalar(sa.select(Compte.id).where(Compte.id == compte.id)) == compte.id


def test_reactivating_through_the_account_form_gives_six_months_again(make_compte, structure, monkeypatch):
    from core import services
    from tests.ateliers_fixtures import freeze_clock

    admin = make_compte("admin", created_at=NOW - timedelta(days=3))
    dormant = make_compte("benevole", created_at=datetime(2025, 1, 1))
    desactiver_comptes_inactifs(NOW)
    db.session.expire_all()
    assert [c.id for c in comptes.desactives_pour_inactivite(structure.id)] == [dormant.id]
    freeze_clock(monkeypatch, NOW + timedelta(days=1))
    data = {"prenom": dormant.prenom, "nom": dormant.nom, "email": dormant.email, "role": "benevole"}
    services.update_compte(admin, dormant, {**data, "is_active": True, "password": None})
    db.session.commit()
    assert (dormant.reactive_at, dormant.desactive_inactivite_at) == (NOW + timedelta(days=1), None)
    assert comptes.desactives_pour_inactivite(structure.id) == []
    assert desactiver_comptes_inactifs(NOW + timedelta(days=2)).desactives == {}
