import { describe, expect, it } from "vitest";
import type { Outcome } from "../../engine/model/outcome.js";
import { receiveBytes } from "../../engine/queue/intake.js";
import { processStored } from "../../engine/queue/process-stored.js";
import type { Store } from "../../engine/store/types.js";
import { LAKESIDE, pack as packOf, packWith, storeFor } from "../outbound/helpers.js";

/**
 * Pack expressions inside the core (docs/pack-language.md §5.2, §11): they
 * read the message's clock, take the HL7 null, and their failures are the
 * pack's (ERROR at the rule), except the wall-clock backstop, which is the
 * machine's (EXPRESSION_TIMEOUT, decided once more after the backlog).
 */

const KIM = (ssn: string, controlId = "X1", last = "Kim", id = "P-88") =>
  [
    `MSH|^~\\&|PRAIRIE|LAKESIDE|PS|PS|20260115120000||ADT^A04|${controlId}|P|2.5.1`,
    `PID|1||${id}^^^PRAIRIE^PI||${last}^Grace||19791102|F|||||||||||${ssn}`,
    "IN1|1|BCBSIL-PPO||Blue Cross Blue Shield of Illinois|PO Box 805107|||||||||||Kim^Jin|CHD|20050101||||||||||||||||||BC-1",
  ].join("\r");

async function receive(
  pack: ReturnType<typeof packOf>,
  store: Store,
  hl7: string,
  now = new Date("2026-03-01T14:06:00Z"),
): Promise<Outcome[]> {
  return receiveBytes(pack, store, new TextEncoder().encode(`${hl7}\r`), { now, sender: "test" });
}

function ssnOf(outcome: Outcome | undefined): unknown {
  const create = outcome?.actions.find((a) => a.type === "patient.create") as
    | { readonly patient: { readonly ssn?: unknown } }
    | undefined;
  return create?.patient.ssn;
}

/** Lakeside with its patient.ssn rule replaced. */
function lakesideSsn(expr: string, limits = ""): ReturnType<typeof packOf> {
  return packWith(
    LAKESIDE,
    `fields:\n  - field: patient.ssn\n    from: PID.19\n    expr: ${JSON.stringify(expr)}\n${limits}`,
  );
}

describe("$now() in inbound rules is the message's clock (issue 13)", () => {
  it("run --now 2001-02-03T00:00:00Z with $substring($now(), 0, 4) gives 2001", async () => {
    const pack = lakesideSsn("$substring($now(), 0, 4)");
    const [outcome] = await receive(
      pack,
      await storeFor(LAKESIDE),
      KIM("1"),
      new Date("2001-02-03T00:00:00Z"),
    );
    expect(outcome?.state).toBe("PROCESSED");
    expect(ssnOf(outcome)).toBe("2001");
  });
});

describe("the HL7 null reaches expressions as null, and the string built-ins take it", () => {
  it('Lakeside\'s SSN rule $replace($value, "-", "") on PID.19 "" is no expression error (it was ATHENAERROR)', async () => {
    // An A04: Lakeside requires the SSN to create a patient, and the HL7 null is none.
    const [create] = await receive(packOf(LAKESIDE), await storeFor(LAKESIDE), KIM('""'));
    expect(create?.state).toBe("ERROR");
    expect(create?.errors.map((e) => [e.code, e.field])).toEqual([
      ["REQUIRED_FIELD_MISSING", "PID.19"],
    ]);
  });

  it('an A08 with PID.19 "" reaches the rule as null and comes out null: clearing an SSN goes to review', async () => {
    const store = await storeFor(LAKESIDE);
    await receive(packOf(LAKESIDE), store, KIM("321-54-9876", "A"));
    const [update] = await receive(
      packOf(LAKESIDE),
      store,
      KIM('""', "B").replace("ADT^A04", "ADT^A08"),
    );
    expect(update?.errors.map((e) => e.code)).toEqual(["REVIEW_REQUIRED"]);
    expect(update?.review[0]?.candidates[0]?.changes?.ssn).toEqual({
      stored: "321549876",
      received: null,
    });
  });

  it("with a value the rule still strips the dashes", async () => {
    const [outcome] = await receive(packOf(LAKESIDE), await storeFor(LAKESIDE), KIM("321-54-9876"));
    expect(ssnOf(outcome)).toBe("321549876");
  });
});

