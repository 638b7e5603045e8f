"""The guard every write service calls first: a closed workshop (``Atelier.is_locked``) stays as it was.

It lives below the services that use it (attendance, skills, catch-ups, inscriptions, planning) so none of
them imports another for it.
"""

from __future__ import annotations

from ateliers.models import Atelier
from core.errors import DomainError


class AtelierClos(DomainError):
    """The workshop is closed (``is_locked``): attendance, skills and inscriptions stay as they were."""

    def __init__(self) -> None:
        super().__init__(
            "Cet atelier est clos : ses présences, ses compétences et ses inscriptions sont verrouillées. "
            "Pour corriger, ouvrez la page de l'atelier et utilisez « Déverrouiller pour corriger » en "
            "indiquant le motif (médiateur ou administrateur) ; rien de ce que vous avez saisi n'est perdu."
        )


def exiger_ouvert(atelier: Atelier) -> None:
    """Refuse any change to a closed workshop until it is explicitly unlocked (journaled).

    :raise AtelierClos: when ``atelier.is_locked``.
    """
    if atelier.is_locked:
        raise AtelierClos()
