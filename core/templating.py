"""Jinja filters and the navigation each role sees."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user

from core import constants, disponibilites, francais
from core.text import display_phone, name_seen_by, tel_uri
from core.timeutil import date_fr, datetime_fr, days_fr, heures_fr, structure_zone

# (endpoint, label, roles): the menu, filtered by the signed-in role.
NAVIGATION = (
    ("main.index", "Accueil", {"admin", "mediateur", "benevole", "direction"}),
    ("apprenants.liste", "Apprenants", {"admin", "mediateur", "direction"}),
    ("positionnements.nouveau", "Positionnement", {"admin", "mediateur"}),
    ("attente.liste", "Liste d'attente", {"admin", "mediateur", "direction"}),
    ("groupes.index", "Groupes", {"admin", "mediateur"}),
    ("ateliers.liste", "Ateliers", {"admin", "mediateur", "direction", "benevole"}),
    ("ateliers.a_rappeler", "À rappeler", {"admin", "mediateur"}),
    ("admin.comptes", "Comptes", {"admin"}),
    ("admin.structure", "Structure", {"admin"}),
    ("admin.journal", "Journal", {"admin"}),
)


def navigation() -> list[tuple[str, str, bool]]:
    """The signed-in role's menu as (url, label, is_current).

    The current entry is the page itself, else the entry of the same blueprint (a learner's page lights up
    "Apprenants"), unless another entry of that blueprint is the page ("À rappeler" and "Ateliers").
    """
    if not current_user.is_authenticated:
        return []
    entries = [(endpoint, label) for endpoint, label, roles in NAVIGATION if current_user.role in roles]
    page = request.endpoint or ""
    exact = any(endpoint == page for endpoint, _ in entries)
    return [
        (
            url_for(endpoint),
            label,
            endpoint == page if exact else endpoint.split(".")[0] == page.split(".")[0],
        )
        for endpoint, label in entries
    ]


def nom_vu(personne) -> str:
    """Filter ``nom_vu``: the learner ``personne`` (anything with ``prenom`` and ``nom``) named as the signed-in
    account may see them (``core.text.name_seen_by``: "Josiane M." for a volunteer)."""
    return name_seen_by(current_user.role, personne.prenom, personne.nom)


def datetime_fr_structure(moment, style: str = "full") -> str:
    """``datetime_fr`` on the clock of the signed-in account's structure (Europe/Paris when signed out)."""
    structure = current_user.structure if current_user.is_authenticated else None
    return datetime_fr(moment, style, structure_zone(structure))


def register(app) -> None:
    app.jinja_env.filters.update(
        date_fr=date_fr,
        datetime_fr=datetime_fr_structure,
        jours_fr=days_fr,
        heures=heures_fr,
        telephone=display_phone,
        tel_uri=tel_uri,
        nom_vu=nom_vu,
        de=francais.de,
        nombre=francais.nombre,
        accord=francais.accord,
        disponibilites=disponibilites.describe,
    )
    app.jinja_env.globals.update(
        navigation=navigation,
        CANAUX=constants.CANAUX,
        TRANCHES_AGE=constants.TRANCHES_AGE,
        ROLES=constants.ROLES,
        JOURNAL_ACTIONS=constants.JOURNAL_ACTIONS,
        MOTIFS_SORTIE=constants.MOTIFS_SORTIE,
        STATUTS_ATTENTE=constants.STATUTS_ATTENTE,
    )