describe("an expression's failure is the pack's: ERROR at the rule", () => {
  it("EXPRESSION_ERROR ($error) is ERROR, located at the rule, not ATHENAERROR", async () => {
    const pack = lakesideSsn("$error('no SSN for you')");
    const [outcome] = await receive(pack, await storeFor(LAKESIDE), KIM("1"));
    expect(outcome?.state).toBe("ERROR");
    // (Lakeside requires the SSN: the rule that failed supplied none.)
    expect(outcome?.errors.map((e) => e.code)).toEqual([
      "EXPRESSION_ERROR",
      "REQUIRED_FIELD_MISSING",
    ]);
    expect(outcome?.errors[0]?.message).toMatch(/^rule patient\.ssn at variant\.yaml:\d+/);
  });

  it("EXPRESSION_BUDGET_EXCEEDED ($pad to 2e7 characters) is ERROR", async () => {
    const pack = lakesideSsn("$pad($value, 20000000)");
    const [outcome] = await receive(pack, await storeFor(LAKESIDE), KIM("1"));
    expect(outcome?.state).toBe("ERROR");
    expect(outcome?.errors.map((e) => e.code)).toEqual([
      "EXPRESSION_BUDGET_EXCEEDED",
      "REQUIRED_FIELD_MISSING",
    ]);
  });
});

describe("timeoutMs: a backstop hit leaves the message NEW, decided once more after the backlog", () => {
  // ~800,000 steps: far past 100 ms on any machine, within the counted limits.
  const slow = lakesideSsn(
    "$value = 'slow' ? $string($reduce([1..200000], function($a, $b) { $a + $b })) : $value",
    "limits:\n  expressions: { timeoutMs: 100, maxSteps: 1000000, maxSequence: 200000 }\n",
  );

  it("a second hit is ATHENAERROR EXPRESSION_TIMEOUT, completed after the messages behind it", async () => {
    const store = await storeFor(LAKESIDE);
    const completed: string[] = [];
    const watched = new Proxy(store, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (key !== "complete" || typeof value !== "function") return value;
        return (outcome: Outcome, ...rest: unknown[]) => {
          completed.push(outcome.controlId);
          return value.call(target, outcome, ...rest);
        };
      },
    });
    const outcomes = await receive(
      slow,
      watched,
      `${KIM("slow", "SLOW")}\r${KIM("123-45-6789", "FAST", "Park", "P-99")}`,
    );
    expect(outcomes.map((o) => [o.controlId, o.state, o.errors.map((e) => e.code)])).toEqual([
      ["SLOW", "ATHENAERROR", ["EXPRESSION_TIMEOUT", "REQUIRED_FIELD_MISSING"]],
      ["FAST", "PROCESSED", []],
    ]);
    expect(completed).toEqual(["FAST", "SLOW"]);
  });

  it("a message decided on its own (recovery, reprocess) is decided again at once; a second hit is ATHENAERROR", async () => {
    const store = await storeFor(LAKESIDE);
    const messageId = await store.receive({
      raw: new TextEncoder().encode(`${KIM("slow", "SLOW")}\r`),
      receivedAt: "2026-03-01T14:00:00Z",
      sender: "test",
      controlId: "SLOW",
      messageType: "ADT^A04",
      direction: "inbound",
    });
    const result = await processStored(slow, store, messageId, {
      now: new Date("2026-03-01T14:06:00Z"),
      completion: { kind: "reprocess" },
    });
    expect(result.ok && result.outcome.state).toBe("ATHENAERROR");
    expect((await store.message(messageId))?.state).toBe("ATHENAERROR");
    expect((await store.message(messageId))?.outcome?.errors[0]?.code).toBe("EXPRESSION_TIMEOUT");
  });
});
