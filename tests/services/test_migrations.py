"""`flask db upgrade` must give exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from ateliers.models import Inscription
from extensions import db
from tests.conftest import POSTGRES_URL, base_config


@pytest.fixture
def empty_database_uri(tmp_path):
    """A brand-new empty database: a SQLite file, or a database created on the test PostgreSQL server."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    name = f"migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def migrated_app(empty_database_uri, tmp_path):
    app = create_app(base_config(empty_database_uri, tmp_path / "instance"))
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_upgrade_head_yields_exactly_the_models_schema(migrated_app):
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_migrated_journal_is_append_only(migrated_app):
    db.session.execute(
        sa.text("INSERT INTO journal (created_at, action, objet, details) VALUES (:now, 'export', 'apprenant', '')"),
        {"now": "2026-11-01 10:00:00"},
    )
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.text("UPDATE journal SET details = 'x'"))
    db.session.rollback()


def test_migrated_journal_refuses_replace_and_truncate(migrated_app):
    db.session.execute(
        sa.text(
            "INSERT INTO journal (id, created_at, action, objet, details) VALUES (1, :now, 'export', 'apprenant', '')"
        ),
        {"now": "2026-11-01 10:00:00"},
    )
    db.session.commit()
    rewrite = {
        "sqlite": "INSERT OR REPLACE INTO journal (id, created_at, action, objet, details) "
        "VALUES (1, '2020-01-01 00:00:00', 'export', 'apprenant', '')",
        "postgresql": "TRUNCATE journal",
    }[db.engine.dialect.name]
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.text(rewrite))
    db.session.rollback()
    assert db.session.scalar(sa.text("SELECT count(*) FROM journal WHERE created_at > '2026-01-01'")) == 1


def test_unlock_reasons_move_from_the_journal_to_their_workshop(empty_database_uri, tmp_path):
    app = create_app(base_config(empty_database_uri, tmp_path / "instance"))
    with app.app_context():
        upgrade(revision="0003_seances_suivi")
        run = db.session.execute
        now = "2026-01-05 10:00:00"
        run(
            sa.text(
                "INSERT INTO structure (id, nom, type, commune, adresse, created_at) "
                "VALUES (1, 'S', 'ccas', '', '', :n)"
            ),
            {"n": now},
        )
        for ident in (1, 2):
            run(
                sa.text(
                    "INSERT INTO atelier (id, structure_id, intitule, curriculum_version, demi_journee, capacite, "
                    "taille_min, ecart_max, places_prises, lieu, statut, is_locked, created_at) "
                    "VALUES (:i, 1, 'A', 1, 0, 4, 3, 20, 0, '', 'termine', false, :n)"
                ),
                {"i": ident, "n": now},
            )
        for minute, details in enumerate(
            ("déverrouillage pour correction : première fois", "déverrouillage pour correction : séance 4 mal notée")
        ):
            run(
                sa.text(
                    "INSERT INTO journal (created_at, action, objet, objet_id, details) "
                    "VALUES (:at, 'modification', 'atelier', 1, :details)"
                ),
                {"at": f"2026-01-05 10:0{minute}:00", "details": details},
            )
        db.session.commit()

        upgrade()

        motifs = dict(db.session.execute(sa.text("SELECT id, motif_deverrouillage FROM atelier")).all())
        assert motifs == {1: "séance 4 mal notée", 2: None}
        db.session.remove()
        db.engine.dispose()


def test_downgrade_to_base_removes_everything(migrated_app):
    downgrade(revision="base")
    remaining = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert remaining == set()
    upgrade()
    assert "journal" in sa.inspect(db.engine).get_table_names()


def test_upgrade_head_has_every_check_constraint_of_the_models(migrated_app):
    # Alembic's comparison ignores CHECK constraints: compare their names table by table.
    inspector = sa.inspect(db.engine)
    for table in db.metadata.sorted_tables:
        declared = {c.name for c in table.constraints if isinstance(c, sa.CheckConstraint)}
        migrated = {c["name"] for c in inspector.get_check_constraints(table.name)}
        assert migrated == declared, table.name


