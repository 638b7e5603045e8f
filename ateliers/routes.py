"""Blueprints of the ateliers package: waiting list and homogeneous groups."""

from flask import Blueprint

attente_bp = Blueprint("attente", __name__, url_prefix="/liste-attente")
groupes_bp = Blueprint("groupes", __name__, url_prefix="/groupes")
