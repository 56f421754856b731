import { describe, expect, it } from "vitest";
import { convertValue } from "../../engine/inbound/convert.js";
import { CANONICAL_FIELDS } from "../../engine/model/canonical-fields.js";
import { loadPractice } from "../../engine/pack/practice-load.js";
import { receiveBytes } from "../../engine/queue/intake.js";
import { createMemoryStore } from "../../engine/store/memory.js";

const convert = (type: "integer" | "number" | "setId", value: unknown) =>
  convertValue(type, value, "America/New_York");

describe("Conversion to integer", () => {
  it("converts whole numbers up to ±(2^53 - 1)", () => {
    expect(convert("integer", "9007199254740991")).toStrictEqual({
      ok: true,
      value: 9007199254740991,
    });
    expect(convert("integer", "-9007199254740991")).toStrictEqual({
      ok: true,
      value: -9007199254740991,
    });
  });

  it("refuses one beyond, which a double no longer holds exactly (99999999999999999999 was 1e20)", () => {
    expect(convert("integer", "9007199254740992")).toStrictEqual({
      ok: false,
      reason:
        "'9007199254740992' is beyond ±9007199254740991 (2^53 - 1), the largest number stored exactly",
    });
    expect(convert("integer", "99999999999999999999").ok).toBe(false);
  });

  it("refuses 400 digits (Infinity), quoting only their start", () => {
    expect(convert("integer", "9".repeat(400))).toStrictEqual({
      ok: false,
      reason: `'${"9".repeat(20)}... (400 characters)' is beyond ±9007199254740991 (2^53 - 1), the largest number stored exactly`,
    });
  });
});

describe("Conversion to number", () => {
  it("converts decimals within ±(2^53 - 1)", () => {
    expect(convert("number", "1.5")).toStrictEqual({ ok: true, value: 1.5 });
    expect(convert("number", "-9007199254740991")).toStrictEqual({
      ok: true,
      value: -9007199254740991,
    });
  });

  it("refuses larger magnitudes and a computed Infinity", () => {
    expect(convert("number", "99999999999999999999").ok).toBe(false);
    expect(convert("number", `-${"9".repeat(400)}.5`).ok).toBe(false);
    expect(convert("number", Number.POSITIVE_INFINITY)).toStrictEqual({
      ok: false,
      reason: "'Infinity' is not a number",
    });
  });
});

describe("Conversion to setId (HL7 SI)", () => {
  it("is the type of policy.sequence (IN1.1)", () => {
    expect(CANONICAL_FIELDS["policy.sequence"]).toBe("setId");
  });

  it.each(["1", "2", "9999", "0001"])("converts %s", (text) => {
    expect(convert("setId", text)).toStrictEqual({ ok: true, value: Number(text) });
  });

  it.each(["0", "10000", "-1", "1.5", "99999999999999999999", "9".repeat(400)])(
    "refuses %s",
    (text) => {
      const result = convert("setId", text);
      expect(result.ok).toBe(false);
      expect(!result.ok && result.reason).toMatch(
        /is not a set ID \(SI\): a whole number from 1 to 9999$/,
      );
    },
  );
});

describe("IN1.1 out of range, through the queue (Harbor)", () => {
  const practice = loadPractice("rules/practices/harbor-ortho/pack.yaml");
  if (!practice.ok) throw new Error(practice.errors.join("\n"));
  const a04 = (in1: string) =>
    Buffer.from(
      [
        "MSH|^~\\&|ORTHOCHART|HARBOR|PS|PS|20260115120000||ADT^A04|I1|P|2.5.1",
        "PID|1||12345^^^OC^MR||Nguyen^Linh||19850312",
        `IN1|${in1}|HMP-100||Harbor Mutual PPO|100 Main St|||||||||||Nguyen^Linh|SEL|19850312||||||||||||||||||POL-1`,
        "",
      ].join("\r"),
    );

  it.each([
    ["400 digits (was Infinity, ATHENAERROR)", "9".repeat(400)],
    ["99999999999999999999 (was stored as 1e20)", "99999999999999999999"],
    ["0", "0"],
    ["10000", "10000"],
  ])("%s is ERROR with INVALID_VALUE at IN1.1, nothing applied", async (_, in1) => {
    const store = createMemoryStore();
    if (practice.masterData) await store.loadMasterData(practice.masterData);
    const [outcome] = await receiveBytes(practice.pack, store, a04(in1), {
      now: new Date("2026-01-15T18:00:00Z"),
      sender: "test",
    });
    expect(outcome?.state).toBe("ERROR");
    expect(outcome?.actions).toStrictEqual([]);
    expect(outcome?.errors.map((e) => [e.code, e.field])).toStrictEqual([
      ["INVALID_VALUE", "IN1.1"],
    ]);
  });
});
