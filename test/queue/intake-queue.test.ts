import { describe, expect, it } from "vitest";
import { parseHl7 } from "../../engine/hl7/parse.js";
import type { CompiledPack } from "../../engine/pack/compiled.js";
import type { RawQueue } from "../../engine/pack/raw.js";
import { compileQueue } from "../../engine/pack/sections/queue.js";
import { contentHash, headerOf } from "../../engine/queue/header.js";
import { receiveBytes } from "../../engine/queue/intake.js";
import { processStored } from "../../engine/queue/process-stored.js";
import { pruneCutoffs, pruneQueue } from "../../engine/queue/retention.js";
import { fixturePack, JANE, message, NOW, newStore } from "../inbound/helpers.js";

/**
 * The queue's side of intake (engine/queue): what is recorded of a header,
 * `queue.accept`, `queue.duplicates`, processing a stored message again,
 * and `queue.retentionDays`.
 */

const bytes = (text: string) => new TextEncoder().encode(text);
const withQueue = (raw: RawQueue): CompiledPack => ({
  ...fixturePack("inbound-basic"),
  queue: compileQueue({ raw: { pack: { id: "inbound-basic" }, queue: raw } }),
});
function hashOf(text: string): string {
  const [parsed] = parseHl7(bytes(text)).messages;
  if (!parsed) throw new Error("no message");
  return contentHash(parsed);
}
const A04 = message({ type: "ADT^A04", pid: JANE, controlId: "MSG00001" });
const resent = (text: string, sentAt: string) => text.replace("20260115120000", sentAt);
const receive = (
  pack: CompiledPack,
  store: Awaited<ReturnType<typeof newStore>>,
  text: string,
  at = NOW,
) =>
  receiveBytes(pack, store, bytes(text), {
    now: at,
    sender: "mllp:127.0.0.1",
    detectDuplicates: true,
    ackFor: (o) => `ACK for ${o.messageId} ${o.state}`,
  });

describe("the queue records each message's header", () => {
  it("sending application and facility, content hash, the sender's patient identifier, the ACK", async () => {
    const store = await newStore();
    const [outcome] = await receive(fixturePack("inbound-basic"), store, A04);
    expect(await store.message(outcome?.messageId ?? "")).toMatchObject({
      controlId: "MSG00001",
      messageType: "ADT^A04",
      sendingApplication: "EHR",
      sendingFacility: "CLINIC",
      patientKey: "E-5001^^^EHR",
      contentHash: hashOf(A04),
      state: "PROCESSED",
      patientId: "1001",
      ack: "ACK for q-000001 PROCESSED",
    });
    expect(await store.attempts("q-000001")).toMatchObject([
      { number: 1, kind: "receive", now: NOW.toISOString(), state: "PROCESSED" },
    ]);
  });

  it("the patient identifier is PID-3's MR repetition when one is sent, else the first", async () => {
    const store = await newStore();
    const pack = fixturePack("inbound-basic");
    const twoIds = { ...JANE, 3: "A-77^^^BILLING^AN~E-5001^^^EHR^MR" };
    await receive(pack, store, message({ type: "ADT^A04", pid: twoIds }));
    await receive(pack, store, message({ type: "ADT^A04", pid: { ...JANE, 3: "Z-1^^^EHR^PI" } }));
    expect((await store.messages()).map((m) => m.patientKey)).toEqual([
      "E-5001^^^EHR",
      "Z-1^^^EHR",
    ]);
  });

  it("the content hash ignores MSH-7 only", async () => {
    const hash = hashOf;
    expect(hash(resent(A04, "20260116080000"))).toBe(hash(A04));
    expect(hash(A04.replace("Doe^Jane", "Doe^Janet"))).not.toBe(hash(A04));
  });
});