def test_waiting_list_migration_backfills_existing_rows(empty_database_uri, tmp_path):
    app = create_app(base_config(empty_database_uri, tmp_path / "instance"))
    with app.app_context():
        upgrade(revision="0001_initial")
        run = db.session.execute
        now = "2026-01-05 10:00:00"
        run(
            sa.text(
                "INSERT INTO structure (id, nom, type, commune, adresse, created_at) "
                "VALUES (1, 'S', 'ccas', '', '', :n)"
            ),
            {"n": now},
        )
        run(
            sa.text("INSERT INTO questionnaire (id, version, titre, contenu, created_at) VALUES (1, 1, 'Q', '{}', :n)"),
            {"n": now},
        )
        for ident in (1, 2, 3, 4):
            run(
                sa.text(
                    "INSERT INTO apprenant (id, structure_id, prenom, nom, nom_recherche, disponibilites, "
                    "canal_prefere, created_at, updated_at) VALUES (:i, 1, 'P', 'N', 'n p', 1, 'telephone', :n, :n)"
                ),
                {"i": ident, "n": now},
            )
        # 1: placed niveau 1 -> waiting; 2: niveau 3 -> oriented; 3: enrolled; 4: never placed -> no status
        for ident, niveau in ((1, 1), (2, 3), (3, 1)):
            run(
                sa.text(
                    "INSERT INTO positionnement (apprenant_id, questionnaire_id, mode, reponses, score, niveau, "
                    "is_brouillon, created_at, completed_at) VALUES (:i, 1, 'telephone', '{}', 50, :niv, false, :n, :n)"
                ),
                {"i": ident, "niv": niveau, "n": now},
            )
        run(
            sa.text(
                "INSERT INTO atelier (id, structure_id, intitule, curriculum_version, demi_journee, capacite, "
                "taille_min, lieu, statut, is_locked, created_at) "
                "VALUES (1, 1, 'A', 1, 0, 4, 3, '', 'en_cours', false, :n)"
            ),
            {"n": now},
        )
        run(
            sa.text(
                "INSERT INTO inscription (atelier_id, apprenant_id, statut, joined_on, minutes_suivies, created_at) "
                "VALUES (1, 3, 'inscrit', '2026-01-06', 0, :n)"
            ),
            {"n": now},
        )
        db.session.commit()

        upgrade()

        statuts = dict(db.session.execute(sa.text("SELECT id, statut FROM apprenant")).all())
        assert statuts == {1: "en_attente", 2: "oriente", 3: "inscrit", 4: None}
        assert db.session.scalar(sa.text("SELECT places_prises FROM atelier")) == 1
        assert db.session.scalar(sa.text("SELECT count(*) FROM apprenant WHERE en_attente_depuis_on IS NOT NULL")) == 3
        db.session.remove()
        db.engine.dispose()


def test_phone_migration_moves_overseas_numbers_stored_as_metropolitan(empty_database_uri, tmp_path):
    app = create_app(base_config(empty_database_uri, tmp_path / "instance"))
    with app.app_context():
        upgrade(revision="0003_seances_suivi")
        run = db.session.execute
        now = "2026-01-05 10:00:00"
        run(
            sa.text(
                "INSERT INTO structure (id, nom, type, commune, adresse, telephone, created_at) "
                "VALUES (1, 'S', 'ccas', '', '', '+33269601234', :n)"
            ),
            {"n": now},
        )
        stored = {
            1: "+33269601234",  # typed 0269 60 12 34: Mayotte
            2: "+33596301234",  # typed 0596 30 12 34: Martinique
            3: "+33508412345",  # typed 05 08 41 23 45: Saint-Pierre-et-Miquelon
            4: "+33612345678",  # metropolitan: unchanged
            5: "+262692123456",  # already right
            6: "+33596123456",  # no such Martinique number: kept as it was
            7: None,
        }
        for ident, telephone in stored.items():
            run(
                sa.text(
                    "INSERT INTO apprenant (id, structure_id, prenom, nom, nom_recherche, telephone, disponibilites, "
                    "canal_prefere, created_at, updated_at) "
                    "VALUES (:i, 1, 'P', 'N', 'n p', :t, 1, 'telephone', :n, :n)"
                ),
                {"i": ident, "t": telephone, "n": now},
            )
        db.session.commit()

        upgrade()

        telephones = dict(db.session.execute(sa.text("SELECT id, telephone FROM apprenant")).all())
        assert telephones == {
            1: "+262269601234",
            2: "+596596301234",
            3: "+508412345",
            4: "+33612345678",
            5: "+262692123456",
            6: "+33596123456",
            7: None,
        }
        assert db.session.scalar(sa.text("SELECT telephone FROM structure")) == "+262269601234"
        db.session.remove()
        db.engine.dispose()


