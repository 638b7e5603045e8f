import dataclasses

import pytest
import sqlalchemy as sa

from evaluations.curriculum import (
    current_curriculum_version,
    current_questionnaire,
    curriculum,
    load_referentiel,
    modules_of_version,
)
from evaluations.models import Competence, Module, Questionnaire
from evaluations.referentiel import DEFAULT_FILE
from extensions import db


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_default_curriculum_is_loaded_once(app):
    # the test database already holds version 1: loading again adds nothing
    report = load_referentiel()
    db.session.commit()
    assert (report.modules_added, report.questionnaire_added) == (0, False)
    assert (count(Module), count(Competence), count(Questionnaire)) == (6, 25, 1)
    modules = modules_of_version(1)
    assert [m.code for m in modules] == ["M1", "M2", "M3", "M4", "M5", "M6"]
    assert modules[5].competences[-1].is_evaluation_finale
    assert modules[1].competences[0].code == "M2.1"
    assert current_questionnaire().contenu["poids_pratique_presentiel"] == 2


def test_a_new_version_is_added_beside_the_old_one(app, tmp_path):
    text = DEFAULT_FILE.read_text(encoding="utf-8")
    text = text.replace("[curriculum]\nversion = 1", "[curriculum]\nversion = 2")
    text = text.replace("[questionnaire]\nversion = 1", "[questionnaire]\nversion = 2")
    text = text.replace("Tape une courte lettre", "Tape une lettre de trois lignes")
    new_file = tmp_path / "referentiel.toml"
    new_file.write_text(text, encoding="utf-8")

    report = load_referentiel(new_file)
    db.session.commit()

    assert (report.modules_added, report.questionnaire_added) == (6, True)
    assert current_curriculum_version() == 2
    assert current_questionnaire().version == 2
    old = [c.libelle for m in modules_of_version(1) for c in m.competences]
    new = [c.libelle for m in modules_of_version(2) for c in m.competences]
    assert "Tape une courte lettre" in old and "Tape une courte lettre" not in new
    assert "Tape une lettre de trois lignes" in new


def test_curriculum_is_read_once_per_application_as_plain_values(app, count_queries):
    with count_queries() as first:
        modules = curriculum(1)
    with count_queries() as again:
        assert curriculum(1) is modules
    assert len(first) == 2 and again == []
    assert [m.code for m in modules] == ["M1", "M2", "M3", "M4", "M5", "M6"]
    assert modules[1].competences[0].code == "M2.1"
    assert modules[5].competences[-1].is_evaluation_finale
    assert sum(m.duree_minutes for m in modules) == 18 * 60
    # Frozen plain values, safe to share between requests: no ORM instance bound to one session.
    assert not isinstance(modules[0], Module) and not isinstance(modules[0].competences[0], Competence)
    with pytest.raises(dataclasses.FrozenInstanceError):
        modules[0].titre = "autre"
    # The same rows as the ORM read of the version.
    orm = modules_of_version(1)
    assert [(c.id, c.libelle) for m in modules for c in m.competences] == [
        (c.id, c.libelle) for m in orm for c in m.competences
    ]


def test_a_version_not_loaded_yet_is_not_remembered_as_empty(app, tmp_path):
    assert curriculum(2) == ()
    text = DEFAULT_FILE.read_text(encoding="utf-8").replace("[curriculum]\nversion = 1", "[curriculum]\nversion = 2")
    new_file = tmp_path / "referentiel.toml"
    new_file.write_text(text, encoding="utf-8")
    load_referentiel(new_file)
    db.session.commit()
    assert [m.version for m in curriculum(2)] == [2] * 6
