"use strict";
/* The transactions table #transactions of bank statements: one tr.txn per row, one td[data-field] per
   read cell; rows named by a finding are .flagged. Cells are selected by click, edited by double-click. */

const Statement = (() => {
  /* The columns of the shown table's transactions (its type's declaration), and which of them are amounts. */
  let shown = { type: null, columns: [] };
  const columns = () => shown.columns.map((c) => c.name);
  const isAmount = (name) => shown.columns.some((c) => c.name === name && c.kind === "money");
  let handlers = null; // {select, edit}

  function init(callbacks) {
    handlers = callbacks;
    const table = byId("transactions");
    table.addEventListener("click", (event) => {
      const cell = cellAt(event);
      if (cell) handlers.select(targetOf(cell), { from: "table" });
    });
    table.addEventListener("dblclick", (event) => {
      const cell = cellAt(event);
      if (cell) handlers.edit(targetOf(cell));
    });
  }

  function cellAt(event) {
    if (event.target.closest(".editor")) return null;
    return event.target.closest("td[data-field]");
  }

  /** Documents of the upload that have a transactions table. */
  function statementParts(doc) {
    return doc.documents.filter((part) => Array.isArray(part.transactions));
  }

  /** Rows a finding names, by `rows` or by a cell in `fields`. */
  function flaggedRows(part) {
    return new Set((part.findings || []).flatMap((finding) => [...(finding.rows || []),
      ...(finding.fields || []).map((f) => parseRowField(f)?.row).filter((row) => row !== undefined)]));
  }

  function cellText(name, field) {
    if (field.value === null || field.value === undefined || field.value === "") return null;
    return isAmount(name) ? formatAmount(field.value) : String(field.value);
  }

  function cellNodes(name, field) {
    const text = cellText(name, field);
    return [text === null ? el("span", { class: "missing", title: t("value.missing"), text: "—" }) : text];
  }

  function cellClass(name, field) {
    const sign = name === "amount" ? amountSign(field.value) : null;
    return [isAmount(name) && "num", sign === 1 && "in", sign === -1 && "out",
      field.low && "low", field.failed && "failed"].filter(Boolean).join(" ");
  }

  function cell(index, row, name, field) {
    if (!field) return el("td", { class: "absent" });
    return el("td", { class: cellClass(name, field), "data-document": index,
      "data-field": `transactions[${row}].${name}`,
      title: `${t("col.confidence")} ${formatConfidence(field.confidence)}` }, ...cellNodes(name, field));
  }

  function txnRow(index, row, data, flagged) {
    return el("tr", { class: `txn${flagged ? " flagged" : ""}`, "data-document": index, "data-row": row },
      el("th", { scope: "row", class: "row-number", text: row + 1 }),
      ...columns().map((name) => cell(index, row, name, data[name])));
  }

  function fieldLabelOfColumn(name) {
    const typed = `tcol.${shown.type}.transactions.${name}`;
    return hasText(typed) ? t(typed) : nameOf("col", `transactions.${name}`);
  }

  function renderHead() {
    byId("transactions").tHead.replaceChildren(el("tr", {},
      el("th", { scope: "col", class: "row-number", text: t("stmt.row") }),
      ...columns().map((name) => el("th", { scope: "col", class: isAmount(name) ? "num" : null,
        text: fieldLabelOfColumn(name) }))));
  }

  /** Draws the transactions of every statement of the upload; hides the section when there are none. */
  function render(doc) {
    const parts = statementParts(doc);
    byId("statement").hidden = parts.length === 0;
    clear();
    if (!parts.length) return;
    shown = { type: parts[0].type, columns: declaredColumns(parts[0].type, "transactions") };
    renderHead();
    let rows = 0;
    let flaggedCount = 0;
    for (const part of parts) {
      const flagged = flaggedRows(part);
      rows += part.transactions.length;
      flaggedCount += flagged.size;
      byId("transactions").append(el("tbody", { "data-document": part.index },
        ...part.transactions.map((data, i) => txnRow(part.index, i, data, flagged.has(i)))));
    }
    byId("txn-summary").textContent = t("stmt.summary", { n: rows, flagged: flaggedCount });
  }

  function clear() {
    for (const body of Array.from(byId("transactions").tBodies)) body.remove();
  }

  function cellFor(target) {
    return byId("transactions").querySelector(`td${targetSelector(target)}`);
  }

  /** Puts a cell's normal content back (after an edit is cancelled). */
  function fillCell(node, name, field) {
    node.replaceChildren(...cellNodes(name, field));
  }

  function rowFor(documentIndex, row) {
    return byId("transactions").querySelector(`tr.txn[data-document="${documentIndex}"][data-row="${row}"]`);
  }

  /** Scrolls the table (and the page) so that the row is in the middle. */
  function scrollToRow(documentIndex, row) {
    const tr = rowFor(documentIndex, row);
    if (tr) tr.scrollIntoView({ block: "center" });
  }

  function scrollToFirstFlagged() {
    const tr = byId("transactions").querySelector("tr.txn.flagged");
    if (tr) tr.scrollIntoView({ block: "center" });
  }

  /** Marks the selected cell (null: none); `scroll` brings it into view. */
  function mark(target, scroll) {
    for (const node of byId("transactions").querySelectorAll("td.selected")) node.classList.remove("selected");
    const node = target && cellFor(target);
    if (!node) return;
    node.classList.add("selected");
    if (scroll) node.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  /** The nearest read cell of the same column `step` rows on (step -1: back), or null. */
  function neighbour(target, step) {
    const at = parseRowField(target.field);
    for (let row = at.row + step; rowFor(target.document, row); row += step) {
      const next = { document: target.document, field: `transactions[${row}].${at.name}` };
      if (cellFor(next)) return next;
    }
    return null;
  }

  return { init, render, clear, cellFor, fillCell, mark, scrollToRow, scrollToFirstFlagged, neighbour };
})();
