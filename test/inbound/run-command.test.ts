import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCommand } from "../../engine/cli/run-command.js";
import { controlId, messageTypeName } from "../../engine/hl7/access.js";
import { parseHl7 } from "../../engine/hl7/parse.js";
import type { CliIo } from "../../engine/io/cli-io.js";
import type { Outcome } from "../../engine/model/outcome.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";

/**
 * `rulepack run` end to end (ARCHITECTURE.md "CLI"): the shared corpus,
 * read in place, through each example practice into a fresh SQLite file,
 * `--format json`: one Outcome per message, in input order, never an
 * exception; the queue in the database says the same.
 */

const CORPUS = "../shared/corpus/hl7";
const PRACTICES = ["harbor-ortho", "lakeside-family"] as const;
const PATIENT_MESSAGES = /^ADT\^A(01|04|05|08|28|31)$/;
/** Corpus message types that no handler takes, now or planned. */
const NEVER_HANDLED = ["ACK", "BAR", "MDM", "OML", "ORM", "ORU", "QRY", "RSP"];

const root = mkdtempSync(join(tmpdir(), "rulepack-run-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let runs = 0;

function corpusFiles(pattern: RegExp): string[] {
  return readdirSync(CORPUS)
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => `${CORPUS}/${name}`);
}

/** What each file holds, in order: one entry per message, plus one for input outside any message. */
function expectedMessages(files: readonly string[]): [string, string][] {
  return files.flatMap((file) => {
    const doc = parseHl7(readFileSync(file));
    const junk = doc.issues.some((i) => i.messageIndex < 0 && i.severity === "error");
    return [
      ...(junk ? [["", ""] as [string, string]] : []),
      ...doc.messages.map((m): [string, string] => [controlId(m), messageTypeName(m)]),
    ];
  });
}

async function run(practice: string, files: readonly string[]) {
  const db = join(root, `run-${++runs}`, "rulepack.sqlite");
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  };
  const result = await runCommand(
    {
      pack: `rules/practices/${practice}/pack.yaml`,
      db,
      now: new Date("2026-01-15T18:00:00Z"),
      format: "json",
      explain: false,
      showData: false,
      files,
      progress: false,
    },
    io,
  );
  const outcomes = stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Outcome);
  return { exitCode: result.exitCode, outcomes, stderr, db };
}

/** The checks every run must pass, whatever the messages hold. */
async function expectWellFormed(
  result: Awaited<ReturnType<typeof run>>,
  files: readonly string[],
): Promise<void> {
  const { exitCode, outcomes, stderr, db } = result;
  expect(
    stderr.split("\n").filter((l) => l !== "" && !/^\d+ [A-Z]+(, \d+ [A-Z]+)*$/.test(l)),
  ).toEqual([]);
  expect(exitCode).toBe(0);
  const expected = expectedMessages(files);
  expect(outcomes.map((o) => [o.controlId, o.messageType])).toEqual(expected);
  expect(outcomes.map((o) => o.messageId)).toEqual(
    expected.map((_, i) => `q-${String(i + 1).padStart(6, "0")}`),
  );
  for (const outcome of outcomes) {
    const blocking = outcome.errors.filter((e) => e.severity === "error").map((e) => e.code);
    // Never an exception: no internal fault, and the state follows from the errors.
    expect(blocking).not.toContain("INTERNAL_ERROR");
    if (blocking.length === 0) expect(outcome.state).toBe("PROCESSED");
    else if (outcome.messageType.startsWith("DFT^"))
      expect(["ERROR", "CBOERROR"]).toContain(outcome.state);
    else expect(outcome.state).toBe("ERROR");
    if (outcome.state !== "PROCESSED") expect(outcome.actions).toEqual([]);
    const code = outcome.messageType.split("^")[0] ?? "";
    const handled = PATIENT_MESSAGES.test(outcome.messageType) || ["SIU", "DFT"].includes(code);
    if (!handled && !blocking.includes("PARSE_ERROR")) {
      expect([outcome.messageType, blocking]).toEqual([
        outcome.messageType,
        ["MESSAGE_TYPE_NOT_SUPPORTED"],
      ]);
    }
  }
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o.state, (counts.get(o.state) ?? 0) + 1);
  expect(stderr).toBe(`${[...counts].map(([state, n]) => `${n} ${state}`).join(", ")}\n`);
  // The queue in the database holds every message, in the state its outcome gave.
  const store = openSqliteStore(db);
  try {
    expect((await store.messages()).map((m) => [m.messageId, m.state])).toEqual(
      outcomes.map((o) => [o.messageId, o.state]),
    );
  } finally {
    await store.close();
  }
}

describe("rulepack run --format json over ../shared/corpus/hl7/ADT_*.hl7", () => {
  for (const practice of PRACTICES) {
    it(`${practice}: one outcome line per message, each in a valid state; ADT^A13 is not supported`, async () => {
      const files = corpusFiles(/^ADT_.*\.hl7$/);
      expect(files.length).toBeGreaterThanOrEqual(30);
      const result = await run(practice, files);
      await expectWellFormed(result, files);
      const a13 = result.outcomes.filter((o) => o.messageType === "ADT^A13");
      expect(a13.map((o) => o.errors.map((e) => [e.code, e.field]))).toEqual([
        [["MESSAGE_TYPE_NOT_SUPPORTED", "MSH.9"]],
      ]);
    });
  }
});

describe("rulepack run --format json over every corpus file (../shared/corpus/hl7/*.hl7)", () => {
  for (const practice of PRACTICES) {
    it(`${practice}: never crashes, one outcome per message; ACK, ORU, ORM ... are MESSAGE_TYPE_NOT_SUPPORTED`, async () => {
      const files = corpusFiles(/\.hl7$/);
      const result = await run(practice, files);
      await expectWellFormed(result, files);
      const unsupported = result.outcomes.filter((o) =>
        o.errors.some((e) => e.code === "MESSAGE_TYPE_NOT_SUPPORTED"),
      );
      // Every corpus type no handler takes, and ADT^A13; SIU or DFT only for a trigger their handlers do not take.
      const codes = [...new Set(unsupported.map((o) => o.messageType.split("^")[0]))].sort();
      expect(codes).toEqual(
        expect.arrayContaining(["ACK", "ADT", "BAR", "MDM", "OML", "ORM", "ORU", "QRY", "RSP"]),
      );
      const planned = ["ADT", "SIU", "DFT"];
      expect(
        codes.filter((c) => !NEVER_HANDLED.includes(c ?? "") && !planned.includes(c ?? "")),
      ).toEqual([]);
    });
  }
});
