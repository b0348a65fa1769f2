"use strict";
/* The application view: status, missing documents, the cross-document findings with the compared
   values side by side (each a link to the document with that field selected), and the documents. */

const ApplicationView = (() => {
  let data = null;

  async function enter(route, nav) {
    clear();
    byId("application-view").setAttribute("aria-busy", "true");
    try {
      const answer = await Api.get(`/review/api/applications/${encodeURIComponent(route.id)}`);
      if (nav.stale) return;
      data = answer;
      render();
    } catch (err) {
      if (!nav.stale) Message.error(err);
    } finally {
      if (!nav.stale) byId("application-view").removeAttribute("aria-busy");
    }
  }

  function leave() {
    clear();
  }

  function clear() {
    data = null;
    for (const id of ["app-title", "app-meta", "app-missing", "app-findings"]) byId(id).replaceChildren();
    byId("app-documents").tBodies[0].replaceChildren();
  }

  function documentById(id) {
    return (data.documents || []).find((d) => d.id === id) || null;
  }

  /** One side of a comparison: the document's type and the values of the fields the finding names. */
  function refColumn(ref) {
    const doc = documentById(ref.document_id);
    const fields = (doc && doc.fields) || {};
    const rows = (ref.fields || []).flatMap((name) => {
      const field = fields[name];
      const value = field && field.value !== null && field.value !== undefined ? String(field.value) : "—";
      const href = Router.documentHref(ref.document_id, { document: ref.index ?? 0, field: name });
      return [
        el("dt", { text: fieldLabel(name, ref.type) }),
        el("dd", {}, el("a", { class: `ref-value${field && field.masked ? " masked" : ""}`, href,
          title: t("app.open_field"), text: value })),
      ];
    });
    return el("div", { class: "compare-col" },
      el("div", { class: "compare-head" },
        el("span", { text: typeName(ref.type) }),
        el("a", { class: "ref-link", href: Router.documentHref(ref.document_id), text: ref.document_id })),
      el("dl", {}, ...rows));
  }

  function findingItem(finding) {
    const refs = finding.refs || [];
    return el("li", { class: `finding ${finding.severity}`, "data-rule": finding.rule },
      el("div", { class: "finding-head" },
        el("span", { class: `severity ${finding.severity}`, text: nameOf("severity", finding.severity) }),
        el("code", { class: "rule", text: finding.rule })),
      el("div", { class: "finding-message", text: pick(finding.message) }),
      refs.length ? el("div", { class: "compare" }, ...refs.map(refColumn)) : null);
  }

  function documentRow(doc) {
    return el("tr", { "data-id": doc.id },
      el("td", {}, el("a", { href: Router.documentHref(doc.id), text: doc.id })),
      el("td", { text: typesText(doc.types) }),
      el("td", {}, el("span", { class: `state-badge ${doc.state}`, text: stateName(doc.state) })),
      el("td", { text: doc.version }),
      el("td", { text: formatTime(doc.created_at) }));
  }

  function render() {
    if (!data) return;
    byId("app-title").textContent = t("app.heading", { id: data.application_id });
    fill(byId("app-meta"),
      el("span", { class: `state-badge ${data.status}`, text: stateName(data.status) }),
      el("span", { class: "meta-item", text: t("doc.version", { version: data.version }) }));
    const missing = data.missing || [];
    const note = byId("app-missing");
    note.className = missing.length ? "missing-types" : "nothing-missing";
    note.textContent = missing.length ? t("app.missing", { types: typesText(missing) }) : t("app.none_missing");
    const findings = data.findings || [];
    byId("app-findings").replaceChildren(...(findings.length ? findings.map(findingItem)
      : [el("li", { class: "empty", text: t("findings.none") })]));
    byId("app-documents").tBodies[0].replaceChildren(...(data.documents || []).map(documentRow));
  }

  return { enter, leave, rerender: render };
})();
