"""Workshop fixtures shared by the services and web tests (registered as a plugin by tests/conftest.py).

The workshop is planned from START on TODAY: six Monday séances from 30 March 2026, Easter Monday (6 April)
skipped; its members joined at JOINED_AT, on TODAY. A test module that needs a variant overrides the fixture
locally, requesting the shared one by the same name, e.g. ``def atelier(atelier, benevole): ...``.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ateliers import services
from ateliers.models import Atelier, Inscription
from core import timeutil
from extensions import db

TODAY = date(2026, 3, 1)
# 10:00 Paris on TODAY, naive UTC like every *_at column.
JOINED_AT = datetime(2026, 3, 1, 9, 0)
# Monday 30 March 2026; Easter Monday is 6 April.
START = date(2026, 3, 30)


def make_atelier(structure, apprenants=(), joined_at: datetime = JOINED_AT, **overrides) -> Atelier:
    """A workshop of ``structure`` not planned yet, entered in the app and ``apprenants`` enrolled in it at
    ``joined_at``."""
    values = {
        "structure_id": structure.id,
        "intitule": "Atelier du lundi matin",
        "demi_journee": 0,
        "created_at": joined_at,
        **overrides,
    }
    atelier = Atelier(**values)
    db.session.add(atelier)
    db.session.flush()
    for apprenant in apprenants:
        db.session.add(Inscription(atelier_id=atelier.id, apprenant_id=apprenant.id, joined_at=joined_at))
    atelier.places_prises = len(apprenants)
    db.session.commit()
    return atelier


def inscription_of(atelier, nom: str) -> Inscription:
    return next(i for i in atelier.inscriptions if i.apprenant.nom == nom)


def ids(atelier) -> dict[str, int]:
    """Inscription ids by learner's surname."""
    return {i.apprenant.nom: i.id for i in atelier.inscriptions}


def add_animateur(atelier, numero: int, compte) -> Atelier:
    atelier.seances[numero - 1].animateurs.append(compte)
    db.session.commit()
    return atelier


@pytest.fixture
def frozen_clock(monkeypatch, request):
    """The application's clock stopped at the test module's ``NOW``: ``pytestmark = usefixtures("frozen_clock")``."""
    freeze_clock(monkeypatch, request.module.NOW)


def freeze_clock(monkeypatch, now) -> None:
    """Stop the application's one clock (``core.timeutil.clock``, behind every ``utcnow()`` and every
    structure's "today") at ``now``: a naive UTC datetime, or a callable returning one."""
    monkeypatch.setattr(timeutil, "clock", now if callable(now) else (lambda: now))


@pytest.fixture
def mediatrice(make_compte):
    return make_compte("mediateur", prenom="Awa", nom="Diallo")


@pytest.fixture
def benevole(make_compte):
    return make_compte("benevole", prenom="Henri", nom="Crozet")


@pytest.fixture
def remplacante(make_compte):
    return make_compte("benevole", prenom="Zoé", nom="Vidal")


@pytest.fixture
def signed_in(browser, mediatrice):
    browser.login(mediatrice)
    return browser


@pytest.fixture
def atelier_en_projet(structure, make_apprenant):
    """Josiane Martin and Marcel Bernard in a workshop not planned yet."""
    return make_atelier(
        structure,
        [make_apprenant(prenom="Josiane", nom="Martin"), make_apprenant(prenom="Marcel", nom="Bernard")],
    )


@pytest.fixture
def atelier(mediatrice, atelier_en_projet):
    """The same workshop planned from START in Salle 2, run by the mediator alone."""
    services.planifier_atelier(mediatrice, atelier_en_projet, START, "Salle 2", [mediatrice.id], TODAY)
    db.session.commit()
    return atelier_en_projet


@pytest.fixture
def atelier_de_roux(structure, make_apprenant, mediatrice):
    """Issue 8's example: Josiane Martin, Marcel Bernard and Sandrine Roux in "Lundi matin", planned from
    START in Salle 2 by the mediator alone (Sandrine Roux later leaves and Nadia Ferhat takes her place)."""
    membres = [
        make_apprenant(prenom="Josiane", nom="Martin"),
        make_apprenant(prenom="Marcel", nom="Bernard"),
        make_apprenant(prenom="Sandrine", nom="Roux"),
    ]
    atelier = make_atelier(structure, membres, intitule="Lundi matin")
    services.planifier_atelier(mediatrice, atelier, START, "Salle 2", [mediatrice.id], TODAY)
    db.session.commit()
    return atelier


@pytest.fixture
def nadia(make_candidate):
    """Nadia Ferhat, waiting since TODAY, available on Monday mornings, score 45."""
    return make_candidate(prenom="Nadia", nom="Ferhat", score=45, dispo=("lun-matin",), today=TODAY)


@pytest.fixture
def make_planned(structure, make_candidate, mediatrice):
    """A workshop planned from START (4 places, gap 20) whose members have the given placement scores.

    The members come from the test module's ``make_candidate``; ``membre`` adds to its arguments.
    """

    def factory(scores=(40, 50), membre: dict | None = None, **overrides) -> Atelier:
        membres = [make_candidate(score=score, statut="inscrit", **(membre or {})) for score in scores]
        atelier = make_atelier(structure, membres, **{"capacite": 4, "ecart_max": 20, **overrides})
        services.planifier_atelier(mediatrice, atelier, START, "Salle 2", [mediatrice.id], TODAY)
        db.session.commit()
        return atelier

    return factory
