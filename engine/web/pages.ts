import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { OutcomeError, QueueState } from "../model/outcome.js";
import { masterDataBeside } from "../pack/practice-load.js";
import { isQueueState, QUEUE_STATES } from "../queue/format.js";
import { practiceCodeChoices } from "../queue/master-codes.js";
import { statusOf } from "./api-ops.js";
import { localPath } from "./api-session.js";
import { PAGE_CSS, PAGE_JS } from "./assets.js";
import type { WebContext } from "./context.js";
import { type Html, html, type LayoutUser, layout } from "./html.js";
import { type ListQuery, listMessages } from "./list-query.js";
import { type Fix, messageView } from "./message-view.js";

/**
 * The pages: sign-in, the queue list, one message (with fixing from its
 * errors and review), upload, status. Plain HTML rendered here from the
 * same functions the API answers with; the page script sends forms to the
 * API. Labels on every control, a skip link, keyboard-reachable actions.
 */

function userOf(request: FastifyRequest): LayoutUser | undefined {
  const identity = request.identity;
  return identity?.kind === "person"
    ? { name: identity.user, roles: identity.roles, csrf: identity.session.csrf }
    : undefined;
}

function send(reply: FastifyReply, page: string): FastifyReply {
  return reply
    .type("text/html; charset=utf-8")
    .header("content-security-policy", "default-src 'self'; frame-ancestors 'none'")
    .send(page);
}

const FAILED: Readonly<Record<string, string>> = {
  SIGN_IN_FAILED: "The name or the password is wrong.",
  LOCKED: "Too many failed sign-ins: this name is locked for a while. Ask an administrator.",
};

function signInPage(request: FastifyRequest): string {
  const query = request.query as { failed?: string; next?: string };
  const failed =
    query.failed !== undefined ? (FAILED[query.failed] ?? "Sign-in failed.") : undefined;
  return layout(
    "Sign in",
    undefined,
    html`${failed ? html`<p role="alert" class="error-text">${failed}</p>` : ""}
<form method="post" action="/api/session" class="panel">
  <input type="hidden" name="next" value="${localPath(query.next)}">
  <p><label for="name">Name</label><br><input id="name" name="name" autocomplete="username" required autofocus></p>
  <p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
  <p><button type="submit">Sign in</button></p>
</form>`,
  );
}

const stateCell = (state: string) => html`<span class="state state-${state}">${state}</span>`;

function pick(query: Record<string, string | undefined>): ListQuery {
  const q: Record<string, unknown> = {};
  const state = query.state;
  if (state && isQueueState(state)) q.state = state;
  if (query.direction === "inbound" || query.direction === "outbound")
    q.direction = query.direction;
  for (const key of ["type", "code", "patient", "sender"] as const) {
    const value = query[key]?.trim();
    if (value) q[key] = value;
  }
  for (const key of ["from", "to"] as const) {
    const value = query[key]?.trim();
    if (value && /^\d{4}-\d{2}-\d{2}/.test(value)) q[key] = value;
  }
  if (query.order === "oldest") q.order = "oldest";
  const page = Number(query.page);
  if (Number.isInteger(page) && page > 0) q.page = page;
  return q as ListQuery;
}

