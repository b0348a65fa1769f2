"use strict";
/* The document view's side panels: findings (#findings), decision actions (#actions), history (#history). */

const Findings = (() => {
  let handlers = null; // {select, showRow}

  function init(callbacks) {
    handlers = callbacks;
    byId("findings").addEventListener("click", onClick);
  }

  function onClick(event) {
    const link = event.target.closest("a.finding-field, a.finding-row");
    if (!link) return;
    event.preventDefault();
    if (link.classList.contains("finding-field")) handlers.select(targetOf(link), { from: "finding" });
    else handlers.showRow(Number(link.dataset.document), Number(link.dataset.row));
  }

  /** A link that selects the field; plain text for a name with nothing to select ("transactions"). */
  function fieldLink(docId, target, exists) {
    if (!exists(target)) return el("span", { class: "finding-name", text: fieldLabel(target.field, target.type) });
    return el("a", { class: "finding-field", href: Router.documentHref(docId, target),
      "data-document": target.document, "data-field": target.field, text: fieldLabel(target.field, target.type) });
  }

  /** Rows a finding names without naming one of their cells get a link to the row itself. */
  function rowLinks(index, finding) {
    const named = new Set((finding.fields || []).map((f) => parseRowField(f)?.row));
    return (finding.rows || []).filter((row) => !named.has(row)).map((row) =>
      el("a", { class: "finding-row", href: "#transactions", "data-document": index, "data-row": row,
        text: t("field.row", { n: row + 1 }) }));
  }

  function item(docId, part, finding, showType, exists) {
    const links = [...(finding.fields || []).map((field) => fieldLink(docId, { document: part.index, field, type: part.type }, exists)),
      ...rowLinks(part.index, finding)];
    return el("li", { class: `finding ${finding.severity}`, "data-rule": finding.rule },
      el("div", { class: "finding-head" },
        el("span", { class: `severity ${finding.severity}`, text: nameOf("severity", finding.severity) }),
        showType ? el("span", { class: "finding-doc", text: typeName(part.type) }) : null,
        el("code", { class: "rule", text: finding.rule })),
      el("div", { class: "finding-message", text: pick(finding.message) }),
      links.length ? el("div", { class: "finding-links" }, t("findings.fields"), ...links) : null);
  }

  /** Lists every document's findings; `exists(target)` says whether a named field can be selected. */
  function render(doc, exists) {
    const showType = doc.documents.length > 1;
    const items = doc.documents.flatMap((part) =>
      (part.findings || []).map((finding) => item(doc.id, part, finding, showType, exists)));
    byId("findings").replaceChildren(...(items.length ? items
      : [el("li", { class: "empty", text: t("findings.none") })]));
  }

  function clear() {
    byId("findings").replaceChildren();
  }

  return { init, render, clear };
})();

