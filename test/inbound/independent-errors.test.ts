import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  createMemoryStore,
  loadPractice,
  type OutcomeError,
  receiveBytes,
} from "../../engine/index.js";

/**
 * A message with several independent problems reports all of them in one
 * pass (issue 20), so a person fixes them in one round, not one per
 * reprocess: a policy's unmapped plan does not hide its missing IN1.36, and
 * a patient's missing required field does not hide its policies' problems.
 * Nothing is applied: the message waits in ERROR.
 */

const NOW = new Date("2026-01-15T18:00:00Z");

async function errorsOf(pack: string, message: string) {
  const practice = loadPractice(pack);
  if (!practice.ok) throw new Error("the practice does not load");
  const store = createMemoryStore();
  if (practice.masterData) await store.loadMasterData(practice.masterData);
  const [outcome] = await receiveBytes(practice.pack, store, Buffer.from(message, "latin1"), {
    now: NOW,
    sender: "test",
  });
  await store.close();
  return {
    state: outcome?.state,
    actions: outcome?.actions.length,
    errors: outcome?.errors
      .filter((e) => e.severity === "error")
      .map((e: OutcomeError) => ({
        code: e.code,
        field: e.field,
        value: e.value,
        message: e.message,
      })),
  };
}

/** The corpus A04 from Mirth with one IN1: its plan is `plan` and IN1.36 (the policy number) is empty. */
function harborA04(plan: string): string {
  return readFileSync("../shared/corpus/hl7/ADT_A04__mirth__1.hl7", "latin1")
    .split("\r")
    .filter((s) => !s.startsWith("IN1|2|"))
    .map((s) => {
      if (!s.startsWith("IN1|1|")) return s;
      const f = s.split("|");
      f[2] = plan;
      f[36] = "";
      return f.join("|");
    })
    .join("\r");
}

describe("one policy, two problems", () => {
  it("an unmapped plan and a missing IN1.36 are both reported", async () => {
    expect(await errorsOf("rules/practices/harbor-ortho/pack.yaml", harborA04("NOPLAN"))).toEqual({
      state: "ERROR",
      actions: 0,
      errors: [
        {
          code: "UNMAPPED_INSURANCE",
          field: "IN1.2+IN1.4+IN1.5",
          value: "NOPLAN+MEDICAID+800 N PEARL ST",
          message: expect.stringContaining("NOPLAN+MEDICAID+800 N PEARL ST"),
        },
        {
          code: "REQUIRED_FIELD_MISSING",
          field: "IN1.36",
          value: undefined,
          message: "policy number (IN1.36) is required to create an insurance policy",
        },
      ],
    });
  });

  it("a mapped plan with IN1.36 missing reports only that (nothing invented)", async () => {
    const errors = (await errorsOf("rules/practices/harbor-ortho/pack.yaml", harborA04("MEDICAID")))
      .errors;
    expect(errors?.map((e) => [e.code, e.field])).toEqual([["REQUIRED_FIELD_MISSING", "IN1.36"]]);
  });
});

describe("a patient's problem and its policy's", () => {
  const A04 = [
    "MSH|^~\\&|PRAIRIE|LAKESIDE|PS|PS|20260115120000||ADT^A04|L1|P|2.5.1",
    "EVN|A04|20260115120000",
    "PID|1||P-88^^^PRAIRIE^PI||Kim^Grace^S||19791102|F",
    "PV1|1|O",
    "IN1|1|ZZ-PLAN|777|ZZ INSURANCE|1 Main St^^Springfield^IL^62701|||||||||||Kim^Grace|SEL|19791102||||||||||||||||||MEMBER1",
  ].join("\r");

  it("a missing SSN (PID.19) and an unmapped plan are both reported", async () => {
    const found = await errorsOf("rules/practices/lakeside-family/pack.yaml", A04);
    expect([found.state, found.actions]).toEqual(["ERROR", 0]);
    expect(found.errors?.map((e) => [e.code, e.field, e.value])).toEqual([
      ["REQUIRED_FIELD_MISSING", "PID.19", undefined],
      ["UNMAPPED_INSURANCE", "IN1.2+IN1.4+IN1.5", "ZZ-PLAN+ZZ INSURANCE+1 Main St"],
    ]);
  });
});
