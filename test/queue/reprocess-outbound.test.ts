import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, describe, expect, inject, it } from "vitest";
import { deliveryStory } from "../../engine/delivery/report.js";
import { startSender } from "../../engine/delivery/sender.js";
import { sendEvent } from "../../engine/outbound/send.js";
import type { CompiledPack } from "../../engine/pack/compiled.js";
import { reprocessMessages, selectByIds } from "../../engine/queue/reprocess.js";
import { createMemoryStore } from "../../engine/store/memory.js";
import { openPostgresStore } from "../../engine/store/postgres.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { Store, StoredMessage } from "../../engine/store/types.js";
import { fastDelivery, startReceiver, testClock, until } from "../delivery/harness.js";
import { event, HARBOR, masterData, pack, packWith, withPatient } from "../outbound/helpers.js";
import { rulepack } from "../support/cli.js";

/**
 * `reprocess` of an outbound message in ERROR (issue 16, decision 0035): it
 * is built again from the practice event kept with it, through the current
 * pack, as a new message (a new MSH-10); the old one is marked replaced.
 * Each case runs on the three stores, which keep the event.
 */

const root = mkdtempSync(join(tmpdir(), "rulepack-reprocess-outbound-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const NOW = new Date("2026-03-01T14:06:00.000Z");
const LATER = new Date("2026-03-01T15:00:00.000Z");
const harbor = pack(HARBOR);

let made = 0;
const STORES: readonly [string, () => Store][] = [
  ["memory", createMemoryStore],
  ["sqlite", () => openSqliteStore(":memory:")],
  [
    "postgres",
    () => {
      const url = new URL(inject("pgUrl"));
      url.searchParams.set("schema", `reprocess_out_${process.pid}_${++made}`);
      return openPostgresStore(url.toString());
    },
  ],
];

/** `it` once per store, with a store holding Harbor's master data, closed afterwards. */
function onEachStore(title: string, body: (store: Store) => Promise<void>): void {
  for (const [name, make] of STORES) {
    it(`${title} (${name})`, async () => {
      const store = make();
      try {
        await store.loadMasterData(masterData(HARBOR));
        await body(store);
      } finally {
        await store.close();
      }
    });
  }
}

/** A patient whose race goes out through orthochartRaceOut (2076-8: O until the fix). */
const patientAdd = () => withPatient(event("patient-add"), { race: "2076-8" });

/** Queue the event's message and let the receiver refuse it: ERROR ACK_REJECTED, as AE leaves it. */
async function refused(p: CompiledPack, store: Store): Promise<{ id: string; controlId: string }> {
  const [built] = await sendEvent(p, store, patientAdd(), { now: NOW });
  if (!built?.controlId) throw new Error("not built");
  const claimed = await store.claimDelivery({
    receiver: "orthochart",
    ordering: "queue",
    now: NOW.toISOString(),
    leaseUntil: LATER.toISOString(),
  });
  expect(claimed?.messageId).toBe(built.messageId);
  await store.finishDelivery(built.messageId, 1, {
    kind: "failed",
    at: NOW.toISOString(),
    error: { code: "ACK_REJECTED", severity: "error", message: "orthochart refused it: race" },
  });
  expect((await store.message(built.messageId))?.state).toBe("ERROR");
  return { id: built.messageId, controlId: built.controlId };
}

async function reprocess(p: CompiledPack, store: Store, ids: readonly string[]) {
  const selection = await selectByIds(store, ids);
  if (!selection.ok) throw new Error(selection.message);
  return reprocessMessages(p, store, selection.messages, {
    clock: () => LATER,
    force: false,
    actor: "pat",
  });
}

/**
 * A practice folder whose pack extends Harbor's with its own copy of the
 * mappings, the race row for 2076-8 going out as `foreign`, and a receiver.
 */
function harborWithRace(foreign: string, port: number, extraRow = ""): CompiledPack {
  const dir = mkdtempSync(join(root, "practice-"));
  const mappings = join(dir, "mappings");
  mkdirSync(join(mappings, "harbor-ortho"), { recursive: true });
  symlinkSync(resolve("mappings/standard"), join(mappings, "standard"));
  for (const file of readdirSync("mappings/harbor-ortho")) {
    const target = join(mappings, "harbor-ortho", file);
    if (file !== "orthochartRaceOut.yaml")
      symlinkSync(resolve("mappings/harbor-ortho", file), target);
    else
      writeFileSync(
        target,
        readFileSync(join("mappings/harbor-ortho", file), "utf8")
          .replace(
            /practice: "2076-8",\s*foreign: "O"/,
            `practice: "2076-8", foreign: "${foreign}"`,
          )
          .replace(/^rows:\n/m, `rows:\n${extraRow}`),
      );
  }
  const file = join(dir, "harbor-ortho", "pack.yaml");
  mkdirSync(join(dir, "harbor-ortho"));
  writeFileSync(
    file,
    [
      "pack:",
      "  id: harbor-ortho",
      `  extends: ${relative(join(dir, "harbor-ortho"), resolve(HARBOR))}`,
      "  mappingsDir: ../mappings",
      "outbound:",
      "  delivery:",
      `    receiver: { host: 127.0.0.1, port: ${port} }`,
      "",
    ].join("\n"),
  );
  symlinkSync(
    resolve("rules/practices/harbor-ortho/master-data.yaml"),
    join(dir, "harbor-ortho", "master-data.yaml"),
  );
  return pack(file);
}

const pid10 = async (store: Store, id: string): Promise<string | undefined> => {
  const m = await store.message(id);
  const pid = new TextDecoder()
    .decode(m?.raw)
    .split("\r")
    .find((s) => s.startsWith("PID|"));
  return pid?.split("|")[10];
};

describe("reprocess of an outbound message the receiver refused, after a mapping fix", () => {
  onEachStore(
    "builds it again with a new MSH-10 and the fixed code; it is delivered, the old one replaced",
    async (store) => {
      const before = harborWithRace("O", 1);
      const old = await refused(before, store);
      expect(await pid10(store, old.id)).toBe("O^^L");

      const receiver = await startReceiver(["--ae-for", old.controlId]);
      try {
        const fixed = harborWithRace("P", receiver.port);
        const attempts = await reprocess(fixed, store, [old.id]);
        expect(attempts).toHaveLength(1);
        const [rebuilt] = attempts;
        expect(rebuilt).toMatchObject({
          from: "ERROR",
          to: "NEW",
          messageType: "ADT^A28",
          replaces: old.id,
        });
        expect(rebuilt?.messageId).not.toBe(old.id);
        expect(rebuilt?.controlId).not.toBe(old.controlId);
        expect(rebuilt?.controlId).toMatch(/^\w+$/);
        expect(await pid10(store, rebuilt?.messageId ?? "")).toBe("P^^L");

        const oldNow = await store.message(old.id);
        expect(oldNow?.state).toBe("DELETED");
        expect(
          deliveryStory(oldNow as StoredMessage, await store.deliveryEvents(old.id)),
        ).toContain(
          "  now DELETED: not to be sent: deleted, or built again as a new message (its history names which)\n",
        );
        expect((await store.attempts(old.id)).at(-1)).toMatchObject({
          kind: "reprocess",
          state: "DELETED",
          actor: "pat",
          note: `replaced by ${rebuilt?.messageId} (built again from its event, MSH-10 ${rebuilt?.controlId}, NEW)`,
        });

        const sender = startSender({
          store,
          delivery: fastDelivery(receiver.port),
          clock: testClock,
          once: true,
        });
        expect(await sender.done).toMatchObject({ sent: 1, acknowledged: 1 });
        // The receiver's record of it is its stdout line, read as it comes.
        await until(async () => receiver.received.length > 0, "the receiver's record");
        expect(receiver.received.map((r) => [r.controlId, r.answer])).toEqual([
          [rebuilt?.controlId, "AA"],
        ]);
        expect((await store.message(rebuilt?.messageId ?? ""))?.state).toBe("PROCESSED");
      } finally {
        await receiver.stop();
      }
    },
  );
});

describe("reprocess of an outbound leg that could not be built, after the mapping row is added", () => {
  onEachStore(
    "builds it from the event it was recorded with: NEW with an MSH-10, the record replaced",
    async (store) => {
      const unmapped = withPatient(event("patient-add"), { race: "2500-7" });
      const [failed] = await sendEvent(harbor, store, unmapped, { now: NOW });
      expect([failed?.state, failed?.errors.map((e) => e.code)]).toEqual([
        "ERROR",
        ["UNMAPPED_CODE"],
      ]);
      const fixed = harborWithRace(
        "O",
        1,
        '  - { practice: "2500-7", foreign: "P", description: added }\n',
      );
      const [rebuilt] = await reprocess(fixed, store, [failed?.messageId ?? ""]);
      expect(rebuilt).toMatchObject({
        from: "ERROR",
        to: "NEW",
        messageType: "ADT^A28",
        replaces: failed?.messageId,
      });
      expect(rebuilt?.controlId).toMatch(/^HOR\d+$/);
      expect(await pid10(store, rebuilt?.messageId ?? "")).toBe("P^^L");
      expect((await store.message(failed?.messageId ?? ""))?.state).toBe("DELETED");
    },
  );
});

describe("reprocess of an outbound message the current pack filters out", () => {
  onEachStore(
    "records the leg as not sent (PROCESSED, FILTERED) and replaces the old message",
    async (store) => {
      const old = await refused(harbor, store);
      const filtered = packWith(
        HARBOR,
        "outbound: { filters: { patients: { by: department, names: [Harbor Satellite] } } }",
      );
      const [rebuilt] = await reprocess(filtered, store, [old.id]);
      expect(rebuilt).toMatchObject({
        from: "ERROR",
        to: "PROCESSED",
        controlId: "",
        replaces: old.id,
      });
      expect(rebuilt?.outcome?.errors.map((e) => e.code)).toEqual(["FILTERED"]);
      expect((await store.message(old.id))?.state).toBe("DELETED");
      expect((await store.attempts(old.id)).at(-1)?.note).toBe(
        `replaced by ${rebuilt?.messageId} (built again from its event, PROCESSED)`,
      );
    },
  );
});

describe("reprocess of an outbound message queued before events were kept", () => {
  onEachStore(
    "refuses it with NO_STORED_EVENT, naming deliver --resend; nothing changes",
    async (store) => {
      // As a store migrated to schema 13 / migration 0008 holds such a message: no event beside its bytes.
      const id = await store.queueOutbound("harbor-ortho", (n) => ({
        raw: new TextEncoder().encode(
          `MSH|^~\\&|RULEPACK|H|OC|H|20260301||ADT^A28|HOR${n}|P|2.5.1\r`,
        ),
        receivedAt: NOW.toISOString(),
        sender: "outbound:harbor-ortho",
        controlId: `HOR${n}`,
        messageType: "ADT^A28",
      }));
      expect(await store.outboundEvent(id)).toBeUndefined();
      await store.claimDelivery({
        receiver: "orthochart",
        ordering: "queue",
        now: NOW.toISOString(),
        leaseUntil: LATER.toISOString(),
      });
      await store.finishDelivery(id, 1, {
        kind: "failed",
        at: NOW.toISOString(),
        error: { code: "ACK_REJECTED", severity: "error", message: "refused" },
      });
      expect(await selectByIds(store, [id])).toEqual({
        ok: false,
        code: "NO_STORED_EVENT",
        message: `NO_STORED_EVENT: ${id} (MSH-10 HOR1) was queued before outbound messages kept the event they were built from, so it cannot be built again; \`rulepack deliver --resend ${id}\` sends it again as built (the same bytes and MSH-10)`,
      });
      expect((await store.message(id))?.state).toBe("ERROR");
    },
  );
});

describe("the event kept with an outbound message", () => {
  onEachStore("is the leg and the practice event the builder took", async (store) => {
    const e = patientAdd();
    const [built] = await sendEvent(harbor, store, e, { now: NOW });
    expect(JSON.parse((await store.outboundEvent(built?.messageId ?? "")) ?? "null")).toEqual({
      leg: "patientAdd",
      event: JSON.parse(JSON.stringify(e)),
    });
  });
});

describe("reprocess of an outbound message that holds its patient's later messages", () => {
  onEachStore(
    "builds them again after it, in queue order, so the S14 still follows the S12",
    async (store) => {
      const [s12] = await sendEvent(harbor, store, event("appointment-schedule"), { now: NOW });
      const [s14] = await sendEvent(harbor, store, event("appointment-update"), { now: NOW });
      const claimed = await store.claimDelivery({
        receiver: "orthochart",
        ordering: "queue",
        now: NOW.toISOString(),
        leaseUntil: LATER.toISOString(),
      });
      expect(claimed?.messageId).toBe(s12?.messageId);
      await store.finishDelivery(s12?.messageId ?? "", 1, {
        kind: "failed",
        at: NOW.toISOString(),
        error: { code: "ACK_REJECTED", severity: "error", message: "refused" },
      });
      expect((await store.message(s14?.messageId ?? ""))?.state).toBe("NEW");

      const attempts = await reprocess(harbor, store, [s12?.messageId ?? ""]);
      expect(attempts.map((a) => [a.messageType, a.from, a.to, a.replaces, a.after])).toEqual([
        ["SIU^S12", "ERROR", "NEW", s12?.messageId, undefined],
        ["SIU^S14", "NEW", "NEW", s14?.messageId, s12?.messageId],
      ]);
      const [newS12, newS14] = attempts;
      expect((await store.message(newS12?.messageId ?? ""))?.sequence).toBeLessThan(
        (await store.message(newS14?.messageId ?? ""))?.sequence ?? 0,
      );
      for (const old of [s12, s14]) {
        expect((await store.message(old?.messageId ?? ""))?.state).toBe("DELETED");
      }
      const next = await store.claimDelivery({
        receiver: "orthochart",
        ordering: "queue",
        now: LATER.toISOString(),
        leaseUntil: "2026-03-01T16:00:00.000Z",
      });
      expect(next?.messageId).toBe(newS12?.messageId);
    },
  );

  onEachStore(
    "stops at the patient's next message in ERROR: what that one holds stays held",
    async (store) => {
      const [s12] = await sendEvent(harbor, store, event("appointment-schedule"), { now: NOW });
      // Race 2500-7 has no OrthoChart row: the S14 is recorded ERROR (UNMAPPED_CODE), never built.
      const unmapped = withPatient(event("appointment-update"), { race: "2500-7" });
      const [s14] = await sendEvent(harbor, store, unmapped, { now: NOW });
      const [s15] = await sendEvent(harbor, store, event("appointment-cancel"), { now: NOW });
      expect([s14?.state, s15?.state]).toEqual(["ERROR", "NEW"]);
      await store.claimDelivery({
        receiver: "orthochart",
        ordering: "queue",
        now: NOW.toISOString(),
        leaseUntil: LATER.toISOString(),
      });
      await store.finishDelivery(s12?.messageId ?? "", 1, {
        kind: "failed",
        at: NOW.toISOString(),
        error: { code: "ACK_REJECTED", severity: "error", message: "refused" },
      });

      const attempts = await reprocess(harbor, store, [s12?.messageId ?? ""]);
      expect(attempts.map((a) => [a.messageType, a.to, a.replaces])).toEqual([
        ["SIU^S12", "NEW", s12?.messageId],
      ]);
      expect((await store.message(s14?.messageId ?? ""))?.state).toBe("ERROR");
      expect((await store.message(s15?.messageId ?? ""))?.state).toBe("NEW");
    },
  );
});

describe("rulepack reprocess ID of outbound messages (a SQLite file holding a message queued before migration 13)", () => {
  it("rebuilds one queued after migration 13, refuses one queued before it with NO_STORED_EVENT (exit 1)", async () => {
    const db = join(mkdtempSync(join(root, "db-")), "practice.sqlite");
    const refuse = async (id: string) => {
      await store.claimDelivery({
        receiver: "orthochart",
        ordering: "queue",
        now: NOW.toISOString(),
        leaseUntil: LATER.toISOString(),
      });
      await store.finishDelivery(id, 1, {
        kind: "failed",
        at: NOW.toISOString(),
        error: { code: "ACK_REJECTED", severity: "error", message: "refused" },
      });
    };
    // A file with one message queued before migration 13 (made so below).
    let store: Store = openSqliteStore(db);
    await store.loadMasterData(masterData(HARBOR));
    const [before] = await sendEvent(harbor, store, patientAdd(), { now: NOW });
    await refuse(before?.messageId ?? "");
    await store.close();
    const raw = new BetterSqlite3(db);
    // Migration 13 added the column: a message queued before it has NULL there.
    raw.prepare("UPDATE messages SET event = NULL WHERE message_id = ?").run(before?.messageId);
    raw.close();

    store = openSqliteStore(db);
    const [after] = await sendEvent(
      harbor,
      store,
      withPatient(event("patient-update"), { id: "1002" }),
      {
        now: NOW,
      },
    );
    await refuse(after?.messageId ?? "");
    await store.close();

    const old = await rulepack([
      "reprocess",
      before?.messageId ?? "",
      "--pack",
      HARBOR,
      "--db",
      db,
    ]);
    expect([old.status, old.stdout]).toEqual([1, ""]);
    expect(old.stderr).toBe(
      `rulepack: NO_STORED_EVENT: ${before?.messageId} (MSH-10 ${before?.controlId}) was queued before outbound messages kept the event they were built from, so it cannot be built again; \`rulepack deliver --resend ${before?.messageId}\` sends it again as built (the same bytes and MSH-10)\n`,
    );
    const run = await rulepack([
      "reprocess",
      after?.messageId ?? "",
      "--pack",
      HARBOR,
      "--db",
      db,
      "--now",
      LATER.toISOString(),
    ]);
    expect(run).toEqual({
      status: 0,
      stdout: `q-000003 HOR00000000000000003 ADT^A31 ERROR -> NEW codes=- replaces=${after?.messageId}\n1 attempt: 1 NEW\n`,
      stderr: "",
    });
  });
});
