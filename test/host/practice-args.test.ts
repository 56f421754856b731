import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { commandSpec } from "../../engine/cli/command-specs.js";
import { resolvePracticeArgs } from "../../engine/cli/practice-args.js";
import type { CliIo } from "../../engine/io/cli-io.js";
import { rulepack } from "../support/cli.js";
import { addressedAdt, controlIds, HARBOR, hostFile, LAKESIDE } from "./helpers.js";

/**
 * `--practice NAME` with `--host-config FILE` (or RULEPACK_HOST): the
 * practice's pack and store, for every command that takes --pack or --db,
 * resolved in one place (engine/cli/practice-args.ts).
 */

const twoPractices = (stores: string) =>
  hostFile(`stores:
  ${stores}
practices:
  - name: harbor-ortho
    pack: ${HARBOR}
    inbound: { port: 2576 }
  - name: lakeside
    pack: ${LAKESIDE}
    inbound: { port: 2577 }
`);

const messageFile = (control: string): string => {
  const file = join(mkdtempSync(join(tmpdir(), "rulepack-practice-")), `${control}.hl7`);
  writeFileSync(file, addressedAdt(control, "PS", "PS"));
  return file;
};

describe("--practice on SQLite (a file per practice)", () => {
  const file = twoPractices("sqlite: stores");
  const store = (name: string) => join(file, "..", "stores", `${name}.sqlite`);

  it("run: processes into that practice's store with its pack", async () => {
    const run = await rulepack([
      "run",
      "--practice",
      "harbor-ortho",
      "--host-config",
      file,
      messageFile("R1"),
    ]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(await controlIds(store("harbor-ortho"))).toEqual(["R1 PROCESSED"]);
  });

  it("status and queue list read that practice's store, the host file from RULEPACK_HOST", async () => {
    await rulepack(["run", "--practice=lakeside", `--host-config=${file}`, messageFile("L1")]);
    const env = { RULEPACK_HOST: file };
    const status = await rulepack(["status", "--practice", "lakeside", "--format", "json"], env);
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout).total).toBe(1);
    const list = await rulepack(["queue", "list", "--practice", "lakeside"], env);
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/\sL1\s/);
    expect(list.stdout).not.toMatch(/\sR1\s/);
  });

  it("validate: validates that practice's pack", async () => {
    const validate = await rulepack(["validate", "--practice", "lakeside", "--host-config", file]);
    expect(validate.status).toBe(0);
    expect(validate.stdout).toContain("rules/practices/lakeside-family/pack.yaml");
  });
});

describe("--practice on PostgreSQL (a schema per practice)", () => {
  it("run and queue list use the practice's schema of the one database", async () => {
    const url = new URL(inject("pgUrl"));
    url.pathname = `/practice_args_${process.pid}`;
    const file = twoPractices(`postgres: ${url.toString()}`);
    const run = await rulepack([
      "run",
      "--practice",
      "lakeside",
      "--host-config",
      file,
      messageFile("P1"),
    ]);
    expect(run.status).toBe(0);
    url.searchParams.set("schema", "lakeside");
    expect((await controlIds(url.toString())).map((l) => l.split(" ")[0])).toEqual(["P1"]);
    url.searchParams.set("schema", "harbor_ortho");
    const empty = await rulepack([
      "queue",
      "list",
      "--practice",
      "harbor-ortho",
      "--host-config",
      file,
    ]);
    expect(empty.stdout).toBe("");
    expect(empty.stderr).toContain('schema "harbor_ortho" does not exist');
  });
});

