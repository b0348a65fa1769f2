"use strict";
/* The fields table #fields: one tbody per document of the upload (heading = its type),
   one tr.field per field with value, raw text, confidence, source and the edit / reveal buttons. */

const Fields = (() => {
  let handlers = null; // {select, edit, reveal}

  function init(callbacks) {
    handlers = callbacks;
    byId("fields").addEventListener("click", onClick);
  }

  function onClick(event) {
    const row = event.target.closest("tr.field");
    if (!row || event.target.closest(".editor")) return;
    const target = targetOf(row);
    if (event.target.closest("button.edit")) handlers.edit(target);
    else if (event.target.closest("button.reveal")) handlers.reveal([target]);
    else handlers.select(target, { from: "list" });
  }

  /** The nodes shown in a value cell: the value (or the revealed one), "—" when unread, the note. */
  function valueNodes(field, revealed) {
    const value = revealed ? revealed.value : field.value;
    const nodes = [];
    if (value === null || value === undefined || value === "") {
      nodes.push(el("span", { class: "missing", title: t("value.missing"), text: "—" }));
    } else {
      nodes.push(el("span", { class: "value-text", text: value }));
    }
    if (revealed) nodes.push(el("small", { class: "reveal-logged", text: t("field.reveal_logged") }));
    if (field.note) nodes.push(el("small", { class: "field-note", text: t("field.note_shown", { note: field.note }) }));
    return nodes;
  }

  /** Puts a field's normal content back into its value cell (after an edit is cancelled). */
  function fillValue(cell, field, revealed) {
    cell.replaceChildren(...valueNodes(field, revealed));
  }

  function rowClasses(field, revealed) {
    return ["field", field.low && "low", field.failed && "failed",
      field.masked && !revealed && "masked", revealed && "revealed"].filter(Boolean).join(" ");
  }

  function actionButtons(target, field, revealed, canCorrect) {
    const label = fieldLabel(target.field, target.type);
    return [
      canCorrect ? el("button", { type: "button", class: "edit", text: t("field.edit"),
        "aria-label": t("field.edit_label", { field: label }) }) : null,
      field.masked && !revealed ? el("button", { type: "button", class: "reveal", text: t("field.reveal"),
        title: t("field.reveal_title"), "aria-label": t("field.reveal_label", { field: label }) }) : null,
    ];
  }

  function fieldRow(target, field, revealed, canCorrect) {
    const source = field.source || "";
    const attrs = { class: rowClasses(field, revealed), "data-document": target.document, "data-field": target.field };
    return el("tr", attrs,
      el("th", { scope: "row", class: "label" },
        el("span", { text: fieldLabel(target.field, target.type) }), el("span", { class: "key", text: target.field })),
      el("td", { class: "value" }, ...valueNodes(field, revealed)),
      el("td", { class: "raw", text: (revealed ? revealed.raw : field.raw) ?? "" }),
      el("td", { class: "confidence", text: formatConfidence(field.confidence) }),
      el("td", { class: "source" }, source
        ? el("span", { class: `badge source-${source}`, text: nameOf("source", source) }) : null),
      el("td", { class: "actions" }, ...actionButtons(target, field, revealed, canCorrect)));
  }

  function documentGroup(part, revealed, canCorrect) {
    const index = part.index;
    const heading = el("tr", { class: "doc-heading" },
      el("th", { colspan: 6, scope: "rowgroup" }, typeName(part.type), " ",
        el("span", { class: `state-badge ${part.status}`, text: stateName(part.status) })));
    const rows = Object.entries(part.fields || {}).map(([name, field]) => {
      const target = { document: index, field: name, type: part.type };
      return fieldRow(target, field, revealed.get(targetKey(target)), canCorrect);
    });
    return el("tbody", { class: "doc-group", "data-document": index }, heading, ...rows);
  }

  /** Draws every document's fields. `revealed` maps targetKey → {value, raw}. */
  function render(doc, revealed) {
    clear();
    const canCorrect = Boolean(doc.permissions && doc.permissions.correct);
    byId("fields").append(...doc.documents.map((part) => documentGroup(part, revealed, canCorrect)));
  }

  function rowFor(target) {
    return byId("fields").querySelector(`tr.field${targetSelector(target)}`);
  }

  /** Targets of all field rows, in table order (for j / k). */
  function targets() {
    return Array.from(byId("fields").querySelectorAll("tr.field"), targetOf);
  }

  /** Marks the selected row (null: none); `scroll` brings it into view. */
  function mark(target, scroll) {
    for (const row of byId("fields").querySelectorAll("tr.field.selected")) row.classList.remove("selected");
    const row = target && rowFor(target);
    if (!row) return;
    row.classList.add("selected");
    if (scroll) row.scrollIntoView({ block: "nearest" });
  }

  function clear() {
    for (const body of Array.from(byId("fields").tBodies)) body.remove();
  }

  return { init, render, clear, rowFor, fillValue, targets, mark };
})();