async function listPage(request: FastifyRequest, context: WebContext): Promise<string> {
  const raw = request.query as Record<string, string | undefined>;
  const query = pick(raw);
  const list = await listMessages(context.store, query, context.summary);
  const link = (page: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query))
      if (k !== "page" && v !== undefined) params.set(k, String(v));
    params.set("page", String(page));
    return `/messages?${params}`;
  };
  const input = (name: keyof ListQuery, label: string, type = "text") =>
    html`<span class="filter"><label for="f-${name}">${label}</label><input id="f-${name}" name="${name}" type="${type}" value="${(query[name] as string | undefined) ?? ""}"></span>`;
  const states: readonly QueueState[] = QUEUE_STATES;
  return layout(
    "Message queue",
    userOf(request),
    html`<ul class="counts" aria-label="Messages per state">
  ${states.filter((s) => list.counts[s] !== undefined).map((s) => html`<li><a href="/messages?state=${s}">${stateCell(s)} ${list.counts[s]}</a></li>`)}
</ul>
<form method="get" action="/messages" class="filters panel" aria-label="Filters">
  <span class="filter"><label for="f-state">State</label><select id="f-state" name="state"><option value="">any</option>${states.map((s) => html`<option${query.state === s ? html` selected` : ""}>${s}</option>`)}</select></span>
  <span class="filter"><label for="f-direction">Direction</label><select id="f-direction" name="direction"><option value="">any</option>${["inbound", "outbound"].map((d) => html`<option${query.direction === d ? html` selected` : ""}>${d}</option>`)}</select></span>
  ${input("type", "Message type")}
  ${input("code", "Error code")}
  ${input("from", "Received from", "date")}
  ${input("to", "Received to", "date")}
  ${input("patient", "Patient identifier")}
  ${input("sender", "Sender")}
  <span class="filter"><label for="f-order">Order</label><select id="f-order" name="order"><option value="newest">newest first</option><option value="oldest"${query.order === "oldest" ? html` selected` : ""}>oldest first</option></select></span>
  <button type="submit">Filter</button>
  <span class="filter"><label><input type="checkbox" id="auto-refresh"> Auto-refresh</label></span>
</form>
<p>${list.total} message${list.total === 1 ? "" : "s"}; page ${list.page} of ${list.pages}</p>
<table>
  <caption class="skip">Messages</caption>
  <thead><tr><th scope="col">Message</th><th scope="col">Received</th><th scope="col">State</th><th scope="col">Type</th><th scope="col">Control ID</th><th scope="col">Sender</th><th scope="col">Errors</th></tr></thead>
  <tbody>
  ${list.messages.map(
    (m) =>
      html`<tr><td><a href="/messages/${encodeURIComponent(m.messageId)}">${m.messageId}</a></td><td>${m.receivedAt}</td><td>${stateCell(m.state)}</td><td>${m.messageType}</td><td>${m.controlId}</td><td>${m.sender}</td><td>${m.errors.map((e) => (e.field ? `${e.code} (${e.field})` : e.code)).join(", ")}</td></tr>`,
  )}
  </tbody>
</table>
<nav aria-label="Pages">
  ${list.page > 1 ? html`<a href="${link(list.page - 1)}" rel="prev">Previous page</a>` : ""}
  ${list.page < list.pages ? html`<a href="${link(list.page + 1)}" rel="next">Next page</a>` : ""}
</nav>`,
  );
}

/** `PID.3`, `IN1.2+IN1.4+IN1.5` -> each segment and field named (in the segment's first occurrence). */
function errorFields(errors: readonly OutcomeError[]): Set<string> {
  const fields = new Set<string>();
  for (const e of errors) {
    for (const m of (e.field ?? "").matchAll(/\b([A-Z][A-Z0-9]{2})\.(\d+)/g))
      fields.add(`${m[1]}.${m[2]}`);
  }
  return fields;
}

function rawView(
  segments: readonly { name: string; fields: readonly string[] }[],
  names: Readonly<Record<string, string>>,
  wrong: ReadonlySet<string>,
): Html {
  const seen = new Set<string>();
  const lines = segments.map((segment) => {
    const first = !seen.has(segment.name);
    seen.add(segment.name);
    const isMsh = segment.name === "MSH";
    const parts = segment.fields.map((value, i) => {
      if (i === 0) return html`<span class="segment">${value}</span>`;
      const key = `${segment.name}.${i}`;
      const name = names[key];
      const bad = first && wrong.has(key);
      const title = `${segment.name}-${i}${name ? `: ${name}` : ""}${bad ? " (error)" : ""}`;
      const separator = isMsh && i <= 2 ? "" : "|";
      return html`${separator}<span class="field${bad ? " error-field" : ""}" title="${title}" data-field="${key}">${value}</span>`;
    });
    return html`<div>${parts}</div>`;
  });
  return html`<div class="raw" role="region" aria-label="Raw message, one segment a line" tabindex="0">${lines}</div>`;
}

