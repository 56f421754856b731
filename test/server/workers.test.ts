import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { CompiledPack } from "../../engine/pack/compiled.js";
import { type ClaimLoop, startClaimLoop } from "../../engine/server/claim-loop.js";
import { createCompletionWaiter } from "../../engine/server/completion-waiter.js";
import { type FrameResult, processFrame, type Reply } from "../../engine/server/frame.js";
import { storeFrameForWorkers } from "../../engine/server/worker-frame.js";
import { createMemoryStore } from "../../engine/store/memory.js";
import { openPostgresStore } from "../../engine/store/postgres.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { Store } from "../../engine/store/types.js";
import { rulepack } from "../support/cli.js";
import { fixturePackLoader } from "../support/fixture-packs.js";
import { framed, mllpExchange, serve } from "./helpers.js";
import { patientMessages } from "./patients.js";

/**
 * `serve --workers N` (decision 0023): the listener stores each frame NEW,
 * workers claim and decide it, and the sender gets the ACKs the single lane
 * would have sent (original mode once a worker recorded the outcome,
 * enhanced mode's CA at the NEW commit).
 */

const root = mkdtempSync(join(tmpdir(), "rulepack-workers-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const NOW = new Date("2026-01-01T00:00:00Z");
const PACK = "rules/practices/harbor-ortho/pack.yaml";
const ORIGINAL = fixturePackLoader("rules/practices")("harbor-ortho");

function packWith(name: string, extra: string): CompiledPack {
  const dir = join(root, name, "harbor-ortho");
  mkdirSync(dir, { recursive: true });
  const rel = (path: string) => relative(dir, resolve(path));
  writeFileSync(
    join(dir, "pack.yaml"),
    `# yaml-language-server: $schema=${rel("schemas/rulepack.schema.json")}\npack:\n  id: harbor-ortho\n  extends: ${rel(PACK)}\n${extra}`,
  );
  return fixturePackLoader(join(root, name))("harbor-ortho");
}
const ENHANCED = packWith(
  "enhanced",
  "acks:\n  held: AE\n  enhanced:\n    - sendingApplication: AccMgr\n      sendingFacility: '1'\n    - sendingApplication: WCDataSend\n",
);
const corpus = (name: string) => readFileSync(`../shared/corpus/hl7/${name}.hl7`, "latin1");
const A04 = corpus("ADT_A04__mirth__1");
const DFT = corpus("DFT_P03__mieweb__1");

function withMsh(message: string, fields: Readonly<Record<number, string>>): string {
  const [msh = "", ...rest] = message.split("\r");
  const parts = msh.split("|");
  for (const [n, value] of Object.entries(fields)) {
    while (parts.length < Number(n)) parts.push("");
    parts[Number(n) - 1] = value;
  }
  return [parts.join("|"), ...rest].join("\r");
}

const codes = (replies: readonly Reply[]) => replies.map((r) => r.code);
const ackBody = (ack: string) => ack.split("\r").slice(1).join("\r");

/** A worker on `store` and the frame handling bound to it. */
function workerOn(store: Store, pack: CompiledPack) {
  const waiter = createCompletionWaiter(store, { pollMs: 5 });
  let loop: ClaimLoop | undefined;
  const start = () => {
    loop = startClaimLoop({
      store,
      pack: () => pack,
      worker: "test:1",
      leaseMs: 30_000,
      now: () => NOW,
      log: () => {},
      idleMs: 5,
      onFinished: (m) => waiter.finished(m),
    });
  };
  return {
    start,
    frame: (message: string, sendNow?: (r: Reply) => void) =>
      storeFrameForWorkers(pack, store, Buffer.from(message, "latin1"), "mllp:test", NOW, sendNow, {
        waiter,
        wake: () => loop?.wake(),
      }),
    async stop() {
      await loop?.stop();
      waiter.close();
    },
  };
}

describe("storeFrameForWorkers: the ACKs the lane sends, built from what a worker recorded", () => {
  const CONDITIONS = ["AL", "NE", "ER", "SU", ""] as const;
  for (const [name, pack] of [
    ["original mode", ORIGINAL],
    ["enhanced mode", ENHANCED],
  ] as const) {
    it(`${name}: every MSH-15/MSH-16 gives the lane's replies and stored states`, async () => {
      const lane = createMemoryStore();
      const stored = createMemoryStore();
      const worker = workerOn(stored, pack);
      worker.start();
      try {
        for (const commit of CONDITIONS) {
          for (const app of CONDITIONS) {
            for (const message of [A04, DFT]) {
              const text = withMsh(message, { 10: `C-${commit}-${app}`, 15: commit, 16: app });
              const expected: FrameResult = await processFrame(
                pack,
                lane,
                Buffer.from(text, "latin1"),
                "mllp:test",
                NOW,
              );
              const early: Reply[] = [];
              const got = await (await worker.frame(text, (r) => early.push(r))).later;
              expect(codes([...early, ...got.replies])).toEqual(codes(expected.replies));
              expect([...early, ...got.replies].map((r) => ackBody(r.ack))).toEqual(
                expected.replies.map((r) => ackBody(r.ack)),
              );
            }
          }
        }
        expect((await stored.messages()).map((m) => [m.controlId, m.state])).toEqual(
          (await lane.messages()).map((m) => [m.controlId, m.state]),
        );
      } finally {
        await worker.stop();
      }
    });
  }

  it("enhanced mode: the CA goes at the NEW commit, before any worker decides; the AA once one has", async () => {
    const store = createMemoryStore();
    const worker = workerOn(store, ENHANCED);
    const early: Reply[] = [];
    const deferred = await worker.frame(withMsh(A04, { 15: "AL", 16: "AL" }), (r) => early.push(r));
    expect(codes(early)).toEqual(["CA"]);
    expect((await store.messages()).map((m) => m.state)).toEqual(["NEW"]);
    worker.start();
    try {
      expect(codes((await deferred.later).replies)).toEqual(["AA"]);
      expect((await store.messages()).map((m) => m.state)).toEqual(["PROCESSED"]);
    } finally {
      await worker.stop();
    }
  });

  it("original mode: nothing is answered until a worker recorded the outcome", async () => {
    const store = createMemoryStore();
    const worker = workerOn(store, ORIGINAL);
    const early: Reply[] = [];
    const deferred = await worker.frame(A04, (r) => early.push(r));
    let answered = false;
    void deferred.later.then(() => {
      answered = true;
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(answered).toBe(false);
    expect(early).toEqual([]);
    worker.start();
    try {
      const result = await deferred.later;
      expect(codes(result.replies)).toEqual(["AA"]);
      expect(result.replies[0]?.ack).toBe((await store.messages())[0]?.ack);
    } finally {
      await worker.stop();
    }
  });

  it("a resend of a message still NEW waits in its lane and is answered with the original's ACK, not processed", async () => {
    const store = createMemoryStore();
    const worker = workerOn(store, ORIGINAL);
    const first = await worker.frame(A04);
    const resend = await worker.frame(A04);
    worker.start();
    try {
      const [a, b] = await Promise.all([first.later, resend.later]);
      expect(b.replies[0]?.ack).toBe(a.replies[0]?.ack);
      const [original, duplicate] = await store.messages();
      expect(duplicate?.duplicateOf).toBe(original?.messageId);
      expect(duplicate?.outcome?.actions).toEqual([]);
      expect(duplicate?.outcome?.errors.map((e) => e.code)).toEqual(["DUPLICATE"]);
    } finally {
      await worker.stop();
    }
  });
});

describe("a worker deciding past its lease", () => {
  it("moves its lease on, so no other worker takes the message and its attempt is counted once", async () => {
    const store = createMemoryStore();
    // Each decision's view opens slowly: 1.5 s against a lease of 0.6 s (renewed every 0.2 s).
    const slow = Object.create(store, {
      openView: {
        value: async (...args: Parameters<Store["openView"]>) => {
          await new Promise((r) => setTimeout(r, 1500));
          return store.openView(...args);
        },
      },
    }) as Store;
    const messageId = await store.receive({
      raw: Buffer.from(A04, "latin1"),
      receivedAt: NOW.toISOString(),
      sender: "test",
      controlId: "603266",
      messageType: "ADT^A04",
      direction: "inbound",
      patientKey: "999965423^^^AccMgr",
    });
    const logs: string[] = [];
    const finished: string[] = [];
    const loops = ["w1", "w2"].map((worker) =>
      startClaimLoop({
        store: slow,
        pack: () => ORIGINAL,
        worker,
        leaseMs: 600,
        now: () => new Date(),
        log: (line) => logs.push(line),
        idleMs: 5,
        onFinished: (m) => finished.push(m.messageId),
      }),
    );
    for (let i = 0; i < 1000 && finished.length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    await Promise.all(loops.map((l) => l.stop()));
    expect(finished).toEqual([messageId]);
    expect(logs.filter((l) => l.includes("another worker"))).toEqual([]);
    const attempts = await store.attempts(messageId);
    expect(attempts.map((a) => [a.kind, a.state])).toEqual([["receive", "PROCESSED"]]);
  });
});

/** Patients 1..n: each one's A04 then A08, as one sender sends them. */
const patientFrames = (ks: readonly number[]) =>
  ks.flatMap((k) => {
    const m = patientMessages(k);
    return [framed(m.a04), framed(m.a08)];
  });

describe("rulepack serve --workers", () => {
  it("on SQLite: every message decided, in each patient's order, answered with its stored ACK", async () => {
    const db = join(root, "workers.sqlite");
    const served = await serve(db, undefined, { workers: 2 });
    const result = await mllpExchange(served.port, patientFrames([1, 2, 3, 4]), 8, {
      timeoutMs: 30_000,
    });
    expect(await served.stop()).toBe(0);
    const store = openSqliteStore(db);
    try {
      const messages = await store.messages();
      expect(messages.map((m) => [m.controlId, m.state])).toEqual(
        [1, 2, 3, 4].flatMap((k) => {
          const id = `P${String(k).padStart(5, "0")}`;
          return [
            [`${id}A04`, "PROCESSED"],
            [`${id}A08`, "PROCESSED"],
          ];
        }),
      );
      expect(result.acks).toEqual(messages.map((m) => m.ack));
      for (const m of messages.filter((x) => x.controlId.endsWith("A08")))
        expect(m.outcome?.actions.map((a) => a.type)).toContain("patient.update");
      expect(served.stderr.join("")).toMatch(/worker=\S+:1 messageId=q-000001 .*state=PROCESSED/);
      expect(served.stderr.join("")).not.toMatch(/recovery recovered/);
    } finally {
      await store.close();
    }
  }, 60_000);

  it("on PostgreSQL, two serve processes share the queue: one stores, either decides; two workers never create the same person", async () => {
    const url = new URL(inject("pgUrl"));
    url.searchParams.set("schema", `serve_workers_${process.pid}`);
    const db = url.toString();
    const one = await serve(db, undefined, { workers: 1 });
    const two = await serve(db, undefined, { workers: 1 });
    // The same person registered by two facilities: two lanes, decided in parallel.
    const { a04 } = patientMessages(7);
    const other = a04.replace("|AccMgr|1|", "|AccMgr|2|").replace("|P00007A04|", "|Q00007A04|");
    const results = await Promise.all([
      mllpExchange(one.port, [framed(a04)], 1, { timeoutMs: 30_000 }),
      mllpExchange(two.port, [framed(other)], 1, { timeoutMs: 30_000 }),
      mllpExchange(two.port, patientFrames([11, 12]), 4, { timeoutMs: 30_000 }),
    ]);
    expect(await one.stop()).toBe(0);
    expect(await two.stop()).toBe(0);
    const store = openPostgresStore(db);
    try {
      const messages = await store.messages();
      expect(messages.filter((m) => m.state === "NEW")).toEqual([]);
      expect(results.flatMap((r) => r.acks).sort()).toEqual(
        messages.map((m) => m.ack ?? "").sort(),
      );
      const creates = messages.flatMap(
        (m) => m.outcome?.actions.filter((a) => a.type === "patient.create") ?? [],
      );
      // Patients 7 (once, whichever facility came first), 11 and 12.
      expect(creates).toHaveLength(3);
      const view = (await store.openView()).view;
      expect(view.nextId("patient")).toBe("1004");
    } finally {
      await store.close();
    }
  }, 60_000);
});

describe("serve --workers and --lease on the command line", () => {
  it("refuses a worker count that is not 1 or more, and a lease without workers (exit 2)", async () => {
    const base = ["serve", "--pack", PACK, "--mllp", "0", "--db", ":memory:"];
    const zero = await rulepack([...base, "--workers", "0"]);
    expect(zero.status).toBe(2);
    expect(zero.stderr).toContain("--workers takes a whole number from 1 to 999");
    const lease = await rulepack([...base, "--lease", "5"]);
    expect(lease.status).toBe(2);
    expect(lease.stderr).toContain("--lease is the workers' claim: it needs --workers N");
    const badLease = await rulepack([...base, "--workers", "2", "--lease", "0.5"]);
    expect(badLease.status).toBe(2);
    expect(badLease.stderr).toContain("--lease takes whole seconds (1 or more)");
  });
});
