"""Backups of the whole database and their restoration (``flask --app app backup | restore``, the nightly job).

A backup is two files in the backup folder, both readable by their owner only (they hold personal data):

- the data: ``ateliers-20261201T023000Z.sqlite3`` (SQLite, written through the online backup API, never a copy
  of the live file) or ``ateliers-20261201T023000Z.dump`` (PostgreSQL, ``pg_dump`` custom format);
- its manifest ``<data file>.json``: the SHA-256 of the data file, the Alembic revision, the database kind, the
  moment (UTC) and the rows of each table, all read from the same consistent snapshot as the data.

A restoration checks the file before replacing anything (manifest, checksum, integrity, same database kind,
revision equal to the code's head) and raises :class:`SauvegardeRefusee` with the reason in French otherwise.
Nothing here commits application rows: the command or the job journals and commits.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404 # runs pg_dump and pg_restore only, with argument lists and no shell
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite as sqlite_dialects

FORMAT = 1
PREFIX = "ateliers-"
EXTENSIONS = {"sqlite": ".sqlite3", "postgresql": ".dump"}
STAMP = "%Y%m%dT%H%M%SZ"
FILE_NAME = re.compile(r"^ateliers-(\d{8}T\d{6}Z)(?:-(\d+))?\.(sqlite3|dump)$")
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
OWNER_ONLY = 0o600
BASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# Where Debian installs each PostgreSQL major version's programs (as scripts/with-postgres.sh looks for them).
DEBIAN_PG_BINDIRS = "/usr/lib/postgresql"
SQLITE_DIALECT = sqlite_dialects.dialect()


class SauvegardeRefusee(Exception):
    """A backup or a restoration that cannot be done; ``message`` says why in French, for the person at the
    terminal. Nothing was replaced."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Sauvegarde:
    """One backup: its data file, its manifest and what the manifest says."""

    fichier: Path
    manifeste: Path
    sha256: str
    base: str
    revision: str | None
    cree_at: datetime
    lignes: dict[str, int] = field(default_factory=dict)

    @property
    def total_lignes(self) -> int:
        return sum(self.lignes.values())

    def to_manifest(self) -> dict:
        return {
            "format": FORMAT,
            "fichier": self.fichier.name,
            "sha256": self.sha256,
            "base": self.base,
            "revision": self.revision,
            "cree_at": self.cree_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "lignes": self.lignes,
        }


