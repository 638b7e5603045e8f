"""An edit carries what it saw (STYLE.md habit 14): a save made from a page that is out of date is refused.

One mechanism for every form that edits rows several people may edit at the same time:

1. The page renders, in a hidden field named ``version`` (:data:`CHAMP`), a signed copy of the stored values it
   showed: :func:`jeton` of a *snapshot*, a flat mapping of names (the form's field names) to plain values,
   built by the domain's own ``instantane_*`` function from the database.
2. The save posts it back; the view reads it with :func:`lire` and hands it to the service as ``vu``.
3. The service first takes the lock of the record the form edits (:func:`verrouiller`), so two saves of it run
   one after the other on SQLite and PostgreSQL alike, builds the snapshot again from what is committed now,
   and :func:`exiger_inchange` raises :class:`ModifieEntreTemps` when a value differs from what the page
   showed: nothing is written, and the error carries each change (before, after, who, when).
4. The view rolls back and shows the changes beside the form with what was typed kept. :func:`fusionner` gives
   the values to show: what the person changed, and the value stored now wherever they changed nothing, so
   one click saves again without undoing the colleague's change.

A snapshot holds what the page displays (no more), signed with the application's secret key so a page cannot
forge what it claims to have seen; it is not encrypted, like the page itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from core.errors import DomainError
from core.models import Compte, Journal
from core.timeutil import PARIS, to_local, utcnow
from extensions import db

CHAMP = "version"
_SALT = "core.versions"

Auteur = tuple[str | None, datetime | None]
"""Who saved a value (full name) and when (naive UTC), each None when unknown."""


class _Illisible(dict):
    """What :func:`lire` returns for a missing or forged ``version``: the page's snapshot is unknown."""


ILLISIBLE: Mapping[str, Any] = _Illisible()


def instantane(valeurs: Mapping[str, Any]) -> dict[str, Any]:
    """``valeurs`` as a snapshot: JSON values (dates as ISO text, tuples as lists), as they come back signed."""
    return json.loads(json.dumps(dict(valeurs), default=_texte, sort_keys=True))


def _texte(valeur: Any) -> str:
    if isinstance(valeur, date | datetime):
        return valeur.isoformat()
    raise TypeError(f"{type(valeur).__name__} n'entre pas dans un instantané")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


def jeton(valeurs: Mapping[str, Any]) -> str:
    """The value of the hidden ``version`` field for a page showing ``valeurs`` (signed, URL-safe text)."""
    return _serializer().dumps(instantane(valeurs))


def lire(texte: str | None) -> Mapping[str, Any]:
    """The snapshot a posted ``version`` field carries; :data:`ILLISIBLE` when it is missing or not ours."""
    if not texte:
        return ILLISIBLE
    try:
        valeurs = _serializer().loads(texte)
    except BadSignature:
        return ILLISIBLE
    return valeurs if isinstance(valeurs, dict) else ILLISIBLE


