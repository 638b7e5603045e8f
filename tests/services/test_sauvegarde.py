"""Backup and restore (core.sauvegarde, ``flask --app app backup | restore``): every row of every table back, the
journal's triggers back, bad files refused with nothing changed, a backup under load consistent. Run on SQLite
and, with the ``db`` marker, on PostgreSQL (each test on its own migrated database)."""

from __future__ import annotations

import hashlib
import json
import re
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from core.models import Journal
from core.sauvegarde import (
    SauvegardeRefusee,
    faire_tourner,
    outil_postgresql,
    restaurer,
    revision_du_code,
    sauvegarder,
    sauvegarder_la_nuit,
    sauvegardes_du_dossier,
    sha256_of,
    verifier,
)
from core.timeutil import utcnow
from demo import load_demo
from extensions import db
from tests.conftest import base_config
from tests.services.test_migrations import empty_database_uri  # noqa: F401  (fixture)

NOW = datetime(2026, 12, 1, 2, 30)


@pytest.fixture
def migrated_app(empty_database_uri, tmp_path):  # noqa: F811
    """An application on its own database brought to the code's head by the migrations (as in production: the
    alembic_version row and the migrations' triggers), with the demo data and a young journal row."""
    application = create_app({**base_config(empty_database_uri, tmp_path / "instance"), "BACKUP_KEEP": 2})
    (tmp_path / "instance").mkdir(mode=0o700, exist_ok=True)
    with application.app_context():
        upgrade()
        load_demo("mot-de-passe-demo", learners=12)
        db.session.add(Journal(action="consultation", objet="apprenant", objet_id=1, details="fiche"))
        db.session.commit()
        yield application
        db.session.remove()
        db.engine.dispose()


def table_fingerprints(engine) -> dict[str, tuple[int, str]]:
    """Rows and SHA-256 of the ordered rows of every table the database holds (read from its catalogue, so a
    table added later is compared too)."""
    fingerprints = {}
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        for name in sorted(inspector.get_table_names()):
            table = sa.Table(name, sa.MetaData(), autoload_with=connection)
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(sa.select(table).order_by(*order)).all()
            digest = hashlib.sha256("\n".join(repr(tuple(row)) for row in rows).encode()).hexdigest()
            fingerprints[name] = (len(rows), digest)
    return fingerprints


def young_journal_id() -> int:
    return db.session.scalar(sa.select(sa.func.max(Journal.id)))


def assert_journal_triggers_hold() -> None:
    """A young journal row can be neither deleted nor changed, even in raw SQL."""
    entry_id = young_journal_id()
    with pytest.raises(sa.exc.DatabaseError, match="kept 12 months"):
        db.session.execute(sa.text("DELETE FROM journal WHERE id = :id"), {"id": entry_id})
    db.session.rollback()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.text("UPDATE journal SET details = 'x' WHERE id = :id"), {"id": entry_id})
    db.session.rollback()
    rewrite = {
        "sqlite": "INSERT OR REPLACE INTO journal (id, created_at, action, objet, details) "
        f"VALUES ({entry_id}, '2020-01-01 00:00:00', 'export', 'apprenant', '')",
        "postgresql": "TRUNCATE journal",
    }[db.engine.dialect.name]
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.text(rewrite))
    db.session.rollback()


def test_round_trip_brings_every_row_of_every_table_back_and_the_journal_triggers(migrated_app, tmp_path):
    engine = db.engine
    before = table_fingerprints(engine)
    sauvegarde = sauvegarder(engine, tmp_path / "sauvegardes", NOW)
    assert sauvegarde.revision == revision_du_code()
    assert sauvegarde.lignes == {name: rows for name, (rows, _) in before.items()}
    assert sha256_of(sauvegarde.fichier) == sauvegarde.sha256

    # Life goes on after the backup: rows added, changed and deleted in several tables.
    db.session.execute(sa.text("UPDATE apprenant SET nom = 'Changé' WHERE id = 1"))
    db.session.execute(
        sa.text("DELETE FROM evaluation_competence WHERE id IN (SELECT min(id) FROM evaluation_competence)")
    )
    db.session.add(Journal(action="export", objet="apprenant", objet_id=2, details="pdf"))
    db.session.commit()
    assert table_fingerprints(engine) != before

    db.session.remove()
    restaurer(engine, verifier(engine, sauvegarde.fichier, revision_du_code()))

    after = table_fingerprints(engine)
    print("\nlignes par table (sauvegarde -> restauration) :")
    for name, (rows, _) in after.items():
        print(f"  {name}: {before[name][0]} -> {rows}")
    assert after == before
    assert sum(rows for rows, _ in after.values()) > 300
    assert_journal_triggers_hold()


def run(app, *arguments, input=None):
    return app.test_cli_runner().invoke(args=list(arguments), input=input, catch_exceptions=False)