describe("--practice refused", () => {
  const file = twoPractices("sqlite: stores");

  it.each([
    [
      ["run", "--practice", "harbor-ortho", "x.hl7"],
      { RULEPACK_HOST: undefined },
      "--practice needs the host file: --host-config FILE or RULEPACK_HOST",
    ],
    [
      ["run", "--practice", "harbor-orth", "--host-config", file, "x.hl7"],
      {},
      `no practice 'harbor-orth' in ${file} (did you mean 'harbor-ortho'?); it has harbor-ortho, lakeside`,
    ],
    [
      ["run", "--practice", "lakeside", "--host-config", file, "--pack", HARBOR, "x.hl7"],
      {},
      "--practice gives the pack and the store: leave out --pack",
    ],
    [
      ["queue", "list", "--practice", "lakeside", "--host-config", file, "--db", "q.sqlite"],
      {},
      "--practice gives the pack and the store: leave out --db",
    ],
    [["status", "--host-config", file], {}, "--host-config goes with --practice NAME"],
    [
      ["parse", "--practice", "lakeside", "--host-config", file, "x.hl7"],
      {},
      "parse takes no --practice",
    ],
    [["run", "x.hl7", "--practice"], {}, "--practice needs a value"],
  ])("%j: exit 2", async (args, env, message) => {
    const result = await rulepack(args, env);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`rulepack: ${message}\n`);
  });

  it("a host file that does not load: exit 2, its problems at FILE:LINE:COL", async () => {
    const bad = hostFile("stores:\n  sqlite: s\npractices: []\n");
    const result = await rulepack(["status", "--practice", "a", "--host-config", bad]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^${bad}:3:\\d+: INVALID_VALUE practices`));
  });
});

describe("the help of a command that takes a pack or a store", () => {
  it("lists --practice and --host-config; a command without either does not", async () => {
    const run = await rulepack(["run", "--help"]);
    expect(run.stdout).toMatch(
      /--practice NAME +a practice of the host file: its pack and its store/,
    );
    expect(run.stdout).toMatch(/--host-config FILE +the host file --practice is read from/);
    expect((await rulepack(["parse", "--help"])).stdout).not.toContain("--practice");
  });

  it("suggests --practice for a typo", async () => {
    const typo = await rulepack(["run", "--practise", "x"]);
    expect(typo.stderr).toContain("(did you mean '--practice'?)");
  });
});

describe("what --practice becomes", () => {
  const file = hostFile(`stores:
  sqlite: /var/lib/rulepack
listen:
  host: 0.0.0.0
  sharedPort: 2575
practices:
  - name: harbor
    pack: ${HARBOR}
    inbound: { port: 2576 }
  - name: lakeside
    pack: ${LAKESIDE}
    inbound:
      routes: [{ receivingFacility: LAKESIDE }]
`);
  const io: CliIo = { stdout: () => {}, stderr: () => {} };
  const resolved = (name: string, args: string[]) => {
    const spec = commandSpec(name);
    if (!spec) throw new Error(name);
    const r = resolvePracticeArgs(spec, ["--host-config", file, ...args], {}, io);
    return "args" in r ? r.args : r.result;
  };
  const harborPack = "rules/practices/harbor-ortho/pack.yaml";

  it("serve: the pack, the store, its own port and the host's address", () => {
    expect(resolved("serve", ["--practice", "harbor"])).toEqual([
      "--pack",
      harborPack,
      "--db",
      "/var/lib/rulepack/harbor.sqlite",
      "--mllp",
      "2576",
      "--host",
      "0.0.0.0",
    ]);
  });

  it("serve of a practice on the shared port: no port of its own to give", () => {
    expect(resolved("serve", ["--practice", "lakeside", "--mllp", "0"])).toEqual([
      "--mllp",
      "0",
      "--pack",
      "rules/practices/lakeside-family/pack.yaml",
      "--db",
      "/var/lib/rulepack/lakeside.sqlite",
    ]);
  });

  it("validate and scope: the pack as the operand; diff: --pack; queue: --db, before a --", () => {
    expect(resolved("validate", ["--practice", "harbor", "--strict"])).toEqual([
      "--strict",
      harborPack,
    ]);
    expect(resolved("scope", ["--practice", "harbor"])).toEqual([harborPack]);
    expect(resolved("diff", ["--practice", "harbor", "--against-ref", "HEAD"])).toEqual([
      "--against-ref",
      "HEAD",
      "--pack",
      harborPack,
    ]);
    expect(resolved("queue", ["show", "--practice", "harbor", "--", "q-1"])).toEqual([
      "show",
      "--db",
      "/var/lib/rulepack/harbor.sqlite",
      "--",
      "q-1",
    ]);
  });
});