# --- files ---


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of the file at ``path``, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _create_owner_only(path: Path) -> None:
    """Create ``path`` empty with mode 0600 (refused if it exists)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY))


def as_utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime; a naive one is UTC already (as ``core.timeutil.utcnow`` gives)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _free_name(dossier: Path, base: str, now: datetime) -> Path:
    stem = f"{PREFIX}{as_utc(now).strftime(STAMP)}"
    extension = EXTENSIONS[base]
    candidate = dossier / f"{stem}{extension}"
    rank = 2
    while candidate.exists() or _manifest_path(candidate).exists():
        candidate = dossier / f"{stem}-{rank}{extension}"
        rank += 1
    return candidate


def _manifest_path(data: Path) -> Path:
    return data.with_name(data.name + ".json")


def _write_manifest(sauvegarde: Sauvegarde) -> None:
    partial = sauvegarde.manifeste.with_name(sauvegarde.manifeste.name + ".partiel")
    _create_owner_only(partial)
    partial.write_text(json.dumps(sauvegarde.to_manifest(), indent=2, sort_keys=True), encoding="utf-8")
    partial.replace(sauvegarde.manifeste)


def sauvegardes_du_dossier(dossier: Path) -> list[Path]:
    """The backups' data files in ``dossier`` (named by :func:`sauvegarder`), oldest first: by moment, then by
    rank within the same second (``…Z.sqlite3`` before ``…Z-2.sqlite3``)."""
    if not dossier.is_dir():
        return []
    return sorted((p for p in dossier.iterdir() if FILE_NAME.match(p.name)), key=_order)


def _order(path: Path) -> tuple[str, int]:
    match = FILE_NAME.match(path.name)
    return match.group(1), int(match.group(2) or 1)


def faire_tourner(dossier: Path, garder: int) -> list[Path]:
    """Delete all but the ``garder`` newest backups of ``dossier`` (data file and manifest); return the data
    files deleted. ``garder`` below 1 counts as 1: the newest backup is never deleted."""
    fichiers = sauvegardes_du_dossier(dossier)
    supprimes = fichiers[: max(len(fichiers) - max(garder, 1), 0)]
    for fichier in supprimes:
        fichier.unlink(missing_ok=True)
        _manifest_path(fichier).unlink(missing_ok=True)
    return supprimes


# --- taking a backup ---


def sauvegarder(engine: sa.Engine, dossier: Path, now: datetime, pg_bindir: str = "") -> Sauvegarde:
    """Back the whole database of ``engine`` up into ``dossier`` (created 0700 if missing).

    SQLite: the online backup API copies the live database in one step, a consistent snapshot even while other
    connections write. PostgreSQL: ``pg_dump`` in custom format on a snapshot exported from a repeatable-read
    transaction, the same snapshot the row counts are read from.

    :param now: the moment of the backup (UTC), in the file name and the manifest.
    :param pg_bindir: folder of ``pg_dump`` (setting ``PG_BINDIR``); empty: found as :func:`outil_postgresql`.
    :returns: the backup written (data file and manifest, both 0600).
    :raises SauvegardeRefusee: an unknown database kind, or no ``pg_dump`` of the server's major version.
    """
    base = engine.dialect.name
    if base not in EXTENSIONS:
        raise SauvegardeRefusee(f"Les sauvegardes ne savent pas traiter une base {base}.")
    dossier.mkdir(mode=0o700, parents=True, exist_ok=True)
    fichier = _free_name(dossier, base, now)
    partial = fichier.with_name(fichier.name + ".partiel")
    _create_owner_only(partial)
    try:
        if base == "sqlite":
            revision, lignes = _backup_sqlite(engine, partial)
        else:
            revision, lignes = _backup_postgresql(engine, partial, pg_bindir)
        partial.replace(fichier)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    sauvegarde = Sauvegarde(
        fichier=fichier,
        manifeste=_manifest_path(fichier),
        sha256=sha256_of(fichier),
        base=base,
        revision=revision,
        cree_at=as_utc(now).replace(microsecond=0, tzinfo=None),
        lignes=lignes,
    )
    _write_manifest(sauvegarde)
    return sauvegarde


def _sqlite_path(engine: sa.Engine) -> str:
    database = engine.url.database
    if not database or database == ":memory:":
        raise SauvegardeRefusee("Une base SQLite en mémoire ne se sauvegarde pas : indiquez un fichier.")
    if not Path(database).is_file():
        raise SauvegardeRefusee(f"La base SQLite {database} n'existe pas.")
    return database


def _count_rows(name: str):
    """``SELECT count(*)`` of the table ``name`` (a name read from the database's catalogue), the identifier
    quoted by SQLAlchemy."""
    return sa.select(sa.func.count()).select_from(sa.table(name))


def _count_sql(name: str, dialect) -> str:
    return str(_count_rows(name).compile(dialect=dialect))


def _sqlite_facts(connection: sqlite3.Connection) -> tuple[str | None, dict[str, int]]:
    """The Alembic revision and the rows of each table of an open SQLite database."""
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    lignes = {name: connection.execute(_count_sql(name, SQLITE_DIALECT)).fetchone()[0] for name in tables}
    revision = None
    if "alembic_version" in tables:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    return revision, lignes


def _backup_sqlite(engine: sa.Engine, destination: Path) -> tuple[str | None, dict[str, int]]:
    source = sqlite3.connect(_sqlite_path(engine), timeout=30)
    target = sqlite3.connect(destination)
    try:
        # pages=-1: the whole database in one step, under one read transaction: a consistent snapshot.
        source.backup(target, pages=-1)
        # A single self-contained file: readable later without its -wal and -shm companions.
        target.execute("PRAGMA journal_mode=DELETE")
        return _sqlite_facts(target)
    finally:
        target.close()
        source.close()


def _libpq(engine: sa.Engine) -> tuple[str, dict[str, str]]:
    """The database address for libpq's programs, and their environment: the password travels in
    ``PGPASSWORD``, never on a command line that ``ps`` shows."""
    url = engine.url
    environment = {**os.environ}
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    address = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return address, environment


def _major_of(program: Path) -> int | None:
    try:
        done = subprocess.run(  # nosec B603 # a PostgreSQL program found by path, fixed arguments
            [str(program), "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return None
    match = re.search(r"\)\s+(\d+)", done.stdout)
    return int(match.group(1)) if match else None


def outil_postgresql(nom: str, server_major: int, pg_bindir: str = "") -> Path:
    """The PostgreSQL program ``nom`` (pg_dump, pg_restore) of the server's major version.

    Looked for in ``pg_bindir`` when set, else in Debian's ``/usr/lib/postgresql/<major>/bin``, else the newest
    ``/usr/lib/postgresql/*/bin`` (as scripts/with-postgres.sh does), else on the ``PATH``.

    :raises SauvegardeRefusee: not found, or of another major version than the server (a dump by another
        major version may not restore, or not run at all).
    """
    if pg_bindir:
        candidates = [Path(pg_bindir) / nom]
    else:
        installed = sorted(
            Path(DEBIAN_PG_BINDIRS).glob(f"*/bin/{nom}"),
            key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
            reverse=True,
        )
        preferred = Path(DEBIAN_PG_BINDIRS) / str(server_major) / "bin" / nom
        on_path = shutil.which(nom)
        candidates = [preferred, *installed, *([Path(on_path)] if on_path else [])]
    found = [(path, _major_of(path)) for path in dict.fromkeys(candidates) if path.is_file()]
    for path, major in found:
        if major == server_major:
            return path
    if not found:
        raise SauvegardeRefusee(
            f"{nom} est introuvable : installez le client PostgreSQL {server_major} "
            f"(apt-get install postgresql-client-{server_major}) ou indiquez son dossier dans PG_BINDIR."
        )
    path, major = found[0]
    raise SauvegardeRefusee(
        f"{nom} ({path}) est de la version {major} de PostgreSQL, le serveur de la version {server_major} : "
        f"installez postgresql-client-{server_major} ou indiquez son dossier dans PG_BINDIR."
    )


