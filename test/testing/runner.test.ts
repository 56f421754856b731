import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { testCommand } from "../../engine/cli/test-command.js";
import { captureIo, FIXTURES, run } from "./helpers.js";

const lastLine = (text: string) => text.trimEnd().split("\n").at(-1);

describe("rulepack test: exit codes", () => {
  it("0 when every case passes; the last line counts them", async () => {
    const r = await run(["test/rules", `${FIXTURES}/skip`]);
    expect(r.exitCode).toBe(0);
    expect(lastLine(r.out)).toMatch(/^\d+ passed, 0 failed, 1 skipped$/);
  });

  it("1 on a broken expectation, with the file:line and a diff", async () => {
    const r = await run([`${FIXTURES}/failing`]);
    expect(r.exitCode).toBe(1);
    expect(lastLine(r.out)).toBe("1 passed, 2 failed");
    const file = `${FIXTURES}/failing/broken-expectation.test.yaml`;
    expect(r.out).toContain(`✗ expects the wrong sex  ${file}:16`);
    expect(r.out).toContain(`${file}:22  outcome 1: expected actions item 1`);
    expect(r.out).toContain('- actions[0].patient.sex: "F"');
    expect(r.out).toContain('+ actions[0].patient.sex: "M"');
    expect(r.out).toContain(`${file}:34  outcome 1: assert $count(actions) = 99`);
    // Control characters never reach the terminal.
    expect(r.out).toContain("an MLLP frame \\x0b and \\x1c in a name");
    expect(r.out).not.toMatch(/[\x0b\x1c]/);
  });

  it("2 on an invalid test file, reported at file:line:col", async () => {
    const r = await run([`${FIXTURES}/broken/unknown-key.test.yaml`]);
    expect(r.exitCode).toBe(2);
    expect(r.out).toContain(
      `${FIXTURES}/broken/unknown-key.test.yaml:5:5: UNKNOWN_KEY "mesages" is not a key of cases[0]`,
    );
    expect(lastLine(r.out)).toBe("0 passed, 1 failed");
  });

  it("2 on a per-case override the pack refuses, located in the test file", async () => {
    const r = await run([`${FIXTURES}/broken/bad-override.test.yaml`]);
    expect(r.exitCode).toBe(2);
    expect(r.out).toContain(
      `${FIXTURES}/broken/bad-override.test.yaml:7:15: INVALID_ENUM cases[0].overrides.insurance.mode "sometimes": expected always, whenPresent`,
    );
  });

  it("2 wins over 1 when a run has both", async () => {
    const r = await run([`${FIXTURES}/failing`, `${FIXTURES}/broken/events.test.yaml`]);
    expect(r.exitCode).toBe(2);
  });

  it("1 when no tests are found", async () => {
    const r = await run(["test/rules"], { filter: "no case is called this" });
    expect(r.exitCode).toBe(1);
    expect(r.out).toMatch(/no tests found/);
    expect(lastLine(r.out)).toBe("0 passed, 0 failed");
  });

  it("2 for a path that does not exist", async () => {
    const r = await run(["test/no-such-folder"]);
    expect(r.exitCode).toBe(2);
    expect(r.err).toMatch(/no such file or folder: test\/no-such-folder/);
  });
});

describe("rulepack test: selecting cases", () => {
  it("--filter matches 'FILE > case name', case-insensitively", async () => {
    const r = await run(["test/rules"], { filter: "EXACT LISTS" });
    expect(r.exitCode).toBe(0);
    expect(lastLine(r.out)).toBe("1 passed, 0 failed");
  });

  it("--tag runs the cases with any of the tags (a suite's tags count for its cases)", async () => {
    expect(lastLine((await run(["test/rules"], { tags: ["errors"] })).out)).toBe(
      "1 passed, 0 failed",
    );
    expect(lastLine((await run(["test/rules"], { tags: ["nope"] })).out)).toBe(
      "0 passed, 0 failed",
    );
  });

  it("only runs the marked cases and reports the rest skipped", async () => {
    const r = await run([`${FIXTURES}/only`]);
    expect(r.exitCode).toBe(0);
    expect(lastLine(r.out)).toBe("1 passed, 0 failed, 1 skipped");
  });

  it("under CI a committed only runs everything and fails (exit 1)", async () => {
    const r = await run([`${FIXTURES}/only`], { ci: true });
    expect(r.exitCode).toBe(1);
    expect(r.out).toContain(`${FIXTURES}/only/only.test.yaml:5  only: is committed`);
    expect(lastLine(r.out)).toBe("1 passed, 1 failed");
  });

  it("--bail stops at the first failure", async () => {
    const r = await run([`${FIXTURES}/failing`], { bail: true });
    expect(r.exitCode).toBe(1);
    expect(lastLine(r.out)).toBe("1 passed, 1 failed");
    expect(r.err).toMatch(/--bail/);
  });
});

