import { describe, expect, it } from "vitest";
import { parseHl7 } from "../../engine/hl7/parse.js";
import { messageContext, tracing } from "../../engine/inbound/context.js";
import { decide, fixturePack, JANE, message, NOW, newStore } from "./helpers.js";

/**
 * The trace is built only when asked (`--explain`, rule tests): a message
 * decided without it keeps no entry and builds none of the costly ones,
 * and decides exactly as with it.
 */
describe("the trace, built only when asked", () => {
  const hl7 = message({ type: "ADT^A04", pid: JANE });

  it("a context not tracing keeps nothing pushed onto its trace, and says so", async () => {
    const store = await newStore();
    const parsed = parseHl7(hl7).messages[0];
    if (!parsed) throw new Error("no message");
    const quiet = messageContext(
      fixturePack("inbound-basic"),
      parsed,
      store,
      NOW,
      undefined,
      false,
    );
    quiet.found.trace.push({ step: "route", detail: "x" });
    expect(quiet.found.trace).toHaveLength(0);
    expect(tracing(quiet)).toBe(false);
    const traced = messageContext(fixturePack("inbound-basic"), parsed, store, NOW);
    traced.found.trace.push({ step: "route", detail: "x" });
    expect(traced.found.trace).toEqual([{ step: "route", detail: "x" }]);
    expect(tracing(traced)).toBe(true);
  });

  it("a message decided without the trace has an empty one and the same state, actions and errors", async () => {
    const pack = fixturePack("inbound-basic");
    const withTrace = await decide(pack, await newStore(), hl7, { trace: true });
    const without = await decide(pack, await newStore(), hl7);
    expect(withTrace.trace.map((t) => t.step)).toContain("extract");
    expect(without.trace).toEqual([]);
    expect({ ...without, trace: [] }).toEqual({ ...withTrace, trace: [] });
  });
});