def test_calendar_migration_backfills_existing_structures(empty_database_uri, tmp_path):
    app = create_app(base_config(empty_database_uri, tmp_path / "instance"))
    with app.app_context():
        upgrade(revision="0004_telephones")
        db.session.execute(
            sa.text(
                "INSERT INTO structure (id, nom, type, commune, adresse, created_at) "
                "VALUES (1, 'CCAS de Strasbourg', 'ccas', 'Strasbourg', '', '2026-01-05 10:00:00')"
            )
        )
        db.session.commit()

        upgrade()

        row = db.session.execute(
            sa.text("SELECT subdivision_feries, fuseau_horaire, feries_travailles FROM structure")
        ).one()
        assert (row[0], row[1]) == (None, "Europe/Paris")
        assert row[2] in ([], "[]")  # JSON: decoded by PostgreSQL's driver, text on SQLite
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.text("UPDATE structure SET fuseau_horaire = 'Europe/London'"))
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def test_inscription_moments_migration_backfills_joining_and_leaving(empty_database_uri, tmp_path):
    app = create_app(base_config(empty_database_uri, tmp_path / "instance"))
    with app.app_context():
        upgrade(revision="0007_inscription_moments-1")
        run = db.session.execute
        now = "2026-03-01 09:00:00"
        # Structure 1 in Paris, structure 2 in La Réunion (UTC+4): "local" days are each structure's.
        for ident, fuseau in ((1, "Europe/Paris"), (2, "Indian/Reunion")):
            run(
                sa.text(
                    "INSERT INTO structure (id, nom, type, commune, adresse, fuseau_horaire, feries_travailles, "
                    "created_at) VALUES (:i, :f, 'ccas', '', '', :f, '[]', :n)"
                ),
                {"i": ident, "f": fuseau, "n": now},
            )
        run(sa.text("INSERT INTO module (id, version, numero, titre, duree_minutes) VALUES (1, 1, 1, 'M', 180)"))
        for ident in range(1, 7):
            run(
                sa.text(
                    "INSERT INTO apprenant (id, structure_id, prenom, nom, nom_recherche, disponibilites, "
                    "canal_prefere, created_at, updated_at) VALUES (:i, :s, 'P', 'N', 'n p', 1, 'telephone', :n, :n)"
                ),
                {"i": ident, "s": 2 if ident == 6 else 1, "n": now},
            )
        for ident in (1, 2):
            run(
                sa.text(
                    "INSERT INTO atelier (id, structure_id, intitule, curriculum_version, demi_journee, capacite, "
                    "taille_min, ecart_max, places_prises, lieu, statut, is_locked, created_at) "
                    "VALUES (:i, :i, 'A', 1, 0, 4, 3, 20, 1, '', 'en_cours', false, :n)"
                ),
                {"i": ident, "n": now},
            )
        # Séance 1 on Monday 20 April 2026, 9:00-12:00 Paris; the last one ends on 11 May at 12:00 Paris.
        for ident, starts, ends in (
            (1, "2026-04-20 07:00:00", "2026-04-20 10:00:00"),
            (2, "2026-05-11 07:00:00", "2026-05-11 10:00:00"),
        ):
            run(
                sa.text(
                    "INSERT INTO seance (id, atelier_id, numero, module_id, starts_at, ends_at) "
                    "VALUES (:i, 1, :i, 1, :s, :e)"
                ),
                {"i": ident, "s": starts, "e": ends},
            )
        rows = [
            # 1: enrolled by the app at 16:00 Paris after séance 1, no status there -> from that moment
            (1, "inscrit", "2026-04-20", None, "2026-04-20 14:00:00"),
            # 2: the same, but already given a status at séance 1 -> keeps it (00:00 Paris that day)
            (2, "inscrit", "2026-04-20", None, "2026-04-20 14:00:00"),
            # 3: a row whose creation is not its joining day (demo, import) -> 00:00 Paris on joined_on
            (3, "termine", "2026-03-20", "2026-05-11", "2026-11-01 10:00:00"),
            # 4: an abandon recorded on 4 May -> to the end of that day in Paris
            (4, "abandon", "2026-03-20", "2026-05-04", "2026-03-20 10:00:00"),
            # 5: a "terminé" without its end day -> the end of the last séance
            (5, "termine", "2026-03-20", None, "2026-03-20 10:00:00"),
            # 6: as 4, in La Réunion -> 00:00 there on joined_on, the end of 4 May there
            (6, "abandon", "2026-03-20", "2026-05-04", "2026-11-01 10:00:00"),
        ]
        for ident, statut, joined_on, ended_on, created_at in rows:
            run(
                sa.text(
                    "INSERT INTO inscription (id, atelier_id, apprenant_id, statut, motif_sortie, joined_on, ended_on, "
                    "minutes_suivies, created_at) VALUES (:i, :a, :i, :s, :m, :j, :e, 0, :c)"
                ),
                {
                    "i": ident,
                    "a": 2 if ident == 6 else 1,
                    "s": statut,
                    "m": "emploi" if statut == "abandon" else None,
                    "j": joined_on,
                    "e": ended_on,
                    "c": created_at,
                },
            )
        run(
            sa.text(
                "INSERT INTO presence (seance_id, inscription_id, statut, minutes, recorded_at) "
                "VALUES (1, 2, 'absent', 0, :n)"
            ),
            {"n": "2026-04-20 15:00:00"},
        )
        db.session.commit()

        upgrade()

        moments = {
            ident: (joined_at, ended_at)
            for ident, joined_at, ended_at in db.session.execute(
                sa.select(Inscription.id, Inscription.joined_at, Inscription.ended_at)
            )
        }
        assert moments == {
            1: (datetime(2026, 4, 20, 14, 0), None),
            2: (datetime(2026, 4, 19, 22, 0), None),
            3: (datetime(2026, 3, 19, 23, 0), datetime(2026, 5, 11, 22, 0)),
            4: (datetime(2026, 3, 20, 10, 0), datetime(2026, 5, 4, 22, 0)),
            5: (datetime(2026, 3, 20, 10, 0), datetime(2026, 5, 11, 10, 0)),
            6: (datetime(2026, 3, 19, 20, 0), datetime(2026, 5, 4, 20, 0)),
        }

        db.session.rollback()  # end the read transaction: on PostgreSQL it would block the downgrade's ALTER
        downgrade(revision="0007_inscription_moments-1")
        days = db.session.execute(sa.text("SELECT id, joined_on, ended_on FROM inscription WHERE id >= 3")).all()
        assert {ident: (str(joined), str(ended)) for ident, joined, ended in days} == {
            3: ("2026-03-20", "2026-05-11"),
            4: ("2026-03-20", "2026-05-04"),
            5: ("2026-03-20", "2026-05-11"),
            6: ("2026-03-20", "2026-05-04"),
        }
        db.session.remove()
        db.engine.dispose()


