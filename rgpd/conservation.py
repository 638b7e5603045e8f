"""Who is due for anonymisation: the retention rule, pure (plain dates in, ids out; DESIGN.md section 7).

A learner's data is kept ``mois`` months (the structure's ``conservation_mois``, 24 by default) after the last
contact with the person, then anonymised. The last contact is the latest of the days the data shows the person
was in touch (:class:`Contacts`): registration, the last placement, the last séance attended, the last follow-up
call, the last practice session booked or attended, and the record's "dernier contact" day.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


def mois_avant(jour: date, mois: int) -> date:
    """The day ``mois`` calendar months before ``jour``; the month's last day when it is shorter (31 March minus
    one month is 28 or 29 February).

    :param mois: a number of months, 0 or more.
    :raise ValueError: on a negative number.
    """
    if mois < 0:
        raise ValueError("un nombre de mois ne peut pas être négatif")
    rang = jour.year * 12 + (jour.month - 1) - mois
    annee, mois_index = divmod(rang, 12)
    dernier = calendar.monthrange(annee, mois_index + 1)[1]
    return date(annee, mois_index + 1, min(jour.day, dernier))


@dataclass(frozen=True)
class Contacts:
    """The days (in the structure's calendar) a learner's data shows a contact; None where there is none.

    ``inscrit_on``: registration; ``dernier_contact_on``: the record's own "dernier contact"; the others the
    latest placement, séance attended (present or late), follow-up call and practice session (booked or
    attended). ``en_cours``: enrolled in a workshop not closed yet (never due, whatever the dates).
    """

    apprenant_id: int
    inscrit_on: date
    dernier_contact_on: date | None = None
    positionnement_on: date | None = None
    seance_on: date | None = None
    appel_on: date | None = None
    entrainement_on: date | None = None
    en_cours: bool = False

    @property
    def dernier(self) -> date:
        """The last contact: the latest of the days known."""
        jours = (
            self.inscrit_on,
            self.dernier_contact_on,
            self.positionnement_on,
            self.seance_on,
            self.appel_on,
            self.entrainement_on,
        )
        return max(jour for jour in jours if jour is not None)


def limite(today: date, mois: int) -> date:
    """The last contact day from which a learner is kept: a last contact before it is due (``mois`` months
    before ``today``, the structure's day)."""
    return mois_avant(today, mois)


def dus(contacts: Iterable[Contacts], *, today: date, mois: int) -> list[int]:
    """Ids of the learners whose last contact is more than ``mois`` months before ``today`` and who are not in a
    running workshop, in id order.

    :param today: the structure's day (``core.timeutil.structure_today``).
    :param mois: the structure's retention period in months (``Structure.conservation_mois``).
    """
    seuil = limite(today, mois)
    return sorted(c.apprenant_id for c in contacts if not c.en_cours and c.dernier < seuil)
