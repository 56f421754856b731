import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCommand } from "../../../engine/cli/run-command.js";
import type { CliIo } from "../../../engine/io/cli-io.js";
import type { Outcome } from "../../../engine/model/outcome.js";

/**
 * `rulepack run --pack <practice> ../shared/corpus/hl7/DFT_*` for both
 * example practices: on an empty store, and after the ADT and SIU corpus
 * plus an ADT^A04 registering each DFT's own patient (built here from the
 * DFT's MSH, EVN and PID; the corpus files are read in place). Every DFT ends
 * PROCESSED, ERROR or CBOERROR with its reason, never an internal fault.
 */

const CORPUS = "../shared/corpus/hl7";
const files = (prefix: string) =>
  readdirSync(CORPUS)
    .filter((f) => f.startsWith(prefix) && f.endsWith(".hl7"))
    .sort()
    .map((f) => join(CORPUS, f));

const root = mkdtempSync(join(tmpdir(), "rulepack-dft-corpus-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let runs = 0;

/** An ADT^A04 with the DFT's own MSH, EVN and PID: its patient, registered. */
function registrations(): string[] {
  return files("DFT_").map((file) => {
    const segments = readFileSync(file, "latin1")
      .split(/\r\n|\r|\n/)
      .filter((s) => /^(MSH|EVN|PID)\|/.test(s));
    segments[0] = (segments[0] ?? "").replace(/\|DFT\^P03(\^DFT_P03)?\|/, "|ADT^A04|");
    const path = join(root, `A04-${basename(file)}`);
    writeFileSync(path, `${segments.join("\r")}\r`, "latin1");
    return path;
  });
}

async function runCorpus(practice: string, paths: readonly string[]): Promise<Outcome[]> {
  let out = "";
  let err = "";
  const io: CliIo = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
  };
  const result = await runCommand(
    {
      pack: `rules/practices/${practice}/pack.yaml`,
      db: join(root, `${practice}-${++runs}.sqlite`),
      now: new Date("2026-01-15T18:00:00Z"),
      format: "json",
      explain: false,
      showData: false,
      files: paths,
      progress: false,
    },
    io,
  );
  expect(err.split("\n").filter((l) => l && !/^\d+ [A-Z]+(, \d+ [A-Z]+)*$/.test(l))).toEqual([]);
  expect(result).toEqual({ exitCode: 0 });
  return out
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Outcome);
}

/** What a DFT may end in without a person having to call engineering. */
const EXPECTED_CODES = new Set([
  "PATIENT_NOT_FOUND",
  "APPOINTMENT_NOT_MATCHED",
  "REQUIRED_FIELD_MISSING",
  "UNMAPPED_CODE",
  "UNKNOWN_PROVIDER",
  "UNKNOWN_DEPARTMENT",
  "UNKNOWN_PROCEDURE",
  "INVALID_VALUE",
  "TOO_MANY_DIAGNOSES",
  "TRANSACTION_SKIPPED",
  "DIAGNOSES_TRUNCATED",
  "NO_INSURANCE",
]);

function dfts(outcomes: readonly Outcome[]): Outcome[] {
  const list = outcomes.filter((o) => o.messageType === "DFT^P03");
  expect(list).toHaveLength(files("DFT_").length);
  for (const o of list) {
    expect(o.state).toMatch(/^(PROCESSED|ERROR|CBOERROR)$/);
    expect(o.errors.filter((e) => !EXPECTED_CODES.has(e.code))).toEqual([]);
    if (o.state !== "PROCESSED") expect(o.errors.some((e) => e.severity === "error")).toBe(true);
    if (o.state === "CBOERROR") expect(o.actions).toEqual([]);
  }
  return list;
}

const byFile = (list: readonly Outcome[], name: string) =>
  list[files("DFT_").indexOf(join(CORPUS, name))];

describe("rulepack run over the corpus's DFT messages never crashes", () => {
  for (const practice of ["harbor-ortho", "lakeside-family"]) {
    it(`${practice}: DFT_* on an empty store: PATIENT_NOT_FOUND, a charge never creates a patient`, async () => {
      const list = dfts(await runCorpus(practice, files("DFT_")));
      for (const o of list) {
        expect(o.state).toBe("ERROR");
        expect(o.errors.map((e) => e.code)).toEqual(["PATIENT_NOT_FOUND"]);
      }
    });
  }

  it("harbor-ortho, patients registered without insurance (whenPresent, no IN1): the redox charge is NO_INSURANCE, not a claim without a payer; the others wait with their reasons", async () => {
    const outcomes = await runCorpus("harbor-ortho", [
      ...files("ADT_"),
      ...files("SIU_"),
      ...registrations(),
      ...files("DFT_"),
    ]);
    const list = dfts(outcomes);
    const redox = byFile(list, "DFT_P03__redox__1.hl7");
    expect(redox?.state).toBe("ERROR");
    expect(redox?.actions).toEqual([]);
    expect(redox?.errors.map((e) => e.code)).toEqual(["NO_INSURANCE"]);
    // Codes Harbor does not bill, a provider OrthoChart has no row for, and no FT1.21.
    expect(
      byFile(list, "DFT_P03__mieweb__2.hl7")?.errors.map((e) =>
        e.field ? `${e.code}(${e.field})` : e.code,
      ),
    ).toEqual([
      "NO_INSURANCE",
      "UNKNOWN_PROCEDURE(FT1.25)",
      "UNMAPPED_CODE(FT1.20)",
      "REQUIRED_FIELD_MISSING(FT1.21)",
      "REQUIRED_FIELD_MISSING(FT1.16 | FT1.13)",
    ]);
  });

  it("lakeside-family, patients registered: no DFT carries a Lakeside appointment ID in PV1.19, so none is billed (unmatched: error)", async () => {
    const outcomes = await runCorpus("lakeside-family", [
      ...files("ADT_"),
      ...files("SIU_"),
      ...registrations(),
      ...files("DFT_"),
    ]);
    const list = dfts(outcomes);
    expect(list.every((o) => o.actions.length === 0)).toBe(true);
    expect(
      byFile(list, "DFT_P03__redox__1.hl7")?.errors.map((e) => [e.code, e.field, e.value]),
    ).toEqual([["APPOINTMENT_NOT_MATCHED", "PV1.19", "86210313010"]]);
    // Its PID.2 (10476) is the sender's own number, which no Lakeside patient holds: a present,
    // unknown practice patient ID is not matched on demographics (matching.patientId.unknown: error).
    expect(
      byFile(list, "DFT_P03__mieweb__1.hl7")?.errors.map((e) => [e.code, e.field, e.value]),
    ).toEqual([["PATIENT_NOT_FOUND", "PID.2", "10476"]]);
  });
});
