import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCommand } from "../../../engine/cli/run-command.js";
import type { CliIo } from "../../../engine/io/cli-io.js";
import type { Outcome } from "../../../engine/model/outcome.js";

/**
 * `rulepack run --pack <practice> ../shared/corpus/hl7/SIU_*` for both
 * example practices, on an empty store and after the ADT corpus: every
 * message ends PROCESSED or ERROR with its reason, never an internal fault.
 */

const CORPUS = "../shared/corpus/hl7";
const files = (prefix: string) =>
  readdirSync(CORPUS)
    .filter((f) => f.startsWith(prefix) && f.endsWith(".hl7"))
    .sort()
    .map((f) => join(CORPUS, f));

const root = mkdtempSync(join(tmpdir(), "rulepack-siu-corpus-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let runs = 0;

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
      now: new Date("2021-09-01T12:00:00Z"),
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

/** What an SIU may end in without a person having to call engineering. */
const EXPECTED_CODES = new Set([
  "PATIENT_NOT_FOUND",
  "APPOINTMENT_NOT_FOUND",
  "REQUIRED_FIELD_MISSING",
  "RECOMMENDED_FIELD_MISSING",
  "UNMAPPED_CODE",
  "UNKNOWN_PROVIDER",
  "UNKNOWN_DEPARTMENT",
  "INVALID_VALUE",
  "EVENT_NOT_ENABLED",
  "REVIEW_REQUIRED",
]);

function checkSiu(outcomes: readonly Outcome[]): void {
  const siu = outcomes.filter((o) => o.messageType.startsWith("SIU^"));
  expect(siu).toHaveLength(files("SIU_").length);
  for (const o of siu) {
    expect({ id: o.controlId, state: o.state }).toMatchObject({
      state: expect.stringMatching(/^(PROCESSED|ERROR)$/),
    });
    expect(o.errors.filter((e) => !EXPECTED_CODES.has(e.code))).toEqual([]);
    if (o.state === "ERROR") expect(o.errors.some((e) => e.severity === "error")).toBe(true);
  }
}

describe("rulepack run over the corpus's SIU messages never crashes", () => {
  for (const practice of ["harbor-ortho", "lakeside-family"]) {
    it(`${practice}: SIU_* on an empty store (no patients: PATIENT_NOT_FOUND, APPOINTMENT_NOT_FOUND)`, async () => {
      const outcomes = await runCorpus(practice, files("SIU_"));
      checkSiu(outcomes);
      expect(new Set(outcomes.flatMap((o) => o.errors.map((e) => e.code)))).toEqual(
        new Set(["PATIENT_NOT_FOUND", "APPOINTMENT_NOT_FOUND"]),
      );
    });

    it(`${practice}: ADT_* then SIU_* (patients first; appointments created, updated, cancelled)`, async () => {
      const outcomes = await runCorpus(practice, [...files("ADT_"), ...files("SIU_")]);
      checkSiu(outcomes);
    });
  }

  it("harbor-ortho after the ADTs: the msfhir visit 12345 is created, rescheduled by cancel-and-create only with Table 14's fields, updated and cancelled", async () => {
    const outcomes = await runCorpus("harbor-ortho", [...files("ADT_"), ...files("SIU_")]);
    const byFile = (name: string) =>
      outcomes.filter((o) => o.messageType.startsWith("SIU^"))[
        files("SIU_").indexOf(join(CORPUS, name))
      ];
    expect(byFile("SIU_S12__msfhir__1.hl7")?.actions.map((a) => a.type)).toEqual([
      "appointment.create",
    ]);
    // The reschedule creates a new appointment, and the S13 has no PV1.
    expect(byFile("SIU_S13__msfhir__1.hl7")?.errors.map((e) => `${e.code}(${e.field})`)).toEqual([
      "REQUIRED_FIELD_MISSING(PV1.7)",
      "REQUIRED_FIELD_MISSING(PV1.3.1)",
    ]);
    expect(byFile("SIU_S14__msfhir__1.hl7")?.actions.map((a) => a.type)).toEqual([
      "appointment.update",
    ]);
    expect(byFile("SIU_S15__msfhir__1.hl7")?.actions.map((a) => a.type)).toEqual([
      "appointment.cancel",
    ]);
  });
});
