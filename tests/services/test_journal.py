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