function fixPanel(
  fix: Fix,
  choices: readonly { code: string; label: string }[],
  user: LayoutUser | undefined,
): Html {
  const allowed = user?.roles.has(fix.role) === true;
  if (!allowed)
    return html`<div class="panel"><p>${fix.code} ${fix.value}: mapping it needs the ${fix.role} permission.</p></div>`;
  const control =
    choices.length > 0
      ? html`<select id="practice-${fix.table}" name="practice" required><option value="">choose…</option>${choices.map((c) => html`<option value="${c.code}">${c.label}</option>`)}</select>`
      : html`<input id="practice-${fix.table}" name="practice" required>`;
  return html`<form class="panel" data-api="/api/mappings" data-then="preview" data-body="${JSON.stringify({ table: fix.table, foreign: fix.value })}">
  <h3>Map this code</h3>
  <p>${fix.code}: <code>${fix.value}</code> has no row in table <code>${fix.table}</code>.</p>
  <p><label for="practice-${fix.table}">Practice code for <code>${fix.value}</code></label><br>${control}</p>
  <p><button type="submit">Map this code</button></p>
  <p class="result" data-result role="status" aria-live="polite"></p>
</form>`;
}

async function messagePage(request: FastifyRequest, reply: FastifyReply, context: WebContext) {
  const { id } = request.params as { id: string };
  const user = userOf(request);
  const m = await context.store.message(id);
  if (!m)
    return send(
      reply.code(404),
      layout("No such message", user, html`<p>There is no message ${id}.</p>`),
    );
  const pack = context.pack();
  const v = await messageView(pack, context.store, m);
  const master = masterDataBeside(context.packFile);
  const canFixOther = user?.roles.has("map-other") === true;
  const canFixAny = canFixOther || user?.roles.has("map-insurance") === true;
  const header: [string, string | undefined][] = [
    ["Received", `${v.message.receivedAt} (${v.message.transport})`],
    ["Direction", v.message.direction],
    ["Type", v.message.messageType],
    ["Control ID", v.message.controlId],
    ["Sender", v.message.sender],
    ["Patient", v.message.patientId],
    ["Duplicate of", v.message.duplicateOf],
  ];
  const body = html`<dl>
  <dt>State</dt><dd>${stateCell(v.message.state)} since ${v.message.stateAt}</dd>
  ${header.filter(([, value]) => value).map(([name, value]) => html`<dt>${name}</dt><dd>${value}</dd>`)}
</dl>
<h2>Errors</h2>
${
  v.errors.length === 0
    ? html`<p>None.</p>`
    : html`<table><thead><tr><th scope="col">Code</th><th scope="col">Severity</th><th scope="col">Field</th><th scope="col">Table</th><th scope="col">Value</th><th scope="col">Message</th></tr></thead><tbody>
  ${v.errors.map((e) => html`<tr><td>${e.code}</td><td>${e.severity}</td><td>${e.field}</td><td>${e.table}</td><td>${e.value}</td><td>${e.message}</td></tr>`)}
  </tbody></table>`
}
${v.fixes.map((fix) => fixPanel(fix, practiceCodeChoices(pack, fix.table, master.ok ? master.data : undefined), user))}
<div id="reprocess-panel" class="panel" hidden>
  <h3>Messages waiting on it</h3>
  <ul id="reprocess-list"></ul>
  <button type="button" id="reprocess-run">Reprocess</button>
  <pre class="result" id="reprocess-result" role="status" aria-live="polite"></pre>
  <p id="reprocess-done" hidden><a href="/messages/${encodeURIComponent(id)}">See this message now</a></p>
</div>
${v.canReprocess && canFixAny && v.fixes.length === 0 ? html`<form class="panel" data-api="/api/reprocess" data-then="attempts" data-body="${JSON.stringify({ ids: [id] })}"><button type="submit">Reprocess this message</button><pre class="result" data-result role="status" aria-live="polite"></pre></form>` : ""}
${v.canReview ? reviewPanel(v, canFixOther) : ""}
<h2>Raw message</h2>
${rawView(v.segments, v.fieldNames, errorFields(v.errors))}
<h2>Actions</h2>
${v.actions.length === 0 ? html`<p>None.</p>` : html`<pre>${JSON.stringify(v.actions, null, 2)}</pre>`}
<h2>Attempts</h2>
<table><thead><tr><th scope="col">#</th><th scope="col">Kind</th><th scope="col">When</th><th scope="col">Who</th><th scope="col">State</th><th scope="col">Errors</th><th scope="col">Note</th></tr></thead><tbody>
${v.attempts.map((a) => html`<tr><td>${a.number}</td><td>${a.kind}</td><td>${a.at}</td><td>${a.actor ?? "-"}</td><td>${stateCell(a.state)}</td><td>${a.errors.join(", ")}</td><td>${a.note}</td></tr>`)}
</tbody></table>
<form class="panel" data-api="/api/messages/${id}/explain" data-then="explain">
  <h2>Explain</h2>
  <p>Decide the message again now, with the trace of every rule, mapping row and match score; nothing is written.</p>
  <button type="submit">Explain</button>
  <pre class="result" data-result role="status" aria-live="polite"></pre>
</form>
${
  v.canDelete && canFixAny
    ? html`<form class="panel" data-api="/api/messages/${id}/delete" data-then="reload">
  <h2>Delete</h2>
  <p><label for="delete-note">Why (kept with the message)</label><br><textarea id="delete-note" name="note" required rows="2" cols="60"></textarea></p>
  <button type="submit">Delete this message</button>
  <p class="result" data-result role="status" aria-live="polite"></p>
</form>`
    : ""
}`;
  return send(reply, layout(`Message ${id}`, user, body));
}

