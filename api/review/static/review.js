"use strict";
/* The review app's core: API calls, the message bar, the header, hash routing and keyboard dispatch.
   Loaded last; the views (queue.js, document.js, application.js) are defined before it. */

const LOGIN_URL = "/review/login";

/** A non-2xx answer: the server's {code, message, message_zh, detail}. */
class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || `http_${status}`;
    this.pair = { en: error.message, zh: error.message_zh };
    this.detail = error.detail ?? null;
  }

  /** The message in the current language, with the detail after it. */
  text() {
    const message = pick(this.pair) || (this.status ? `HTTP ${this.status}` : t("msg.network"));
    if (this.detail === null || this.detail === "") return message;
    const detail = typeof this.detail === "string" ? this.detail : JSON.stringify(this.detail);
    return `${message} (${detail})`;
  }
}

const Api = (() => {
  let csrfToken = "";

  async function readJson(response) {
    const text = await response.text();
    if (!text) return null;
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  }

  /** Sends a request; resolves with the JSON body, rejects with ApiError. A 401 goes to the sign-in page. */
  async function request(method, url, body) {
    const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") {
      init.headers["Content-Type"] = "application/json";
      init.headers["X-CSRF-Token"] = csrfToken;
      init.body = JSON.stringify(body ?? {});
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch {
      throw new ApiError(0, null);
    }
    const data = await readJson(response);
    if (response.status === 401) location.href = LOGIN_URL;
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  return {
    setCsrf: (token) => { csrfToken = token || ""; },
    get: (url) => request("GET", url),
    post: (url, body) => request("POST", url, body),
    del: (url, body) => request("DELETE", url, body),
  };
})();

/* The message bar #message (role=alert): one message at a time, kept as a function of the language
   so that switching language re-words it. An optional action button (#reload) sits beside it. */
const Message = (() => {
  let current = null; // {kind, text: () => string, action: {id, label, run}|null}

  function render() {
    const bar = byId("message");
    bar.replaceChildren();
    bar.className = current ? current.kind : "";
    bar.hidden = !current;
    if (!current) return;
    bar.append(el("span", { class: "message-text", text: current.text() }));
    if (current.action) {
      const { id, label, run } = current.action;
      const button = el("button", { type: "button", id, class: "primary", text: t(label) });
      button.addEventListener("click", run);
      bar.append(button);
    }
    const close = el("button", { type: "button", class: "message-close", text: t("msg.close") });
    close.addEventListener("click", clear);
    bar.append(close);
  }

  function show(kind, text, action = null) {
    current = { kind, text, action };
    render();
  }

  function clear() {
    current = null;
    render();
  }

  /** Shows an ApiError (a 401 is not shown: the page is on its way to sign-in). */
  function error(err, action = null) {
    if (err.status === 401) return;
    show("error", () => err.text(), action);
  }

  return { ok: (text) => show("ok", text), error, clear, render };
})();

/* Routes: #/queue?..., #/document/<id>?field=&document=, #/application/<id>. */
const Router = (() => {
  function parse(hash) {
    const [path, query = ""] = hash.replace(/^#/, "").split("?");
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    const params = new URLSearchParams(query);
    if (parts[0] === "document" && parts[1]) return { view: "document", id: parts[1], params };
    if (parts[0] === "application" && parts[1]) return { view: "application", id: parts[1], params };
    return { view: "queue", id: null, params };
  }

  function documentHref(id, target) {
    const base = `#/document/${encodeURIComponent(id)}`;
    return target ? `${base}?field=${encodeURIComponent(target.field)}&document=${target.document}` : base;
  }

  function applicationHref(id) {
    return `#/application/${encodeURIComponent(id)}`;
  }

  /** The link of a queue item (a document or an application). */
  function itemHref(item) {
    return item.kind === "application" ? applicationHref(item.id) : documentHref(item.id);
  }

  return { parse, documentHref, applicationHref, itemHref };
})();

const App = (() => {
  const views = {
    queue: { section: "queue-view", module: QueueView },
    document: { section: "document-view", module: DocumentView },
    application: { section: "application-view", module: ApplicationView },
  };
  let active = null;
  let nav = { stale: false }; // replaced on every route change; views drop answers for a stale one
  let user = null;

  function renderWhoami() {
    byId("whoami").textContent = user ? `${user.display_name || user.username} · ${nameOf("role", user.role)}` : "";
  }

  function route() {
    nav.stale = true;
    nav = { stale: false };
    const next = Router.parse(location.hash);
    if (active && active !== views[next.view]) active.module.leave();
    active = views[next.view];
    for (const view of Object.values(views)) byId(view.section).hidden = view !== active;
    Message.clear();
    active.module.enter(next, nav);
  }

  function isTyping(target) {
    return target instanceof HTMLElement
      && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
  }

  function onKeydown(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (isTyping(event.target) || !active || !active.module.onKey) return;
    active.module.onKey(event);
  }

  function onLangChange() {
    renderWhoami();
    Message.render();
    if (active) active.module.rerender();
  }

  async function signOut() {
    try {
      await Api.del("/review/api/session");
    } catch (err) {
      if (err.status !== 401) {
        Message.error(err);
        return;
      }
    }
    location.href = LOGIN_URL;
  }

  async function start() {
    initLangToggle(onLangChange);
    byId("sign-out").addEventListener("click", signOut);
    try {
      const me = await Api.get("/review/api/me");
      user = me.user;
      Api.setCsrf(me.csrf_token);
      learnTypes((await Api.get("/review/api/types")).types);
    } catch (err) {
      Message.error(err);
      return;
    }
    renderWhoami();
    for (const view of Object.values(views)) if (view.module.init) view.module.init();
    document.addEventListener("keydown", onKeydown);
    window.addEventListener("hashchange", route);
    route();
  }

  return { start };
})();

App.start();
