"""Jinja filters and the navigation each role sees."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from flask import request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from core import constants, disponibilites, francais
from core.bounds import MAX_ID
from core.cache import cached
from core.database import table_written
from core.messagerie.boite import nombre_a_envoyer
from core.models import Message
from core.text import display_phone, name_seen_by, tel_uri
from core.timeutil import date_fr, datetime_fr, days_fr, heures_fr, structure_zone

# (endpoint, label, roles): the menu, filtered by the signed-in role.
NAVIGATION = (
    ("main.index", "Accueil", {"admin", "mediateur", "benevole", "direction", "coordination"}),
    ("apprenants.liste", "Apprenants", {"admin", "mediateur", "direction"}),
    ("positionnements.nouveau", "Positionnement", {"admin", "mediateur"}),
    ("attente.liste", "Liste d'attente", {"admin", "mediateur", "direction"}),
    ("groupes.index", "Groupes", {"admin", "mediateur"}),
    ("ateliers.liste", "Ateliers", {"admin", "mediateur", "direction", "benevole"}),
    ("ateliers.a_rappeler", "À rappeler", {"admin", "mediateur"}),
    ("entrainements.semaine", "Entraînements", {"admin", "mediateur", "direction", "benevole"}),
    ("pilotage.index", "Tableau de bord", {"admin", "mediateur", "direction"}),
    ("pilotage_reseau.index", "Tableau de bord du réseau", {"coordination"}),
    ("admin.comptes", "Comptes", {"admin"}),
    ("admin.structure", "Structure", {"admin"}),
    ("admin.reseau", "Réseau", {"admin"}),
    ("admin.journal", "Journal", {"admin"}),
    ("messages.liste", "Messages", {"admin", "mediateur"}),
)


def _messages_a_envoyer() -> int:
    """The menu's count: read with the signed-in account (``Compte.messages_a_envoyer``, core.auth); counted
    again only when this request wrote messages (queued, resent, marked sent), whatever its method. A POST that
    wrote none, such as the learner search, costs no statement more (on PostgreSQL, four round trips: issue 8,
    item 19)."""
    if current_user.messages_a_envoyer is not None and not table_written(Message.__tablename__):
        return current_user.messages_a_envoyer
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
    role = current_user.role
    # The role's entries with their URLs, built once per application (every page draws the menu).
    entries = cached(
        "navigation",
        (request.script_root, role),
        lambda: tuple((endpoint, url_for(endpoint), label) for endpoint, label, roles in NAVIGATION if role in roles),
    )
    page = request.endpoint or ""
    endpoints = [endpoint for endpoint, _, _ in entries]
    current = page if page in endpoints else ENTREE_DE_LA_PAGE.get(page)
    if current not in endpoints:
        blueprint = page.split(".")[0]
        current = next((e for e in endpoints if e.split(".")[0] == blueprint), None)
    return [(url, _avec_compte(endpoint, label), endpoint == current) for endpoint, url, label in entries]


def _avec_compte(endpoint: str, label: str) -> str:
    compteur = COMPTEURS.get(endpoint)
    nombre = compteur() if compteur is not None else 0
    return f"{label} ({nombre})" if nombre else label


def url_fixe(endpoint: str, **values: str) -> str:
    """``url_for(endpoint, **values)`` for a link that is the same on every page (the style sheet, the home
    page): built once per application and script root, then reused. Building a URL costs ~5 µs and every page
    has a dozen of these; a URL that depends on the row or the page keeps ``url_for``.
    """
    return cached(
        "url-fixe", (request.script_root, endpoint, tuple(sorted(values.items()))), lambda: url_for(endpoint, **values)
    )


# An id no row has in tests or demo data and that the ``int`` converter accepts: the placeholder of url_par_id.
_ID_MODELE = MAX_ID


def url_par_id(endpoint: str, cle: str, **values) -> Callable[[int], str]:
    """A function of an id giving ``url_for(endpoint, **{cle: id}, **values)``, for a link on every row of a
    table: the URL is built once around a placeholder id, and each row's id is put in its place (a few string
    operations instead of a URL build per row).

    An id that is not an int from 1 to ``MAX_ID``, or an endpoint whose URL would not show the id exactly once,
    goes through ``url_for`` as before (same URL, same errors).
    """
    modele = url_for(endpoint, **{cle: _ID_MODELE}, **values)
    avant, _, apres = modele.partition(str(_ID_MODELE))
    if modele.count(str(_ID_MODELE)) != 1:
        return lambda ident: url_for(endpoint, **{cle: ident}, **values)

    def url(ident: int) -> str:
        if type(ident) is not int or not 1 <= ident <= MAX_ID:
            return url_for(endpoint, **{cle: ident}, **values)
        return f"{avant}{ident}{apres}"

    return url


def choice_labels(field) -> Markup:
    """The radio buttons or checkboxes of a WTForms ``RadioField`` or ``MultiCheckboxField``, each in its label:
    the markup WTForms' option widgets give (same attributes in the same order, ids ``<field id>-0``, ``-1``...),
    each value and label escaped once.

    Written here rather than through WTForms' widgets (tens of microseconds an input) or a Jinja loop (16 µs a
    question of four answers): the placement questionnaire has some ninety inputs.
    """
    apres_checked = f'{" disabled" if field.flags.disabled else ""} id="{escape(field.id)}-'
    required = " required" if field.flags.required else ""
    apres_index = f'" name="{escape(field.name)}"{required} type="{field.option_widget.input_type}" value="'
    return Markup(  # nosec B704 # every id, name, value and label escaped here; the input type is WTForms' own
        "".join(
            f'\n      <label class="choice"><input{" checked" if choice.selected else ""}{apres_checked}{index}'
            f'{apres_index}{escape(choice.value)}"> <span>{escape(choice.label if choice.label else choice.value)}'
            "</span></label>\n  "
            for index, choice in enumerate(field.iter_choices())
        )
    )


def choice_inputs(
    input_type: str, name: str, choices: Iterable[tuple[Any, Any]], checked: Collection = (), disabled: bool = False
) -> Markup:
    """Radio buttons or checkboxes written by hand in a form (not a WTForms field), one line each:
    ``<label class="choice"><input type="radio" name="statut-4" value="present" checked> <span>Présent</span>
    </label>``.

    ``input_type`` is ``"radio"`` or ``"checkbox"``; ``choices`` gives (value, label) pairs in order; an input is
    checked when its value is in ``checked`` (``(valeur,)`` for a radio group); ``disabled`` disables every
    input. Name, values and labels are escaped once. Written here rather than as a Jinja loop: the final
    evaluation's grid has some forty groups of four inputs, and a loop cost about 4 µs an input.
    """
    if input_type not in ("radio", "checkbox"):
        raise ValueError(f"input_type {input_type!r}: radio or checkbox")
    debut = f'<label class="choice"><input type="{input_type}" name="{escape(name)}" value="'
    fin = " disabled>" if disabled else ">"
    return Markup(  # nosec B704 # the name, each value and each label escaped here; the type is one of two literals
        "\n".join(
            f'{debut}{escape(value)}"{" checked" if value in checked else ""}{fin} <span>{escape(label)}</span></label>'
            for value, label in choices
        )
    )


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
        choice_labels=choice_labels,
        choice_inputs=choice_inputs,
        url_fixe=url_fixe,
        url_par_id=url_par_id,
        CANAUX=constants.CANAUX,
        TRANCHES_AGE=constants.TRANCHES_AGE,
        ROLES=constants.ROLES,
        JOURNAL_ACTIONS=constants.JOURNAL_ACTIONS,
        MOTIFS_SORTIE=constants.MOTIFS_SORTIE,
        STATUTS_ATTENTE=constants.STATUTS_ATTENTE,
        TYPES_STRUCTURE=constants.TYPES_STRUCTURE,
    )
