"""Writing tables (:class:`pilotage.tableaux.Tableau`) as files a director opens: CSV for French Excel, XLSX and
ODS (LibreOffice, common in French local government).

Pure: tables in, bytes out; no Flask, no database. openpyxl and odfpy are imported inside the function that
writes their format, never at import time: the scheduler process has no room for them (DESIGN.md section 8,
``tests/services/test_lazy_pdf.py``).

Every format lays out each table the same way: its French title, the header row, the rows, then, after a blank
row, its definition (how the figures are counted). Rates (the ``pourcentages`` columns, 0 to 1) are numbers with
a percent format in XLSX and ODS. Text that a spreadsheet would run as a formula is neutralised in every format
(:func:`neutraliser`); numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal

from pilotage.tableaux import Cellule, Tableau

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}
"""Format code -> media type (the French labels of the choice: ``core.constants.FORMATS_EXPORT``)."""

FORMULE = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a text cell as a formula (OWASP, "CSV Injection")."""

SEPARATEUR_CSV = ";"
"""French Excel's list separator: a comma-separated file opens as one column per line in France."""

BOM = "\ufeff"
"""Without it, Excel reads a CSV file as Windows-1252 and every accented letter comes out garbled."""


class FormatInconnu(ValueError):
    """A format other than those of :data:`FORMATS`."""


def neutraliser(texte: str) -> str:
    """``texte`` with a leading apostrophe when it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return, so that no spreadsheet runs it as a formula (OWASP "CSV Injection" advice); any other text as is.

    Applied to text only: a negative number stays a number (see :func:`ecrire`).
    """
    return f"'{texte}" if texte.startswith(FORMULE) else texte


def ecrire(tableaux: Sequence[Tableau], format_: str) -> bytes:
    """The tables as a file of ``format_`` (a key of :data:`FORMATS`).

    :raise FormatInconnu: any other format.
    """
    try:
        ecrivain = _ECRIVAINS[format_]
    except KeyError:
        raise FormatInconnu(f"format inconnu : {format_!r}") from None
    return ecrivain(tableaux)


def _texte(cellule: Cellule) -> str | None:
    """A text cell neutralised; None for any other kind of cell."""
    return neutraliser(cellule) if isinstance(cellule, str) else None


# --- CSV --------------------------------------------------------------------------------------------------


def nombre_fr(valeur: int | float | Decimal) -> str:
    """A number as French Excel reads it back as a number: decimal comma, no thousands separator, no exponent
    for the values of a report (``1234,5``, ``-3``, ``0,125``)."""
    if isinstance(valeur, int):
        return str(valeur)
    texte = format(valeur, "f") if isinstance(valeur, Decimal) else format(valeur, ".15g")
    if "e" in texte:  # a float too large or too small for .15g to write plainly: the same digits, in full
        texte = format(Decimal(texte), "f")
    return texte.replace(".", ",")


def taux_fr(valeur: float | Decimal) -> str:
    """A rate from 0 to 1 as a percentage French Excel and LibreOffice read back as a percent number:
    ``0.455`` -> ``45,5%`` (two decimals at most; no space before ``%``, which a spreadsheet's parser may
    not accept as a number)."""
    pourcent = round(float(valeur) * 100, 2)
    texte = format(pourcent, ".2f").rstrip("0").rstrip(".")
    return f"{texte.replace('.', ',')}%"


def _csv_cellule(cellule: Cellule, est_taux: bool) -> str:
    if cellule is None:
        return ""
    if isinstance(cellule, bool):  # a bool is an int: say it in words
        return "oui" if cellule else "non"
    if isinstance(cellule, int | float | Decimal):
        return taux_fr(cellule) if est_taux else nombre_fr(cellule)
    if isinstance(cellule, datetime):
        return cellule.strftime("%d/%m/%Y %H:%M")
    if isinstance(cellule, date):
        return cellule.strftime("%d/%m/%Y")
    return neutraliser(str(cellule))


