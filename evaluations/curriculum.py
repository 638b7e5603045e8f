"""Loading the versioned default curriculum and placement questionnaire into the database."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from core.cache import cached
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
    return db.session.scalar(_current_questionnaire_statement())


@cache
def _current_questionnaire_statement() -> sa.Select:
    """Built once per process: building a statement (and its cache key) on every request cost more than running it."""
    return sa.select(Questionnaire).order_by(Questionnaire.version.desc()).limit(1)


def modules_of_version(version: int) -> list[Module]:
    """The six modules of ``version`` with their skills, in order, as ORM objects of the current session.

    For writing (the demo data attaches séances to them). Pages read :func:`curriculum` instead.
    """
    return list(
        db.session.scalars(
            sa.select(Module)
            .where(Module.version == version)
            .order_by(Module.numero)
            .options(selectinload(Module.competences))
        )
    )


@dataclass(frozen=True)
class CompetenceInfo:
    """A skill of a curriculum version as plain values (see :func:`curriculum`)."""

    id: int
    module_id: int
    numero: int
    code: str  # "M2.1"
    libelle: str
    libelle_attestation: str
    is_evaluation_finale: bool


@dataclass(frozen=True)
class ModuleInfo:
    """A module of a curriculum version with its skills in order, as plain values (see :func:`curriculum`)."""

    id: int
    version: int
    numero: int
    code: str  # "M2"
    titre: str
    duree_minutes: int
    competences: tuple[CompetenceInfo, ...]


def curriculum(version: int) -> tuple[ModuleInfo, ...]:
    """The modules of curriculum ``version`` with their skills, in order; empty if the version is not loaded.

    A version never changes once loaded (``load_referentiel`` adds a version whole and leaves it alone), so it
    is read from the database once per application (``core.cache``) and kept as frozen plain values that any
    request may share. Two queries on first use, none after.
    """
    return cached("curriculum", version, lambda: tuple(_module_info(module) for module in modules_of_version(version)))


def _module_info(module: Module) -> ModuleInfo:
    return ModuleInfo(
        id=module.id,
        version=module.version,
        numero=module.numero,
        code=module.code,
        titre=module.titre,
        duree_minutes=module.duree_minutes,
        competences=tuple(
            CompetenceInfo(
                id=competence.id,
                module_id=module.id,
                numero=competence.numero,
                code=f"{module.code}.{competence.numero}",
                libelle=competence.libelle,
                libelle_attestation=competence.libelle_attestation,
                is_evaluation_finale=competence.is_evaluation_finale,
            )
            for competence in module.competences
        ),
    )
