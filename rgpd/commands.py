"""``flask --app app retention [--dry-run]``: the retention sweep of ``rgpd.jobs`` run by hand.

Without ``--dry-run`` it runs the very function the scheduler's job runs (``rgpd.jobs.conserver``), which
commits structure by structure. With it, it lists what would go (counts per structure, the learners' ids, never a
name) and changes nothing.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from core.timeutil import utcnow


@click.command("retention")
@click.option("--dry-run", is_flag=True, help="Lister ce qui serait effacé, sans rien changer.")
@with_appcontext
def retention_command(dry_run: bool) -> None:
    """Conservation des données : anonymiser les personnes sans contact depuis la durée de conservation, vider
    les messages de plus de 3 mois, supprimer les lignes du journal de plus de 12 mois."""
    from rgpd import jobs

    rapports = jobs.conserver(utcnow(), appliquer=not dry_run)
    click.echo("Simulation : rien n'a été changé." if dry_run else "Conservation appliquée.")
    for rapport in rapports:
        qui = "sans structure" if rapport.structure_id is None else f"structure {rapport.structure_id}"
        click.echo(f"{qui} : {rapport.en_mots(simulation=dry_run)}")
        if rapport.apprenants:
            click.echo(f"  personnes (identifiants) : {', '.join(map(str, rapport.apprenants))}")
