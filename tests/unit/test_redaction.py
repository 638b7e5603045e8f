"""French wording of every sentence the app shows (issue 9, item 10), checked by reading its sources.

Two habits are refused everywhere, in templates, in the strings of the Python packages (docstrings and
comments excepted: nobody reads them on a page) and in the scripts the browser runs:

- an ending in brackets ("inscrit(e)", "compétence(s)", "acquis(es)"): say the number with
  ``core.francais.nombre`` (filter ``nombre``) or rephrase, since the app does not know a learner's gender;
- "de" written before an interpolated name ("de {{ apprenant.prenom }}", f"de {apprenant.prenom}"): it reads
  "de Ana" for half the names; ``core.francais.de`` (filter ``de``) elides it ("d'Ana").
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[2]
PAQUETS = ("ateliers", "core", "evaluations", "entrainements", "attestations", "pilotage")
MODULES_DE_TETE = ("app.py", "commands.py", "demo.py", "scheduler.py")

FIN_ENTRE_PARENTHESES = re.compile(r"\w\((?:e|s|es|x|le|ne|ve)\)", re.IGNORECASE)
NOM = r"(?:prenom|nom|nom_complet|nom_vu)"
# "de {{ x.prenom }}" with no "| de" in the braces, "de {{ x | nom_vu }}" likewise; or "'... de ' ~ x.prenom".
DE_AVANT_UN_NOM_JINJA = re.compile(
    r"\b[Dd]e (?:\{\{(?![^}]*\|\s*de\s*\}\})[^}]*\b" + NOM + r"\b[^}]*\}\}|['\"]\s*~\s*[\w.]*\b" + NOM + r"\b)"
)


def sources_python() -> list[Path]:
    fichiers = [RACINE / nom for nom in MODULES_DE_TETE if (RACINE / nom).exists()]
    for paquet in PAQUETS:
        if (RACINE / paquet).is_dir():
            fichiers.extend(sorted((RACINE / paquet).rglob("*.py")))
    return fichiers


def gabarits() -> list[Path]:
    return sorted((RACINE / "templates").rglob("*.html"))


def scripts() -> list[Path]:
    return sorted((RACINE / "static" / "js").rglob("*.js"))


def _docstrings(arbre: ast.AST) -> set[int]:
    """ids of the docstring nodes of the module, its classes and functions."""
    ids = set()
    for noeud in ast.walk(arbre):
        if isinstance(noeud, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            corps = noeud.body
            if corps and isinstance(corps[0], ast.Expr) and isinstance(corps[0].value, ast.Constant):
                ids.add(id(corps[0].value))
    return ids


def textes_python(chemin: Path) -> list[tuple[int, str]]:
    """(line, text) of each string literal of ``chemin`` but its docstrings; an f-string's literal parts."""
    arbre = ast.parse(chemin.read_text(encoding="utf-8"), filename=str(chemin))
    docstrings = _docstrings(arbre)
    return [
        (noeud.lineno, noeud.value)
        for noeud in ast.walk(arbre)
        if isinstance(noeud, ast.Constant) and isinstance(noeud.value, str) and id(noeud) not in docstrings
    ]


def _finit_par_de(noeud: ast.AST) -> bool:
    return (
        isinstance(noeud, ast.Constant) and isinstance(noeud.value, str) and bool(re.search(r"\b[Dd]e $", noeud.value))
    )


def de_avant_un_nom_python(chemin: Path) -> list[tuple[int, str]]:
    """(line, source) of each f-string where a literal part ending in "de " is followed by a name, and of each
    ``"... de " + name``."""
    source = chemin.read_text(encoding="utf-8")
    trouves = []
    for noeud in ast.walk(ast.parse(source, filename=str(chemin))):
        if (
            isinstance(noeud, ast.BinOp)
            and isinstance(noeud.op, ast.Add)
            and _finit_par_de(noeud.left)
            and re.search(r"\b" + NOM + r"\b", ast.get_source_segment(source, noeud.right) or "")
        ):
            trouves.append((noeud.lineno, ast.get_source_segment(source, noeud)))
        if not isinstance(noeud, ast.JoinedStr):
            continue
        for avant, apres in zip(noeud.values, noeud.values[1:], strict=False):
            if (
                _finit_par_de(avant)
                and isinstance(apres, ast.FormattedValue)
                and re.search(r"\b" + NOM + r"\b", ast.get_source_segment(source, apres.value) or "")
            ):
                trouves.append((noeud.lineno, ast.get_source_segment(source, noeud)))
    return trouves


