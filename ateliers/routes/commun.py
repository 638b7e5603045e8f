"""Helpers shared by the screens of the ateliers blueprints: records of the current structure or 404, formatting."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

import sqlalchemy as sa
from flask import Response, abort, flash
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ateliers import queries
from ateliers.models import Atelier, Inscription, Seance
from core.errors import DomainError
from core.text import name_sort_key
from core.timeutil import horaire_fr, structure_zone, to_local
from extensions import db


def atelier_or_404(atelier_id: int, *, animateurs: bool = True) -> Atelier:
    """The workshop with everything its page shows; a volunteer sees only the workshops they co-run.

    ``animateurs=False`` for pages that show no séance's co-runners: they are then loaded only for a volunteer,
    whose access depends on them.
    """
    atelier = queries.atelier_detail(
        current_user.structure_id, atelier_id, animateurs=animateurs or current_user.role == "benevole"
    )
    if atelier is None:
        abort(404)
    if current_user.role == "benevole" and not seances_of_viewer(atelier):
        abort(404)
    return atelier


def horaire(seance: Seance) -> str:
    """``mardi 3 mars 2026, 9 h 00 – 12 h 00`` in the structure's time zone."""
    zone = structure_zone(seance.atelier.structure)
    return horaire_fr(to_local(seance.starts_at, zone), to_local(seance.ends_at, zone))


def seances_of_viewer(atelier: Atelier) -> list[Seance]:
    """The séances the signed-in account may see: all of them, or for a volunteer, those they co-run."""
    if current_user.role != "benevole":
        return list(atelier.seances)
    return [s for s in atelier.seances if any(a.id == current_user.id for a in s.animateurs)]


def field_error(form, error: DomainError) -> None:
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        flash(error.message, "error")


def seance_or_404(atelier: Atelier, numero: int) -> Seance:
    """Séance ``numero`` of ``atelier``: 404 if there is none, 403 for a volunteer who does not co-run it."""
    seance = next((s for s in atelier.seances if s.numero == numero), None)
    if seance is None:
        abort(404)
    if seance not in seances_of_viewer(atelier):
        abort(403)
    return seance


def inscription_or_404(inscription_id: int) -> Inscription:
    """An inscription of the current structure with its learner and workshop (séances, modules) loaded, in one
    query (the séances joined: six rows)."""
    params = {"inscription_id": inscription_id, "structure_id": current_user.structure_id}
    inscription = db.session.execute(_inscription_statement(), params).unique().scalar_one_or_none()
    if inscription is None:
        abort(404)
    return inscription


@cache
def _inscription_statement() -> sa.Select:
    """Built once per process (see ``ateliers.queries``)."""
    return (
        sa.select(Inscription)
        .join(Atelier, Atelier.id == Inscription.atelier_id)
        .where(Inscription.id == sa.bindparam("inscription_id"), Atelier.structure_id == sa.bindparam("structure_id"))
        .options(joinedload(Inscription.apprenant))
        .options(joinedload(Inscription.atelier).joinedload(Atelier.seances).joinedload(Seance.module))
    )


def download(contenu: bytes, mimetype: str, filename: str) -> Response:
    response = Response(contenu, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def slugify(texte: str) -> str:
    """``Atelier du mardi matin`` -> ``atelier-du-mardi-matin`` (ASCII, for file names)."""
    ascii_text = unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "atelier"


def dans_ordre_vu(inscriptions: Iterable[Inscription]) -> list[Inscription]:
    """``inscriptions`` in the order the signed-in account reads their names (``core.text.name_sort_key``): by
    first name, then the surname's initial for a volunteer, the surname for the other roles. Every list of
    learners that shows names first name first goes through it, on screen and on paper."""
    role = current_user.role
    return sorted(inscriptions, key=lambda i: name_sort_key(role, i.apprenant.prenom, i.apprenant.nom, i.id))


def membres(atelier: Atelier) -> list[Inscription]:
    return dans_ordre_vu(atelier.inscriptions)
