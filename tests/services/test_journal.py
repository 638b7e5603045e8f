from datetime import timedelta

import pytest
import sqlalchemy as sa

from core import journal
from core.journal import JournalAppendOnlyError
from core.models import Journal
from core.timeutil import utcnow
from extensions import db


@pytest.fixture
def entry(make_compte):
    row = journal.record(make_compte("mediateur"), "consultation", "apprenant", 1, "fiche")
    db.session.commit()
    return row


def test_orm_refuses_to_change_a_journal_row(entry):
    entry.details = "falsifié"
    with pytest.raises(JournalAppendOnlyError):
        db.session.flush()
    db.session.rollback()


def test_orm_refuses_to_delete_a_journal_row(entry):
    db.session.delete(entry)
    with pytest.raises(JournalAppendOnlyError):
        db.session.flush()
    db.session.rollback()


def test_database_refuses_update_even_in_raw_sql(entry):
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.text("UPDATE journal SET details = 'x' WHERE id = :id"), {"id": entry.id})
    db.session.rollback()
    assert db.session.get(Journal, entry.id).details == "fiche"


def test_database_refuses_deleting_recent_rows_but_allows_expired_ones(entry, make_compte):
    with pytest.raises(sa.exc.DatabaseError, match="12 months"):
        db.session.execute(sa.text("DELETE FROM journal WHERE id = :id"), {"id": entry.id})
    db.session.rollback()
    old = Journal(action="consultation", objet="apprenant", objet_id=2, created_at=utcnow() - timedelta(days=400))
    db.session.add(old)
    db.session.commit()
    db.session.execute(sa.text("DELETE FROM journal WHERE id = :id"), {"id": old.id})
    db.session.commit()
    assert db.session.scalars(sa.select(Journal.id)).all() == [entry.id]


# Every way a recent row could be rewritten or removed in SQL, written for each database (a statement one
# database lacks is given its nearest equivalent there, e.g. SQLite's TRUNCATE is a DELETE without WHERE).
BACKDATED = "2020-01-01 00:00:00.000000"
INSERT_COLUMNS = "(id, created_at, action, objet, objet_id, details) VALUES (:id, :old, 'export', 'apprenant', 9, 'x')"
REWRITES = {
    "insert or replace over the row, backdated": {
        "sqlite": f"INSERT OR REPLACE INTO journal {INSERT_COLUMNS}",
        "postgresql": "MERGE INTO journal USING (SELECT CAST(:id AS integer) AS id, CAST(:old AS timestamp) AS old) "
        "AS s ON journal.id = s.id WHEN MATCHED THEN UPDATE SET created_at = s.old",
    },
    "replace into": {
        "sqlite": f"REPLACE INTO journal {INSERT_COLUMNS}",
        "postgresql": "MERGE INTO journal USING (SELECT CAST(:id AS integer) AS id, CAST(:old AS text) AS old) "
        "AS s ON journal.id = s.id WHEN MATCHED THEN DELETE",
    },
    "insert or replace with the id as text": {
        "sqlite": "INSERT OR REPLACE INTO journal (id, created_at, action, objet, details) "
        "VALUES (CAST(:id AS text), :old, 'export', 'apprenant', '')",
        "postgresql": f"INSERT INTO journal {INSERT_COLUMNS}",
    },
    "upsert": {
        dialect: f"INSERT INTO journal {INSERT_COLUMNS} "
        "ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at, details = excluded.details"
        for dialect in ("sqlite", "postgresql")
    },
    "update or replace onto another row's id": {
        "sqlite": "UPDATE OR REPLACE journal SET id = :id WHERE id = :other",
        "postgresql": "UPDATE journal SET id = :id + 1000 WHERE id = :id",
    },
    "delete": {dialect: "DELETE FROM journal WHERE id = :id" for dialect in ("sqlite", "postgresql")},
    "truncate": {"sqlite": "DELETE FROM journal", "postgresql": "TRUNCATE journal"},
    "truncate through a cascade": {
        "sqlite": "DELETE FROM structure",
        "postgresql": "TRUNCATE structure CASCADE",
    },
}


def _row(ident: int):
    return db.session.execute(sa.select(Journal.__table__).where(Journal.id == ident)).one_or_none()


@pytest.fixture
def other(make_compte):
    row = journal.record(make_compte("admin"), "export", "atelier", 2, "feuille d'émargement")
    db.session.commit()
    return row


@pytest.mark.parametrize("way", REWRITES)
def test_no_statement_rewrites_or_removes_a_recent_row(way, entry, other):
    before, count = _row(entry.id), db.session.scalar(sa.select(sa.func.count()).select_from(Journal))
    statement = REWRITES[way][db.engine.dialect.name]
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(sa.text(statement), {"id": entry.id, "other": other.id, "old": BACKDATED})
    db.session.rollback()
    # Nor can the row be deleted afterwards, as a backdated one could.
    with pytest.raises(sa.exc.DatabaseError, match="12 months"):
        db.session.execute(sa.text("DELETE FROM journal WHERE id = :id"), {"id": entry.id})
    db.session.rollback()
    assert _row(entry.id) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Journal)) == count


@pytest.mark.parametrize("column", [c.name for c in Journal.__table__.columns])
def test_database_refuses_an_update_of_any_column(column, entry):
    before = _row(entry.id)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.text(f"UPDATE journal SET {column} = {column} WHERE id = :id"), {"id": entry.id})
    db.session.rollback()
    assert _row(entry.id) == before


def test_new_rows_are_still_added_in_raw_sql(entry):
    db.session.execute(
        sa.text("INSERT INTO journal (created_at, action, objet, details) VALUES (:now, 'export', 'atelier', '')"),
        {"now": "2026-11-30 10:00:00.000000"},
    )
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Journal)) == 2


def test_free_text_typed_by_staff_stays_out_of_the_journal(make_compte):
    from datetime import date

    from ateliers import services as ateliers_services
    from ateliers.models import Fermeture

    fermeture = ateliers_services.ajouter_fermeture(
        make_compte("mediateur"), date(2026, 12, 24), date(2026, 12, 26), "Obsèques de M. Dupont", date(2026, 12, 1)
    )
    db.session.commit()
    assert db.session.get(Fermeture, fermeture.id).motif == "Obsèques de M. Dupont"
    details = db.session.scalars(sa.select(Journal.details).where(Journal.objet == "fermeture")).all()
    assert details == ["fermeture du 2026-12-24 au 2026-12-26"]


def test_a_consultation_is_written_at_once_like_any_row(make_compte):
    compte = make_compte("mediateur")
    avant = utcnow()
    journal.consultation(compte, "apprenant", 7, "fiche" + "x" * 300)
    # Written by its own INSERT: in the database before any flush, with the account's structure.
    row = db.session.execute(sa.select(Journal).where(Journal.objet_id == 7)).scalar_one()
    db.session.commit()
    assert (row.compte_id, row.structure_id, row.action, row.objet, len(row.details)) == (
        compte.id,
        compte.structure_id,
        "consultation",
        "apprenant",
        255,
    )
    assert avant <= row.created_at <= utcnow()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.text("UPDATE journal SET details = 'x' WHERE id = :id"), {"id": row.id})
    db.session.rollback()


def test_a_public_consultation_names_its_structure(structure):
    journal.consultation(None, "attestation", 3, "vérification publique : valide", structure_id=structure.id)
    db.session.commit()
    row = db.session.execute(sa.select(Journal).where(Journal.objet == "attestation")).scalar_one()
    assert (row.compte_id, row.structure_id) == (None, structure.id)
