import { describe, expect, it } from "vitest";
import {
  type AckCode,
  type AckInput,
  ackBytes,
  ackCondition,
  ackWanted,
  buildAck,
  hl7ErrorCode,
  hl7Timestamp,
  isBeforeV25,
  MAX_ACK_BYTES,
} from "../../engine/hl7/ack.js";
import { delimitersFrom, STANDARD_DELIMITERS } from "../../engine/hl7/delimiters.js";
import { parseHl7 } from "../../engine/hl7/parse.js";
import type { Hl7Message } from "../../engine/hl7/tree.js";

/** Original-mode ACKs per version: built from plain inputs, parsed back with our own parser. */

function input(over: Partial<AckInput> = {}): AckInput {
  return {
    delimiters: STANDARD_DELIMITERS,
    sendingApplication: ["SENDAPP"],
    sendingFacility: ["SENDFAC", "1.2.3", "ISO"],
    receivingApplication: ["RECVAPP"],
    receivingFacility: ["RECVFAC"],
    trigger: "A04",
    controlId: "RP0001",
    timestamp: hl7Timestamp(new Date("2026-01-02T03:04:05Z")),
    processingId: "P",
    version: "2.5.1",
    ackCode: "AA",
    messageControlId: "MSG00001",
    errors: [],
    ...over,
  };
}

function parsed(ack: string): Hl7Message {
  const doc = parseHl7(ack);
  expect(doc.issues.filter((i) => i.severity === "error")).toEqual([]);
  expect(doc.messages).toHaveLength(1);
  return doc.messages[0] as Hl7Message;
}

function field(m: Hl7Message, seg: string, n: number, which = 0): string[][] {
  const s = m.segments.filter((x) => x.name === seg)[which];
  return (s?.fields[n - 1]?.[0] ?? []).map((c) => c.map((l) => l.value ?? ""));
}

const v = (m: Hl7Message, seg: string, n: number, comp = 1, sub = 1, which = 0) =>
  field(m, seg, n, which)[comp - 1]?.[sub - 1] ?? "";

const required = {
  code: "REQUIRED_FIELD_MISSING",
  severity: "E" as const,
  message: "PID-7 date of birth is required",
  field: "PID.7",
};

describe("buildAck header", () => {
  it("MSH: ACK^trigger^ACK, the new control ID, MSH-11/12 echoed, sender and receiver swapped", () => {
    const m = parsed(buildAck(input({ processingId: "T", version: "2.3" })));
    expect(m.segments.map((s) => s.name)).toEqual(["MSH", "MSA"]);
    expect(v(m, "MSH", 3)).toBe("RECVAPP");
    expect(v(m, "MSH", 4)).toBe("RECVFAC");
    expect(v(m, "MSH", 5)).toBe("SENDAPP");
    expect(field(m, "MSH", 6).map((c) => c[0])).toEqual(["SENDFAC", "1.2.3", "ISO"]);
    expect(v(m, "MSH", 7)).toBe("20260102030405+0000");
    expect(field(m, "MSH", 9).map((c) => c[0])).toEqual(["ACK", "A04", "ACK"]);
    expect(v(m, "MSH", 10)).toBe("RP0001");
    expect(v(m, "MSH", 11)).toBe("T");
    expect(v(m, "MSH", 12)).toBe("2.3");
    expect(v(m, "MSA", 1)).toBe("AA");
    expect(v(m, "MSA", 2)).toBe("MSG00001");
  });

  it("uses the sender's delimiters and escapes text", () => {
    const d = delimitersFrom("#", "$%!*");
    const ack = buildAck(
      input({
        delimiters: d,
        messageControlId: "A#B$C",
        version: "2.3",
        ackCode: "AE",
        text: "bad # and $ here",
      }),
    );
    expect(ack.startsWith("MSH#$%!*#")).toBe(true);
    const m = parsed(ack);
    expect(v(m, "MSA", 2)).toBe("A#B$C");
    expect(v(m, "MSA", 3)).toBe("bad # and $ here");
  });

  it("an absent version is written 2.5.1, an absent processing ID P", () => {
    const m = parsed(buildAck(input({ version: "", processingId: "", trigger: "" })));
    expect(v(m, "MSH", 11)).toBe("P");
    expect(v(m, "MSH", 12)).toBe("2.5.1");
  });
});