def ecrire_csv(tableaux: Sequence[Tableau]) -> bytes:
    """One CSV file, UTF-8 with a BOM, ``;``-separated, every field quoted only when needed (RFC 4180 with CRLF
    line ends, as Excel writes them).

    Several tables go in the one file, each under its title with its definition below and a blank line
    between: a director double-clicks one file and sees every table in French Excel, where a zip of one file
    per table needs unpacking first and loses the titles.
    """
    sortie = io.StringIO()
    lignes = csv.writer(sortie, delimiter=SEPARATEUR_CSV, lineterminator="\r\n")
    for rang, tableau in enumerate(tableaux):
        if rang:
            lignes.writerow([])
        for ligne in _disposition(tableau, lambda cellule, est_taux: _csv_cellule(cellule, est_taux)):
            lignes.writerow(ligne)
    return (BOM + sortie.getvalue()).encode("utf-8")


def _disposition(tableau: Tableau, cellule: Callable[[Cellule, bool], object]) -> list[list]:
    """The rows of a table as laid out in a file: title, header, rows, and after a blank row its definition;
    ``cellule(value, is_rate)`` converts each data cell."""
    lignes: list[list] = []
    if tableau.titre:
        lignes.append([neutraliser(tableau.titre)])
    lignes.append([neutraliser(colonne) for colonne in tableau.colonnes])
    for ligne in tableau.lignes:
        lignes.append([cellule(valeur, rang in tableau.pourcentages) for rang, valeur in enumerate(ligne)])
    if tableau.definition:
        lignes.extend([[], [neutraliser(tableau.definition)]])
    return lignes


# --- XLSX -------------------------------------------------------------------------------------------------

FORMAT_TAUX_XLSX = "0.0%"
FORMAT_DATE_XLSX = "DD/MM/YYYY"
FORMAT_MOMENT_XLSX = "DD/MM/YYYY HH:MM"


def ecrire_xlsx(tableaux: Sequence[Tableau]) -> bytes:
    """An XLSX workbook, one sheet per table named by its ``nom``; dates as dates (jj/mm/aaaa), rates as
    numbers with the ``0.0%`` format (shown ``45,5 %`` in French Excel), text always as text."""
    from openpyxl import Workbook  # heavy: loaded on first use
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    classeur = Workbook()
    classeur.remove(classeur.active)
    for tableau in tableaux:
        feuille = classeur.create_sheet(tableau.nom)
        debut_donnees = 2 if tableau.titre else 1
        for rang, ligne in enumerate(_disposition(tableau, _valeur_tableur), start=1):
            feuille.append(ligne)
            if debut_donnees <= rang - 1 < debut_donnees + len(tableau.lignes):
                _formats_xlsx(feuille[rang], tableau)
        if tableau.titre:
            feuille.cell(1, 1).font = Font(bold=True)
        for cellule in feuille[debut_donnees]:
            cellule.font = Font(bold=True)
        for cellules in feuille.iter_rows():
            for cellule in cellules:
                if isinstance(cellule.value, str):
                    cellule.data_type = "s"  # never a formula, whatever the text
        for rang, colonne in enumerate(tableau.colonnes, start=1):
            feuille.column_dimensions[get_column_letter(rang)].width = max(12, min(len(colonne) + 4, 40))
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def _valeur_tableur(cellule: Cellule, _est_taux: bool):
    """A data cell as a spreadsheet library takes it: text neutralised, Decimal as float, the rest as is."""
    if isinstance(cellule, str):
        return neutraliser(cellule)
    if isinstance(cellule, Decimal):
        return float(cellule)
    return cellule


def _formats_xlsx(cellules, tableau: Tableau) -> None:
    for rang, cellule in enumerate(cellules):
        if rang in tableau.pourcentages and isinstance(cellule.value, int | float):
            cellule.number_format = FORMAT_TAUX_XLSX
        elif isinstance(cellule.value, datetime):
            cellule.number_format = FORMAT_MOMENT_XLSX
        elif isinstance(cellule.value, date):
            cellule.number_format = FORMAT_DATE_XLSX


