// Tables on a tablet or a phone (issue 9, item 9). Below 52rem app.css shows each row of a `.table` as a
// block of cells, each cell preceded by its column's label (`td::before { content: attr(data-label) }`).
// This script writes that label once per cell from the table's own header row, so templates do not repeat
// every header on every cell, and it gives the table its roles back: a table shown with CSS `display: block`
// loses its table semantics in some browsers, and with the roles a screen reader still announces the column
// of each cell (https://adrianroselli.com/2018/02/tables-css-display-properties-and-aria.html). A <caption>
// keeps its own semantics and still names the table: `role="caption"` is not an allowed child of a table for
// axe-core (aria-required-children, critical), so it gets none.
// Without JavaScript the rows still stack (no sideways scroll), only the labels are missing.
(() => {
  const ROLES = [
    ["table", "table"],
    ["thead, tbody, tfoot", "rowgroup"],
    ["tr", "row"],
    ["thead th", "columnheader"],
    ["tbody th, tfoot th", "rowheader"],
    ["td", "cell"],
  ];

  // A header's short form when it has one (the standard `abbr` attribute), else its words, a line break
  // counting as a space ("M1<br>L'ordinateur" is "M1 L'ordinateur").
  const headerText = (cell) => {
    if (cell.hasAttribute("abbr")) return cell.getAttribute("abbr");
    const copy = cell.cloneNode(true);
    copy.querySelectorAll("br").forEach((br) => br.replaceWith(" "));
    return copy.textContent.replace(/\s+/g, " ").trim();
  };

  // The label of each column of the header row, a header spanning several columns repeated for each of them.
  const columnLabels = (table) => {
    const header = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!header) return [];
    const labels = [];
    for (const cell of header.cells) {
      const text = headerText(cell);
      for (let span = 0; span < cell.colSpan; span += 1) labels.push(text);
    }
    return labels;
  };

  const label = (table) => {
    const labels = columnLabels(table);
    for (const [selector, role] of ROLES) {
      const scope = selector === "table" ? [table] : table.querySelectorAll(selector);
      for (const element of scope) {
        if (element.closest("table") === table && !element.hasAttribute("role")) element.setAttribute("role", role);
      }
    }
    for (const body of table.tBodies) {
      for (const row of body.rows) {
        // A grid read module by module on a narrow screen (the progress page) names each cell by its row.
        const rowHeader = row.querySelector(":scope > th[scope='row']");
        const rowLabel = rowHeader ? headerText(rowHeader) : "";
        let column = 0;
        for (const cell of row.cells) {
          const text = labels[column];
          if (text && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", text);
          if (rowLabel && cell !== rowHeader && !cell.hasAttribute("data-ligne")) cell.setAttribute("data-ligne", rowLabel);
          column += cell.colSpan;
        }
      }
    }
    table.classList.add("table-etiquetee");
  };

  const labelAll = () => document.querySelectorAll("table.table").forEach(label);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", labelAll);
  else labelAll();
})();
