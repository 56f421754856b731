import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseHl7 } from "../../engine/hl7/parse.js";
import type { Hl7Message } from "../../engine/hl7/tree.js";
import type { CompiledPack } from "../../engine/pack/compiled.js";
import { type FrameResult, processFrame } from "../../engine/server/frame.js";
import { createMemoryStore } from "../../engine/store/memory.js";
import type { LocalStore as Store } from "../../engine/store/types.js";
import { fixturePackLoader } from "../support/fixture-packs.js";

/**
 * The listener's ACK rules through processFrame (docs/ack-codes.md):
 * refused headers (MSH-11, MSH-12), transport duplicates answered from the
 * store, and enhanced mode per sender with every MSH-15/MSH-16 value, for
 * 2.3 and 2.5 ERR layouts.
 */

const CORPUS = "../shared/corpus/hl7";
const PACK = "rules/practices/harbor-ortho/pack.yaml";
const root = mkdtempSync(join(tmpdir(), "rulepack-acks-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const NOW = new Date("2026-01-01T00:00:00Z");

/** A pack extending the example practice with `extra` YAML (the folder is named after the id). */
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

const ORIGINAL = fixturePackLoader("rules/practices")("harbor-ortho");
// AccMgr sends the 2.3.1 A04 (PROCESSED), WCDataSend the 2.5 DFT (held in ERROR).
const ENHANCED = packWith(
  "enhanced",
  "acks:\n  held: AE\n  enhanced:\n    - sendingApplication: AccMgr\n      sendingFacility: '1'\n    - sendingApplication: WCDataSend\n",
);
const STRICT = packWith(
  "strict",
  "queue:\n  accept:\n    versions: ['2.5', '2.5.1']\n    processingIds: [P]\nacks:\n  enhanced:\n    - sendingApplication: WCDataSend\n",
);

const corpus = (name: string) => readFileSync(`${CORPUS}/${name}.hl7`, "latin1");
const A04 = corpus("ADT_A04__mirth__1"); // 2.3.1, MSH-11 D
const DFT = corpus("DFT_P03__mieweb__1"); // 2.5, MSH-11 P

/** The message with these MSH fields replaced (MSH-n, n >= 3). */
function withMsh(message: string, fields: Readonly<Record<number, string>>): string {
  const [msh = "", ...rest] = message.split("\r");
  const parts = msh.split("|");
  for (const [n, value] of Object.entries(fields)) {
    while (parts.length < Number(n)) parts.push("");
    parts[Number(n) - 1] = value;
  }
  return [parts.join("|"), ...rest].join("\r");
}

function fresh(): Store {
  return createMemoryStore();
}

async function frame(pack: CompiledPack, store: Store, message: string): Promise<FrameResult> {
  return processFrame(pack, store, Buffer.from(message, "latin1"), "mllp:test", NOW);
}

function parsed(ack: string): Hl7Message {
  const doc = parseHl7(ack);
  expect(doc.issues.filter((i) => i.severity === "error")).toEqual([]);
  return doc.messages[0] as Hl7Message;
}

const value = (m: Hl7Message, seg: string, n: number, comp = 0, sub = 0) =>
  m.segments.find((s) => s.name === seg)?.fields[n - 1]?.[0]?.[comp]?.[sub]?.value ?? "";

/** ERR's table 0357 code: ERR-1.4 before 2.5, ERR-3.1 from 2.5. */
function errCode(m: Hl7Message): string {
  return value(m, "ERR", 3) || value(m, "ERR", 1, 3);
}

const codes = (r: FrameResult) => r.replies.map((x) => x.code);

describe("queue.accept (MSH-11, MSH-12): AR with table 0357 code", () => {
  it("an unaccepted version is AR 203 (2.3.1: ERR-1), stored in ERROR", async () => {
    const store = fresh();
    const r = await frame(STRICT, store, withMsh(A04, { 11: "P" }));
    expect(codes(r)).toEqual(["AR"]);
    const ack = parsed(r.replies[0]?.ack ?? "");
    expect(value(ack, "MSA", 2)).toBe("603266");
    expect(value(ack, "ERR", 1, 3)).toBe("203");
    expect(value(ack, "ERR", 1, 3, 3)).toBe("UNSUPPORTED_VERSION");
    expect((await store.messages()).map((m) => [m.state, m.ack])).toEqual([
      ["ERROR", r.replies[0]?.ack],
    ]);
  });

  it("an unaccepted processing ID is AR 202 (2.5: ERR-3, ERR-4)", async () => {
    const store = fresh();
    const r = await frame(ORIGINAL, store, withMsh(DFT, { 3: "OtherApp" }));
    expect(codes(r)).toEqual(["AA"]);
    const refused = await frame(STRICT, store, withMsh(DFT, { 3: "OtherApp", 11: "T" }));
    expect(codes(refused)).toEqual(["AR"]);
    const ack = parsed(refused.replies[0]?.ack ?? "");
    expect([value(ack, "ERR", 3), value(ack, "ERR", 4), value(ack, "ERR", 5)]).toEqual([
      "202",
      "E",
      "UNSUPPORTED_PROCESSING_ID",
    ]);
    expect(value(ack, "MSH", 11)).toBe("T");
    expect((await store.messages()).map((m) => m.state)).toEqual(["ERROR", "ERROR"]);
  });
});

describe("transport duplicates", () => {
  it("a resend is answered with the original's stored ACK, byte for byte, and not processed again", async () => {
    const store = fresh();
    const first = await frame(ORIGINAL, store, A04);
    const again = await frame(ORIGINAL, store, withMsh(A04, { 7: "20260101000000" }));
    expect(codes(first)).toEqual(["AA"]);
    expect(again.replies).toEqual(first.replies);
    const [original, resend] = await store.messages();
    expect(original?.ack).toBe(first.replies[0]?.ack);
    expect(resend?.duplicateOf).toBe(original?.messageId);
    expect(resend?.ack).toBe(first.replies[0]?.ack);
    expect(again.outcomes.map((o) => [o.state, o.errors.map((e) => e.code), o.actions])).toEqual([
      ["PROCESSED", ["DUPLICATE"], []],
    ]);
    expect(store.patientById("1001")).toBeDefined();
    expect(store.patientById("1002")).toBeUndefined();
  });

  it("a held message's resend gets its AE again; a reused control ID with new content is new", async () => {
    const store = fresh();
    const held = await frame(ENHANCED, store, withMsh(DFT, { 15: "NE", 16: "AL" }));
    const resend = await frame(ENHANCED, store, withMsh(DFT, { 15: "NE", 16: "AL" }));
    expect(codes(held)).toEqual(["AE"]);
    expect(resend.replies).toEqual(held.replies);
    const reused = await frame(ORIGINAL, store, A04.replace("14 VOLLEY WAY", "15 VOLLEY WAY"));
    const other = await frame(ORIGINAL, store, A04);
    expect(codes(reused)).toEqual(["AA"]);
    expect(other.outcomes[0]?.errors.map((e) => e.code)).toEqual([]);
    expect((await store.messages()).map((m) => m.duplicateOf !== undefined)).toEqual([
      false,
      true,
      false,
      false,
    ]);
  });
});

describe("acks.enhanced: MSH-15 (commit ACK) and MSH-16 (application ACK)", () => {
  const CONDITIONS = ["AL", "NE", "ER", "SU", ""] as const;
  // What each condition lets through for an accepted-and-processed (CA, AA)
  // and an accepted-and-held message (CA, AE under acks.held AE).
  const COMMIT = { AL: ["CA"], NE: [], ER: [], SU: ["CA"], "": ["CA"] };
  const PROCESSED = { AL: ["AA"], NE: [], ER: [], SU: ["AA"], "": ["AA"] };
  const HELD = { AL: ["AE"], NE: [], ER: ["AE"], SU: [], "": ["AE"] };

  for (const commit of CONDITIONS) {
    for (const app of CONDITIONS) {
      it(`MSH-15 '${commit}', MSH-16 '${app}': commit ACK first, then the application ACK`, async () => {
        const store = fresh();
        const processed = await frame(ENHANCED, store, withMsh(A04, { 15: commit, 16: app }));
        const held = await frame(ENHANCED, store, withMsh(DFT, { 15: commit, 16: app }));
        expect(codes(processed)).toEqual([...COMMIT[commit], ...PROCESSED[app]]);
        expect(codes(held)).toEqual([...COMMIT[commit], ...HELD[app]]);
        expect((await store.messages()).map((m) => m.state)).toEqual(["PROCESSED", "ERROR"]);
      });
    }
  }

  it("the commit ACK is CA with no ERR; the application ACK carries the errors (2.5: ERR-3)", async () => {
    const r = await frame(ENHANCED, fresh(), withMsh(DFT, { 15: "AL", 16: "AL" }));
    const [commit, app] = r.replies.map((x) => parsed(x.ack));
    expect(commit?.segments.map((s) => s.name)).toEqual(["MSH", "MSA"]);
    expect(value(commit as Hl7Message, "MSA", 2)).toBe("DSD1184185250");
    expect(errCode(app as Hl7Message)).toBe("204");
    expect(value(app as Hl7Message, "ERR", 4)).toBe("E");
  });

  it("2.3: the application AE carries MSA-3 and ERR-1", async () => {
    const r = await frame(ENHANCED, fresh(), withMsh(DFT, { 12: "2.3", 15: "NE", 16: "ER" }));
    const app = parsed(r.replies[0]?.ack ?? "");
    expect(value(app, "MSA", 1)).toBe("AE");
    expect(value(app, "MSA", 3)).not.toBe("");
    expect(value(app, "ERR", 1, 3)).toBe("204");
  });

  it("a refused message is CR (no application ACK) when MSH-15 asks: 2.5 ERR-3 202, 2.3 ERR-1 203", async () => {
    const store = fresh();
    const byId = await frame(STRICT, store, withMsh(DFT, { 11: "T", 15: "ER", 16: "AL" }));
    const byVersion = await frame(STRICT, store, withMsh(DFT, { 12: "2.3", 15: "AL", 16: "AL" }));
    const quiet = await frame(STRICT, store, withMsh(DFT, { 12: "2.4", 15: "SU", 16: "AL" }));
    expect([codes(byId), codes(byVersion), codes(quiet)]).toEqual([["CR"], ["CR"], []]);
    expect(errCode(parsed(byId.replies[0]?.ack ?? ""))).toBe("202");
    expect(errCode(parsed(byVersion.replies[0]?.ack ?? ""))).toBe("203");
    expect((await store.messages()).map((m) => [m.state, m.ack?.includes("MSA|CR|")])).toEqual([
      ["ERROR", true],
      ["ERROR", true],
      ["ERROR", true],
    ]);
  });

  it("CE when the store failed, as MSH-15 asks; nothing stored", async () => {
    const real = fresh();
    const failing: Store = Object.create(real, {
      receive: {
        value: () => {
          throw new Error("disk full");
        },
      },
    });
    const r = await frame(ENHANCED, failing, withMsh(A04, { 15: "ER", 16: "AL" }));
    expect(codes(r)).toEqual(["CE"]);
    expect(errCode(parsed(r.replies[0]?.ack ?? ""))).toBe("207");
    expect(codes(await frame(ENHANCED, failing, withMsh(A04, { 15: "SU" })))).toEqual([]);
    expect(await real.messages()).toEqual([]);
  });

  it("with a live connection the CA goes out once the NEW row is committed, before processing", async () => {
    const real = fresh();
    const events: string[] = [];
    const stateWhenSent: Promise<string | undefined>[] = [];
    const watched: Store = Object.create(real, {
      complete: {
        value: async (...args: Parameters<Store["complete"]>) => {
          events.push(`complete ${args[0].state}`);
          await real.complete(...args);
        },
      },
    });
    const r = await processFrame(
      ENHANCED,
      watched,
      Buffer.from(withMsh(DFT, { 15: "AL", 16: "AL" }), "latin1"),
      "mllp:test",
      NOW,
      (early) => {
        events.push(`sent ${early.code}`);
        // The embedded store answers at once: the state when the CA went out.
        stateWhenSent.push(real.messages().then((m) => m[0]?.state));
      },
    );
    expect(events).toEqual(["sent CA", "complete ERROR"]);
    expect(await Promise.all(stateWhenSent)).toEqual(["NEW"]);
    expect(codes(r)).toEqual(["AE"]);
    const refused = await processFrame(
      STRICT,
      fresh(),
      Buffer.from(withMsh(DFT, { 11: "T", 15: "AL", 16: "AL" }), "latin1"),
      "mllp:test",
      NOW,
      () => events.push("sent early"),
    );
    expect(codes(refused)).toEqual(["CR"]);
    expect(events).not.toContain("sent early");
  });

  it("senders not named are answered in original mode whatever MSH-15/16 say", async () => {
    const r = await frame(ENHANCED, fresh(), withMsh(A04, { 3: "Other", 15: "NE", 16: "NE" }));
    expect(codes(r)).toEqual(["AA"]);
    const facility = await frame(ENHANCED, fresh(), withMsh(A04, { 4: "2", 15: "NE", 16: "NE" }));
    expect(codes(facility)).toEqual(["AA"]);
  });
});
