import { describe, expect, it } from "vitest";
import { examplePractices, receive } from "./harness.js";

/** Inputs the fuzzer and the issue found, received through the queue as `rulepack run` receives them. */
const [harbor] = examplePractices().filter((p) => p.name === "harbor-ortho");
if (!harbor) throw new Error("harbor-ortho is missing");

const a04 = (...rest: string[]) =>
  Buffer.from(
    [
      "MSH|^~\\&|ORTHOCHART|HARBOR|PS|PS|20260115120000||ADT^A04|F1|P|2.5.1",
      "EVN|A04|20260115120000",
      "PID|1||12345^^^OC^MR||Nguyen^Linh||19850312|F",
      ...rest,
      "",
    ].join("\r"),
  );

describe("Messages the engine once mishandled", () => {
  it("a second PID in an ADT^A04 is ERROR at PID[2], nothing applied (it was PROCESSED, one PID read)", async () => {
    const { outcomes } = await receive(
      harbor,
      a04("PID|2||99999^^^OC^MR||Roe^Richard||19700101|M"),
    );
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.state).toBe("ERROR");
    expect(outcomes[0]?.actions).toStrictEqual([]);
    expect(outcomes[0]?.errors).toStrictEqual([
      {
        code: "PARSE_ERROR",
        severity: "error",
        message: "line 4: PID occurrence 2: the ADT_A01 structure holds one PID",
        field: "PID[2]",
      },
    ]);
  });

  it.each(["__proto__", "toString", "constructor"])(
    "MSH-9.1 %s is MESSAGE_TYPE_NOT_SUPPORTED (it threw a TypeError out of processMessage)",
    async (code) => {
      const bytes = Buffer.from(
        a04().toString("latin1").replace("ADT^A04", `${code}^A04`),
        "latin1",
      );
      const { outcomes, stored } = await receive(harbor, bytes);
      expect(outcomes.map((o) => [o.state, o.errors.map((e) => e.code)])).toStrictEqual([
        ["ERROR", ["MESSAGE_TYPE_NOT_SUPPORTED"]],
      ]);
      expect(stored).toStrictEqual(["ERROR"]);
    },
  );
});
