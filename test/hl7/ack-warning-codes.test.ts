import { describe, expect, it } from "vitest";
import { HL7_ERROR_TEXT, hl7ErrorCode } from "../../engine/hl7/ack.js";

/**
 * 207 (application internal error) says the engine failed. A code the
 * sender can act on — its data, its batch — gets the table 0357 code that
 * names what is wrong (docs/ack-codes.md); only the engine's own failures
 * stay 207.
 */
describe("table 0357 for the codes issue 13 and containment added", () => {
  it.each([
    ["DATA_NOT_READ", "102"],
    ["STATUS_NOT_APPLIED", "103"],
    ["NO_INSURANCE", "101"],
    ["FRAME_MESSAGE_LIMIT", "100"],
    ["INVALID_APPOINTMENT_TRANSITION", "206"],
  ])("%s is %s, not 207", (code, hl7) => {
    expect(hl7ErrorCode(code)).toBe(hl7);
    expect(HL7_ERROR_TEXT[hl7]).toBeDefined();
  });

  it.each([["POISON_MESSAGE"], ["EXPRESSION_TIMEOUT"], ["FRAME_TOO_LARGE"]])(
    "%s is the engine's failure: 207 application internal error",
    (code) => {
      expect(hl7ErrorCode(code)).toBe("207");
    },
  );
});