def _server_major(connection) -> int:
    return int(connection.execute(sa.text("SHOW server_version_num")).scalar()) // 10000


def _postgresql_facts(connection) -> tuple[str | None, dict[str, int]]:
    tables = list(
        connection.execute(
            sa.text(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
                "AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        ).scalars()
    )
    lignes = {name: connection.execute(_count_rows(name)).scalar() for name in tables}
    revision = None
    if "alembic_version" in tables:
        revision = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    return revision, lignes


def _backup_postgresql(engine: sa.Engine, destination: Path, pg_bindir: str) -> tuple[str | None, dict[str, int]]:
    address, environment = _libpq(engine)
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            pg_dump = outil_postgresql("pg_dump", _server_major(connection), pg_bindir)
            # pg_dump reads the snapshot of this transaction: the counts below and the dump see the same rows.
            snapshot = connection.execute(sa.text("SELECT pg_export_snapshot()")).scalar()
            revision, lignes = _postgresql_facts(connection)
            done = subprocess.run(  # nosec B603 # pg_dump by path, arguments from the configuration
                [
                    str(pg_dump),
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={destination}",
                    f"--dbname={address}",
                ],
                env=environment,
                capture_output=True,
                text=True,
                check=False,
            )
    if done.returncode != 0:
        raise SauvegardeRefusee(f"pg_dump a échoué : {done.stderr.strip()}")
    return revision, lignes


# --- checking and restoring ---


def lire_manifeste(fichier: Path) -> Sauvegarde:
    """The backup whose data file (or manifest) is ``fichier``, as its manifest describes it.

    :raises SauvegardeRefusee: no such file, or no readable manifest beside it (not a backup of this app).
    """
    fichier = Path(fichier)
    if fichier.name.endswith(".json"):
        fichier = fichier.with_name(fichier.name[: -len(".json")])
    if not fichier.is_file():
        raise SauvegardeRefusee(f"Le fichier {fichier} n'existe pas.")
    manifeste = _manifest_path(fichier)
    try:
        contenu = json.loads(manifeste.read_text(encoding="utf-8"))
        sauvegarde = Sauvegarde(
            fichier=fichier,
            manifeste=manifeste,
            sha256=str(contenu["sha256"]),
            base=str(contenu["base"]),
            revision=contenu["revision"],
            cree_at=datetime.strptime(contenu["cree_at"], "%Y-%m-%dT%H:%M:%SZ"),
            lignes={str(k): int(v) for k, v in contenu["lignes"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise SauvegardeRefusee(
            f"{fichier.name} n'est pas une sauvegarde de l'application : son manifeste {manifeste.name} "
            "manque ou est illisible."
        ) from error
    if contenu.get("fichier") != fichier.name:
        raise SauvegardeRefusee(
            f"Le manifeste {manifeste.name} décrit le fichier {contenu.get('fichier')}, pas {fichier.name}."
        )
    return sauvegarde


def verifier(engine: sa.Engine, fichier: Path, head: str, pg_bindir: str = "") -> Sauvegarde:
    """Check that ``fichier`` is a sound backup that this code can restore into the database of ``engine``.

    In order: its manifest, its SHA-256, the same database kind, the file's own integrity (SQLite
    ``PRAGMA integrity_check``; PostgreSQL ``pg_restore --list``), and its Alembic revision (read from the data,
    not the manifest) equal to the code's ``head``. Reads only; changes nothing.

    :returns: the backup, as its manifest describes it.
    :raises SauvegardeRefusee: the first check that fails, with what to do in French.
    """
    sauvegarde = lire_manifeste(fichier)
    if sha256_of(sauvegarde.fichier) != sauvegarde.sha256:
        raise SauvegardeRefusee(
            f"{sauvegarde.fichier.name} est abîmé ou a été modifié : son empreinte SHA-256 n'est plus celle "
            "de son manifeste. Prenez une autre sauvegarde."
        )
    base = engine.dialect.name
    if sauvegarde.base != base:
        raise SauvegardeRefusee(
            f"Cette sauvegarde vient d'une base {BASES.get(sauvegarde.base, sauvegarde.base)} ; la base de "
            f"l'application est {BASES.get(base, base)}."
        )
    if base == "sqlite":
        revision = _check_sqlite(sauvegarde.fichier)
    else:
        revision = _check_postgresql(engine, sauvegarde.fichier, pg_bindir)
    _check_revision(revision, head)
    return sauvegarde


def _not_a_backup(fichier: Path, base: str) -> SauvegardeRefusee:
    return SauvegardeRefusee(f"{fichier.name} n'est pas une sauvegarde {BASES[base]} lisible.")


def _check_sqlite(fichier: Path) -> str | None:
    with fichier.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise _not_a_backup(fichier, "sqlite")
    try:
        connection = sqlite3.connect(f"{fichier.resolve().as_uri()}?mode=ro", uri=True)
        try:
            resultat = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if resultat != ["ok"]:
                raise SauvegardeRefusee(
                    f"{fichier.name} est abîmé (contrôle d'intégrité de SQLite : {'; '.join(resultat[:3])})."
                )
            revision, _ = _sqlite_facts(connection)
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise _not_a_backup(fichier, "sqlite") from error
    return revision


def _run_pg(program: Path, arguments: list[str], environment: dict[str, str] | None = None):
    return subprocess.run(  # nosec B603 # a PostgreSQL program by path, arguments built here, no shell
        [str(program), *arguments], env=environment, capture_output=True, text=True, check=False
    )


def _check_postgresql(engine: sa.Engine, fichier: Path, pg_bindir: str) -> str | None:
    with fichier.open("rb") as handle:
        if handle.read(len(PGDUMP_MAGIC)) != PGDUMP_MAGIC:
            raise _not_a_backup(fichier, "postgresql")
    with engine.connect() as connection:
        pg_restore = outil_postgresql("pg_restore", _server_major(connection), pg_bindir)
    if _run_pg(pg_restore, ["--list", str(fichier)]).returncode != 0:
        raise _not_a_backup(fichier, "postgresql")
    # The revision as the data holds it: the rows of alembic_version, printed as a COPY block.
    done = _run_pg(pg_restore, ["--data-only", "--table=alembic_version", "--file=-", str(fichier)])
    if done.returncode != 0:
        raise _not_a_backup(fichier, "postgresql")
    lines = done.stdout.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and index + 1 < len(lines):
            value = lines[index + 1].strip()
            return None if value == "\\." else value
    return None


def _check_revision(revision: str | None, head: str) -> None:
    if revision == head:
        return
    upgrade = "flask --app app db upgrade"
    if revision is None:
        raise SauvegardeRefusee(
            "Cette sauvegarde ne dit pas à quelle version du schéma elle correspond (pas de table "
            f"alembic_version) : elle ne peut pas être restaurée par l'application (version {head})."
        )
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError

    try:
        known = _script_directory().get_revision(revision) is not None
    except (CommandError, RevisionError):
        known = False
    if known:
        raise SauvegardeRefusee(
            f"Cette sauvegarde est à la révision {revision} du schéma, plus ancienne que celle du code ({head}). "
            "Restaurez-la avec la version de l'application qui l'a faite, puis lancez "
            f"« {upgrade} » pour passer la base à {head}."
        )
    raise SauvegardeRefusee(
        f"Cette sauvegarde vient d'une version plus récente de l'application (révision {revision}, inconnue de "
        f"ce code, à la révision {head}) : mettez d'abord l'application à jour, lancez « {upgrade} », "
        "puis restaurez."
    )


def _script_directory():
    from alembic.script import ScriptDirectory
    from flask import current_app

    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config)


def revision_du_code() -> str:
    """The head revision of the migrations shipped with this code (needs an application context)."""
    return _script_directory().get_current_head()


def restaurer(engine: sa.Engine, sauvegarde: Sauvegarde, pg_bindir: str = "") -> None:
    """Replace every row of the database of ``engine`` by those of ``sauvegarde``, checked beforehand by
    :func:`verifier`. The pool's connections are closed first; other processes (web server, scheduler) should be
    stopped. SQLite: the online backup API writes the backup into the live database (one transaction).
    PostgreSQL: ``pg_restore --clean --single-transaction`` (all or nothing), triggers included.

    :raises SauvegardeRefusee: pg_restore failed (the database is left as it was).
    """
    engine.dispose()
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(f"{sauvegarde.fichier.resolve().as_uri()}?mode=ro", uri=True)
        target = sqlite3.connect(_sqlite_path(engine), timeout=30)
        try:
            source.backup(target, pages=-1)
        finally:
            target.close()
            source.close()
        return
    address, environment = _libpq(engine)
    with engine.connect() as connection:
        pg_restore = outil_postgresql("pg_restore", _server_major(connection), pg_bindir)
    engine.dispose()
    done = _run_pg(
        pg_restore,
        [
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            f"--dbname={address}",
            str(sauvegarde.fichier),
        ],
        environment,
    )
    if done.returncode != 0:
        raise SauvegardeRefusee(f"pg_restore a échoué, la base est restée telle quelle : {done.stderr.strip()}")


# --- the nightly job ---


def deja_faite(dossier: Path, now: datetime) -> bool:
    """Whether ``dossier`` holds a backup made on the UTC day of ``now``."""
    jour = as_utc(now).strftime("%Y%m%d")
    return any(FILE_NAME.match(p.name).group(1).startswith(jour) for p in sauvegardes_du_dossier(dossier))


@dataclass(frozen=True)
class BilanNocturne:
    """What one run of the nightly backup did."""

    sauvegarde: Sauvegarde | None
    supprimees: int


def sauvegarde_nocturne(
    engine: sa.Engine, dossier: Path, garder: int, now: datetime, pg_bindir: str = ""
) -> BilanNocturne:
    """The nightly backup: one backup per UTC day into ``dossier`` (a second run the same day does nothing),
    then the rotation keeping the ``garder`` newest. Writes no row: the caller journals the counts.
    """
    if deja_faite(dossier, now):
        return BilanNocturne(None, 0)
    sauvegarde = sauvegarder(engine, dossier, now, pg_bindir)
    return BilanNocturne(sauvegarde, len(faire_tourner(dossier, garder)))


def dossier_des_sauvegardes(config) -> Path:
    """The backup folder of the application's ``config``: ``BACKUP_DIR``, else ``<INSTANCE_PATH>/sauvegardes``."""
    return Path(config["BACKUP_DIR"] or Path(config["INSTANCE_PATH"]) / "sauvegardes")


def sauvegarder_la_nuit(now: datetime) -> BilanNocturne:
    """The scheduler's nightly job (needs an application context): :func:`sauvegarde_nocturne` with the
    settings ``BACKUP_DIR``, ``BACKUP_KEEP`` and ``PG_BINDIR``, journaled (an export of the whole database,
    with counts only) and committed when a backup was made. Idempotent within a UTC day.
    """
    from flask import current_app

    from core import journal
    from extensions import db

    config = current_app.config
    bilan = sauvegarde_nocturne(
        db.engine, dossier_des_sauvegardes(config), config["BACKUP_KEEP"], now, config["PG_BINDIR"]
    )
    if bilan.sauvegarde is not None:
        journal.record(None, "export", "sauvegarde", None, details_de(bilan.sauvegarde, bilan.supprimees))
        db.session.commit()
    return bilan


def details_de(sauvegarde: Sauvegarde, supprimees: int = 0) -> str:
    """The journal's details of a backup: file name (a date), revision and counts, no personal data."""
    return (
        f"fichier={sauvegarde.fichier.name}; revision={sauvegarde.revision}; tables={len(sauvegarde.lignes)}; "
        f"lignes={sauvegarde.total_lignes}; supprimees={supprimees}"
    )