describe("queue.accept", () => {
  it("versions: an MSH-12 not listed is ERROR UNSUPPORTED_VERSION, nothing applied", async () => {
    const store = await newStore();
    const pack = withQueue({ accept: { versions: ["2.3", "2.4"] } });
    const [outcome] = await receive(pack, store, A04);
    expect(outcome).toMatchObject({
      state: "ERROR",
      actions: [],
      errors: [
        {
          code: "UNSUPPORTED_VERSION",
          severity: "error",
          field: "MSH.12",
          value: "2.5.1",
          message:
            "HL7 version '2.5.1' (MSH-12) is not accepted by this interface (queue.accept.versions)",
        },
      ],
    });
    expect(store.patientById("1001")).toBeUndefined();
  });

  it("processingIds: an MSH-11 not listed is ERROR UNSUPPORTED_PROCESSING_ID", async () => {
    const store = await newStore();
    const pack = withQueue({ accept: { processingIds: ["P"] } });
    const [outcome] = await receive(pack, store, A04.replace("|P|2.5.1", "|T|2.5.1"));
    expect(outcome?.errors.map((e) => [e.code, e.field, e.value])).toEqual([
      ["UNSUPPORTED_PROCESSING_ID", "MSH.11", "T"],
    ]);
  });

  it("absent, any version and processing ID is accepted, an empty one too", async () => {
    const store = await newStore();
    const [outcome] = await receive(withQueue({}), store, A04.replace("|P|2.5.1", "||"));
    expect(outcome?.state).toBe("PROCESSED");
  });
});

describe("queue.duplicates", () => {
  it("a resend (same MSH-3, MSH-4, MSH-10 and content, MSH-7 aside) is PROCESSED DUPLICATE, answered with the original's ACK", async () => {
    const store = await newStore();
    const pack = withQueue({});
    await receive(pack, store, A04);
    const [dup] = await receive(pack, store, resent(A04, "20260115120500"));
    expect(dup).toMatchObject({
      messageId: "q-000002",
      state: "PROCESSED",
      actions: [],
      errors: [
        {
          code: "DUPLICATE",
          severity: "info",
          value: "q-000001",
          message:
            "a resend of q-000001 (same MSH-3, MSH-4, MSH-10 and content): not processed again",
        },
      ],
    });
    expect(await store.message("q-000002")).toMatchObject({
      duplicateOf: "q-000001",
      ack: "ACK for q-000001 PROCESSED",
    });
    expect((await store.attempts("q-000002")).map((a) => a.kind)).toEqual(["duplicate"]);
    expect(store.nextId("patient")).toBe("1002");
  });

  it("a reused control ID with other content is a new message", async () => {
    const store = await newStore();
    const pack = withQueue({});
    await receive(pack, store, A04);
    const other = message({
      type: "ADT^A04",
      pid: { ...JANE, 3: "E-7000^^^EHR^PI", 5: "Roe^Rita" },
      controlId: "MSG00001",
    });
    const [outcome] = await receive(pack, store, other);
    expect(outcome?.errors.map((e) => e.code)).not.toContain("DUPLICATE");
    expect((await store.message(outcome?.messageId ?? ""))?.duplicateOf).toBeUndefined();
  });

  it("windowHours: a resend after the window is processed again; 0 turns the check off", async () => {
    const store = await newStore();
    const pack = withQueue({ duplicates: { windowHours: 1 } });
    await receive(pack, store, A04);
    const later = new Date(NOW.getTime() + 2 * 3_600_000);
    const [afterWindow] = await receive(pack, store, A04, later);
    expect(afterWindow?.errors.map((e) => e.code)).not.toContain("DUPLICATE");
    const off = withQueue({ duplicates: { windowHours: 0 } });
    const [unchecked] = await receive(off, store, A04, later);
    expect(unchecked?.errors.map((e) => e.code)).not.toContain("DUPLICATE");
  });

  it("without detectDuplicates (tests and benches resending on purpose) nothing is checked", async () => {
    const store = await newStore();
    const pack = withQueue({});
    const options = { now: NOW, sender: "file:a.hl7" };
    await receiveBytes(pack, store, bytes(A04), options);
    const [again] = await receiveBytes(pack, store, bytes(A04), options);
    expect(again?.errors.map((e) => e.code)).not.toContain("DUPLICATE");
  });
});

