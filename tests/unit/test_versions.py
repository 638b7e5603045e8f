"""The pure part of core.versions: what changed, what to show again, how a change reads in French."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from core import versions
from core.versions import ILLISIBLE, Changement


def test_changes_are_the_names_whose_value_differs_with_who_and_when():
    vu = {"statut-1": "absent", "statut-2": "present", "statut-3": "absent"}
    actuel = {"statut-1": "absent_excuse", "statut-2": "present", "statut-4": "present"}
    auteurs = {"statut-1": ("Awa Diallo", datetime(2026, 4, 14, 8, 12))}
    assert versions.changements(vu, actuel, lambda _noms: auteurs) == [
        Changement("statut-1", "absent", "absent_excuse", "Awa Diallo", datetime(2026, 4, 14, 8, 12)),
        Changement("statut-4", None, "present"),
        Changement("statut-3", "absent", None),
    ]
    assert versions.changements(actuel, actuel, lambda _noms: 1 / 0) == []  # authors are only looked up when needed


def test_what_is_shown_again_keeps_what_was_typed_and_takes_the_rest_from_now():
    vu = {"a": "absent", "b": "", "c": [1, 2]}
    actuel = {"a": "absent_excuse", "b": "", "c": [1, 2, 3]}
    saisi = {"a": "absent", "b": "09:20", "c": (1,)}
    assert versions.fusionner(saisi, vu, actuel) == {"a": "absent_excuse", "b": "09:20", "c": [1]}
    assert versions.fusionner(saisi, ILLISIBLE, actuel) == {"a": "absent", "b": "09:20", "c": [1]}


def test_a_change_reads_in_french_with_the_paris_time_and_the_day_when_not_today():
    change = Changement("statut-1", "absent", "absent_excuse", "Awa Diallo", datetime(2026, 4, 14, 8, 12))
    today = datetime(2026, 4, 14, 15, 0)
    assert versions.decrire(change, "Martin", "absent", "absent excusé", now=today) == (
        "Martin : absent → absent excusé (par Awa Diallo à 10 h 12)"
    )
    assert versions.decrire(change, "Martin", "absent", "", now=datetime(2026, 4, 20)) == (
        "Martin : absent → — (par Awa Diallo le 14/04 à 10 h 12)"
    )
    assert versions.decrire(Changement("x", 1, 2), "Taux", "70", "75") == "Taux : 70 → 75"


def test_the_version_field_is_signed_and_unreadable_when_forged_or_missing():
    app = Flask(__name__)
    app.secret_key = "cle"
    with app.app_context():
        jeton = versions.jeton({"statut-1": "absent", "jour": datetime(2026, 4, 14).date(), "ids": (3, 1)})
        assert versions.lire(jeton) == {"statut-1": "absent", "jour": "2026-04-14", "ids": [3, 1]}
        assert versions.lire(jeton[:-2] + "xx") is ILLISIBLE
        assert versions.lire("") is ILLISIBLE and versions.lire(None) is ILLISIBLE
    other = Flask(__name__)
    other.secret_key = "autre"
    with other.app_context():
        assert versions.lire(jeton) is ILLISIBLE
