"""Blueprint of the evaluations package: the placement questionnaire and its result."""

from flask import Blueprint

positionnements_bp = Blueprint("positionnements", __name__, url_prefix="/positionnements")
