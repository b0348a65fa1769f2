"use strict";
/* The monthly cash-flow chart #cashflow: per month an inflow bar (green) and an outflow bar (red),
   the closing balance as a blue line with points; <title> tooltips carry the exact figures.
   Drawn in real pixels (the viewBox is the holder's width) so the text keeps its size. */

const Chart = (() => {
  const HEIGHT = 260;
  const MARGIN = { top: 34, right: 16, bottom: 30, left: 64 };
  const TICKS = 5;
  let monthly = [];

  function init() {
    let width = 0;
    new ResizeObserver(() => {
      const now = byId("cashflow-plot").clientWidth;
      if (now && now !== width) {
        width = now;
        draw();
      }
    }).observe(byId("cashflow-plot"));
  }

  /** Draws the chart for `analytics.monthly` (hidden when empty). */
  function render(rows) {
    monthly = Array.isArray(rows) ? rows : [];
    byId("cashflow").hidden = monthly.length === 0;
    draw();
  }

  function num(value) {
    if (value === null || value === undefined || value === "") return null;
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }

  /** A round step giving about `count` ticks over `range`. */
  function niceStep(range, count) {
    const raw = range / count;
    const magnitude = 10 ** Math.floor(Math.log10(raw));
    const norm = raw / magnitude;
    return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * magnitude;
  }

  /** "1.5万" (zh) or "15k" (en) for an axis tick. */
  function compact(value) {
    const trim = (n) => String(Number(n.toFixed(2)));
    if (currentLang() === "zh") {
      return Math.abs(value) >= 10000 ? t("chart.wan", { n: trim(value / 10000) }) : trim(value);
    }
    if (Math.abs(value) >= 1e6) return `${trim(value / 1e6)}M`;
    return Math.abs(value) >= 1000 ? `${trim(value / 1000)}k` : trim(value);
  }

  function scaleY(rows) {
    const values = rows
      .flatMap((m) => [Math.abs(num(m.inflow) ?? 0), Math.abs(num(m.outflow) ?? 0), num(m.closing_balance)])
      .filter((v) => v !== null);
    const step = niceStep(Math.max(1, Math.max(...values, 0) - Math.min(...values, 0)), TICKS);
    const lo = Math.floor(Math.min(0, ...values) / step) * step;
    const hi = Math.max(step, Math.ceil(Math.max(0, ...values) / step) * step);
    const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
    const y = (v) => MARGIN.top + plotH * (1 - (v - lo) / (hi - lo));
    const ticks = [];
    for (let v = lo; v <= hi + step / 2; v += step) ticks.push(v);
    return { y, ticks };
  }

  function axis(width, y, ticks) {
    return svg("g", { class: "axis" },
      ...ticks.map((v) => svg("g", {},
        svg("line", { class: v === 0 ? "zero" : "grid", x1: MARGIN.left, x2: width - MARGIN.right,
          y1: y(v), y2: y(v) }),
        svg("text", { class: "tick", x: MARGIN.left - 6, y: y(v) + 4, "text-anchor": "end", text: compact(v) }))));
  }

  function legend() {
    const items = [["inflow", "chart.inflow"], ["outflow", "chart.outflow"], ["balance", "chart.balance"]];
    return svg("g", { class: "legend" }, ...items.map(([cls, key], i) => {
      const x = MARGIN.left + i * 84;
      return svg("g", {},
        svg("rect", { class: `swatch ${cls}`, x, y: 10, width: 12, height: 12, rx: cls === "balance" ? 6 : 2 }),
        svg("text", { x: x + 18, y: 20, text: t(key) }));
    }));
  }

  function tip(month, key, value) {
    return svg("title", { text: t("chart.tip", { month, what: t(key), amount: formatAmount(value) }) });
  }

  function monthGroup(m, i, slot, y) {
    const centre = MARGIN.left + slot * (i + 0.5);
    const barW = Math.max(4, Math.min(28, slot * 0.3));
    const base = y(0);
    const bar = (cls, value, x) => {
      const top = y(Math.abs(num(value) ?? 0));
      return svg("rect", { class: `bar ${cls}`, x, y: Math.min(top, base), width: barW, height: Math.abs(base - top) },
        tip(m.month, `chart.${cls}`, value));
    };
    return svg("g", { class: "month", "data-month": m.month },
      svg("title", { text: t("chart.month", { month: m.month, net: formatAmount(m.net), count: m.count ?? 0 }) }),
      bar("inflow", m.inflow, centre - barW - 1),
      bar("outflow", m.outflow, centre + 1),
      svg("text", { class: "month-label", x: centre, y: HEIGHT - MARGIN.bottom + 18, "text-anchor": "middle",
        text: m.month }));
  }

  function balanceLine(slot, y) {
    const points = monthly.map((m, i) => ({ m, x: MARGIN.left + slot * (i + 0.5), v: num(m.closing_balance) }));
    let d = "";
    let pen = "M";
    for (const p of points) {
      if (p.v === null) {
        pen = "M"; // a month without a balance breaks the line
        continue;
      }
      d += `${pen}${p.x},${y(p.v)} `;
      pen = "L";
    }
    return svg("g", { class: "balance" },
      svg("path", { class: "balance-line", d: d.trim() }),
      ...points.filter((p) => p.v !== null).map((p) =>
        svg("circle", { class: "point", cx: p.x, cy: y(p.v), r: 4 },
          tip(p.m.month, "chart.balance", p.m.closing_balance))));
  }

  function draw() {
    const holder = byId("cashflow-plot");
    const width = Math.max(480, holder.clientWidth);
    if (!monthly.length || !holder.clientWidth) {
      holder.replaceChildren();
      return;
    }
    const { y, ticks } = scaleY(monthly);
    const slot = (width - MARGIN.left - MARGIN.right) / monthly.length;
    holder.replaceChildren(svg("svg", { class: "chart", role: "img", "aria-label": t("chart.label"),
      viewBox: `0 0 ${width} ${HEIGHT}`, width, height: HEIGHT },
    axis(width, y, ticks), legend(),
    ...monthly.map((m, i) => monthGroup(m, i, slot, y)),
    balanceLine(slot, y)));
  }

  return { init, render };
})();