type View = Awaited<ReturnType<typeof messageView>>;

const CHOICES: Readonly<Record<string, readonly { decision: string; label: string }[]>> = {
  possibleDuplicate: [
    { decision: "mergeWith", label: "Same patient: merge" },
    { decision: "createNew", label: "A new patient" },
  ],
  ambiguousMatch: [{ decision: "mergeWith", label: "This patient" }],
  substantialChange: [{ decision: "acceptUpdate", label: "Accept the change" }],
};

function reviewPanel(v: View, allowed: boolean): Html {
  if (!allowed)
    return html`<div class="panel"><p>Deciding this review needs the map-other permission.</p></div>`;
  return html`${v.review.map((item) => {
    const fields = [
      ...new Set([
        ...Object.keys(v.received),
        ...item.candidates.flatMap((c) => Object.keys(c.stored)),
      ]),
    ].filter((f) => !["id", "externalIds.MRN"].includes(f));
    const perCandidate = (CHOICES[item.reason] ?? []).filter((c) => c.decision === "mergeWith");
    const general = (CHOICES[item.reason] ?? []).filter((c) => c.decision !== "mergeWith");
    return html`<form class="panel" data-api="/api/messages/${v.message.messageId}/review" data-then="attempts">
  <h2>Review: ${item.reason}</h2>
  <p>${item.detail}</p>
  <table><caption>The message beside each candidate</caption><thead><tr><th scope="col">Field</th><th scope="col">This message</th>${item.candidates.map((c) => html`<th scope="col">Patient ${c.patientId} (score ${c.total})</th>`)}</tr></thead><tbody>
  ${fields.map((f) => html`<tr><th scope="row">${f}</th><td>${v.received[f]}</td>${item.candidates.map((c) => html`<td>${c.stored[f]}</td>`)}</tr>`)}
  <tr><th scope="row">Decide</th><td>${general.map((g) => html`<button type="submit" data-body="${JSON.stringify({ decision: g.decision })}">${g.label}</button> `)}</td>${item.candidates.map((c) => html`<td>${perCandidate.map((p) => html`<button type="submit" data-body="${JSON.stringify({ decision: p.decision, patientId: c.patientId })}">${p.label} with ${c.patientId}</button>`)}</td>`)}</tr>
  </tbody></table>
  <button type="submit" data-body="${JSON.stringify({ decision: "reject" })}">Reject the message</button>
  <pre class="result" data-result role="status" aria-live="polite"></pre>
</form>`;
  })}`;
}

