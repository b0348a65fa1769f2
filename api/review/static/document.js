"use strict";
/* The document view: loads a document, draws its parts (viewer, fields, findings, transactions,
   chart, actions, history), keeps the one selection in step across them, and sends corrections,
   reveals and decisions. */

const DocumentView = (() => {
  const state = {
    id: null,
    doc: null,
    versions: null, // loaded with the document; null when that failed
    selected: null, // {document, field}
    revealed: new Map(), // targetKey → {value, raw, masked: the masked value it replaced}
    decided: false, // a decision was made here, so #next is offered
    nav: { stale: true },
  };

  function init() {
    Viewer.init((target) => select(target, { from: "box" }));
    Fields.init({ select, edit: startEdit, reveal });
    Statement.init({ select, edit: startEdit });
    Findings.init({ select, showRow: Statement.scrollToRow });
    Actions.init({ approve, retake, reject });
    Chart.init();
    byId("next").addEventListener("click", next);
    byId("reveal-all").addEventListener("click", () => reveal(maskedTargets(state.doc)));
  }

  function url(suffix = "") {
    return `/review/api/documents/${encodeURIComponent(state.id)}${suffix}`;
  }

  /* ---- loading ---- */

  function reset(id) {
    Object.assign(state, { id, doc: null, versions: null, selected: null, decided: false });
    state.revealed.clear();
    clearView();
  }

  async function enter(route, nav) {
    const fresh = route.id !== state.id;
    if (fresh) reset(route.id);
    state.nav = nav;
    if (fresh) window.scrollTo(0, 0);
    if (!(await load(fresh))) return;
    const wanted = targetFromParams(route.params);
    if (wanted) select(wanted, { from: "finding" });
    else if (fresh) Statement.scrollToFirstFlagged();
  }

  function targetFromParams(params) {
    const field = params.get("field");
    return field ? { document: Number(params.get("document") || 0), field } : null;
  }

  /** Fetches the document and its history; true when it was drawn. */
  async function load(fresh) {
    const nav = state.nav;
    const view = byId("document-view");
    view.setAttribute("aria-busy", "true");
    try {
      const [doc, versions] = await Promise.all([Api.get(url()), fetchVersions()]);
      if (nav.stale) return false;
      state.versions = versions;
      applyDoc(doc, fresh);
      return true;
    } catch (err) {
      if (!nav.stale) Message.error(err);
      return false;
    } finally {
      if (!nav.stale) view.removeAttribute("aria-busy");
    }
  }

  /** The versions list, or null when it could not be loaded (the document is still shown). */
  async function fetchVersions() {
    try {
      return await Api.get(url("/versions"));
    } catch {
      return null;
    }
  }

  /** Keeps revealed values only for fields whose masked value did not change. */
  function keepRevealed(doc) {
    for (const [key, entry] of state.revealed) {
      const [documentIndex, ...rest] = key.split(":");
      const field = fieldAt(doc, { document: Number(documentIndex), field: rest.join(":") });
      if (!field || field.value !== entry.masked) state.revealed.delete(key);
    }
  }

  function applyDoc(doc, fresh = false) {
    keepRevealed(doc);
    state.doc = doc;
    render(fresh);
  }

  /* ---- drawing ---- */

  function partOf(doc, index) {
    return doc.documents.find((part) => part.index === index) || null;
  }

  /** The field object a target names, in `doc`. */
  function fieldAt(doc, target) {
    const part = doc && partOf(doc, target.document);
    if (!part) return null;
    const cell = parseRowField(target.field);
    if (!cell) return (part.fields || {})[target.field] || null;
    return ((part.transactions || [])[cell.row] || {})[cell.name] || null;
  }

  /** The document type of the part a target is in (undefined when the part is unknown). */
  function typeAt(doc, target) {
    const part = doc && partOf(doc, target.document);
    return part ? part.type : undefined;
  }

  /** Every field and transaction cell of the upload as [target, field, its document part]. */
  function allFields(doc) {
    return doc.documents.flatMap((part) => [
      ...Object.entries(part.fields || {}).map(([name, field]) => [{ document: part.index, field: name }, field, part]),
      ...(part.transactions || []).flatMap((row, i) => Object.entries(row).map(([name, field]) =>
        [{ document: part.index, field: `transactions[${i}].${name}` }, field, part])),
    ]).filter(([, field]) => field);
  }

  function boxesOf(doc) {
    const fields = allFields(doc).filter(([, field]) => Array.isArray(field.bbox)).map(([target, field, part]) => {
      const revealed = state.revealed.get(targetKey(target));
      const value = revealed ? revealed.value : field.value;
      return { ...target, bbox: field.bbox, page: field.page ?? part.page ?? 1, low: field.low, failed: field.failed,
        masked: field.masked && !revealed, label: `${fieldLabel(target.field, part.type)}: ${value ?? "—"}` };
    });
    // where the PDF's structure shows an edit: outlined, not clickable (the finding says what was found)
    const risks = doc.documents.flatMap((part) => (part.risks || []).filter((r) => Array.isArray(r.bbox))
      .map((r) => ({ risk: true, kind: r.kind, bbox: r.bbox, page: r.page, label: nameOf("risk", r.kind) })));
    return [...fields, ...risks];
  }

  function maskedTargets(doc) {
    return allFields(doc).filter(([target, field]) => field.masked && !state.revealed.has(targetKey(target)))
      .map(([target]) => target);
  }

  function monthlyOf(doc) {
    const monthly = doc.documents.map((p) => (p.analytics && p.analytics.monthly) || []);
    return monthly.find((rows) => Array.isArray(rows) && rows.length) || [];
  }

  function metaItem(text, cls = "") {
    return el("span", { class: `meta-item ${cls}`.trim(), text });
  }

  function renderHeader(doc) {
    byId("doc-title").textContent = typesText(doc.documents.map((p) => p.type)) || typeName(doc.declared_type);
    byId("doc-id").textContent = doc.id;
    byId("doc-id").dataset.id = doc.id;
    const age = doc.age_s || 0;
    fill(byId("doc-meta"),
      el("span", { class: `state-badge ${doc.state}`, text: stateName(doc.state) }),
      metaItem(t("doc.version", { version: doc.version })),
      doc.application_id ? el("a", { class: "meta-item", href: Router.applicationHref(doc.application_id),
        text: t("doc.application", { id: doc.application_id }) }) : null,
      doc.declared_type ? metaItem(t("doc.declared", { type: typeName(doc.declared_type) })) : null,
      doc.created_at ? metaItem(t("doc.created", { at: formatTime(doc.created_at) })) : null,
      doc.state === "needs_review"
        ? metaItem(t("doc.waiting", { age: formatAge(age) }), age > DAY_S ? "old" : "") : null,
      doc.reject_reason ? metaItem(t("doc.rejected_as", { reason: doc.reject_reason }), "reject-reason") : null);
  }

  function renderDecision(review) {
    const banner = byId("decision");
    banner.hidden = !review;
    if (!review) return;
    banner.className = `decision ${review.decision}`;
    fill(banner,
      el("strong", { text: t(`decision.${review.decision}`, { by: review.by, at: formatTime(review.at) }) }),
      review.reason ? el("span", { text: t("decision.reason", { reason: review.reason }) }) : null);
  }

  function render(fresh = false) {
    const doc = state.doc;
    if (!doc) return;
    Editor.discard();
    renderHeader(doc);
    renderDecision(doc.review);
    Viewer.load(doc.pages, boxesOf(doc), fresh);
    Fields.render(doc, state.revealed);
    byId("reveal-all").hidden = !(doc.permissions && doc.permissions.reveal_all && maskedTargets(doc).length);
    Findings.render(doc, (target) => Boolean(fieldAt(doc, target)));
    Statement.render(doc);
    Chart.render(monthlyOf(doc));
    Actions.render(doc);
    byId("next").hidden = !(state.decided || doc.review);
    History.render(state.versions);
    if (state.selected && !fieldAt(doc, state.selected)) state.selected = null;
    if (state.selected) markSelection(state.selected, {});
  }

  function clearView() {
    Editor.discard();
    Viewer.clear();
    Fields.clear();
    Findings.clear();
    Statement.clear();
    Chart.render([]);
    History.clear();
    for (const id of ["doc-title", "doc-id", "doc-meta"]) byId(id).replaceChildren();
    delete byId("doc-id").dataset.id;
    for (const id of ["decision", "actions", "statement", "next", "reveal-all"]) byId(id).hidden = true;
  }

  /* ---- selection ---- */

  function markSelection(target, { from }) {
    const isCell = Boolean(parseRowField(target.field));
    Fields.mark(isCell ? null : target, from !== "list");
    Statement.mark(isCell ? target : null, from !== "table" && from !== "finding");
    if (isCell && from === "finding") Statement.scrollToRow(target.document, parseRowField(target.field).row);
    Viewer.select(target);
  }

  /** Selects one field or cell everywhere: its row, its cell, its box. `from` says who asked
      ("list", "table", "box", "finding", "key") so that the asker's own list is not scrolled. */
  function select(target, options = {}) {
    if (!state.doc || !fieldAt(state.doc, target)) return;
    state.selected = target;
    markSelection(target, options);
  }

  /** j / k: the next field row, or the next cell down the same column of the transactions. */
  function move(step) {
    const current = state.selected;
    if (current && parseRowField(current.field)) {
      const next = Statement.neighbour(current, step);
      if (next) select(next, { from: "key" });
      return;
    }
    const list = Fields.targets();
    if (!list.length) return;
    const at = current ? list.findIndex((x) => targetKey(x) === targetKey(current)) : -1;
    const index = at < 0 ? 0 : Math.min(list.length - 1, Math.max(0, at + step));
    select(list[index], { from: "key" });
  }

  /* ---- corrections and reveals ---- */

  function showError(err) {
    const reload = { id: "reload", label: "msg.reload", run: reloadDocument };
    Message.error(err, err.code === "version_conflict" ? reload : null);
  }

  async function reloadDocument() {
    Message.clear();
    await load(false);
  }

  /** After an accepted change: fetch the history, then draw the new version with it and say so. */
  async function afterChange(doc, messageKey) {
    const nav = state.nav;
    const versions = await fetchVersions();
    if (nav.stale) return;
    state.versions = versions;
    applyDoc(doc);
    Message.ok(() => t(messageKey, { version: doc.version }));
  }

  function focusList(isCell) {
    byId(isCell ? "txn-scroll" : "fields").focus({ preventScroll: true });
  }

  function startEdit(target) {
    const doc = state.doc;
    const field = target && fieldAt(doc, target);
    if (!field || !(doc.permissions && doc.permissions.correct)) return;
    select(target, { from: "key" });
    const cell = parseRowField(target.field);
    const node = cell ? Statement.cellFor(target) : Fields.rowFor(target).querySelector("td.value");
    const revealed = state.revealed.get(targetKey(target));
    const hidden = field.masked && !revealed;
    Editor.open(node, {
      label: fieldLabel(target.field, typeAt(doc, target)),
      initial: hidden ? "" : (revealed ? revealed.value : field.value),
      placeholder: hidden ? t("field.type_full") : null,
      restore: () => {
        if (cell) Statement.fillCell(node, cell.name, field);
        else Fields.fillValue(node, field, revealed);
        focusList(Boolean(cell));
      },
      save: (value, note) => saveCorrection(target, value, note),
    });
  }

  async function saveCorrection(target, value, note) {
    const body = { expected_version: state.doc.version,
      changes: [{ document: target.document, field: target.field, value, note }] };
    try {
      await afterChange(await Api.post(url("/corrections"), body), "msg.saved");
      return { ok: true };
    } catch (err) {
      if (err.status === 422) return { ok: false, inline: err.text() };
      showError(err);
      return { ok: false };
    }
  }

  async function reveal(targets) {
    if (!targets.length) return;
    try {
      const answer = await Api.post(url("/reveal"), { fields: targets });
      for (const v of answer.values || []) {
        const target = { document: v.document, field: v.field };
        const masked = fieldAt(state.doc, target)?.value;
        state.revealed.set(targetKey(target), { value: v.value, raw: v.raw, masked });
      }
      render();
    } catch (err) {
      showError(err);
    }
  }

  /* ---- decisions ---- */

  async function decide(action, body, messageKey) {
    Actions.setBusy(true);
    try {
      const doc = await Api.post(url(`/${action}`), { expected_version: state.doc.version, ...body });
      state.decided = true;
      Actions.reset();
      await afterChange(doc, messageKey);
      byId("next").focus();
    } catch (err) {
      showError(err);
    } finally {
      Actions.setBusy(false);
    }
  }

  function approve(note) {
    decide("approve", { note: note || null }, "msg.approved");
  }

  function retake(reason, note) {
    decide("retake", { reason, note: note || null }, "msg.retake");
  }

  function reject(reason) {
    decide("reject", { reason }, "msg.rejected");
  }

  /** Opens the first queue item (with the reviewer's last filters) that is not this document. */
  async function next() {
    const filters = QueueView.remembered();
    try {
      const queue = await QueueView.fetchQueue(filters);
      const item = (queue.items || []).find((i) => i.id !== state.id);
      location.hash = item ? Router.itemHref(item) : `#/queue?${QueueView.queryString(filters)}`;
    } catch (err) {
      Message.error(err);
    }
  }

  /* ---- keyboard ---- */

  function inList() {
    const active = document.activeElement;
    return byId("fields").contains(active) || byId("txn-scroll").contains(active);
  }

  function onKey(event) {
    const key = event.key;
    if (key === "j" || (key === "ArrowDown" && inList())) move(1);
    else if (key === "k" || (key === "ArrowUp" && inList())) move(-1);
    else if (key === "e") startEdit(state.selected);
    else if (key === "Escape") {
      if (!Editor.cancel()) Actions.closePanels();
    }
    else if (key === "+" || key === "=") Viewer.zoomIn();
    else if (key === "-") Viewer.zoomOut();
    else if (key === "r") Viewer.rotate();
    else if (key === "a") Actions.focusApprove();
    else if (key === "n" && !byId("next").hidden) next();
    else return;
    event.preventDefault();
  }

  function leave() {
    reset(null);
  }

  return { init, enter, leave, rerender: () => render(), onKey };
})();