def test_sessions_migration_keeps_accounts_and_what_refers_to_them(empty_database_uri, tmp_path):
    """0008 drops compte.session_version in place: accounts, and the journal rows naming them, survive."""
    app = create_app(base_config(empty_database_uri, tmp_path / "instance"))
    with app.app_context():
        upgrade(revision="0003_seances_suivi")
        run = db.session.execute
        now = "2026-11-05 10:00:00"
        run(
            sa.text(
                "INSERT INTO structure (id, nom, type, commune, adresse, created_at) "
                "VALUES (1, 'S', 'ccas', '', '', :n)"
            ),
            {"n": now},
        )
        run(
            sa.text(
                "INSERT INTO compte (id, structure_id, email, prenom, nom, role, password_hash, is_active, "
                "session_version, created_at) VALUES (7, 1, 'a@b.fr', 'A', 'B', 'admin', 'h', true, 3, :n)"
            ),
            {"n": now},
        )
        run(
            sa.text(
                "INSERT INTO journal (created_at, structure_id, compte_id, action, objet, details) "
                "VALUES (:n, 1, 7, 'creation', 'compte', '')"
            ),
            {"n": now},
        )
        db.session.commit()

        upgrade()

        columns = {column["name"] for column in sa.inspect(db.engine).get_columns("compte")}
        assert "session_version" not in columns
        assert db.session.execute(sa.text("SELECT id, email FROM compte")).all() == [(7, "a@b.fr")]
        assert db.session.scalar(sa.text("SELECT compte_id FROM journal")) == 7
        db.session.commit()  # release the tables before the downgrade alters them (PostgreSQL would wait)
        downgrade(revision="0003_seances_suivi")
        assert db.session.scalar(sa.text("SELECT session_version FROM compte")) == 1
        db.session.remove()
        db.engine.dispose()


