import { describe, expect, it } from "vitest";
import type { Outcome } from "../../engine/model/outcome.js";
import { recoverNewMessages } from "../../engine/server/recovery.js";
import type { Store } from "../../engine/store/types.js";
import { LAKESIDE, packWith, storeFor } from "../outbound/helpers.js";

/**
 * Crash recovery decides the NEW messages left by a dead listener as the
 * listener decides a frame (engine/queue/backstop.ts, `defer`): a message
 * whose decision hits the expression backstop waits until the others are
 * completed, is then decided once more, and that outcome stands.
 */

const KIM = (ssn: string, controlId: string, last: string, id: string) =>
  [
    `MSH|^~\\&|PRAIRIE|LAKESIDE|PS|PS|20260115120000||ADT^A04|${controlId}|P|2.5.1`,
    `PID|1||${id}^^^PRAIRIE^PI||${last}^Grace||19791102|F|||||||||||${ssn}`,
    "IN1|1|BCBSIL-PPO||Blue Cross Blue Shield of Illinois|PO Box 805107|||||||||||Kim^Jin|CHD|20050101||||||||||||||||||BC-1",
  ].join("\r");

// ~800,000 steps for PID.19 'slow': far past 100 ms on any machine, within the counted limits.
const slow = packWith(
  LAKESIDE,
  `fields:\n  - field: patient.ssn\n    from: PID.19\n    expr: ${JSON.stringify(
    "$value = 'slow' ? $string($reduce([1..200000], function($a, $b) { $a + $b })) : $value",
  )}\nlimits:\n  expressions: { timeoutMs: 100, maxSteps: 1000000, maxSequence: 200000 }\n`,
);

async function leftNew(store: Store, hl7: string, controlId: string): Promise<void> {
  await store.receive({
    raw: new TextEncoder().encode(`${hl7}\r`),
    receivedAt: "2026-03-01T14:00:00.000Z",
    sender: "mllp:127.0.0.1",
    controlId,
    messageType: "ADT^A04",
    direction: "inbound",
  });
}

describe("recovery: backstop defer", () => {
  it("a message that hits the backstop is completed after the NEW messages behind it; a second hit is ATHENAERROR EXPRESSION_TIMEOUT", async () => {
    const store = await storeFor(LAKESIDE);
    await leftNew(store, KIM("slow", "SLOW", "Kim", "P-88"), "SLOW");
    await leftNew(store, KIM("123-45-6789", "FAST", "Park", "P-99"), "FAST");
    const completed: string[] = [];
    const watched = new Proxy(store, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof value !== "function") return value;
        if (key !== "complete") return value.bind(target);
        return (outcome: Outcome, ...rest: unknown[]) => {
          completed.push(outcome.controlId);
          return value.call(target, outcome, ...rest);
        };
      },
    });
    const lines: string[] = [];

    const report = await recoverNewMessages(
      slow,
      watched,
      () => new Date("2026-03-01T14:06:00Z"),
      (line) => lines.push(line),
    );

    expect(completed).toEqual(["FAST", "SLOW"]);
    expect(report).toEqual({
      recovered: 2,
      states: { PROCESSED: 1, ATHENAERROR: 1 },
      failed: 0,
      poisoned: 0,
    });
    expect(
      (await store.messages()).map((m) => [
        m.controlId,
        m.state,
        m.outcome?.errors.map((e) => e.code),
      ]),
    ).toEqual([
      ["SLOW", "ATHENAERROR", ["EXPRESSION_TIMEOUT", "REQUIRED_FIELD_MISSING"]],
      ["FAST", "PROCESSED", []],
    ]);
  });
});
