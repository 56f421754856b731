import { describe, expect, it } from "vitest";
import { readAck } from "../../engine/delivery/ack-table.js";

/** The receiver's answer, read by one table (engine/delivery/ack-table.ts). */

const ack = (msa: string, ...err: string[]) =>
  new TextEncoder().encode(
    [`MSH|^~\\&|PM|H|RULEPACK|H|20260301120000||ACK|A1|P|2.5.1`, msa, ...err].join("\r"),
  );

describe("original mode", () => {
  it.each([
    ["MSA|AA|C1", "delivered", "MSA-1 AA"],
    ["MSA|AE|C1|bad PID-3", "rejected", "MSA-1 AE: bad PID-3"],
    ["MSA|AR|C1", "retry", "MSA-1 AR"],
  ])("%s → %s", (msa, verdict, detail) => {
    expect(readAck(ack(msa), "original", "C1")).toMatchObject({ verdict, detail });
  });

  it.each(["200", "201", "202", "203"])("AR with ERR-3 %s is final: rejected", (code) => {
    expect(readAck(ack("MSA|AR|C1", `ERR|||${code}^x^HL70357|E`), "original", "C1")).toMatchObject({
      verdict: "rejected",
      errorCodes: [code],
      detail: `MSA-1 AR: ERR-3 ${code} x`,
    });
  });

  it("AR with ERR-3 207 (the receiver's store failed) is retried", () => {
    expect(readAck(ack("MSA|AR|C1", "ERR|||207|E"), "original", "C1").verdict).toBe("retry");
  });

  it("a CA is not an answer in original mode: retried", () => {
    expect(readAck(ack("MSA|CA|C1"), "original", "C1")).toMatchObject({
      verdict: "retry",
      detail: "MSA-1 CA is not an answer in original mode",
    });
  });
});

describe("enhanced mode", () => {
  it.each([
    ["MSA|CA|C1", "awaitApplication"],
    ["MSA|CR|C1", "rejected"],
    ["MSA|CE|C1", "retry"],
    ["MSA|AA|C1", "delivered"],
    ["MSA|AE|C1", "rejected"],
  ])("%s → %s", (msa, verdict) => {
    expect(readAck(ack(msa), "enhanced", "C1").verdict).toBe(verdict);
  });
});

describe("what is not an answer (retried)", () => {
  it("an ACK about another message (MSA-2)", () => {
    expect(readAck(ack("MSA|AA|C9"), "original", "C1")).toMatchObject({
      verdict: "retry",
      detail: "an ACK for another message (MSA-2 C9, not C1)",
    });
  });

  it("no MSA segment", () => {
    expect(readAck(new TextEncoder().encode("garbage"), "original", "C1")).toMatchObject({
      verdict: "retry",
      detail: "garbled ACK: no MSA segment",
    });
  });
});