describe("processStored: a stored message processed again", () => {
  it("re-reads the stored bytes, decides against the current store, records the attempt", async () => {
    const store = await newStore();
    const pack = fixturePack("inbound-basic");
    const messageId = await store.receive({
      raw: bytes(A04),
      receivedAt: NOW.toISOString(),
      sender: "mllp:127.0.0.1",
      controlId: "MSG00001",
      messageType: "ADT^A04",
      direction: "inbound",
    });
    const later = new Date(NOW.getTime() + 60_000);
    const result = await processStored(pack, store, messageId, {
      now: later,
      completion: { kind: "receive", note: "recovered at start-up" },
    });
    expect(result.ok && result.outcome.state).toBe("PROCESSED");
    expect(await store.attempts(messageId)).toMatchObject([
      {
        kind: "receive",
        now: later.toISOString(),
        note: "recovered at start-up",
        state: "PROCESSED",
      },
    ]);
    expect(
      await processStored(pack, store, "q-000404", {
        now: later,
        completion: { kind: "reprocess" },
      }),
    ).toEqual({
      ok: false,
      code: "UNKNOWN_MESSAGE",
      message: "no message q-000404",
    });
  });
  it("a transport duplicate left NEW by a crash is completed as a duplicate, not processed again", async () => {
    const store = await newStore();
    const pack = withQueue({});
    const [original] = await receive(pack, store, A04);
    expect(original?.state).toBe("PROCESSED");
    const patients = store.nextId("patient");
    // The listener stored the resend as a duplicate of the original and died before completing it.
    const [parsed] = parseHl7(bytes(A04)).messages;
    if (!parsed) throw new Error("no message");
    const resendId = await store.receive({
      ...headerOf(parsed, true),
      raw: bytes(A04),
      receivedAt: NOW.toISOString(),
      sender: "mllp:127.0.0.1",
      direction: "inbound",
      duplicateOf: original?.messageId ?? "",
    });
    const result = await processStored(pack, store, resendId, {
      now: NOW,
      completion: { kind: "receive" },
    });
    expect(result.ok && result.outcome).toMatchObject({
      state: "PROCESSED",
      actions: [],
      errors: [{ code: "DUPLICATE", severity: "info", value: original?.messageId }],
    });
    expect(store.nextId("patient")).toBe(patients);
    expect((await store.message(resendId))?.state).toBe("PROCESSED");
    expect((await store.attempts(resendId)).map((a) => a.kind)).toEqual(["duplicate"]);
  });
  it("text outside the message in the same frame: its ERROR row, processed again, does not process the message", async () => {
    const store = await newStore();
    const pack = withQueue({});
    const [junk, received] = await receive(pack, store, `hello there\r${A04}`);
    expect(junk?.errors.map((e) => e.code)).toEqual(["PARSE_ERROR"]);
    expect(received?.state).toBe("PROCESSED");
    const patients = store.nextId("patient");
    const again = await processStored(pack, store, junk?.messageId ?? "", {
      now: NOW,
      completion: { kind: "reprocess" },
    });
    expect(again.ok && again.outcome).toMatchObject({ state: "ERROR", actions: [] });
    expect(again.ok && [...new Set(again.outcome.errors.map((e) => e.code))]).toEqual([
      "PARSE_ERROR",
    ]);
    expect(new TextDecoder().decode((await store.message(junk?.messageId ?? ""))?.raw)).toBe(
      "hello there\r",
    );
    expect(store.nextId("patient")).toBe(patients);
  });
});

describe("queue.retentionDays", () => {
  it("cutoffs are now minus each state's days; pruneQueue removes only what they allow", async () => {
    const pack = withQueue({ retentionDays: { PROCESSED: 30 } });
    expect(pruneCutoffs(pack, NOW)).toEqual({
      PROCESSED: "2025-12-16T18:00:00.000Z",
      DELETED: "2025-10-17T18:00:00.000Z",
    });
    const store = await newStore();
    await receive(pack, store, A04, new Date("2025-11-01T00:00:00Z"));
    await receive(
      pack,
      store,
      message({ type: "ADT^A08", pid: { 1: "1" } }),
      new Date("2025-11-01T00:00:00Z"),
    );
    // Jane again (an A04 with another PID-3 and her demographics would wait for review).
    await receive(pack, store, message({ type: "ADT^A08", pid: JANE }));
    expect((await store.messages()).map((m) => m.state)).toEqual([
      "PROCESSED",
      "ERROR",
      "PROCESSED",
    ]);
    expect(await pruneQueue(pack, store, NOW)).toBe(1);
    expect((await store.messages()).map((m) => m.messageId)).toEqual(["q-000002", "q-000003"]);
  });
});
