"""The HTTP side of the exports: a file of tables as a download, journaled. Every export route goes through
:func:`exporter` (the dashboard's download buttons too), so none is ever left out of the journal."""

from __future__ import annotations

import re
from collections.abc import Sequence

from flask import Response

from core import journal
from core.francais import nombre
from pilotage.exports import FORMATS, ecrire
from pilotage.tableaux import Tableau

NOM_DE_FICHIER = re.compile(r"[^A-Za-z0-9_.-]+")


def reponse(tableaux: Sequence[Tableau], format_: str, nom_fichier: str) -> Response:
    """The tables as a download named ``<nom_fichier>.<format_>`` (characters outside ``A-Za-z0-9_.-``
    replaced by ``-``); like every page, never kept in a cache (``core.security``: ``Cache-Control: no-store``).

    :raise pilotage.exports.FormatInconnu: a format outside :data:`pilotage.exports.FORMATS` (a form
        refuses it before, beside its field).
    """
    contenu = ecrire(tableaux, format_)
    nom = NOM_DE_FICHIER.sub("-", nom_fichier).strip("-.") or "export"
    response = Response(contenu, content_type=FORMATS[format_])
    response.headers["Content-Disposition"] = f'attachment; filename="{nom}.{format_}"'
    return response


def exporter(
    compte,
    tableaux: Sequence[Tableau],
    format_: str,
    nom_fichier: str,
    *,
    objet: str,
    details: str,
    objet_id: int | None = None,
) -> Response:
    """:func:`reponse`, with a journal row (action ``export``) by ``compte``; the caller commits.

    :param objet: what was exported, a code: ``"apprenant"`` for a list of people (an export of personal data,
        which the admin's journal page lists with the other views of learners' data), ``"pilotage"`` for the
        dashboard's figures, ``"la_coop"``.
    :param details: ids, codes and dates only (the period, the search's kind): never a name nor what was typed
        in a search. The format and the number of rows are added.
    :raise pilotage.exports.FormatInconnu: as :func:`reponse`, before anything is journaled.
    """
    response = reponse(tableaux, format_, nom_fichier)
    lignes = sum(len(tableau.lignes) for tableau in tableaux)
    journal.record(compte, "export", objet, objet_id, f"{details} ; {format_} ; {nombre(lignes, 'ligne')}")
    return response
