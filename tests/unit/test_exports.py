"""The export writer: tables written as CSV, XLSX and ODS, read back with the csv module, openpyxl and odfpy, and
compared with the tables cell by cell (formula cells neutralised, decimal commas, the BOM, rates as percents)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest

from pilotage.exports import BOM, FormatInconnu, ecrire, neutraliser, nombre_fr, taux_fr
from pilotage.tableaux import Tableau

ABANDONS = Tableau.de(
    "abandons_par_motif",
    "Abandons par motif",
    ["Motif", "Abandons", "Part des abandons", "Premier abandon", "Heures"],
    [
        ["Santé", 3, 0.375, date(2026, 3, 30), Decimal("12.5")],
        ['=HYPERLINK("http://x";"clic")', 2, 0.25, date(2026, 4, 13), 1.75],
        ["+33 6 12", -1, 0.0, datetime(2026, 4, 20, 9, 5), 1234567.25],
        ["-moins", 0, None, None, None],
        ["@SUM(A1)", 1, 1.0, None, 0],
        ["\tTab", 1, 0.125, None, 0],
        ["\rRetour", 1, 0.1234, None, 0],
        ["Sans souci ; avec point-virgule et « guillemets »", 5, 0.5, None, 2],
    ],
    "Part des abandons : abandons pour ce motif sur l'ensemble des abandons de la période.",
    [2],
)
PRESENCE = Tableau.de("presence", "=Assiduité", ["Séances", "Taux"], [[6, 0.8]], "", [1])
TABLEAUX = (ABANDONS, PRESENCE)


def attendu(valeur):
    """A cell as every format must give it back: text neutralised, the rest unchanged."""
    return neutraliser(valeur) if isinstance(valeur, str) else valeur


def xml(valeur):
    """A cell as an XML file gives it back: XML turns a carriage return into a line feed when read."""
    return valeur.replace("\r", "\n") if isinstance(valeur, str) else valeur


def dispositions(tableau: Tableau) -> list[list]:
    """What each format writes for a table, in rows: title, header, rows, blank row, definition."""
    lignes = []
    if tableau.titre:
        lignes.append([attendu(tableau.titre)])
    lignes.append([attendu(colonne) for colonne in tableau.colonnes])
    lignes += [[attendu(valeur) for valeur in ligne] for ligne in tableau.lignes]
    if tableau.definition:
        lignes += [[], [attendu(tableau.definition)]]
    return lignes


def test_text_that_a_spreadsheet_would_run_is_neutralised_and_nothing_else():
    for debut in ("=", "+", "-", "@", "\t", "\r"):
        assert neutraliser(f"{debut}1+1") == f"'{debut}1+1"
    assert neutraliser("Santé =") == "Santé ="
    assert neutraliser("") == ""


@pytest.mark.parametrize(
    ("valeur", "texte"),
    [(3, "3"), (-2, "-2"), (2.5, "2,5"), (Decimal("12.50"), "12,50"), (1234567.25, "1234567,25"), (1e-7, "0,0000001")],
)
def test_numbers_are_written_with_a_decimal_comma_and_no_thousands_separator(valeur, texte):
    assert nombre_fr(valeur) == texte


@pytest.mark.parametrize(("valeur", "texte"), [(0.375, "37,5%"), (1.0, "100%"), (0.0, "0%"), (0.1234, "12,34%")])
def test_rates_are_written_as_percentages(valeur, texte):
    assert taux_fr(valeur) == texte


def lire_csv_cellule(texte: str, est_taux: bool):
    """A CSV cell read back as French Excel would: empty -> None, a percentage, a French number, a date."""
    if texte == "":
        return None
    if est_taux and texte.endswith("%"):
        return float(texte[:-1].replace(",", ".")) / 100
    for forme in ("%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            moment = datetime.strptime(texte, forme)
        except ValueError:
            continue
        return moment if " " in texte else moment.date()
    try:
        return int(texte)
    except ValueError:
        pass
    try:
        return float(texte.replace(",", "."))
    except ValueError:
        return texte


class TestCsv:
    contenu = ecrire(TABLEAUX, "csv")

    def test_utf8_with_a_bom_semicolons_and_crlf(self):
        assert self.contenu.startswith(BOM.encode("utf-8"))
        texte = self.contenu.decode("utf-8")
        assert "\r\n" in texte
        assert texte[1:].startswith("Abandons par motif\r\nMotif;Abandons;Part des abandons;")
        assert "Santé;3;37,5%;30/03/2026;12,5\r\n" in texte

    def test_each_table_under_its_title_with_its_definition_and_a_blank_line_between(self):
        lignes = list(csv.reader(io.StringIO(self.contenu.decode("utf-8-sig"), newline=""), delimiter=";"))
        premier = dispositions(ABANDONS)
        assert len(lignes) == len(premier) + 1 + len(dispositions(PRESENCE))
        assert lignes[len(premier)] == []
        for tableau, debut in ((ABANDONS, 0), (PRESENCE, len(premier) + 1)):
            rangees = dispositions(tableau)
            donnees = range(2 if tableau.titre else 1, (2 if tableau.titre else 1) + len(tableau.lignes))
            for rang, rangee in enumerate(rangees):
                lue = lignes[debut + rang]
                if rang not in donnees:
                    assert lue == [str(v) for v in rangee]
                    continue
                assert len(lue) == len(rangee)
                for colonne, (cellule, valeur) in enumerate(zip(lue, rangee, strict=True)):
                    relue = lire_csv_cellule(cellule, colonne in tableau.pourcentages)
                    if isinstance(valeur, float | Decimal):
                        assert relue == pytest.approx(float(valeur), abs=5e-5), (rang, colonne, cellule)
                    else:
                        assert relue == valeur, (rang, colonne, cellule)

    def test_formula_cells_keep_their_text_behind_an_apostrophe(self):
        texte = self.contenu.decode("utf-8-sig")
        assert '\'=HYPERLINK(""http://x"";""clic"")' in texte
        assert "'+33 6 12;-1;0%;20/04/2026 09:05;1234567,25" in texte
        assert "'@SUM(A1)" in texte and "'-moins" in texte and "'=Assiduité" in texte
        assert ";-1;" in texte  # a negative number stays a number


def test_xlsx_read_back_with_openpyxl_cell_by_cell():
    from openpyxl import load_workbook

    classeur = load_workbook(io.BytesIO(ecrire(TABLEAUX, "xlsx")))
    assert classeur.sheetnames == ["abandons_par_motif", "presence"]
    assert classeur["abandons_par_motif"]["A4"].value == '\'=HYPERLINK("http://x";"clic")'
    assert classeur["presence"]["A1"].value == "'=Assiduité"
    for tableau in TABLEAUX:
        feuille = classeur[tableau.nom]
        rangees = dispositions(tableau)
        debut = 2 if tableau.titre else 1
        assert feuille.max_row == len(rangees)
        for rang, rangee in enumerate(rangees, start=1):
            for colonne, valeur in enumerate(rangee, start=1):
                cellule = feuille.cell(rang, colonne)
                if isinstance(valeur, datetime):
                    assert cellule.value == valeur and cellule.number_format == "DD/MM/YYYY HH:MM"
                elif isinstance(valeur, date):
                    assert cellule.value.date() == valeur and cellule.number_format == "DD/MM/YYYY"
                elif isinstance(valeur, Decimal):
                    assert cellule.value == float(valeur)
                else:
                    assert cellule.value == xml(valeur), (tableau.nom, rang, colonne)
                if isinstance(valeur, str):
                    assert cellule.data_type == "s"  # never a formula
                taux = debut < rang <= debut + len(tableau.lignes) and colonne - 1 in tableau.pourcentages
                if taux and valeur is not None:
                    assert cellule.number_format == "0.0%" and isinstance(cellule.value, int | float)


def ods_lignes(contenu: bytes) -> dict[str, list[list]]:
    """Each sheet of an ODS file as rows of (value type, value) read with odfpy."""
    from odf.namespaces import OFFICENS
    from odf.opendocument import load
    from odf.table import Table, TableCell, TableRow

    document = load(io.BytesIO(contenu))
    feuilles = {}
    for table in document.spreadsheet.getElementsByType(Table):
        rangees = []
        for rangee in table.getElementsByType(TableRow):
            cellules = []
            for cellule in rangee.getElementsByType(TableCell):
                sorte = cellule.attributes.get((OFFICENS, "value-type"))
                if sorte in ("float", "percentage"):
                    cellules.append((sorte, float(cellule.attributes[(OFFICENS, "value")])))
                elif sorte == "date":
                    cellules.append((sorte, cellule.attributes[(OFFICENS, "date-value")]))
                elif sorte == "string":
                    cellules.append((sorte, str(cellule)))
                else:
                    cellules.append((None, None))
            rangees.append(cellules)
        feuilles[table.getAttribute("name")] = rangees
    return feuilles


def test_ods_read_back_with_odfpy_cell_by_cell():
    feuilles = ods_lignes(ecrire(TABLEAUX, "ods"))
    assert list(feuilles) == ["abandons_par_motif", "presence"]
    assert feuilles["abandons_par_motif"][3][0] == ("string", '\'=HYPERLINK("http://x";"clic")')
    assert feuilles["abandons_par_motif"][4][:2] == [("string", "'+33 6 12"), ("float", -1.0)]
    for tableau in TABLEAUX:
        debut = 2 if tableau.titre else 1
        rangees = dispositions(tableau)
        lues = feuilles[tableau.nom]
        assert len(lues) == len(rangees)
        for rang, (rangee, lue) in enumerate(zip(rangees, lues, strict=True), start=1):
            donnees = debut < rang <= debut + len(tableau.lignes)
            for colonne, valeur in enumerate(rangee):
                sorte, relue = lue[colonne]
                if valeur is None:
                    assert sorte is None
                elif isinstance(valeur, datetime):
                    assert (sorte, relue) == ("date", valeur.strftime("%Y-%m-%dT%H:%M:%S"))
                elif isinstance(valeur, date):
                    assert (sorte, relue) == ("date", valeur.isoformat())
                elif isinstance(valeur, int | float | Decimal):
                    taux = donnees and colonne in tableau.pourcentages
                    assert sorte == ("percentage" if taux else "float")
                    assert relue == pytest.approx(float(valeur))
                else:
                    assert (sorte, xml(relue)) == ("string", xml(valeur)), (tableau.nom, rang, colonne)


def test_an_ods_rate_cell_carries_the_percent_style():
    contenu = ecrire([PRESENCE], "ods")
    import zipfile

    xml = zipfile.ZipFile(io.BytesIO(contenu)).read("content.xml").decode()
    assert "<number:percentage-style" in xml
    assert 'office:value-type="percentage"' in xml and 'office:value="0.8"' in xml


def test_an_empty_table_is_written_with_its_header():
    vide = Tableau.de("vide", "Rien", ["Colonne"], [], "Aucune donnée pour la période.")
    assert ecrire([vide], "csv").decode("utf-8-sig") == "Rien\r\nColonne\r\n\r\nAucune donnée pour la période.\r\n"
    for format_ in ("xlsx", "ods"):
        assert ecrire([vide], format_)[:2] == b"PK"


def test_an_unknown_format_is_refused():
    with pytest.raises(FormatInconnu):
        ecrire(TABLEAUX, "xls")