def verrouiller(ligne: Any) -> None:
    """Hold the row of ``ligne`` (a mapped object with one primary key) for writing until the transaction ends.

    A write that changes nothing (``UPDATE t SET id = id WHERE id = :id``): PostgreSQL locks the row, SQLite
    takes its database write lock (it has no ``SELECT ... FOR UPDATE``), so a second save of the same record
    waits for the first to commit. Pending changes are flushed first, then every object of the session is
    expired: what the caller reads next is what is committed now, not what was loaded before the lock.
    """
    modele = type(ligne)
    (cle,) = sa.inspect(modele).primary_key
    db.session.flush()
    db.session.execute(
        sa.update(modele)
        .where(cle == getattr(ligne, cle.key))
        .values({cle.key: cle})
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()


@dataclass(frozen=True)
class Changement:
    """One value saved by someone else since the page was opened: ``cle`` is the snapshot's name (a form
    field), ``avant`` what the page showed, ``apres`` what is stored now (None: nothing)."""

    cle: str
    avant: Any
    apres: Any
    par: str | None = None
    a: datetime | None = None


class ModifieEntreTemps(DomainError):
    """The rows changed since the page was opened (or the page's snapshot is unreadable): nothing was written.

    ``changements`` lists what changed; ``vu`` and ``actuel`` are the whole snapshots (the page's, and the
    database's now) that the view needs to show the form again (:func:`fusionner`).
    """

    def __init__(self, changements: list[Changement], vu: Mapping[str, Any], actuel: Mapping[str, Any]) -> None:
        if vu is ILLISIBLE:
            message = (
                "Cette page est trop ancienne pour savoir ce qu'elle montrait : rien n'a été enregistré. Elle "
                "montre maintenant les valeurs enregistrées, avec ce que vous avez saisi ; vérifiez puis "
                "enregistrez à nouveau."
            )
        else:
            message = (
                "Quelqu'un a enregistré des changements depuis que vous avez ouvert cette page : rien de ce que "
                "vous avez saisi n'est encore enregistré. Vos saisies sont conservées ; là où vous n'aviez rien "
                "changé, la page montre maintenant la valeur enregistrée. Vérifiez puis enregistrez à nouveau."
            )
        super().__init__(message)
        self.changements = changements
        self.vu = dict(vu)
        self.actuel = dict(actuel)


Auteurs = Callable[[list[str]], Mapping[str, Auteur]]
"""Called with the changed names only when something changed: name -> who saved it and when (left out:
unknown)."""


def changements(vu: Mapping[str, Any], actuel: Mapping[str, Any], par: Auteurs | None = None) -> list[Changement]:
    """What differs between the page's snapshot ``vu`` and the snapshot ``actuel`` built from the database now.

    A name missing on one side counts as None (a row created or removed meanwhile). ``par`` names who saved
    each changed value and when. Pure apart from ``par``; in the order of ``actuel``'s names, then ``vu``'s.
    """
    actuel = instantane(actuel)
    differents = [c for c in [*actuel, *(c for c in vu if c not in actuel)] if vu.get(c) != actuel.get(c)]
    auteurs = par(differents) if par is not None and differents else {}
    return [Changement(c, vu.get(c), actuel.get(c), *auteurs.get(c, (None, None))) for c in differents]


def par_journal(objet: str, objet_id: int) -> Auteurs:
    """``par`` for a record whose every change is journaled: its last author, for every changed name."""
    return lambda noms: dict.fromkeys(noms, derniere_modification(objet, objet_id))


def exiger_inchange(vu: Mapping[str, Any], actuel: Mapping[str, Any], par: Auteurs | None = None) -> None:
    """Refuse the save when the stored values are no longer those the page showed.

    Call it after :func:`verrouiller`, with ``actuel`` read from the database then.

    :raise ModifieEntreTemps: a value differs (see :func:`changements`), or ``vu`` is :data:`ILLISIBLE`.
    """
    if vu is ILLISIBLE:
        raise ModifieEntreTemps([], vu, instantane(actuel))
    trouves = changements(vu, actuel, par)
    if trouves:
        raise ModifieEntreTemps(trouves, vu, instantane(actuel))


def fusionner(saisi: Mapping[str, Any], vu: Mapping[str, Any], actuel: Mapping[str, Any]) -> dict[str, Any]:
    """The values to show again after a refusal: what the person changed from what they saw, else what is
    stored now. Pure; every mapping uses the snapshot's names and form (a name missing from ``saisi`` was left
    as it was shown). With an unreadable ``vu`` everything typed is kept."""
    saisi, actuel = instantane(saisi), instantane(actuel)
    if vu is ILLISIBLE:
        return {**actuel, **saisi}
    fusion = dict(actuel)
    for cle, valeur in saisi.items():
        if cle not in actuel or valeur != vu.get(cle):
            fusion[cle] = valeur
    return fusion


def derniere_modification(objet: str, objet_id: int) -> Auteur:
    """Who last created or changed the record (journal ``objet``, ``objet_id``) and when, from the journal."""
    ligne = db.session.execute(
        sa.select(Compte.prenom, Compte.nom, Journal.created_at)
        .outerjoin(Compte, Compte.id == Journal.compte_id)
        .where(
            Journal.objet == objet,
            Journal.objet_id == objet_id,
            Journal.action.in_(("creation", "modification")),
        )
        .order_by(Journal.created_at.desc(), Journal.id.desc())
        .limit(1)
    ).first()
    if ligne is None:
        return None, None
    prenom, nom, moment = ligne
    return (f"{prenom} {nom}" if prenom is not None else None), moment


def decrire(
    changement: Changement,
    libelle: str,
    avant: str,
    apres: str,
    now: datetime | None = None,
    zone: ZoneInfo | None = None,
) -> str:
    """``Martin : absent → absent excusé (par Awa Diallo à 10 h 12)``: one change in French.

    ``avant`` and ``apres`` are the values as the page words them (empty: "—"). The time is on the clock of
    ``zone`` (the structure's; Paris by default), with the day when it is not today (``now``, naive UTC,
    defaults to the clock).
    """
    zone = zone or PARIS
    texte = f"{libelle} : {avant or '—'} → {apres or '—'}"
    details = []
    if changement.par:
        details.append(f"par {changement.par}")
    if changement.a is not None:
        moment = to_local(changement.a, zone)
        heure = f"{moment.hour} h {moment.minute:02d}"
        if moment.date() == to_local(now or utcnow(), zone).date():
            details.append(f"à {heure}")
        else:
            details.append(f"le {moment:%d/%m} à {heure}")
    return texte + (f" ({' '.join(details)})" if details else "")
