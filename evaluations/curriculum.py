"""Loading the versioned default curriculum and placement questionnaire into the database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from evaluations.models import Competence, Module, Questionnaire
from evaluations.referentiel import DEFAULT_FILE, read_referentiel
from extensions import db


@dataclass(frozen=True)
class LoadReport:
    curriculum_version: int
    questionnaire_version: int
    modules_added: int
    questionnaire_added: bool


def load_referentiel(path: Path = DEFAULT_FILE) -> LoadReport:
    """Insert the curriculum and questionnaire versions of ``path`` unless already present; flush only.

    Idempotent: a version already in the database is left exactly as it is, so past workshops and placements
    keep what they were made with.
    """
    data = read_referentiel(path)
    version = data["curriculum"]["version"]
    modules_added = 0
    existing = db.session.scalar(sa.select(sa.func.count()).select_from(Module).where(Module.version == version))
    if not existing:
        for spec in data["curriculum"]["modules"]:
            module = Module(version=version, numero=spec["numero"], titre=spec["titre"])
            for numero, comp in enumerate(spec["competences"], start=1):
                module.competences.append(
                    Competence(
                        numero=numero,
                        libelle=comp["libelle"],
                        libelle_attestation=comp["attestation"],
                        is_evaluation_finale=comp.get("finale", False),
                    )
                )
            db.session.add(module)
            modules_added += 1

    q_spec = data["questionnaire"]
    q_version = q_spec["version"]
    questionnaire_added = False
    if db.session.scalar(sa.select(Questionnaire.id).where(Questionnaire.version == q_version)) is None:
        contenu = {key: value for key, value in q_spec.items() if key not in {"version", "titre"}}
        db.session.add(Questionnaire(version=q_version, titre=q_spec["titre"], contenu=contenu))
        questionnaire_added = True
    db.session.flush()
    return LoadReport(version, q_version, modules_added, questionnaire_added)


def current_curriculum_version() -> int | None:
    """The highest curriculum version in the database, the one new workshops use."""
    return db.session.scalar(sa.select(sa.func.max(Module.version)))


def current_questionnaire() -> Questionnaire | None:
    """The highest questionnaire version, the one new placements use."""
    return db.session.scalar(sa.select(Questionnaire).order_by(Questionnaire.version.desc()).limit(1))


def modules_of_version(version: int) -> list[Module]:
    """The six modules of ``version`` with their skills, in order."""
    return list(
        db.session.scalars(
            sa.select(Module)
            .where(Module.version == version)
            .order_by(Module.numero)
            .options(selectinload(Module.competences))
        )
    )
