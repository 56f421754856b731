/**
 * The queue list of `serve --http` at 10^5 messages (issue 17: "paging (50
 * rows), p95 <= 200 ms at 10^5 messages"): a SQLite store filled with N
 * inbound messages (one in ten in ERROR with UNMAPPED_INSURANCE), then
 * `GET /api/messages` (the first page, newest first), the ERROR filter, an
 * error code and a far page (oldest first) through the web app
 * (fastify.inject, a signed-in viewer), the list page itself (server-rendered
 * HTML, first page and the ERROR filter), and `/metrics`, each timed `requests` times; p50
 * and p95 in ms, wall clock, beside the store's own `messages()` of the
 * same filter, the baseline measured in the same run (what the list
 * costs on top of reading the rows).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Outcome } from "../engine/model/outcome.js";
import { openSqliteStore } from "../engine/store/sqlite.js";
import type { Store } from "../engine/store/types.js";
import { createWebApp } from "../engine/web/app.js";
import { hashPassword, writeUsers } from "../engine/web/users.js";
import { loadHarbor } from "./harbor.js";

const GOAL_P95_MS = 200;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

async function fill(store: Store, n: number): Promise<void> {
  const encoder = new TextEncoder();
  for (let i = 0; i < n; i++) {
    const error = i % 10 === 0;
    const controlId = `B${i}`;
    const receivedAt = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
    await store.record(
      {
        raw: encoder.encode(
          `MSH|^~\\&|ORTHOCHART|HARBOR|PS|PS|20260101||ADT^A04|${controlId}|P|2.5.1\rPID|1||${i}^^^OC^MR||DOE^JANE||19800214|F\r`,
        ),
        receivedAt,
        sender: "bench",
        controlId,
        messageType: "ADT^A04",
        direction: "inbound",
        sendingApplication: "ORTHOCHART",
        sendingFacility: "HARBOR",
        patientKey: `${i}^^^OC`,
      },
      (messageId): Outcome => ({
        messageId,
        controlId,
        messageType: "ADT^A04",
        state: error ? "ERROR" : "PROCESSED",
        actions: [],
        errors: error
          ? [
              {
                code: "UNMAPPED_INSURANCE",
                severity: "error",
                message: "no row",
                table: "insurancePlan",
                value: `PLAN-${i % 7}`,
              },
            ]
          : [],
        review: [],
        trace: [],
      }),
      { kind: "receive", now: receivedAt },
    );
  }
}

/** p50/p95 of the list API and of the store's read, printed with the goal's verdict. */
export async function webListProbe(size = 100_000, requests = 7): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "rulepack-bench-web-"));
  const store = openSqliteStore(join(dir, "queue.sqlite"));
  try {
    const started = performance.now();
    await fill(store, size);
    const fillSeconds = (performance.now() - started) / 1000;
    const usersFile = join(dir, "users.yaml");
    writeUsers(usersFile, {
      users: [
        { name: "bench", password: hashPassword("bench password"), roles: { "*": ["view"] } },
      ],
      tokens: [],
    });
    const harbor = loadHarbor("web list");
    if (!harbor) return "";
    const { pack } = harbor;
    const app = await createWebApp({
      store,
      packFile: "rules/practices/harbor-ortho/pack.yaml",
      pack: () => pack,
      reload: async () => {},
      usersFile,
      clock: () => new Date(Date.UTC(2026, 5, 1)),
    });
    const signIn = await app.inject({
      method: "POST",
      url: "/api/session",
      payload: { name: "bench", password: "bench password" },
    });
    const cookie = String(signIn.headers["set-cookie"]).split(";")[0] as string;
    const shapes: {
      name: string;
      url: string;
      /** The store's read of the same messages; none for /metrics (grouped counts). */
      filter?: Parameters<Store["messages"]>[0];
    }[] = [
      { name: "first page", url: "/api/messages", filter: {} },
      { name: "state=ERROR", url: "/api/messages?state=ERROR", filter: { state: "ERROR" } },
      {
        name: "code=UNMAPPED_INSURANCE:PLAN-3",
        url: "/api/messages?code=UNMAPPED_INSURANCE:PLAN-3",
        filter: { code: "UNMAPPED_INSURANCE", value: "PLAN-3" },
      },
      { name: "page 1000, oldest first", url: "/api/messages?page=1000&order=oldest", filter: {} },
      { name: "list page (HTML)", url: "/messages" },
      { name: "list page state=ERROR (HTML)", url: "/messages?state=ERROR" },
      { name: "/metrics", url: "/metrics" },
    ];
    const lines = [
      `web list at ${size.toLocaleString("en-US")} messages (SQLite, filled in ${fillSeconds.toFixed(0)} s; ${requests} requests each; wall ms):`,
    ];
    let worst = 0;
    for (const shape of shapes) {
      const api: number[] = [];
      const read: number[] = [];
      for (let i = 0; i < requests; i++) {
        const t0 = performance.now();
        const r = await app.inject({ url: shape.url, headers: { cookie } });
        api.push(performance.now() - t0);
        if (r.statusCode !== 200) throw new Error(`${shape.url}: ${r.statusCode} ${r.body}`);
        if (shape.filter === undefined) continue;
        const t1 = performance.now();
        await store.messages(shape.filter);
        read.push(performance.now() - t1);
      }
      worst = Math.max(worst, percentile(api, 95));
      lines.push(
        `  ${shape.name.padEnd(32)} API p50 ${percentile(api, 50).toFixed(0)} p95 ${percentile(api, 95).toFixed(0)}${read.length === 0 ? "" : `; store messages() p50 ${percentile(read, 50).toFixed(0)} p95 ${percentile(read, 95).toFixed(0)}`}`,
      );
    }
    lines.push(
      `${worst <= GOAL_P95_MS ? "MET    " : "NOT MET"} web list p95: ${worst.toFixed(0)} ms (goal <= ${GOAL_P95_MS} ms) [issue 17: the queue list at 10^5 messages]`,
    );
    await app.close();
    return `${lines.join("\n")}\n`;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "\0")) {
  const size = Number(process.argv[2] ?? 100_000);
  process.stdout.write(await webListProbe(size));
}