const Actions = (() => {
  const PANELS = { retake: "retake-form", reject: "reject-form" };
  let handlers = null; // {approve(note), retake(code, note), reject(reason)}

  function init(callbacks) {
    handlers = callbacks;
    byId("retake").addEventListener("click", () => toggle("retake"));
    byId("reject").addEventListener("click", () => toggle("reject"));
    for (const button of byId("actions").querySelectorAll("button.close-panel")) {
      button.addEventListener("click", closePanels);
    }
    byId("approve-form").addEventListener("submit", (event) => {
      event.preventDefault();
      handlers.approve(byId("approve-note").value.trim());
    });
    byId("retake-form").addEventListener("submit", (event) => {
      event.preventDefault();
      handlers.retake(byId("retake-reason").value, byId("retake-note").value.trim());
    });
    byId("reject-form").addEventListener("submit", onReject);
  }

  function onReject(event) {
    event.preventDefault();
    const reason = byId("reject-reason").value.trim();
    byId("reject-error").hidden = Boolean(reason);
    if (!reason) {
      byId("reject-reason").focus();
      return;
    }
    handlers.reject(reason);
  }

  /** Opens one confirm panel (closing the other), or closes it when open. */
  function toggle(name) {
    const opening = byId(PANELS[name]).hidden;
    closePanels();
    if (!opening) return;
    byId(PANELS[name]).hidden = false;
    byId(name).setAttribute("aria-expanded", "true");
    byId(name === "retake" ? "retake-reason" : "reject-reason").focus();
  }

  /** Closes the confirm panels; false when none was open. */
  function closePanels() {
    let wasOpen = false;
    for (const [name, panel] of Object.entries(PANELS)) {
      wasOpen = wasOpen || !byId(panel).hidden;
      byId(panel).hidden = true;
      byId(name).setAttribute("aria-expanded", "false");
    }
    byId("reject-error").hidden = true;
    return wasOpen;
  }

  function fillReasons(reasons) {
    const select = byId("retake-reason");
    const chosen = select.value;
    select.replaceChildren(...reasons.map((r) => el("option", { value: r.code, text: pick(r) })));
    if (reasons.some((r) => r.code === chosen)) select.value = chosen;
  }

  function render(doc) {
    const can = doc.permissions || {};
    byId("actions").hidden = !doc.actionable;
    byId("approve-form").hidden = !can.approve;
    byId("retake").hidden = !can.retake;
    byId("reject").hidden = !can.reject;
    if (!doc.actionable || !can.retake || !can.reject) closePanels();
    fillReasons(doc.retake_reasons || []);
  }

  /** Empties the inputs after a decision went through. */
  function reset() {
    for (const id of ["approve-note", "retake-note", "reject-reason"]) byId(id).value = "";
    closePanels();
  }

  function setBusy(busy) {
    for (const button of byId("actions").querySelectorAll("button")) button.disabled = busy;
    byId("actions").setAttribute("aria-busy", String(busy));
  }

  /** `a`: puts the focus on Approve; Enter (or a click) then approves. */
  function focusApprove() {
    const button = byId("approve");
    if (byId("actions").hidden || byId("approve-form").hidden) return;
    button.scrollIntoView({ block: "nearest" });
    button.focus();
  }

  return { init, render, reset, setBusy, focusApprove, closePanels };
})();

const History = (() => {
  function change(c) {
    const shown = (value) => (value === null || value === undefined || value === "" ? "—" : String(value));
    return el("tr", {},
      el("td", { text: fieldLabel(c.field) }),
      el("td", {}, el("del", { class: "diff-from", text: shown(c.from) })),
      el("td", {}, el("ins", { class: "diff-to", text: shown(c.to) })));
  }

  function changesTable(changes) {
    return el("table", { class: "diff" },
      el("thead", {}, el("tr", {},
        el("th", { scope: "col", text: t("history.field") }),
        el("th", { scope: "col", text: t("history.from") }),
        el("th", { scope: "col", text: t("history.to") }))),
      el("tbody", {}, ...changes.map(change)));
  }

  function item(v) {
    const who = v.author || (v.source === "pipeline" ? t("history.pipeline") : v.source);
    return el("li", { class: `version ${v.action}`, "data-version": v.version },
      el("div", { class: "version-head" },
        el("strong", { text: t("history.version", { version: v.version }) }),
        el("span", { class: "version-action", text: nameOf("hist", v.action) }),
        el("span", { class: "version-who", text: who || "" }),
        el("time", { datetime: v.created_at, text: formatTime(v.created_at) }),
        el("span", { class: `state-badge ${v.state}`, text: stateName(v.state) })),
      v.reason ? el("p", { class: "version-reason", text: t("decision.reason", { reason: v.reason }) }) : null,
      v.changes && v.changes.length ? changesTable(v.changes) : null);
  }

  /** Newest first; `versions` null means it could not be loaded. */
  function render(versions) {
    const list = byId("history");
    if (versions === null) {
      list.replaceChildren(el("li", { class: "empty", text: t("history.failed") }));
      return;
    }
    const items = [...versions].sort((a, b) => b.version - a.version).map(item);
    list.replaceChildren(...(items.length ? items : [el("li", { class: "empty", text: t("history.empty") })]));
  }

  function clear() {
    byId("history").replaceChildren();
  }

  return { render, clear };
})();
