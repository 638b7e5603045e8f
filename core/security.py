"""Security headers and French error pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, generate_csrf

from extensions import db

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


def register_headers(app) -> None:
    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if request.endpoint != "static":
            # Pages hold personal data: never keep them in a shared cache or the browser history cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


ERRORS = {
    400: ("Requête invalide", "La demande n'a pas pu être traitée."),
    403: ("Accès refusé", "Votre compte ne permet pas d'ouvrir cette page."),
    404: ("Page introuvable", "Cette page n'existe pas, ou elle ne vous est pas accessible."),
    405: ("Action impossible", "Cette page ne s'utilise pas ainsi."),
    413: (
        "Envoi trop volumineux",
        "Ce que vous avez envoyé dépasse la taille acceptée. Revenez en arrière et raccourcissez les textes saisis.",
    ),
    429: ("Trop de tentatives", "Trop de demandes en peu de temps. Patientez une minute puis réessayez."),
    500: (
        "Erreur du serveur",
        "Un problème est survenu de notre côté. L'équipe technique peut le retrouver dans le journal.",
    ),
}


CSRF_EXPIRED = (
    "Le formulaire a expiré ou ne vient pas de cette application. Revenez en arrière, rechargez la page "
    "et validez à nouveau."
)
CSRF_EXPIRED_JSON = (
    "Rien n'a été enregistré : la page a expiré ou votre session est terminée. Ce que vous avez saisi reste à "
    "l'écran : enregistrez à nouveau (reconnectez-vous d'abord dans un autre onglet si besoin)."
)


def wants_json() -> bool:
    """Whether the request asked for JSON rather than a page (the placement questionnaire's autosave)."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def render_error(code: int, message: str | None = None):
    """The French error page of ``code``, or ``{"message": ...}`` with that status to a request asking for JSON."""
    title, default_message = ERRORS[code]
    if wants_json():
        return jsonify(message=message or default_message), code
    return render_template("errors/error.html", code=code, title=title, message=message or default_message), code


# The last resort when even the error page cannot be drawn: no template, no database.
BARE_SERVER_ERROR = (
    '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Erreur du serveur – Ateliers numériques'
    "</title></head><body><h1>Erreur du serveur</h1><p>" + ERRORS[500][1] + '</p><p><a href="/">Revenir à '
    "l'accueil</a></p></body></html>"
)


def server_error(_error):
    """The 500 page: the failed transaction rolled back first, so that drawing the page may read the database.

    After a database error (PostgreSQL refuses any statement in an aborted transaction) the page would
    otherwise crash in turn and the server answer with its bare page, without the security headers. If the
    page still cannot be drawn, a fixed French page is answered; the headers are added by ``after_request``
    either way.
    """
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        current_app.logger.exception("rollback before the error page failed")
    try:
        return render_error(500)
    except Exception:
        current_app.logger.exception("the error page could not be drawn")
        return BARE_SERVER_ERROR, 500, {"Content-Type": "text/html; charset=utf-8"}


def register_errorhandlers(app) -> None:
    for code in ERRORS:
        app.register_error_handler(code, lambda error, code=code: render_error(code))
    app.register_error_handler(500, server_error)

    @app.errorhandler(CSRFError)
    def _csrf_error(_error):
        if wants_json():
            # A fresh token with the refusal: the page's script saves again without a reload, which would lose
            # what was typed. Only a page of this origin can read it (no CORS), as it can read any form's token.
            return jsonify(message=CSRF_EXPIRED_JSON, csrf_token=generate_csrf()), 400
        return render_error(400, CSRF_EXPIRED)
