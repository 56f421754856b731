import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COMMAND_SPECS } from "../../engine/cli/command-specs.js";
import { rulepack } from "../support/cli.js";

/**
 * The command line explains itself (issue 20, "The command line"): one
 * table of command specs gives `rulepack --help`, `rulepack help CMD`,
 * `rulepack CMD --help`, and the nearest command or flag for a typo.
 */

describe("rulepack --help", () => {
  it("lists every command with its summary and the exit codes, exit 0", async () => {
    for (const argv of [[], ["--help"], ["-h"], ["help"]]) {
      const r = await rulepack(argv);
      expect(r.status).toBe(0);
      for (const spec of COMMAND_SPECS)
        expect(r.stdout).toContain(`  ${spec.name.padEnd(10)} ${spec.summary}`);
      expect(r.stdout).toContain("exit codes: 0 ok, 1 a finding");
    }
  });
});

describe("rulepack help CMD and rulepack CMD --help", () => {
  it.each(COMMAND_SPECS.map((s) => [s.name, s] as const))(
    "%s: usage, every option with its description, an example, exit 0",
    async (name, spec) => {
      const viaHelp = await rulepack(["help", name]);
      const viaFlag = await rulepack([name, "--help"]);
      expect(viaHelp.status).toBe(0);
      expect(viaFlag).toEqual(viaHelp);
      expect(viaHelp.stdout).toContain(`usage: ${spec.usage}\n`);
      for (const option of spec.options) {
        expect(viaHelp.stdout).toMatch(
          new RegExp(
            `\\n  --${option.name}${option.value ? ` \\S+` : ""} +${escaped(option.description)}\\n`,
          ),
        );
      }
      expect(viaHelp.stdout).toContain(`example:\n  ${spec.example}\n`);
      expect(spec.example.startsWith(`rulepack ${name}`)).toBe(true);
    },
  );

  it("--help after a subcommand and other arguments still prints help, runs nothing", async () => {
    const r = await rulepack(["queue", "list", "--db", "no-such.sqlite", "--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("usage: rulepack queue list");
    expect(r.stderr).toBe("");
  });

  it("help for an unknown command is a usage error naming the nearest", async () => {
    const r = await rulepack(["help", "valdate"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      "rulepack: unknown command 'valdate' (did you mean 'validate'?); see 'rulepack --help'\n",
    );
  });
});

describe("rulepack --version", () => {
  it("prints package.json's version", async () => {
    const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    const r = await rulepack(["--version"]);
    expect(r).toEqual({ status: 0, stdout: `rulepack ${version}\n`, stderr: "" });
  });
});

describe("an unknown command or flag", () => {
  it("an unknown command suggests the nearest, exit 2", async () => {
    const r = await rulepack(["rnu", "x.hl7"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      "rulepack: unknown command 'rnu' (did you mean 'run'?); see 'rulepack --help'\n",
    );
  });

  it("a command nothing is near names none", async () => {
    const r = await rulepack(["frobnicate"]);
    expect(r.stderr).toBe("rulepack: unknown command 'frobnicate'; see 'rulepack --help'\n");
  });

  it("an unknown flag suggests the command's nearest flag and prints the usage, exit 2", async () => {
    const r = await rulepack(["run", "--pakc", "p.yaml", "x.hl7"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `rulepack: unknown option '--pakc' for run (did you mean '--pack'?)\nusage: ${COMMAND_SPECS.find((s) => s.name === "run")?.usage}\n`,
    );
  });

  it("a flag of a command parsed in its own module gets the suggestion too", async () => {
    const r = await rulepack(["prune", "--dryrun"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown option '--dryrun' for prune (did you mean '--dry-run'?)");
  });
});

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