describe("rulepack test: reporters", () => {
  it("a machine format owns stdout: the last line goes to stderr", async () => {
    for (const reporter of ["json", "tap", "junit"] as const) {
      const r = await run([`${FIXTURES}/failing`], { reporter });
      expect(lastLine(r.err)).toBe("1 passed, 2 failed");
      expect(r.out).not.toContain("1 passed, 2 failed");
    }
  });

  it("json: every case with its status, failures and lines", async () => {
    const r = await run([`${FIXTURES}/failing`], { reporter: "json" });
    const doc = JSON.parse(r.out);
    expect(doc.counts).toEqual({ passed: 1, failed: 2, skipped: 0 });
    expect(doc.files[0].cases.map((c: { status: string }) => c.status)).toEqual([
      "passed",
      "failed",
      "failed",
    ]);
    expect(doc.files[0].cases[1].failures[0]).toMatchObject({ line: 22, outcome: 1 });
  });

  it("tap: version 14, a plan, one point per case, YAML diagnostics", async () => {
    const r = await run([`${FIXTURES}/failing`], { reporter: "tap" });
    const lines = r.out.split("\n");
    expect(lines.slice(0, 3)).toEqual([
      "TAP version 14",
      "1..3",
      `ok 1 - ${FIXTURES}/failing/broken-expectation.test.yaml > passes`,
    ]);
    expect(r.out).toContain(
      `not ok 2 - ${FIXTURES}/failing/broken-expectation.test.yaml > expects the wrong sex\n  ---`,
    );
    expect(r.out).not.toMatch(/[\x0b\x1c]/);
  });

  it("github: one ::error per failure, on its line", async () => {
    const r = await run([`${FIXTURES}/failing`], { reporter: "github" });
    expect(r.out).toContain(
      `::error file=${FIXTURES}/failing/broken-expectation.test.yaml,line=22,title=expects the wrong sex%3A outcome 1%3A expected actions item 1`,
    );
    expect(lastLine(r.out)).toBe("1 passed, 2 failed");
  });

  it("--output writes more reports to files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rulepack-out-"));
    try {
      const junit = join(dir, "junit.xml");
      const tap = join(dir, "results.tap");
      const r = await run([`${FIXTURES}/failing`], {
        outputs: [
          { reporter: "junit", file: junit },
          { reporter: "tap", file: tap },
        ],
      });
      expect(r.exitCode).toBe(1);
      expect(readFileSync(junit, "utf8")).toMatch(/^<\?xml/);
      expect(readFileSync(tap, "utf8")).toMatch(/^TAP version 14/);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("--explain shows the trace under each case", async () => {
    const r = await run(["test/rules"], { filter: "given state", explain: true });
    expect(r.out).toMatch(/match +externalId mrn: 1 patient\(s\)/);
    expect(r.out).toMatch(/decide +patientUpdate \(matched by externalId\)/);
    expect(r.out).toMatch(
      /extract +patient\.lastName from PID\.5\.1 \(value\) {2}@ rules\/base\.yaml:\d+/,
    );
  });
});

describe("rulepack test --update", () => {
  const dir = mkdtempSync(join(tmpdir(), "rulepack-update-"));
  afterAll(() => rmSync(dir, { recursive: true }));
  const copy = join(dir, "golden.test.yaml");
  const original = readFileSync(`${FIXTURES}/update/golden.test.yaml`, "utf8");
  writeFileSync(
    copy,
    original.replace(
      "pack: ../runner-pack/pack.yaml",
      `pack: ${resolve(FIXTURES, "runner-pack/pack.yaml")}`,
    ),
  );

  it("writes what happened into the failing expectations, then runs them green", async () => {
    const before = await run([copy]);
    expect(before.exitCode).toBe(1);
    const r = await run([copy], { update: true });
    expect(r.err).toMatch(/updated 2 case\(s\)/);
    expect(r.exitCode).toBe(0);
    expect(lastLine(r.out)).toBe("3 passed, 0 failed");
  });

  it("keeps comments and rewrites only what did not match", () => {
    const text = readFileSync(copy, "utf8");
    expect(text).toContain("# A suite whose expectations are out of date");
    expect(text).toContain("state: ERROR # was PROCESSED before PID.7 became required");
    expect(text).toContain("errors: [ { code: REQUIRED_FIELD_MISSING, field: PID.7 } ] # none");
    expect(text).toContain("patient: { middleName: !absent } # kept as written");
    expect(text).toContain(
      "# The state and the errors are wrong; the partial action stays as written.",
    );
    expect(text).toMatch(/ {2}- name: no expectation yet\n[\s\S]*?expect:\n {6}state: PROCESSED\n/);
  });

  it("is refused under CI, as is --watch (exit 2)", async () => {
    for (const flag of ["update", "watch"] as const) {
      const io = captureIo();
      const r = await testCommand(
        {
          paths: [copy],
          tags: [],
          reporter: "pretty",
          outputs: [],
          update: flag === "update",
          coverage: false,
          bail: false,
          watch: flag === "watch",
          explain: false,
          ci: "true",
        },
        io,
      );
      expect(r.exitCode).toBe(2);
      expect(io.err()).toMatch(new RegExp(`--${flag} is refused when CI is set`));
    }
  });
});

describe("rulepack test: outbound cases (events: and expect.messages)", () => {
  it("each leg is an outcome; MSH-9, segments and fields are compared, with a diff on the expectation's line", async () => {
    const r = await run([`${FIXTURES}/outbound`]);
    const file = `${FIXTURES}/outbound/outbound-failing.test.yaml`;
    expect(r.exitCode).toBe(1);
    expect(r.out).toContain(
      `${file}:12  outcome 1: MSH-9 expected SIU^S14^SIU_S12, got SIU^S12^SIU_S12`,
    );
    expect(r.out).toContain(`${file}:12  outcome 1: the segments differ`);
    expect(r.out).toContain("- PV1|1|O\n");
    expect(r.out).toContain("+ PV1|1|O|^^^HARBOR||||101^^^^^^^^^^^^PRN\n");
    expect(r.out).toContain(`${file}:12  outcome 1: fields differ`);
    expect(r.out).toContain('- fields.SCH.25: "ARRIVED"');
    expect(r.out).toContain('+ fields.SCH.25: "BOOKED"');
    expect(r.out).not.toContain("fields.AIP.3.1");
    expect(r.out).toContain(`${file}:15  outcome 2: expected 1 message(s) sent, got 0`);
    expect(lastLine(r.out)).toBe("0 passed, 1 failed");
  });
});