def test_commands_journal_the_backup_and_the_restore_and_ask_before_replacing(migrated_app, tmp_path):
    done = run(migrated_app, "backup")
    assert done.exit_code == 0, done.output
    assert "Sauvegarde écrite" in done.output and "Empreinte SHA-256" in done.output
    dossier = tmp_path / "instance" / "sauvegardes"
    (fichier,) = [p for p in dossier.iterdir() if not p.name.endswith(".json")]
    assert stat.S_IMODE(dossier.stat().st_mode) == 0o700
    for path in (fichier, dossier / (fichier.name + ".json")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    exported = db.session.scalars(sa.select(Journal).where(Journal.objet == "sauvegarde")).one()
    assert exported.action == "export" and f"fichier={fichier.name}" in exported.details
    db.session.execute(sa.text("UPDATE apprenant SET nom = 'Changé' WHERE id = 1"))
    db.session.commit()

    refused = run(migrated_app, "restore", str(fichier), input="non\n")
    assert refused.exit_code == 1
    assert "restauration annulée, rien n'a changé" in refused.output
    assert db.session.scalar(sa.text("SELECT nom FROM apprenant WHERE id = 1")) == "Changé"

    done = run(migrated_app, "restore", str(fichier), input="oui\n")
    assert done.exit_code == 0, done.output
    assert "Copie de la base actuelle, avant restauration" in done.output
    db.session.expire_all()
    assert db.session.scalar(sa.text("SELECT nom FROM apprenant WHERE id = 1")) != "Changé"
    last = db.session.scalars(sa.select(Journal).order_by(Journal.id.desc()).limit(1)).one()
    assert (last.action, last.objet) == ("modification", "restauration")
    # The copy taken before restoring holds the change, and restores without a question with --yes.
    copie = re.search(r"avant restauration : (\S+)", done.output).group(1)
    assert Path(copie) == sauvegardes_du_dossier(dossier)[-1]
    done = run(migrated_app, "restore", "--yes", "--sans-copie", copie)
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    assert db.session.scalar(sa.text("SELECT nom FROM apprenant WHERE id = 1")) == "Changé"


def rewrite_manifest(fichier, **changes) -> None:
    manifeste = fichier.with_name(fichier.name + ".json")
    contenu = json.loads(manifeste.read_text())
    contenu.update(changes)
    manifeste.write_text(json.dumps(contenu))


@pytest.fixture
def backup(migrated_app, tmp_path):
    return sauvegarder(db.engine, tmp_path / "sauvegardes", NOW)


def refused(app, fichier) -> str:
    """Run ``restore --yes`` on ``fichier``, expect a refusal with the database untouched; return the output."""
    before = table_fingerprints(db.engine)
    done = run(app, "restore", "--yes", str(fichier))
    assert done.exit_code == 1, done.output
    assert table_fingerprints(db.engine) == before
    assert "Erreur : " in done.output
    return done.output


def test_a_file_that_is_not_a_backup_is_refused(migrated_app, tmp_path):
    stray = tmp_path / "notes.sqlite3"
    stray.write_text("liste de courses")
    assert "n'est pas une sauvegarde de l'application" in refused(migrated_app, stray)
    # With a manifest that fits, the content itself is checked.
    stray.with_name(stray.name + ".json").write_text(
        json.dumps(
            {
                "fichier": stray.name,
                "sha256": sha256_of(stray),
                "base": db.engine.dialect.name,
                "revision": revision_du_code(),
                "cree_at": "2026-12-01T02:30:00Z",
                "lignes": {},
            }
        )
    )
    assert "n'est pas une sauvegarde" in refused(migrated_app, stray)
    assert "n'existe pas" in refused(migrated_app, tmp_path / "absente.sqlite3")


def test_a_changed_or_damaged_backup_is_refused(migrated_app, backup):
    data = bytearray(backup.fichier.read_bytes())
    data[len(data) // 2] ^= 0xFF
    backup.fichier.write_bytes(bytes(data))
    assert "empreinte SHA-256" in refused(migrated_app, backup.fichier)
    # Damaged, its manifest rewritten to match: the integrity check (or pg_restore --list) still refuses it.
    backup.fichier.write_bytes(bytes(data[: len(data) // 3]))
    rewrite_manifest(backup.fichier, sha256=sha256_of(backup.fichier))
    output = refused(migrated_app, backup.fichier)
    assert "abîmé" in output or "n'est pas une sauvegarde" in output


def test_a_backup_of_another_database_kind_is_refused(migrated_app, backup):
    other = "postgresql" if db.engine.dialect.name == "sqlite" else "sqlite"
    rewrite_manifest(backup.fichier, base=other)
    assert "vient d'une base" in refused(migrated_app, backup.fichier)


@pytest.mark.parametrize(
    ("revision", "expected"),
    [
        ("0099_futur", "plus récente de l'application (révision 0099_futur"),
        ("0012_entrainements_jobs", "plus ancienne que celle du code"),
    ],
)
def test_a_backup_of_another_schema_revision_is_refused(migrated_app, tmp_path, revision, expected):
    head = revision_du_code()
    db.session.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    db.session.commit()
    sauvegarde = sauvegarder(db.engine, tmp_path / "sauvegardes", NOW)
    db.session.execute(sa.text("UPDATE alembic_version SET version_num = :r"), {"r": head})
    db.session.commit()
    output = refused(migrated_app, sauvegarde.fichier)
    assert expected in output and "flask --app app db upgrade" in output


def test_a_backup_under_load_is_consistent(migrated_app, tmp_path):
    """A writer in another connection adds journal rows two by two, in one transaction each, while backups are
    taken: each backup holds whole transactions only, and restores to exactly what its manifest counted."""
    writer_engine = sa.create_engine(migrated_app.config["SQLALCHEMY_DATABASE_URI"])
    stop = threading.Event()
    lots = []

    def write() -> None:
        lot = 0
        while not stop.is_set():
            lot += 1
            with writer_engine.begin() as connection:
                for _ in range(2):
                    connection.execute(
                        sa.text(
                            "INSERT INTO journal (created_at, action, objet, details) "
                            "VALUES (:now, 'creation', 'charge', :lot)"
                        ),
                        {"now": utcnow(), "lot": f"lot={lot}"},
                    )
            lots.append(lot)

    def charge_rows(connection) -> tuple[int, int]:
        return connection.execute(
            sa.text("SELECT count(*), count(DISTINCT details) FROM journal WHERE objet = 'charge'")
        ).one()

    initial = db.session.scalar(sa.text("SELECT count(*) FROM journal"))
    writer = threading.Thread(target=write)
    writer.start()
    try:
        sauvegardes = []
        for rank in range(3):
            while len(lots) < 5 * (rank + 1):
                stop.wait(0.01)
            sauvegardes.append(sauvegarder(db.engine, tmp_path / "sauvegardes", NOW + timedelta(seconds=rank)))
    finally:
        stop.set()
        writer.join()
        writer_engine.dispose()
    written = 2 * len(lots)
    for sauvegarde in sauvegardes:
        taken = sauvegarde.lignes["journal"] - initial
        assert taken % 2 == 0 and 0 < taken < written
    last = sauvegardes[-1]
    db.session.remove()
    restaurer(db.engine, verifier(db.engine, last.fichier, revision_du_code()))
    with db.engine.connect() as connection:
        rows, distinct_lots = charge_rows(connection)
    assert rows == last.lignes["journal"] - initial == 2 * distinct_lots


def test_nightly_job_backs_up_once_a_day_and_keeps_the_newest(migrated_app, tmp_path):
    dossier = tmp_path / "instance" / "sauvegardes"
    first = sauvegarder_la_nuit(NOW)
    again = sauvegarder_la_nuit(NOW + timedelta(hours=1))
    assert first.sauvegarde is not None and again.sauvegarde is None
    assert len([p for p in dossier.iterdir() if not p.name.endswith(".json")]) == 1
    journaled = db.session.scalar(sa.select(sa.func.count()).where(Journal.objet == "sauvegarde"))
    assert journaled == 1
    for days in (1, 2, 3):
        bilan = sauvegarder_la_nuit(NOW + timedelta(days=days))
        assert bilan.supprimees == (1 if days > 1 else 0)
    # BACKUP_KEEP = 2: the two newest, each with its manifest (the extension depends on the database).
    stems = sorted(p.name.split(".")[0] for p in dossier.iterdir())
    assert stems == ["ateliers-20261203T023000Z"] * 2 + ["ateliers-20261204T023000Z"] * 2


def test_pg_dump_of_another_major_version_is_refused_in_french(tmp_path):
    fake = tmp_path / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 15.8 (Debian 15.8-1)'\n")
    fake.chmod(0o755)
    assert outil_postgresql("pg_dump", 15, str(tmp_path)) == fake
    with pytest.raises(SauvegardeRefusee) as refusal:
        outil_postgresql("pg_dump", 16, str(tmp_path))
    assert refusal.value.message == (
        f"pg_dump ({fake}) est de la version 15 de PostgreSQL, le serveur de la version 16 : "
        "installez postgresql-client-16 ou indiquez son dossier dans PG_BINDIR."
    )
    with pytest.raises(SauvegardeRefusee, match="introuvable"):
        outil_postgresql("pg_restore", 16, str(tmp_path))


def test_backup_moments_are_utc(migrated_app, tmp_path):
    paris_evening = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    sauvegarde = sauvegarder(db.engine, tmp_path / "s", paris_evening)
    assert sauvegarde.fichier.name.startswith("ateliers-20261201T233000Z")


def test_backups_of_the_same_second_keep_their_order_in_the_rotation(migrated_app, tmp_path):
    dossier = tmp_path / "s"
    premiere, deuxieme, troisieme = (sauvegarder(db.engine, dossier, NOW) for _ in range(3))
    assert [p.name for p in sauvegardes_du_dossier(dossier)] == [
        premiere.fichier.name,
        deuxieme.fichier.name,
        troisieme.fichier.name,
    ]
    assert deuxieme.fichier.name.startswith("ateliers-20261201T023000Z-2.")
    assert faire_tourner(dossier, 1) == [premiere.fichier, deuxieme.fichier]
    assert sorted(p.name for p in dossier.iterdir()) == sorted([troisieme.fichier.name, troisieme.manifeste.name])