def test_calls_migration_covers_the_alerts_of_each_call_and_marks_paper_seances_as_history(
    empty_database_uri, tmp_path
):
    """0010: an alert raised before an inscription's latest call is covered by it, a later one is not; an alert
    about a séance held before its workshop was entered is history; the downgrade gives each call an alert back."""
    app = create_app(base_config(empty_database_uri, tmp_path / "instance"))
    with app.app_context():
        upgrade(revision="0009_index_pages")
        run = db.session.execute
        now = "2026-04-01 09:00:00"
        run(
            sa.text(
                "INSERT INTO structure (id, nom, type, commune, adresse, fuseau_horaire, feries_travailles, "
                "created_at) VALUES (1, 'S', 'ccas', '', '', 'Europe/Paris', '[]', :n)"
            ),
            {"n": now},
        )
        run(sa.text("INSERT INTO module (id, version, numero, titre, duree_minutes) VALUES (1, 1, 1, 'M', 180)"))
        run(
            sa.text(
                "INSERT INTO apprenant (id, structure_id, prenom, nom, nom_recherche, disponibilites, "
                "canal_prefere, created_at, updated_at) VALUES (1, 1, 'P', 'N', 'n p', 1, 'telephone', :n, :n)"
            ),
            {"n": now},
        )
        # Entered in the app on 25 April, after séance 1 (20 April, keyed in from paper), before séance 2.
        run(
            sa.text(
                "INSERT INTO atelier (id, structure_id, intitule, curriculum_version, demi_journee, capacite, "
                "taille_min, ecart_max, places_prises, lieu, statut, is_locked, created_at) "
                "VALUES (1, 1, 'A', 1, 0, 4, 3, 20, 1, '', 'en_cours', false, '2026-04-25 10:00:00')"
            )
        )
        for numero, starts, ends in (
            (1, "2026-04-20 07:00:00", "2026-04-20 10:00:00"),
            (2, "2026-05-04 07:00:00", "2026-05-04 10:00:00"),
        ):
            run(
                sa.text(
                    "INSERT INTO seance (id, atelier_id, numero, module_id, starts_at, ends_at) "
                    "VALUES (:i, 1, :i, 1, :s, :e)"
                ),
                {"i": numero, "s": starts, "e": ends},
            )
        run(
            sa.text(
                "INSERT INTO inscription (id, atelier_id, apprenant_id, statut, minutes_suivies, joined_at, "
                "created_at) VALUES (1, 1, 1, 'inscrit', 0, '2026-04-01 09:00:00', :n)"
            ),
            {"n": now},
        )
        for ident, seance, created in ((1, 1, "2026-04-26 08:00:00"), (2, 2, "2026-05-05 08:00:00")):
            run(
                sa.text(
                    "INSERT INTO alerte (id, inscription_id, regle, niveau_risque, seance_numero, message, "
                    "created_at) VALUES (:i, 1, 'absence_non_excusee', 'a_rappeler', :s, '-', :c)"
                ),
                {"i": ident, "s": seance, "c": created},
            )
        run(
            sa.text(
                "INSERT INTO suivi (id, inscription_id, alerte_id, appel_on, resultat, suite, created_at) "
                "VALUES (1, 1, 1, '2026-04-27', 'joint', 'revient', '2026-04-27 09:00:00')"
            )
        )
        db.session.commit()

        upgrade()

        rows = run(sa.text("SELECT id, traitee_par_suivi_id, is_historique FROM alerte ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [(1, 1, True), (2, None, False)]
        assert run(sa.text("SELECT rappel_on FROM suivi")).scalar() is None
        db.session.commit()
        downgrade(revision="0009_index_pages")
        assert run(sa.text("SELECT alerte_id FROM suivi")).scalar() == 1
        db.session.remove()
        db.engine.dispose()


def test_networks_migration_leaves_existing_structures_outside_any_network(empty_database_uri, tmp_path):
    app = create_app(base_config(empty_database_uri, tmp_path / "instance"))
    with app.app_context():
        upgrade(revision="0016_attestations")
        run = db.session.execute
        for ident in (1, 2):
            run(
                sa.text(
                    "INSERT INTO structure (id, nom, type, commune, adresse, fuseau_horaire, feries_travailles, "
                    "created_at) VALUES (:i, :nom, 'ccas', '', '', 'Europe/Paris', '[]', '2026-01-05 10:00:00')"
                ),
                {"i": ident, "nom": f"CCAS {ident}"},
            )
        run(
            sa.text(
                "INSERT INTO compte (id, structure_id, email, prenom, nom, role, password_hash, is_active, "
                "created_at) VALUES (1, 1, 'a@b.fr', 'A', 'B', 'admin', 'x', true, '2026-01-05 10:00:00')"
            )
        )
        db.session.commit()

        upgrade()

        rows = run(sa.text("SELECT id, reseau_id, is_tete_reseau FROM structure ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [(1, None, False), (2, None, False)]
        # a head outside its network, or two heads, are refused by the migrated schema
        with pytest.raises(sa.exc.IntegrityError):
            run(sa.text("UPDATE structure SET is_tete_reseau = true WHERE id = 1"))
        db.session.rollback()
        run(sa.text("INSERT INTO reseau (id, nom, created_at) VALUES (1, 'R', '2026-12-01 10:00:00')"))
        run(sa.text("UPDATE structure SET reseau_id = 1, is_tete_reseau = (id = 1)"))
        db.session.commit()
        with pytest.raises(sa.exc.IntegrityError):
            run(sa.text("UPDATE structure SET is_tete_reseau = true WHERE id = 2"))
        db.session.rollback()
        run(sa.text("UPDATE compte SET role = 'coordination'"))
        db.session.commit()
        with pytest.raises(SystemExit):  # Flask-Migrate logs the migration's refusal and exits
            downgrade(revision="0016_attestations")
        db.session.rollback()
        assert run(sa.text("SELECT role FROM compte")).scalar() == "coordination"  # refused before any change
        run(sa.text("UPDATE compte SET role = 'admin'"))
        db.session.commit()
        downgrade(revision="0016_attestations")
        assert "reseau" not in sa.inspect(db.engine).get_table_names()
        db.session.remove()
        db.engine.dispose()
