"""The blueprint of the practice screens and who may read or write through it."""

from __future__ import annotations

from flask import Blueprint

entrainements_bp = Blueprint("entrainements", __name__, url_prefix="/entrainements")

# Slots, bookings and plans are set by the mediation team; a volunteer records the attendance of the practice
# slots they run (first names and the surname's initial only); direction reads.
WRITERS = ("admin", "mediateur")
READERS = ("admin", "mediateur", "direction")
VIEWERS = ("admin", "mediateur", "direction", "benevole")
