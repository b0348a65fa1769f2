"use strict";
/* The sign-in page: posts the credentials, goes to the review page on 200, shows the server's error otherwise. */

const LoginPage = (() => {
  let lastError = null; // {message, message_zh} or null: kept so that switching language re-words it

  function showError() {
    const box = document.getElementById("login-error");
    box.hidden = !lastError;
    box.textContent = lastError ? pick({ en: lastError.message, zh: lastError.message_zh }) : "";
  }

  async function readError(response) {
    try {
      const body = await response.json();
      if (body && body.error) return body.error;
    } catch {
      // not JSON: fall through to the status line
    }
    return { message: `HTTP ${response.status}`, message_zh: `HTTP ${response.status}` };
  }

  function setBusy(busy) {
    const button = document.getElementById("sign-in");
    button.disabled = busy;
    button.textContent = t(busy ? "login.busy" : "login.submit");
  }

  async function submit(event) {
    event.preventDefault();
    const username = document.getElementById("username").value.trim();
    const password = document.getElementById("password").value;
    setBusy(true);
    try {
      const response = await fetch("/review/api/session", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username, password }),
        credentials: "same-origin",
      });
      if (response.ok) {
        location.href = "/review";
        return;
      }
      lastError = await readError(response);
    } catch {
      lastError = { message: window.I18N.en["msg.network"], message_zh: window.I18N.zh["msg.network"] };
    }
    showError();
    setBusy(false);
    document.getElementById("password").select();
  }

  function start() {
    initLangToggle(showError);
    document.getElementById("login-form").addEventListener("submit", submit);
  }

  return { start };
})();

LoginPage.start();
