/**
 * The pages' one stylesheet and one script. The script only sends the
 * pages' forms to the JSON API (with the session's CSRF token) and shows
 * the answer; everything else is server-rendered HTML.
 */

export const PAGE_CSS = `
:root { font-family: system-ui, sans-serif; color: #1b1b1b; background: #fff; }
body { margin: 0; }
header { display: flex; gap: 2rem; align-items: center; padding: .5rem 1rem; background: #1d3557; color: #fff; flex-wrap: wrap; }
header a, header .who { color: #fff; }
header nav { display: flex; gap: 2rem; align-items: center; flex: 1; justify-content: space-between; }
header ul { list-style: none; display: flex; gap: 1rem; margin: 0; padding: 0; }
.brand { font-weight: 700; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: .5rem; background: #fff; color: #000; padding: .25rem; }
main { padding: 1rem; max-width: 80rem; }
a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid #f4a261; outline-offset: 1px; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
.state { font-weight: 600; } .state-PROCESSED { color: #1a7f37; } .state-ERROR, .state-CBOERROR, .state-ATHENAERROR { color: #b3261e; } .state-DELETED { color: #666; }
.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; }
.filters .filter { display: flex; flex-direction: column; font-size: .9rem; }
.counts { display: flex; gap: 1rem; flex-wrap: wrap; list-style: none; padding: 0; }
.raw { font-family: ui-monospace, monospace; font-size: .85rem; background: #f6f8fa; padding: .5rem; overflow-x: auto; }
.raw div { white-space: pre; }
.raw .field[title] { text-decoration: underline dotted; }
.raw .error-field { background: #ffd7d5; outline: 1px solid #b3261e; }
.panel { border: 1px solid #ccc; border-radius: 4px; padding: .75rem; margin: 1rem 0; }
.result { margin-top: .5rem; }
.result.failed { color: #b3261e; }
.side-by-side { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 1rem; }
.error-text { color: #b3261e; }
pre { white-space: pre-wrap; }
`;

export const PAGE_JS = `
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf"]')?.content ?? "";
  async function api(method, url, body, type) {
    const headers = { "x-csrf-token": csrf, accept: "application/json" };
    let payload;
    if (body !== undefined) {
      headers["content-type"] = type ?? "application/json";
      payload = type ? body : JSON.stringify(body);
    }
    const response = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = { text }; }
    if (!response.ok) throw new Error((data && data.error && (data.error.code + ": " + data.error.message)) || ("HTTP " + response.status));
    return data;
  }
  function show(target, text, failed) {
    if (!target) return;
    target.textContent = text;
    target.classList.toggle("failed", Boolean(failed));
  }
  function attemptsText(attempts) {
    return attempts.map((a) => a.messageId + " " + a.from + " → " + a.to + (a.errors.length ? " (" + a.errors.join(", ") + ")" : "")).join("\\n");
  }
  document.getElementById("sign-out")?.addEventListener("click", async () => {
    try { await api("DELETE", "/api/session"); } finally { location.href = "/sign-in"; }
  });
  const refresh = document.getElementById("auto-refresh");
  if (refresh) {
    refresh.checked = localStorage.getItem("rulepack.autoRefresh") === "1";
    const arm = () => { if (refresh.checked) setTimeout(() => { if (refresh.checked) location.reload(); }, 15000); };
    refresh.addEventListener("change", () => { localStorage.setItem("rulepack.autoRefresh", refresh.checked ? "1" : "0"); arm(); });
    arm();
  }
  for (const form of document.querySelectorAll("form[data-api]")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const result = form.querySelector("[data-result]");
      const button = form.querySelector("button[type=submit]");
      const submitter = event.submitter;
      const body = {};
      for (const [name, value] of new FormData(form, submitter)) if (value !== "") body[name] = value;
      if (form.dataset.body) Object.assign(body, JSON.parse(form.dataset.body));
      if (submitter && submitter.dataset.body) Object.assign(body, JSON.parse(submitter.dataset.body));
      if (button) button.disabled = true;
      show(result, "Working…");
      try {
        const data = await api(form.dataset.method ?? "POST", form.dataset.api, body);
        await after(form, data, result);
      } catch (e) {
        show(result, String(e.message ?? e), true);
      } finally {
        if (button) button.disabled = false;
      }
    });
  }
  async function after(form, data, result) {
    const then = form.dataset.then;
    if (then === "reload") { location.reload(); return; }
    if (then === "attempts") { show(result, attemptsText(data.attempts)); setTimeout(() => location.reload(), 1500); return; }
    if (then === "explain") { show(result, JSON.stringify(data, null, 2)); return; }
    if (then === "preview") {
      show(result, (data.written ? "Mapped (" + data.at + ")." : "Already mapped (" + data.at + ").") + " Looking for the messages waiting on it…");
      const blockedOn = data.blockedOn;
      if (!blockedOn) return;
      const preview = await api("GET", "/api/reprocess?blockedOn=" + encodeURIComponent(blockedOn));
      const box = document.getElementById("reprocess-panel");
      const list = document.getElementById("reprocess-list");
      list.textContent = "";
      for (const m of preview.messages) {
        const li = document.createElement("li");
        li.textContent = m.messageId + " " + m.messageType + " " + m.controlId + " (" + m.state + ", received " + m.receivedAt + ")";
        list.appendChild(li);
      }
      box.hidden = false;
      const go = document.getElementById("reprocess-run");
      go.textContent = "Reprocess the " + preview.messages.length + " waiting message" + (preview.messages.length === 1 ? "" : "s");
      go.disabled = preview.messages.length === 0;
      go.dataset.blockedOn = blockedOn;
      go.focus();
      return;
    }
    show(result, "Done.");
  }
  document.getElementById("reprocess-run")?.addEventListener("click", async (event) => {
    const go = event.currentTarget;
    const result = document.getElementById("reprocess-result");
    go.disabled = true;
    show(result, "Reprocessing…");
    try {
      const data = await api("POST", "/api/reprocess", { blockedOn: go.dataset.blockedOn });
      show(result, attemptsText(data.attempts));
      document.getElementById("reprocess-done").hidden = false;
    } catch (e) {
      show(result, String(e.message ?? e), true);
      go.disabled = false;
    }
  });
  const upload = document.getElementById("upload-form");
  upload?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = document.getElementById("upload-file").files[0];
    const result = document.getElementById("upload-result");
    if (!file) { show(result, "Choose a file first.", true); return; }
    show(result, "Uploading…");
    try {
      const data = await api("POST", "/api/uploads?name=" + encodeURIComponent(file.name), await file.arrayBuffer(), "application/hl7-v2");
      const table = document.getElementById("upload-outcomes");
      table.hidden = false;
      const body = table.querySelector("tbody");
      body.textContent = "";
      for (const o of data.outcomes) {
        const tr = document.createElement("tr");
        for (const value of [o.messageId, o.messageType, o.controlId, o.state, o.errors.filter((e) => e.severity === "error").map((e) => e.code).join(", ")]) {
          const td = document.createElement("td");
          if (value === o.messageId) { const a = document.createElement("a"); a.href = "/messages/" + encodeURIComponent(value); a.textContent = value; td.appendChild(a); }
          else td.textContent = value;
          tr.appendChild(td);
        }
        body.appendChild(tr);
      }
      show(result, Object.entries(data.counts).map(([s, n]) => n + " " + s).join(", ") || "no messages");
    } catch (e) {
      show(result, String(e.message ?? e), true);
    }
  });
})();
`;