describe("buildAck per version", () => {
  it("2.3: MSA-3 text, ERR-1 with location and the table 0357 code, our code and message", () => {
    const m = parsed(
      buildAck(
        input({ version: "2.3", ackCode: "AE", text: required.message, errors: [required] }),
      ),
    );
    expect(m.segments.map((s) => s.name)).toEqual(["MSH", "MSA", "ERR"]);
    expect(v(m, "MSA", 1)).toBe("AE");
    expect(v(m, "MSA", 3)).toBe(required.message);
    const err = field(m, "ERR", 1);
    expect(err.map((c) => c[0])).toEqual(["PID", "1", "7", "101"]);
    expect(err[3]).toEqual([
      "101",
      "Required field missing",
      "HL70357",
      "REQUIRED_FIELD_MISSING",
      required.message,
      "99RPK",
    ]);
  });

  it("2.5.1: no MSA-3; ERR-2 location, ERR-3 code, ERR-4 severity, ERR-5 our code, ERR-7/8 text", () => {
    const m = parsed(
      buildAck(
        input({
          ackCode: "AA",
          text: "ignored from 2.5",
          errors: [
            required,
            {
              code: "UNMAPPED_CODE",
              severity: "W",
              message: "no row for it",
              table: "race",
            },
          ],
        }),
      ),
    );
    expect(m.segments.map((s) => s.name)).toEqual(["MSH", "MSA", "ERR", "ERR"]);
    expect(m.segments[1]?.fields.length).toBe(2);
    expect(field(m, "ERR", 2).map((c) => c[0])).toEqual(["PID", "1", "7"]);
    expect(field(m, "ERR", 3).map((c) => c[0])).toEqual([
      "101",
      "Required field missing",
      "HL70357",
    ]);
    expect(v(m, "ERR", 4)).toBe("E");
    expect(v(m, "ERR", 5)).toBe("REQUIRED_FIELD_MISSING");
    expect(v(m, "ERR", 7)).toBe(`REQUIRED_FIELD_MISSING: ${required.message}`);
    expect(v(m, "ERR", 8)).toBe(required.message);
    expect(v(m, "ERR", 3, 1, 1, 1)).toBe("103");
    expect(v(m, "ERR", 4, 1, 1, 1)).toBe("W");
    expect(v(m, "ERR", 6, 1, 1, 1)).toBe("race");
  });

  it("AR for an unparseable message: 2.3 and 2.5.1 both parse back", () => {
    for (const version of ["2.3", "2.5.1"]) {
      const m = parsed(
        buildAck(
          input({
            version,
            ackCode: "AR",
            messageControlId: "",
            text: "no MSH segment found",
            errors: [{ code: "PARSE_ERROR", severity: "E", message: "no MSH segment found" }],
          }),
        ),
      );
      expect(v(m, "MSA", 1)).toBe("AR");
      expect(m.segments.map((s) => s.name)).toEqual(["MSH", "MSA", "ERR"]);
    }
  });

  it("AR with 207 when the store failed", () => {
    const m = parsed(
      buildAck(
        input({
          ackCode: "AR",
          errors: [{ code: "STORE_FAILED", severity: "E", message: "resend it" }],
        }),
      ),
    );
    expect(v(m, "ERR", 3)).toBe("207");
  });

  it("stays under 4 KiB with many long errors, dropping ERR segments from the end", () => {
    const errors = Array.from({ length: 60 }, (_, i) => ({
      code: "INVALID_VALUE",
      severity: "E" as const,
      message: `${"x|^&".repeat(200)} ${i}`,
      field: `PID.${i}`,
    }));
    for (const version of ["2.3", "2.5.1"]) {
      const ack = buildAck(input({ version, ackCode: "AE", text: "y".repeat(5000), errors }));
      expect(Buffer.byteLength(ack) + 3).toBeLessThan(MAX_ACK_BYTES);
      const m = parsed(ack);
      expect(m.segments.filter((s) => s.name === "ERR").length).toBeGreaterThan(0);
    }
  });
});

