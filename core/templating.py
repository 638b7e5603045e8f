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
    ("messages.liste", "Messages", {"admin", "mediateur"}),
)


def _messages_a_envoyer() -> int:
    from core.messagerie.boite import nombre_a_envoyer

    return nombre_a_envoyer(current_user.structure_id)


# Menu entries followed by a count, "Messages (3)": endpoint -> how many (for the signed-in account's structure).
COMPTEURS = {"messages.liste": _messages_a_envoyer}


# Pages of a blueprint with two menu entries that belong to the second one: the follow-up call and the alert
# thresholds are reached from "À rappeler"; every other workshop page lights up "Ateliers".
ENTREE_DE_LA_PAGE = {
    "ateliers.suivi": "ateliers.a_rappeler",
    "ateliers.suivi_alerte": "ateliers.a_rappeler",
    "ateliers.seuils": "ateliers.a_rappeler",
    "ateliers.enregistrer_seuils": "ateliers.a_rappeler",
}


def navigation() -> list[tuple[str, str, bool]]:
    """The signed-in role's menu as (url, label, is_current); at most one entry is current.

    The current entry is the page itself, else the one ``ENTREE_DE_LA_PAGE`` names, else the first entry of
    the page's blueprint (a learner's page lights up "Apprenants", a workshop's page "Ateliers"). An entry of
    ``COMPTEURS`` shows its count when not zero ("Messages (3)": one query per page).
    """
    if not current_user.is_authenticated:
        return []
    entries = [(endpoint, label) for endpoint, label, roles in NAVIGATION if current_user.role in roles]
    page = request.endpoint or ""
    endpoints = [endpoint for endpoint, _ in entries]
    current = page if page in endpoints else ENTREE_DE_LA_PAGE.get(page)
    if current not in endpoints:
        blueprint = page.split(".")[0]
        current = next((e for e in endpoints if e.split(".")[0] == blueprint), None)
    return [(url_for(endpoint), _avec_compte(endpoint, label), endpoint == current) for endpoint, label in entries]


def _avec_compte(endpoint: str, label: str) -> str:
    compteur = COMPTEURS.get(endpoint)
    nombre = compteur() if compteur is not None else 0
    return f"{label} ({nombre})" if nombre else label


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
