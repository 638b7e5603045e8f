"""Command-line tools: ``flask --app app demo | create-admin | load-referentiel | backup | restore``. Each commits
once."""

from __future__ import annotations

import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app

from core import journal
from core.auth import normalize_email
from core.francais import nombre
from core.models import Compte, Structure
from core.passwords import password_refusal
from core.timeutil import utcnow
from evaluations.curriculum import load_referentiel
from extensions import db


@click.command("demo")
@click.option("--learners", default=40, show_default=True, help="Nombre total d'apprenants.")
@click.option("--structures", default=1, show_default=True, help="Nombre de structures.")
@click.option("--if-empty", is_flag=True, help="Ne rien faire si la base contient déjà une structure.")
def demo_command(learners: int, structures: int, if_empty: bool) -> None:
    """Load the demo data set (idempotent). Demo data only: never on a real installation."""
    from demo import load_demo

    if if_empty and db.session.scalar(sa.select(Structure.id).limit(1)) is not None:
        click.echo("La base contient déjà des données : rien n'est ajouté.")
        return
    started = time.perf_counter()
    password = current_app.config["DEMO_PASSWORD"]
    report = load_demo(password, learners=learners, structures=structures)
    db.session.commit()
    click.echo(
        f"Données de démonstration ajoutées : {nombre(report.structures, 'structure')}, "
        f"{nombre(report.comptes, 'compte')}, {nombre(report.apprenants, 'apprenant')}, "
        f"{nombre(report.ateliers, 'atelier')}, en {time.perf_counter() - started:.1f} s."
    )
    click.echo(
        "Comptes : admin@demo.local, mediatrice@demo.local, benevole@demo.local, direction@demo.local, "
        "coordination@demo.local (réseau) ; France Services de Bias : admin-bias@demo.local, "
        "mediatrice-bias@demo.local"
    )
    click.echo(f"Mot de passe de démonstration : {password}")


@click.command("load-referentiel")
def load_referentiel_command() -> None:
    """Load the default curriculum and placement questionnaire (idempotent)."""
    report = load_referentiel()
    db.session.commit()
    click.echo(
        f"Référentiel v{report.curriculum_version} ({nombre(report.modules_added, 'module ajouté')}), "
        f"questionnaire v{report.questionnaire_version} ({'ajouté' if report.questionnaire_added else 'déjà présent'})."
    )


@click.command("create-admin")
@click.option("--email", prompt="Adresse électronique", help="Identifiant de connexion.")
@click.option("--structure", "structure_nom", prompt="Nom de la structure", help="Créée si elle n'existe pas.")
@click.option("--prenom", prompt="Prénom")
@click.option("--nom", prompt="Nom")
@click.password_option("--password", prompt="Mot de passe", confirmation_prompt="Confirmez le mot de passe")
def create_admin_command(email: str, structure_nom: str, prenom: str, nom: str, password: str) -> None:
    """Create the first administrator account of a real installation (and its structure)."""
    refusal = password_refusal(password, (email, prenom, nom, structure_nom))
    if refusal:
        raise click.BadParameter(refusal, param_hint="--password")
    email = normalize_email(email)
    if db.session.scalar(sa.select(Compte.id).where(Compte.email == email)) is not None:
        raise click.BadParameter("un compte utilise déjà cette adresse.", param_hint="--email")
    load_referentiel()
    structure = db.session.scalar(sa.select(Structure).where(Structure.nom == structure_nom.strip()))
    if structure is None:
        structure = Structure(nom=structure_nom.strip())
        db.session.add(structure)
        db.session.flush()
    compte = Compte(structure_id=structure.id, email=email, prenom=prenom.strip(), nom=nom.strip(), role="admin")
    compte.set_password(password)
    db.session.add(compte)
    db.session.commit()
    click.echo(f"Compte administrateur {email} créé pour « {structure.nom} ».")


def _refuse(message: str) -> None:
    """Print ``message`` (French) on stderr and end the command with status 1."""
    click.echo(f"Erreur : {message}", err=True)
    raise click.exceptions.Exit(1)


def _describe(sauvegarde) -> str:
    return (
        f"{nombre(sauvegarde.total_lignes, 'ligne')} dans {nombre(len(sauvegarde.lignes), 'table')}, "
        f"révision {sauvegarde.revision}"
    )


@click.command("backup")
@click.option(
    "--dossier",
    type=click.Path(file_okay=False, path_type=Path),
    help="Dossier où écrire la sauvegarde (par défaut BACKUP_DIR).",
)
def backup_command(dossier: Path | None) -> None:
    """Back the whole database up into a dated file beside its manifest (SHA-256, revision, rows per table)."""
    from core.sauvegarde import SauvegardeRefusee, details_de, dossier_des_sauvegardes, sauvegarder

    config = current_app.config
    try:
        sauvegarde = sauvegarder(db.engine, dossier or dossier_des_sauvegardes(config), utcnow(), config["PG_BINDIR"])
    except SauvegardeRefusee as refus:
        _refuse(refus.message)
    journal.record(None, "export", "sauvegarde", None, details_de(sauvegarde))
    db.session.commit()
    click.echo(f"Sauvegarde écrite : {sauvegarde.fichier} ({_describe(sauvegarde)}).")
    click.echo(f"Empreinte SHA-256 : {sauvegarde.sha256} (dans {sauvegarde.manifeste.name}).")


@click.command("restore")
@click.argument("fichier", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", "oui", is_flag=True, help="Ne pas demander de confirmation (pour les scripts).")
@click.option("--sans-copie", is_flag=True, help="Ne pas sauvegarder d'abord la base actuelle.")
def restore_command(fichier: Path, oui: bool, sans_copie: bool) -> None:
    """Replace the whole database by the backup FICHIER, once its checksum, integrity and schema revision are
    checked. Stop the web server and the scheduler first."""
    from core.sauvegarde import (
        SauvegardeRefusee,
        details_de,
        dossier_des_sauvegardes,
        restaurer,
        revision_du_code,
        sauvegarder,
        verifier,
    )

    config = current_app.config
    try:
        sauvegarde = verifier(db.engine, fichier, revision_du_code(), config["PG_BINDIR"])
    except SauvegardeRefusee as refus:
        _refuse(refus.message)
    click.echo(
        f"Sauvegarde vérifiée : {sauvegarde.fichier.name}, faite le {sauvegarde.cree_at:%d/%m/%Y à %H:%M} (UTC), "
        f"{_describe(sauvegarde)}."
    )
    if not oui:
        reponse = click.prompt(
            "Toutes les données actuelles de la base seront remplacées par celles de cette sauvegarde. "
            "Tapez « oui » pour continuer",
            default="non",
            show_default=False,
        )
        if reponse.strip().lower() not in {"oui", "o"}:
            _refuse("restauration annulée, rien n'a changé.")
    try:
        if not sans_copie:
            copie = sauvegarder(db.engine, dossier_des_sauvegardes(config), utcnow(), config["PG_BINDIR"])
            click.echo(f"Copie de la base actuelle, avant restauration : {copie.fichier}")
        db.session.remove()
        restaurer(db.engine, sauvegarde, config["PG_BINDIR"])
    except SauvegardeRefusee as refus:
        _refuse(refus.message)
    journal.record(None, "modification", "restauration", None, details_de(sauvegarde))
    db.session.commit()
    click.echo(f"Base restaurée depuis {sauvegarde.fichier.name} ({_describe(sauvegarde)}).")


def register(app) -> None:
    for command in (demo_command, load_referentiel_command, create_admin_command, backup_command, restore_command):
        app.cli.add_command(command)