describe("table 0357 and versions", () => {
  it("maps our codes onto table 0357, 207 by default", () => {
    expect(hl7ErrorCode("REQUIRED_FIELD_MISSING")).toBe("101");
    expect(hl7ErrorCode("UNMAPPED_INSURANCE")).toBe("103");
    expect(hl7ErrorCode("MESSAGE_TYPE_NOT_SUPPORTED")).toBe("200");
    expect(hl7ErrorCode("EVENT_NOT_ENABLED")).toBe("201");
    expect(hl7ErrorCode("UNSUPPORTED_PROCESSING_ID")).toBe("202");
    expect(hl7ErrorCode("UNSUPPORTED_VERSION")).toBe("203");
    expect(hl7ErrorCode("PATIENT_NOT_FOUND")).toBe("204");
    expect(hl7ErrorCode("REVIEW_REQUIRED")).toBe("205");
    expect(hl7ErrorCode("DUPLICATE")).toBe("205");
    expect(hl7ErrorCode("INTERNAL_ERROR")).toBe("207");
    expect(hl7ErrorCode("SOMETHING_NEW")).toBe("207");
  });

  it("reads versions before 2.5 as old, 2.5 and later as new", () => {
    expect(["2.1", "2.3", "2.3.1", "2.4", "", "x"].map(isBeforeV25)).toEqual(Array(6).fill(true));
    expect(["2.5", "2.5.1", "2.6", "2.8"].map(isBeforeV25)).toEqual(Array(4).fill(false));
  });
});

describe("enhanced mode: commit ACKs and table 0155 conditions", () => {
  it("builds CA, CE and CR like the application codes (MSA-1, MSA-2, ERR)", () => {
    const ca = parsed(buildAck(input({ ackCode: "CA" })));
    expect([v(ca, "MSA", 1), v(ca, "MSA", 2)]).toEqual(["CA", "MSG00001"]);
    const cr = parsed(
      buildAck(
        input({
          ackCode: "CR",
          version: "2.3",
          text: "version 2.9 is not accepted",
          errors: [{ code: "UNSUPPORTED_VERSION", severity: "E", message: "not accepted" }],
        }),
      ),
    );
    expect([v(cr, "MSA", 1), v(cr, "MSA", 3), v(cr, "ERR", 1, 4)]).toEqual([
      "CR",
      "version 2.9 is not accepted",
      "203",
    ]);
  });

  it("reads MSH-15/16 as AL, NE, ER or SU; empty or unknown is AL", () => {
    expect(["AL", "NE", "ER", "SU", "", " su ", "XX", "toString"].map(ackCondition)).toEqual([
      "AL",
      "NE",
      "ER",
      "SU",
      "AL",
      "SU",
      "AL",
      "AL",
    ]);
    expect(ackCondition(undefined)).toBe("AL");
  });

  it("AL always, NE never, ER only on errors and rejects, SU only on success", () => {
    const all: AckCode[] = ["CA", "CE", "CR", "AA", "AE", "AR"];
    const sent = (c: string) => all.filter((code) => ackWanted(ackCondition(c), code));
    expect(sent("AL")).toEqual(all);
    expect(sent("NE")).toEqual([]);
    expect(sent("ER")).toEqual(["CE", "CR", "AE", "AR"]);
    expect(sent("SU")).toEqual(["CA", "AA"]);
  });
});

describe("the ACK's character set: the sender's MSH-18", () => {
  const error = {
    code: "UNMAPPED_CODE",
    severity: "E" as const,
    message: "race 'Zoë' has no row",
  };

  it("echoes MSH-18 and writes the ACK in that set (8859/1: one byte per character)", () => {
    const ack = buildAck(input({ ackCode: "AE", charset: "8859/1", errors: [error] }));
    expect(parsed(ack).segments[0]?.fields[17]?.[0]?.[0]?.[0]?.value).toBe("8859/1");
    const bytes = Buffer.from(ackBytes(ack));
    expect(bytes.includes(Buffer.from([0x5a, 0x6f, 0xeb]))).toBe(true);
    expect(bytes.toString("latin1")).toBe(ack);
    expect(parseHl7(bytes).issues.filter((i) => i.severity === "error")).toEqual([]);
  });

  it("without MSH-18 the ACK has none and is UTF-8; a character a named set lacks is '?'", () => {
    const plain = buildAck(input({ ackCode: "AE", errors: [error] }));
    expect(plain.split("\r")[0]?.split("|")).toHaveLength(12);
    expect(Buffer.from(ackBytes(plain)).toString("utf8")).toBe(plain);
    const ascii = buildAck(input({ ackCode: "AE", charset: "ASCII", errors: [error] }));
    expect(Buffer.from(ackBytes(ascii)).toString("latin1")).toBe(ascii.replaceAll("ë", "?"));
  });
});
