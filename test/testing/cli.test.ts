import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { testCommand } from "../../engine/cli/test-command.js";
import { rulepack } from "../support/cli.js";
import { captureIo, FIXTURES } from "./helpers.js";

/**
 * `rulepack test` and `rulepack explain` as a person runs them: the CLI's
 * main (engine/cli.ts, what dist/engine/cli.js is built from) with its
 * arguments, exit code and output as the shell sees them, in this process.
 * One case (a broken test file, exit 2) runs the entry in its own process
 * so that the exit code is proven to reach the shell. The shipped suites
 * run green by default is in test/rule-suites.test.ts, their one run.
 */
function rulepackProcess(args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "engine/cli.ts", ...args], {
    encoding: "utf8",
    env: { ...process.env, CI: undefined } as NodeJS.ProcessEnv,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lastLine = (text: string) => text.trimEnd().split("\n").at(-1);

describe("rulepack test (the CLI)", () => {
  it("a deliberately broken expectation: exit 1 and the diff", async () => {
    const r = await rulepack(["test", `${FIXTURES}/failing`], { CI: undefined });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      `${FIXTURES}/failing/broken-expectation.test.yaml:22  outcome 1: expected actions item 1`,
    );
    expect(r.stdout).toContain(
      '- actions[0].patient.sex: "F"\n        + actions[0].patient.sex: "M"',
    );
    expect(lastLine(r.stdout)).toBe("1 passed, 2 failed");
  });

  it("a broken test file: exit 2 with file:line:col", () => {
    const r = rulepackProcess(["test", `${FIXTURES}/broken/yaml-syntax.test.yaml`]);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain(
      `${FIXTURES}/broken/yaml-syntax.test.yaml:4:11: YAML_SYNTAX Missing closing "quote`,
    );
  });

  it("junit on stdout, the closing line on stderr", async () => {
    const r = await rulepack(
      ["test", "test/rules", "test/fixtures/rule-tests/skip", "--reporter", "junit"],
      { CI: undefined },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
    expect(lastLine(r.stderr)).toMatch(/^\d+ passed, 0 failed, 1 skipped$/);
  });

  it("usage errors exit 2; --update is refused under CI", async () => {
    const args = {
      paths: ["test/rules"],
      tags: [],
      reporter: "pretty",
      outputs: [],
      update: false,
      coverage: false,
      bail: false,
      watch: false,
      explain: false,
      ci: undefined,
    };
    for (const bad of [
      { reporter: "xml" },
      { outputs: ["junit"] },
      { outputs: ["xml=out.xml"] },
      { coverageThreshold: "120" },
    ]) {
      const io = captureIo();
      expect((await testCommand({ ...args, ...bad }, io)).exitCode).toBe(2);
      expect(io.err()).toMatch(/^rulepack test: /);
    }
    const ci = await rulepack(["test", "--update"], { CI: "true" });
    expect(ci.status).toBe(2);
    expect(ci.stderr).toMatch(/--update is refused when CI is set/);
  });
});

describe("rulepack explain", () => {
  it("prints per message the rules that fired, the alternative, the mapping row, the matcher", async () => {
    const r = await rulepack(
      [
        "explain",
        "--pack",
        "rules/practices/harbor-ortho/pack.yaml",
        "--now",
        "2026-01-15T18:00:00Z",
        "test/fixtures/rule-tests/messages/harbor-a04.hl7",
      ],
      { CI: undefined },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/q-000001 ADT\^A04 control HX1: PROCESSED/);
    expect(r.stdout).toMatch(
      /extract +patient\.lastName from PID\.5\.1 \(value\) {2}@ rules\/base\.yaml:\d+/,
    );
    expect(r.stdout).toMatch(/extract +patient\.phones\.home from PID\.13\[2=PRN\]\.1 \(value\)/);
    expect(r.stdout).toMatch(/map +insurancePlan: HMP-100\+Harbor Mutual PPO\+100 Main St -> 4471/);
    expect(r.stdout).toMatch(/mappings\/harbor-ortho\/insurancePlan\.yaml:\d+/);
    expect(r.stdout).toMatch(/match +demographics/);
    expect(r.stdout).toMatch(/decide +patientAdd \(no match\)/);
  });
});