# --- ODS --------------------------------------------------------------------------------------------------


def ecrire_ods(tableaux: Sequence[Tableau]) -> bytes:
    """An ODS spreadsheet (OpenDocument), one sheet per table named by its ``nom``; numbers as floats, rates as
    percentages (``45,5 %`` in a French LibreOffice), dates as dates shown jj/mm/aaaa, text as text."""
    from odf import number  # heavy: loaded on first use
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableColumnProperties, TextProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    taux = number.PercentageStyle(name="N-taux")
    taux.addElement(number.Number(decimalplaces="1", minintegerdigits="1"))
    taux.addElement(number.Text(text="\u00a0%"))
    jour = number.DateStyle(name="N-jour")
    moment = number.DateStyle(name="N-moment")
    for style, avec_heure in ((jour, False), (moment, True)):
        style.addElement(number.Day(style="long"))
        style.addElement(number.Text(text="/"))
        style.addElement(number.Month(style="long"))
        style.addElement(number.Text(text="/"))
        style.addElement(number.Year(style="long"))
        if avec_heure:
            style.addElement(number.Text(text=" "))
            style.addElement(number.Hours(style="long"))
            style.addElement(number.Text(text=":"))
            style.addElement(number.Minutes(style="long"))
    for style in (taux, jour, moment):
        document.automaticstyles.addElement(style)
    cellule_taux = Style(name="C-taux", family="table-cell", datastylename="N-taux")
    cellule_jour = Style(name="C-jour", family="table-cell", datastylename="N-jour")
    cellule_moment = Style(name="C-moment", family="table-cell", datastylename="N-moment")
    gras = Style(name="C-gras", family="table-cell")
    gras.addElement(TextProperties(fontweight="bold"))
    largeur = Style(name="Col", family="table-column")
    largeur.addElement(TableColumnProperties(columnwidth="4cm"))
    for style in (cellule_taux, cellule_jour, cellule_moment, gras, largeur):
        document.automaticstyles.addElement(style)

    def cellule(valeur, est_taux: bool, en_gras: bool = False):
        if valeur is None:
            return TableCell()
        if isinstance(valeur, bool):
            valeur = "oui" if valeur else "non"
        if isinstance(valeur, int | float):
            if est_taux:
                return TableCell(valuetype="percentage", value=valeur, stylename=cellule_taux)
            return TableCell(valuetype="float", value=valeur)
        if isinstance(valeur, datetime):
            return TableCell(valuetype="date", datevalue=valeur.strftime("%Y-%m-%dT%H:%M:%S"), stylename=cellule_moment)
        if isinstance(valeur, date):
            return TableCell(valuetype="date", datevalue=valeur.isoformat(), stylename=cellule_jour)
        texte = TableCell(valuetype="string", stylename=gras) if en_gras else TableCell(valuetype="string")
        texte.addElement(P(text=str(valeur)))
        return texte

    for tableau in tableaux:
        feuille = Table(name=tableau.nom)
        feuille.addElement(TableColumn(numbercolumnsrepeated=max(len(tableau.colonnes), 1), stylename=largeur))
        debut_donnees = 2 if tableau.titre else 1
        for rang, ligne in enumerate(_disposition(tableau, _valeur_tableur), start=1):
            rangee = TableRow()
            donnees = debut_donnees <= rang - 1 < debut_donnees + len(tableau.lignes)
            en_gras = rang <= debut_donnees
            for colonne, valeur in enumerate(ligne):
                rangee.addElement(cellule(valeur, donnees and colonne in tableau.pourcentages, en_gras))
            if not ligne:
                rangee.addElement(TableCell())
            feuille.addElement(rangee)
        document.spreadsheet.addElement(feuille)
    sortie = io.BytesIO()
    document.write(sortie)
    return sortie.getvalue()


_ECRIVAINS: dict[str, Callable[[Sequence[Tableau]], bytes]] = {
    "csv": ecrire_csv,
    "xlsx": ecrire_xlsx,
    "ods": ecrire_ods,
}
