import { describe, expect, it } from "vitest";
import { frozenCopy } from "../../engine/store/frozen-copy.js";

describe("frozenCopy (what the memory store keeps of an outcome)", () => {
  const original = () => ({
    state: "PROCESSED",
    actions: [{ type: "patient.create", patient: { id: "1", phones: { home: "555" } } }],
    errors: [],
    kept: undefined,
    nothing: null,
    at: new Date("2026-01-15T18:00:00Z"),
  });

  it("is equal to structuredClone's copy, undefined keys and non-plain objects included", () => {
    expect(frozenCopy(original())).toStrictEqual(structuredClone(original()));
  });

  it("is frozen all the way down, and shares no object with the original", () => {
    const source = original();
    const copy = frozenCopy(source);
    expect(Object.isFrozen(copy)).toBe(true);
    expect(Object.isFrozen(copy.actions)).toBe(true);
    expect(Object.isFrozen(copy.actions[0]?.patient.phones)).toBe(true);
    expect(Object.isFrozen(copy.at)).toBe(true);
    (source.actions[0] as { patient: { id: string } }).patient.id = "changed";
    expect(copy.actions[0]?.patient.id).toBe("1");
    expect(copy.at).not.toBe(source.at);
    expect(Object.isFrozen(source)).toBe(false);
  });
});
