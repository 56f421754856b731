import { describe, expect, it } from "vitest";
import { ABSENT } from "../../engine/testing/absent.js";
import { MISSING, matchList, matchValue } from "../../engine/testing/match.js";

describe("matching rules (engine/testing/match.ts)", () => {
  it("compares records deep-partially: only the keys written", () => {
    expect(matchValue({ a: 1, b: { c: "x" } }, { a: 1, b: { c: "x", d: 2 }, e: 3 })).toEqual([]);
    expect(matchValue({ b: { c: "y" } }, { b: { c: "x" } })).toEqual([
      { path: "b.c", expected: "y", actual: "x" },
    ]);
  });

  it("YAML null expects a null (a cleared value), not a missing key", () => {
    expect(matchValue({ a: null }, { a: null })).toEqual([]);
    expect(matchValue({ a: null }, {})[0]).toMatchObject({ path: "a", actual: MISSING });
    expect(matchValue({ a: null }, { a: "x" })).toHaveLength(1);
  });

  it("!absent expects the key to be missing", () => {
    expect(matchValue({ a: ABSENT }, {})).toEqual([]);
    expect(matchValue({ a: ABSENT }, { a: undefined })).toEqual([]);
    expect(matchValue({ a: ABSENT }, { a: null })[0]?.note).toMatch(/missing/);
    expect(matchValue({ a: ABSENT }, { a: "x" })).toHaveLength(1);
  });

  it("a scalar must be equal and of the same type, with a hint for an unquoted ID", () => {
    const [m] = matchValue({ id: 1001 }, { id: "1001" });
    expect(m?.note).toMatch(/quote it/);
    expect(matchValue(true, true)).toEqual([]);
  });

  it("lists inside a record are compared whole, item by item", () => {
    expect(matchValue({ l: [{ a: 1 }] }, { l: [{ a: 1, b: 2 }] })).toEqual([]);
    expect(matchValue({ l: [1] }, { l: [1, 2] })[0]?.note).toMatch(/1 item\(s\), got 2/);
  });

  it("top-level lists are an in-order subsequence by default", () => {
    const actual = [{ type: "a" }, { type: "b" }, { type: "c" }];
    expect(matchList([{ type: "a" }, { type: "c" }], actual, false, "actions")).toBeUndefined();
    const outOfOrder = matchList([{ type: "c" }, { type: "a" }], actual, false, "actions");
    expect(outOfOrder?.item).toBe(1);
    expect(outOfOrder?.message).toMatch(/item 2 \(a\) not found after actions\[2\]/);
  });

  it("exact compares the whole list", () => {
    const actual = [{ type: "a" }, { type: "b" }];
    expect(matchList([{ type: "a" }], actual, true, "actions")?.message).toMatch(/exactly 1/);
    expect(matchList([{ type: "a" }, {}], actual, true, "actions")).toBeUndefined();
  });

  it("an empty list written means none, exact or not", () => {
    expect(matchList([], [], false, "errors")).toBeUndefined();
    expect(matchList([], [{ code: "X" }], false, "errors")?.message).toMatch(/no errors/);
  });

  it("names the closest actual item of the same kind for the diff", () => {
    const actual = [{ type: "patient.create", patient: { sex: "M" } }, { type: "privacy.set" }];
    const f = matchList(
      [{ type: "patient.create", patient: { sex: "F" } }],
      actual,
      false,
      "actions",
    );
    expect(f?.closest).toEqual({
      index: 0,
      mismatches: [{ path: "actions[0].patient.sex", expected: "F", actual: "M" }],
    });
  });
});