function uploadPage(request: FastifyRequest): string {
  return layout(
    "Upload HL7 messages",
    userOf(request),
    html`<form id="upload-form" class="panel">
  <p>Each message of the file is processed as <code>rulepack run</code> processes a file.</p>
  <p><label for="upload-file">File of HL7 messages</label><br><input id="upload-file" name="file" type="file" required></p>
  <button type="submit">Upload and process</button>
  <p id="upload-result" class="result" role="status" aria-live="polite"></p>
</form>
<table id="upload-outcomes" hidden><thead><tr><th scope="col">Message</th><th scope="col">Type</th><th scope="col">Control ID</th><th scope="col">State</th><th scope="col">Errors</th></tr></thead><tbody></tbody></table>`,
  );
}

async function statusPage(request: FastifyRequest, context: WebContext): Promise<string> {
  const s = await statusOf(context);
  return layout(
    "Status",
    userOf(request),
    html`<p>Practice ${s.practice}. ${s.listener === undefined ? "" : s.listener ? "The MLLP listener is listening." : "The MLLP listener is down."}</p>
<h2>Queue</h2>
<ul class="counts">${Object.entries(s.counts).map(([state, n]) => html`<li>${stateCell(state)} ${n}</li>`)}</ul>
<p>Oldest error waiting since: ${s.oldestWaitingSince ?? "-"}; last received: ${s.lastReceivedAt ?? "-"}</p>
<h2>Senders</h2>
<table><thead><tr><th scope="col">Sender (MSH-3^MSH-4)</th><th scope="col">Last message</th><th scope="col">Errors waiting</th></tr></thead><tbody>
${s.senders.map((x) => html`<tr><td><a href="/messages?sender=${encodeURIComponent(x.sender)}">${x.sender}</a></td><td>${x.lastReceivedAt ?? "-"}</td><td>${x.errorsWaiting}</td></tr>`)}
</tbody></table>
<h2>Receivers</h2>
<p>Outbound messages waiting to be sent: ${s.receivers.waitingToSend}; last queued: ${s.receivers.lastQueuedAt ?? "-"}</p>
<h2>Alerts firing</h2>
${s.alerts.length === 0 ? html`<p>None.</p>` : html`<ul>${s.alerts.map((a) => html`<li>${a.kind}${a.value !== undefined ? ` ${a.value}` : ""}${a.threshold !== undefined ? ` (threshold ${a.threshold})` : ""}${a.sender ? ` ${a.sender}` : ""}</li>`)}</ul>`}`,
  );
}

export function pageRoutes(app: FastifyInstance, context: WebContext): void {
  app.get("/assets/page.js", async (_request, reply) =>
    reply.type("text/javascript; charset=utf-8").send(PAGE_JS),
  );
  app.get("/assets/page.css", async (_request, reply) =>
    reply.type("text/css; charset=utf-8").send(PAGE_CSS),
  );
  app.get("/sign-in", async (request, reply) => send(reply, signInPage(request)));
  app.get("/", async (request, reply) => {
    const user = userOf(request);
    const home = user?.roles.has("view")
      ? "/messages"
      : user?.roles.has("file-upload")
        ? "/upload"
        : undefined;
    if (home) return reply.code(303).header("location", home).send();
    return send(
      reply,
      layout(
        "Signed in",
        user,
        html`<p>Your roles for this practice (${[...(user?.roles ?? [])].join(", ") || "none"}) open no queue page.
${user?.roles.has("admin") ? html` Users are added with <code>rulepack user add</code>; their lock-outs are listed at <a href="/api/users">/api/users</a>.` : ""}</p>`,
      ),
    );
  });
  app.get("/messages", async (request, reply) => send(reply, await listPage(request, context)));
  app.get("/messages/:id", async (request, reply) => messagePage(request, reply, context));
  app.get("/upload", async (request, reply) => send(reply, uploadPage(request)));
  app.get("/status", async (request, reply) => send(reply, await statusPage(request, context)));
}
