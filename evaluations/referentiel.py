"""Reading the curriculum and questionnaire data file. Pure: no Flask, no database."""

from __future__ import annotations

import tomllib
from pathlib import Path

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "referentiel.toml"
SCORED_PARTS = ("B", "C")


def read_referentiel(path: Path = DEFAULT_FILE) -> dict:
    """Parse the TOML data file and check its shape.

    :raise ValueError: when the file does not describe six modules numbered 1 to 6, each with skills, or a
        questionnaire with scored parts B and C.
    """
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    modules = data["curriculum"]["modules"]
    if sorted(m["numero"] for m in modules) != [1, 2, 3, 4, 5, 6]:
        raise ValueError("le référentiel doit décrire les modules 1 à 6")
    if any(not m["competences"] for m in modules):
        raise ValueError("chaque module doit avoir au moins une compétence")
    parts = {part["code"]: part for part in data["questionnaire"]["parties"]}
    if any(code not in parts or not parts[code]["note"] for code in SCORED_PARTS):
        raise ValueError("le questionnaire doit avoir les parties notées B et C")
    return data
