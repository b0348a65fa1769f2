"use strict";
/* The queue view: counts, filters (kept in the hash and in sessionStorage), one row per item,
   j / k / Enter. */

const QueueView = (() => {
  const FILTERS_KEY = "docintake.queue_filters";
  const STATUSES = ["needs_review", "accepted", "rejected", "all"];
  const AGES = ["", "1h", "4h", "24h", "72h"];
  let filters = defaults();
  let data = null;
  let selected = -1;

  function defaults() {
    return { status: "needs_review", type: "", rule: "", age: "" };
  }

  function filtersFrom(params) {
    const status = params.get("status");
    return {
      status: STATUSES.includes(status) ? status : "needs_review",
      type: params.get("type") || "",
      rule: params.get("rule") || "",
      age: AGES.includes(params.get("age")) ? params.get("age") : "",
    };
  }

  function queryString(f) {
    return new URLSearchParams({ status: f.status, type: f.type, rule: f.rule, age: f.age }).toString();
  }

  /** The filters the reviewer last used (for "next in queue"). */
  function remembered() {
    try {
      return { ...defaults(), ...JSON.parse(sessionStorage.getItem(FILTERS_KEY) || "{}") };
    } catch {
      return defaults();
    }
  }

  function remember(f) {
    try {
      sessionStorage.setItem(FILTERS_KEY, JSON.stringify(f));
    } catch {
      // storage blocked: "next" falls back to the default filters
    }
  }

  /** Fetches the queue with the given filters. */
  function fetchQueue(f) {
    return Api.get(`/review/api/queue?${queryString(f)}`);
  }

  function init() {
    for (const name of Object.keys(defaults())) {
      byId(`filter-${name}`).addEventListener("change", onFilterChange);
    }
    byId("queue-table").tBodies[0].addEventListener("click", onRowClick);
  }

  async function enter(route, nav) {
    filters = filtersFrom(route.params);
    remember(filters);
    renderFilters();
    byId("queue-view").setAttribute("aria-busy", "true");
    try {
      const answer = await fetchQueue(filters);
      if (nav.stale) return;
      data = answer;
      selected = data.items.length ? 0 : -1;
      render();
    } catch (err) {
      if (!nav.stale) Message.error(err);
    } finally {
      if (!nav.stale) byId("queue-view").removeAttribute("aria-busy");
    }
  }

  function leave() {
    data = null;
    byId("counts").replaceChildren();
    byId("queue-table").tBodies[0].replaceChildren();
  }

  function render() {
    renderFilters();
    if (!data) return;
    renderCounts();
    renderRows();
  }

  function renderCounts() {
    const counts = data.counts || {};
    const oldest = counts.oldest_age_s || 0;
    const badges = Object.entries(counts.by_type || {}).map(([type, n]) =>
      el("span", { class: "badge", "data-type": type }, `${typeName(type)} `, el("strong", { text: n })));
    fill(byId("counts"),
      el("span", { class: "count-waiting", text: t("queue.waiting", { n: counts.waiting ?? 0 }) }),
      counts.waiting ? el("span", { class: `count-oldest${oldest > DAY_S ? " old" : ""}`,
        text: t("queue.oldest", { age: formatAge(oldest) }) }) : null,
      ...badges,
    );
  }

  function fillSelect(select, options, value) {
    select.replaceChildren(...options.map(([optionValue, label]) =>
      el("option", { value: optionValue, text: label, selected: optionValue === value })));
    select.value = value;
  }

  function renderFilters() {
    const byStatus = (data && data.counts && data.counts.by_status) || {};
    const known = (data && data.filters) || { types: [], rules: [] };
    const withCount = (s) => (s in byStatus ? `${stateName(s)} (${byStatus[s]})` : stateName(s));
    fillSelect(byId("filter-status"), STATUSES.map((s) => [s, withCount(s)]), filters.status);
    // a value from the hash that the server no longer lists stays selectable
    const withCurrent = (list, value) => (!value || list.includes(value) ? list : [...list, value]);
    const types = withCurrent(known.types, filters.type);
    fillSelect(byId("filter-type"), [["", t("filter.all_types")], ...types.map((x) => [x, typeName(x)])], filters.type);
    const rules = withCurrent(known.rules, filters.rule);
    fillSelect(byId("filter-rule"), [["", t("filter.all_rules")], ...rules.map((r) => [r, r])], filters.rule);
    fillSelect(byId("filter-age"), AGES.map((a) =>
      [a, a ? t("filter.age_over", { age: t(`age.${a}`) }) : t("filter.any_age")]), filters.age);
  }

  function onFilterChange() {
    const next = {};
    for (const name of Object.keys(defaults())) next[name] = byId(`filter-${name}`).value;
    location.hash = `#/queue?${queryString(next)}`;
  }

  function findingItem(finding) {
    return el("li", { class: `queue-finding ${finding.severity}` },
      el("code", { class: "rule", text: finding.rule }), " ", pick(finding.message));
  }

  function row(item, index) {
    const href = Router.itemHref(item);
    const age = item.age_s || 0;
    return el("tr", { class: `queue-item${index === selected ? " selected" : ""}`, "data-id": item.id,
      "data-kind": item.kind, "aria-selected": String(index === selected) },
    el("td", { class: `age${age > DAY_S ? " old" : ""}`, title: formatTime(item.created_at), text: formatAge(age) }),
    el("td", { class: "types" },
      item.kind === "application" ? el("span", { class: "badge kind", text: t("queue.application") }) : null,
      typesText(item.types)),
    el("td", { class: "application" }, item.application_id
      ? el("a", { href: Router.applicationHref(item.application_id), text: item.application_id })
      : null),
    el("td", { class: "state" }, el("span", { class: `state-badge ${item.state}`, text: stateName(item.state) })),
    el("td", { class: "findings" }, el("ul", {}, ...(item.findings || []).map(findingItem))),
    el("td", { class: "open-cell" }, el("a", { class: "open", href, text: t("queue.open") })));
  }

  function renderRows() {
    const items = data.items || [];
    byId("queue-table").tBodies[0].replaceChildren(...items.map(row));
    byId("queue-table").hidden = items.length === 0;
    byId("queue-empty").hidden = items.length > 0;
  }

  function onRowClick(event) {
    if (event.target.closest("a, button")) return; // links keep their own target
    const tr = event.target.closest("tr.queue-item");
    if (tr) location.hash = tr.querySelector("a.open").getAttribute("href");
  }

  function moveSelection(step) {
    const rows = byId("queue-table").tBodies[0].rows;
    if (!rows.length) return;
    selected = Math.min(rows.length - 1, Math.max(0, selected + step));
    for (const [i, tr] of Array.from(rows).entries()) {
      tr.classList.toggle("selected", i === selected);
      tr.setAttribute("aria-selected", String(i === selected));
    }
    rows[selected].scrollIntoView({ block: "nearest" });
  }

  function onKey(event) {
    if (event.key === "j") moveSelection(1);
    else if (event.key === "k") moveSelection(-1);
    else if (event.key === "Enter" && selected >= 0 && !event.target.closest("a, button")) {
      const link = byId("queue-table").tBodies[0].rows[selected]?.querySelector("a.open");
      if (link) location.hash = link.getAttribute("href");
    } else return;
    event.preventDefault();
  }

  return { init, enter, leave, rerender: render, onKey, remembered, fetchQueue, queryString };
})();
