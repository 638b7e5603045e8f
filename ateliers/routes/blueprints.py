"""The three blueprints of the ateliers package and who may read or write through them."""

from __future__ import annotations

from flask import Blueprint

attente_bp = Blueprint("attente", __name__, url_prefix="/liste-attente")


groupes_bp = Blueprint("groupes", __name__, url_prefix="/groupes")


READERS = ("admin", "mediateur", "direction")


WRITERS = ("admin", "mediateur")


ateliers_bp = Blueprint("ateliers", __name__, url_prefix="/ateliers")


VIEWERS = ("admin", "mediateur", "direction", "benevole")


PRINTERS = ("admin", "mediateur", "benevole")
