"""Access control: every view declares its roles, every query is scoped to the user's structure.

Deny by default: ``register_access_guard`` refuses any endpoint that declared neither roles nor ``public``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps

import sqlalchemy as sa
from flask import abort, current_app, request
from flask_login import current_user

from core.constants import ROLES
from extensions import db, login_manager

PUBLIC = "public"


def roles_required(*roles: str) -> Callable:
    """Allow the decorated view to signed-in accounts with one of ``roles``.

    Anonymous visitors are sent to the login page; other roles get 403.
    """
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"rôles inconnus : {unknown or roles}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)
        return wrapped

    return decorate


def public(view: Callable) -> Callable:
    """Mark a view as open to anonymous visitors (login page, health check, public verification)."""
    view.allowed_roles = PUBLIC
    return view


def allowed_roles(endpoint: str) -> frozenset[str] | str | None:
    """Roles declared by the view of ``endpoint``: a frozenset, ``"public"``, or None if it declared nothing."""
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "allowed_roles", None)


def register_access_guard(app) -> None:
    """Refuse (500 in tests, 403 in production) requests to views that declared no access rule."""

    @app.before_request
    def _require_declared_roles():
        if request.endpoint is None or request.endpoint == "static":
            return None
        if allowed_roles(request.endpoint) is None:
            app.logger.error("endpoint %s declares no roles", request.endpoint)
            abort(403)
        return None


def get_in_structure_or_404(model, object_id: int, *options):
    """Load ``model`` by id within the current user's structure.

    :raise 404: when the row does not exist or belongs to another structure, so ids cannot be probed.
    """
    params = {"object_id": object_id, "structure_id": current_user.structure_id}
    statement = _in_structure_statement(model)
    if options:
        statement = statement.options(*options)
    found = db.session.scalar(statement, params)
    if found is None:
        abort(404)
    return found


@cache
def _in_structure_statement(model) -> sa.Select:
    """Built once per model and process: building a statement (and its cache key) on every request cost more
    than running it."""
    return sa.select(model).where(
        model.id == sa.bindparam("object_id"), model.structure_id == sa.bindparam("structure_id")
    )
