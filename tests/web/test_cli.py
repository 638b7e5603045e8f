import sqlalchemy as sa

from core.models import Compte, Structure
from extensions import db


def test_create_admin_creates_structure_and_account(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-admin",
            "--email",
            "Chef@CCAS.fr",
            "--structure",
            "CCAS de Bias",
            "--prenom",
            "Anne",
            "--nom",
            "Roy",
        ],
        input="une longue phrase\nune longue phrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "Compte administrateur chef@ccas.fr créé" in result.output
    compte = db.session.scalar(sa.select(Compte).where(Compte.email == "chef@ccas.fr"))
    assert compte.role == "admin" and compte.check_password("une longue phrase")
    structure = db.session.get(Structure, compte.structure_id)
    assert structure.nom == "CCAS de Bias"
    # A new structure starts with metropolitan holidays on Paris time; the admin changes them on /admin/structure.
    assert (structure.subdivision_feries, structure.fuseau_horaire, structure.feries_travailles) == (
        None,
        "Europe/Paris",
        [],
    )


def test_create_admin_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "a@b.fr", "--structure", "S", "--prenom", "A", "--nom", "B"],
        input="court\ncourt\n",
    )
    assert result.exit_code != 0
    assert "12 caractères au moins" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Compte)) == 0


def test_create_admin_refuses_a_common_or_repeated_password(app):
    for password, reason in (("123456789012", "les plus courants"), (" " * 12, "seul caractère répété")):
        result = app.test_cli_runner().invoke(
            args=["create-admin", "--email", "a@b.fr", "--structure", "S", "--prenom", "A", "--nom", "B"],
            input=f"{password}\n{password}\n",
        )
        assert result.exit_code != 0
        assert reason in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Compte)) == 0


def test_demo_command_is_idempotent_and_if_empty_respects_real_data(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    from demo import APPRENANTS_EN_PLUS, ATELIERS_PASSES

    # the demo structure's 4 accounts and the coordination one, the network member's 2; 40 learners asked for plus
    # the member's and the history's; 6 workshops (one closed for the practice sessions) plus the past ones
    ateliers = 6 + sum(ATELIERS_PASSES.values())
    expected = f"2 structures, 7 comptes, {40 + APPRENANTS_EN_PLUS} apprenants, {ateliers} ateliers,"
    assert expected in first.output, first.output
    assert "coordination@demo.local" in first.output
    assert "atelier-demo-2026" in first.output
    # bench/ reads the figures of this report to check the data set it benches.
    from bench.common import DEMO_REPORT

    assert DEMO_REPORT.search(first.output) is not None, first.output
    second = runner.invoke(args=["demo"])
    assert "0 structure, 0 compte, 0 apprenant, 0 atelier," in second.output
    skipped = runner.invoke(args=["demo", "--if-empty"])
    assert "rien n'est ajouté" in skipped.output


def test_load_referentiel_command(app):
    result = app.test_cli_runner().invoke(args=["load-referentiel"])
    assert result.exit_code == 0
    assert "Référentiel v1 (0 module ajouté), questionnaire v1 (déjà présent)." in result.output