def _sans_commentaires_jinja(texte: str) -> str:
    return re.sub(r"\{#.*?#\}", "", texte, flags=re.DOTALL)


def _sans_commentaires_js(texte: str) -> str:
    return re.sub(r"/\*.*?\*/|^\s*//.*$", "", texte, flags=re.DOTALL | re.MULTILINE)


def _relatif(chemin: Path) -> str:
    return str(chemin.relative_to(RACINE))


def test_the_scan_reads_the_app_sources():
    assert len(sources_python()) > 30 and len(gabarits()) > 20 and scripts()


@pytest.mark.parametrize(
    ("texte", "refuse"),
    [
        ("Inscrit(e) sur la liste", True),
        ("3 compétence(s) acquise(s)", True),
        ("acquis(es)", True),
        ("Inscrite sur la liste", False),
        ('%(h)s %(s)s "%(a)s"', False),  # a log format, not an ending
        ("(s) seul", False),
    ],
)
def test_the_ending_pattern(texte, refuse):
    assert bool(FIN_ENTRE_PARENTHESES.search(texte)) is refuse


@pytest.mark.parametrize(
    ("texte", "refuse"),
    [
        ("Progression de {{ inscription.apprenant.nom_complet }}", True),
        ("Atelier de {{ c.apprenant.prenom }}", True),
        ("Compétences de {{ inscription.apprenant | nom_vu }}", True),
        ("Progression {{ inscription.apprenant.nom_complet | de }}", False),
        ("Séance de {{ seance.numero }}", False),
        ("('Positionnement de ' ~ apprenant.prenom ~ ' ')", True),
        ("('Positionnement ' ~ apprenant.prenom | de ~ ' ')", False),
    ],
)
def test_the_jinja_de_pattern(texte, refuse):
    assert bool(DE_AVANT_UN_NOM_JINJA.search(texte)) is refuse


def test_no_ending_in_brackets_in_any_sentence_of_the_app():
    trouves = [
        f"{_relatif(chemin)}:{ligne}: {texte!r}"
        for chemin in sources_python()
        for ligne, texte in textes_python(chemin)
        if FIN_ENTRE_PARENTHESES.search(texte)
    ]
    for chemin in gabarits():
        for ligne, texte in enumerate(_sans_commentaires_jinja(chemin.read_text(encoding="utf-8")).splitlines(), 1):
            if FIN_ENTRE_PARENTHESES.search(texte):
                trouves.append(f"{_relatif(chemin)}:{ligne}: {texte.strip()}")
    for chemin in scripts():
        for ligne, texte in enumerate(_sans_commentaires_js(chemin.read_text(encoding="utf-8")).splitlines(), 1):
            if FIN_ENTRE_PARENTHESES.search(texte):
                trouves.append(f"{_relatif(chemin)}:{ligne}: {texte.strip()}")
    assert not trouves, "say the number (nombre) or rephrase:\n" + "\n".join(trouves)


def test_de_before_a_name_is_always_elided():
    trouves = [
        f"{_relatif(chemin)}:{ligne}: {texte}"
        for chemin in sources_python()
        for ligne, texte in de_avant_un_nom_python(chemin)
    ]
    for chemin in gabarits():
        for ligne, texte in enumerate(_sans_commentaires_jinja(chemin.read_text(encoding="utf-8")).splitlines(), 1):
            if DE_AVANT_UN_NOM_JINJA.search(texte):
                trouves.append(f"{_relatif(chemin)}:{ligne}: {texte.strip()}")
    assert not trouves, "use core.francais.de / the filter de:\n" + "\n".join(trouves)
