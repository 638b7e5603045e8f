"""``flask --app app attestations imprimer``: a structure's attestations of a period in one PDF (a network's
yearly reprint), with a progress bar. Commits once (the journal)."""

from __future__ import annotations

import os
from datetime import time, timedelta
from pathlib import Path

import click
import sqlalchemy as sa

from attestations import services
from attestations.models import Attestation
from core import journal
from core.francais import nombre
from core.models import Structure
from core.timeutil import local_to_utc, parse_date_fr, structure_zone
from extensions import db


def _date(_ctx, _param, value: str):
    try:
        return parse_date_fr(value)
    except ValueError as error:
        raise click.BadParameter("une date jj/mm/aaaa ou aaaa-mm-jj") from error


@click.group("attestations")
def attestations_command() -> None:
    """Attestations de fin de parcours."""


@attestations_command.command("imprimer")
@click.option("--structure", "structure_id", type=int, required=True, help="Identifiant de la structure.")
@click.option("--du", "debut", required=True, callback=_date, help="Premier jour d'émission (jj/mm/aaaa).")
@click.option("--au", "fin", required=True, callback=_date, help="Dernier jour d'émission (jj/mm/aaaa).")
@click.option(
    "--sortie", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True, help="Fichier PDF."
)
def imprimer_command(structure_id: int, debut, fin, sortie: Path) -> None:
    """Write the structure's attestations not revoked issued from --du to --au (its days) into one PDF."""
    structure = db.session.get(Structure, structure_id)
    if structure is None:
        raise click.BadParameter(f"aucune structure n° {structure_id}", param_hint="--structure")
    if fin < debut:
        raise click.BadParameter("le dernier jour précède le premier", param_hint="--au")
    dossier = sortie.resolve().parent
    # Said before drawing a page: a year of attestations takes minutes to draw, lost if the file cannot be written.
    if not dossier.is_dir() or not os.access(dossier, os.W_OK):
        raise click.BadParameter(
            f"le dossier {dossier} n'existe pas ou n'est pas accessible en écriture", param_hint="--sortie"
        )
    zone = structure_zone(structure)
    attestations = list(
        db.session.scalars(
            sa.select(Attestation)
            .where(
                Attestation.structure_id == structure.id,
                Attestation.revoquee_at.is_(None),
                Attestation.emise_at >= local_to_utc(debut, time(0), zone),
                Attestation.emise_at < local_to_utc(fin + timedelta(days=1), time(0), zone),
            )
            .order_by(Attestation.id)
        )
    )
    if not attestations:
        click.echo("Aucune attestation émise sur cette période : aucun fichier écrit.")
        return
    from attestations import attestation_pdf  # PDF stack loaded on first use (core/pdf.py)

    contenus = [a.contenu for a in attestations]
    with click.progressbar(length=2 * len(contenus), label=f"{nombre(len(contenus), 'attestation')}") as barre:
        pdf = attestation_pdf.render_lot(
            _avancer(((c, None) for c in contenus), barre),
            titre=f"Attestations – {structure.nom}",
            auteur=structure.nom,
            images=services.images_de(contenus),
            apres_page=lambda: barre.update(1),
        )
    sortie.write_bytes(pdf)
    journal.record(
        None,
        "export",
        "structure",
        structure.id,
        f"impression de {len(contenus)} attestations",
        structure_id=structure.id,
    )
    db.session.commit()
    click.echo(f"{nombre(len(contenus), 'page écrite')} dans {sortie}.")


def _avancer(elements, barre):
    """``elements``, moving ``barre`` one step as each is laid out (the second step: when its page is drawn)."""
    for element in elements:
        yield element
        barre.update(1)
