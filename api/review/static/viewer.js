"use strict";
/* The page viewer #page-view: the page image with an SVG of the field boxes laid exactly over it.
   Both sit in one frame (#page-frame) that is scaled and rotated as a whole, so boxes stay on their text.
   Boxes are in page pixels (viewBox = 0 0 width height). */

const Viewer = (() => {
  const ZOOM_STEP = 1.25;
  const MIN_SCALE = 0.05;
  const MAX_SCALE = 8;
  const FIT_MARGIN = 16;
  let pages = [];
  let boxes = []; // {document, field, page, bbox, low, failed, masked, label}
  let page = null;
  let scale = 1;
  let fitting = true;
  let rotation = 0;
  let selectedKey = null;
  let onBoxClick = () => {};

  function init(handler) {
    onBoxClick = handler;
    byId("zoom-in").addEventListener("click", zoomIn);
    byId("zoom-out").addEventListener("click", zoomOut);
    byId("zoom-fit").addEventListener("click", fit);
    byId("rotate").addEventListener("click", rotate);
    byId("page-select").addEventListener("change", (e) => showPage(Number(e.target.value)));
    byId("boxes").addEventListener("click", onSvgClick);
    byId("page-img").addEventListener("error", () => { byId("page-error").hidden = false; });
    byId("page-img").addEventListener("load", () => { byId("page-error").hidden = true; });
    new ResizeObserver(() => { if (fitting) layout(); }).observe(byId("page-scroll"));
  }

  /** Shows a document's pages and boxes; `reset` (a new document) goes back to page 1, fit, upright. */
  function load(newPages, newBoxes, reset) {
    pages = newPages || [];
    boxes = newBoxes;
    if (reset || !pages.some((p) => p.number === page?.number)) {
      fitting = true;
      rotation = 0;
      selectedKey = null;
      page = null;
    }
    renderPageSelect();
    byId("page-none").hidden = pages.length > 0;  // a data export (CSV, XLSX) has no page to show
    if (!pages.length) byId("page-img").removeAttribute("src");
    showPage(page ? page.number : pages[0]?.number);
  }

  function clear() {
    pages = [];
    boxes = [];
    page = null;
    byId("page-img").removeAttribute("src");
    byId("boxes").replaceChildren();
  }

  function renderPageSelect() {
    const select = byId("page-select");
    select.hidden = pages.length < 2;
    select.replaceChildren(...pages.map((p) => el("option", { value: p.number,
      text: t("viewer.page_of", { n: p.number, total: pages.length }) })));
  }

  function showPage(number) {
    const next = pages.find((p) => p.number === number);
    if (!next) return;
    const img = byId("page-img");
    if (img.getAttribute("src") !== next.url) {
      byId("page-error").hidden = true;
      img.src = next.url;
    }
    img.alt = t("viewer.page", { n: next.number });
    page = next;
    byId("page-select").value = String(next.number);
    byId("boxes").setAttribute("viewBox", `0 0 ${next.width} ${next.height}`);
    drawBoxes();
    layout();
  }

  function rectAttrs(item, cls) {
    const [x0, y0, x1, y1] = item.bbox;
    return { class: cls, "data-document": item.document, "data-field": item.field,
      x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  }

  function drawBoxes() {
    const onPage = boxes.filter((b) => b.page === page.number && Array.isArray(b.bbox));
    const masks = onPage.filter((b) => b.masked).map((b) => svg("rect", rectAttrs(b, "mask")));
    const risks = onPage.filter((b) => b.risk).map((b) => {
      const [x0, y0, x1, y1] = b.bbox;
      return svg("rect", { class: `risk ${b.kind}`, x: x0, y: y0, width: x1 - x0, height: y1 - y0 },
        svg("title", { text: b.label }));
    });
    const rects = onPage.filter((b) => !b.risk).map((b) => {
      const cls = ["box", b.low && "low", b.failed && "failed", targetKey(b) === selectedKey && "selected"];
      return svg("rect", rectAttrs(b, cls.filter(Boolean).join(" ")), svg("title", { text: b.label }));
    });
    byId("boxes").replaceChildren(...masks, ...rects, ...risks);
  }

  function onSvgClick(event) {
    const rect = event.target.closest("rect[data-field]");
    if (rect) onBoxClick(targetOf(rect));
  }

  /** Marks the box of `target` (null: none), turning to its page and scrolling it into view. */
  function select(target) {
    selectedKey = target ? targetKey(target) : null;
    const item = target && boxes.find((b) => targetKey(b) === selectedKey && Array.isArray(b.bbox));
    if (item && item.page !== page?.number) showPage(item.page);
    for (const rect of byId("boxes").querySelectorAll("rect.box")) {
      const on = targetKey(targetOf(rect)) === selectedKey;
      rect.classList.toggle("selected", on);
      if (on) rect.parentNode.append(rect); // drawn last, above its neighbours
    }
    const rect = item && byId("boxes").querySelector(`rect.box${targetSelector(item)}`);
    if (rect) scrollIntoView(rect);
  }

  /** Scrolls the viewer (only the viewer) so that `node` is visible. */
  function scrollIntoView(node) {
    const view = byId("page-scroll");
    const outer = view.getBoundingClientRect();
    const inner = node.getBoundingClientRect();
    if (inner.left < outer.left || inner.right > outer.right) {
      view.scrollLeft += inner.left + inner.width / 2 - (outer.left + outer.width / 2);
    }
    if (inner.top < outer.top || inner.bottom > outer.bottom) {
      view.scrollTop += inner.top + inner.height / 2 - (outer.top + outer.height / 2);
    }
  }

  function turned() {
    return rotation % 180 !== 0;
  }

  function fitScale() {
    const view = byId("page-scroll");
    const width = turned() ? page.height : page.width;
    const height = turned() ? page.width : page.height;
    const room = Math.min((view.clientWidth - FIT_MARGIN) / width, (view.clientHeight - FIT_MARGIN) / height);
    return Math.min(MAX_SCALE, Math.max(MIN_SCALE, room));
  }

  /** Sizes the stage to the rotated page and centres the frame in it. */
  function layout() {
    if (!page) return;
    if (fitting) scale = fitScale();
    const w = page.width * scale;
    const h = page.height * scale;
    const stageW = turned() ? h : w;
    const stageH = turned() ? w : h;
    const stage = byId("page-stage").style;
    stage.width = `${stageW}px`;
    stage.height = `${stageH}px`;
    const frame = byId("page-frame").style;
    frame.width = `${w}px`;
    frame.height = `${h}px`;
    frame.left = `${(stageW - w) / 2}px`;
    frame.top = `${(stageH - h) / 2}px`;
    frame.transform = rotation ? `rotate(${rotation}deg)` : "";
    byId("zoom-level").textContent = `${Math.round(scale * 100)}%`;
  }

  /** Re-lays out keeping the point at the centre of the viewer where it was. */
  function relayoutKeepingCentre() {
    const view = byId("page-scroll");
    const cx = (view.scrollLeft + view.clientWidth / 2) / Math.max(1, view.scrollWidth);
    const cy = (view.scrollTop + view.clientHeight / 2) / Math.max(1, view.scrollHeight);
    layout();
    view.scrollLeft = cx * view.scrollWidth - view.clientWidth / 2;
    view.scrollTop = cy * view.scrollHeight - view.clientHeight / 2;
  }

  function zoomBy(factor) {
    if (!page) return;
    fitting = false;
    scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale * factor));
    relayoutKeepingCentre();
  }

  function fit() {
    fitting = true;
    layout();
  }

  function rotate() {
    rotation = (rotation + 90) % 360;
    relayoutKeepingCentre();
  }

  function zoomIn() {
    zoomBy(ZOOM_STEP);
  }

  function zoomOut() {
    zoomBy(1 / ZOOM_STEP);
  }

  return { init, load, clear, select, zoomIn, zoomOut, rotate };
})();
