import { describe, expect, it } from "vitest";
import { parseHl7 } from "../../engine/hl7/index.js";

describe("smoke", () => {
  it("parses", () => {
    expect(parseHl7("MSH|^~\\&|A\rPID|1").messages).toHaveLength(1);
  });
});
