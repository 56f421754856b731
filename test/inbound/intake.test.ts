import { describe, expect, it } from "vitest";
import type { QueueState } from "../../engine/model/outcome.js";
import { receiveBytes } from "../../engine/queue/intake.js";
import type { LocalStore as Store } from "../../engine/store/types.js";
import { fixturePack, JANE, message, NOW, newStore } from "./helpers.js";

/**
 * The queue intake (engine/queue/intake.ts): every message is stored as NEW
 * before it is processed, then completed with its outcome in one step;
 * nothing received vanishes (ARCHITECTURE.md, Table 19 - Interface message
 * processing state).
 */

const bytes = (text: string) => new TextEncoder().encode(text);
const options = { now: NOW, sender: "file:test.hl7" };
const ROE = { 1: "1", 3: "R-1^^^EHR^PI", 5: "Roe^Richard", 7: "19700101", 8: "M" };

describe("Table 19 - Interface message processing state: the intake of received bytes", () => {
  it("each message is NEW in the queue while it is processed, then takes its outcome's state", async () => {
    const store = await newStore();
    const seen: Promise<QueueState[]>[] = [];
    // The pure core reads the store through the view it opens; record the queue at that moment
    // (a local store's operations run at once: the promise holds the queue as it is then).
    const spy: Store = Object.create(store, {
      openView: {
        value: async () => {
          const opened = await store.openView();
          const view = new Proxy(opened.view, {
            get(target, property) {
              if (property === "patientCandidates") {
                return (block: Parameters<Store["patientCandidates"]>[0]) => {
                  seen.push(store.messages().then((ms) => ms.map((m) => m.state)));
                  return target.patientCandidates(block);
                };
              }
              const value = Reflect.get(target, property, target);
              return typeof value === "function" ? value.bind(target) : value;
            },
          });
          return { ...opened, view };
        },
      },
    });
    const outcomes = await receiveBytes(
      fixturePack("inbound-basic"),
      spy,
      bytes(message({ type: "ADT^A04", pid: JANE }) + message({ type: "ADT^A08", pid: ROE })),
      options,
    );
    expect(outcomes.map((o) => [o.messageId, o.state])).toEqual([
      ["q-000001", "PROCESSED"],
      ["q-000002", "ERROR"],
    ]);
    // Jane's A04 looks up twice (demographics, then who holds her PID-3); Roe's A08 once.
    expect(await Promise.all(seen)).toEqual([["NEW"], ["NEW"], ["PROCESSED", "NEW"]]);
    expect(
      (await store.messages()).map((m) => [m.messageId, m.state, m.sender, m.messageType]),
    ).toEqual([
      ["q-000001", "PROCESSED", "file:test.hl7", "ADT^A04"],
      ["q-000002", "ERROR", "file:test.hl7", "ADT^A08"],
    ]);
  });

  it("input that holds no message is stored too, as ERROR with PARSE_ERROR", async () => {
    const store = await newStore();
    const outcomes = await receiveBytes(
      fixturePack("inbound-basic"),
      store,
      bytes("hello\r"),
      options,
    );
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.state).toBe("ERROR");
    expect(outcomes[0]?.errors.map((e) => [e.code, e.message])).toEqual([
      ["PARSE_ERROR", "line 1: line 1 is outside any message (no MSH segment before it)"],
      ["PARSE_ERROR", "line 1: no MSH segment found: this is not an HL7 v2 message"],
    ]);
    expect((await store.messages()).map((m) => [m.messageId, m.state])).toEqual([
      ["q-000001", "ERROR"],
    ]);
    expect(new TextDecoder().decode((await store.message("q-000001"))?.raw)).toBe("hello\r");
  });

  it("a store that cannot apply the actions: ATHENAERROR with INTERNAL_ERROR, nothing applied, the message kept", async () => {
    const store = await newStore();
    const failing: Store = Object.create(store, {
      complete: {
        value: async (outcome: Parameters<Store["complete"]>[0]) => {
          if (outcome.state === "PROCESSED") throw new Error("disk full");
          await store.complete(outcome, { kind: "receive", now: "2026-03-10T12:00:00.000Z" });
        },
      },
    });
    const [outcome] = await receiveBytes(
      fixturePack("inbound-basic"),
      failing,
      bytes(message({ type: "ADT^A04", pid: JANE })),
      options,
    );
    expect(outcome?.state).toBe("ATHENAERROR");
    expect(outcome?.actions).toEqual([]);
    expect(outcome?.errors.map((e) => [e.code, e.message])).toEqual([
      ["INTERNAL_ERROR", "the store could not apply this message: disk full"],
    ]);
    expect((await store.message("q-000001"))?.state).toBe("ATHENAERROR");
    expect(store.patientById("1001")).toBeUndefined();
  });
});
