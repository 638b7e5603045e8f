"""Views of the entrainements package, one module per screen family (DESIGN.md section 3).

Importing this package registers every view on its blueprint; ``app.register_blueprints`` then mounts it.
"""

from entrainements.routes import calendrier, creneaux, plans, seances  # noqa: F401  (each registers its views)
from entrainements.routes.blueprints import entrainements_bp

__all__ = ["entrainements_bp"]
