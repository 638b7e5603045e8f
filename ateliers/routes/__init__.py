"""Views of the ateliers package, one module per screen family (DESIGN.md section 3).

Importing this package registers every view on its blueprint; ``app.register_blueprints`` then mounts them.
Views have four beats: parse, call a service, commit, respond.
"""

from ateliers.routes import attente, cloture, groupes, planning, rattrapages, seances, suivi  # noqa: F401
from ateliers.routes.blueprints import ateliers_bp, attente_bp, groupes_bp

__all__ = ["ateliers_bp", "attente_bp", "groupes_bp"]
