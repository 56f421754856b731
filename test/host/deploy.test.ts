import { execFile } from "node:child_process";
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { commandSpec } from "../../engine/cli/command-specs.js";
import { practiceOptions } from "../../engine/cli/practice-args.js";
import { startHealthz } from "../../engine/host/healthz.js";
import { type HostConfig, loadHostFile } from "../../engine/host/host-file.js";
import { EXIT } from "../../engine/io/cli-io.js";

/**
 * deploy/ and README's "Operating it": the example host file validates, the
 * Dockerfile and the systemd units name commands and flags the CLI has and
 * the ports the host file opens, systemd reads the units, and the health
 * check script does what its unit says against a real /healthz.
 */

const run = promisify(execFile);
const read = (path: string) => readFileSync(path, "utf8");

function exampleHost(): HostConfig {
  const load = loadHostFile("deploy/host.yaml");
  if (!load.ok) throw new Error(JSON.stringify(load.errors));
  return load.config;
}

/** Every port the example host listens on. */
function portsOf(config: HostConfig): number[] {
  return [
    config.sharedPort,
    config.healthPort,
    ...config.practices.map((p) => ("port" in p.inbound ? p.inbound.port : undefined)),
  ].filter((p): p is number => p !== undefined);
}

/** Flags a `rulepack` argv uses that its command does not have. */
function unknownFlags(argv: readonly string[]): string[] {
  const [name, ...args] = argv;
  const spec = commandSpec(name ?? "");
  if (!spec) return [`no command ${name}`];
  const known = new Set([...spec.options, ...practiceOptions(spec)].map((o) => o.name));
  return args
    .filter((a) => a.startsWith("--"))
    .map((a) => a.slice(2).split("=")[0] as string)
    .filter((f) => !known.has(f));
}

/** A unit file's `Key=value` lines (the last of a key wins, as systemd's single-value keys do). */
function unitKeys(path: string): Map<string, string> {
  const keys = new Map<string, string>();
  for (const line of read(path).split("\n")) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) keys.set(m[1] as string, m[2] as string);
  }
  return keys;
}

/** The Dockerfile's instructions, continuation lines joined, per stage. */
function dockerInstructions(): { readonly op: string; readonly args: string }[] {
  const joined = read("deploy/Dockerfile").replace(/\\\n\s*/g, " ");
  return joined
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => {
      const [op, ...rest] = l.trim().split(/\s+/);
      return { op: op as string, args: rest.join(" ") };
    });
}

describe("the example host file (deploy/host.yaml, README)", () => {
  it("validates: two practices, each in its schema of one PostgreSQL database", () => {
    const config = exampleHost();
    expect(config.practices.map((p) => [p.name, p.store])).toEqual([
      ["harbor-ortho", "postgres://rulepack@db:5432/practices?schema=harbor_ortho"],
      ["lakeside-family", "postgres://rulepack@db:5432/practices?schema=lakeside_family"],
    ]);
    expect(portsOf(config)).toEqual([2575, 8080, 2576]);
  });

  it("is the one README's 'Operating it' shows", () => {
    const readme = read("README.md");
    const section = readme.slice(readme.indexOf("## Operating it"));
    const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBeDefined();
    const load = loadHostFile(resolve("deploy/host.yaml"), block);
    expect(load.ok && load.config.practices.map((p) => p.name)).toEqual([
      "harbor-ortho",
      "lakeside-family",
    ]);
    expect(section).toContain("rulepack serve --host-config");
  });
});

describe("deploy/Dockerfile", () => {
  const instructions = dockerInstructions();
  const all = (op: string) => instructions.filter((i) => i.op === op).map((i) => i.args);

  it("builds on node:20-slim with npm ci and the build, and runs as a user that is not root", () => {
    expect(all("FROM")).toEqual(["node:20-slim AS build", "node:20-slim"]);
    const runs = all("RUN").join("\n");
    expect(runs).toContain("npm ci");
    expect(runs).toContain("npm run build");
    expect(all("USER")).toEqual(["node"]);
    expect(all("VOLUME")).toEqual(['["/var/lib/rulepack"]']);
  });

  it("copies only what exists or the build makes", () => {
    for (const copy of all("COPY")) {
      const parts = copy.split(" ").filter((p) => !p.startsWith("--"));
      const sources = parts.slice(0, -1);
      const fromBuild = copy.includes("--from=build");
      for (const source of sources) {
        const path = fromBuild ? source.replace(/^\/app\/?/, "") : source;
        if (fromBuild && ["dist", "node_modules"].includes(path)) continue;
        expect(existsSync(path === "" ? "." : path), `${source}`).toBe(true);
      }
    }
  });

  it("runs `serve --host-config` on a file it copies, with flags the CLI has", () => {
    const entry = JSON.parse(all("ENTRYPOINT")[0] as string) as string[];
    const cmd = JSON.parse(all("CMD")[0] as string) as string[];
    expect(entry).toEqual(["node", "/app/dist/engine/cli.js"]);
    expect(existsSync("engine/cli.ts")).toBe(true);
    expect(unknownFlags(cmd)).toEqual([]);
    expect(cmd).toEqual(["serve", "--host-config", "/app/deploy/host.yaml"]);
    expect(all("COPY")).toContain("--from=build /app/deploy ./deploy");
  });

  it("exposes the example host's ports and checks its /healthz", () => {
    const config = exampleHost();
    expect(
      all("EXPOSE")
        .flatMap((e) => e.split(" ").map(Number))
        .sort(),
    ).toEqual(portsOf(config).sort());
    expect(all("HEALTHCHECK")[0]).toContain(
      `CMD curl --fail --silent --max-time 10 http://127.0.0.1:${config.healthPort}/healthz`,
    );
  });
});

describe("deploy/ systemd units", () => {
  it("rulepack.service runs serve --host-config, restarts on failure but not on exit 2, reloads with SIGHUP", () => {
    const unit = unitKeys("deploy/rulepack.service");
    const exec = (unit.get("ExecStart") ?? "").split(" ");
    expect(exec.slice(0, 2)).toEqual(["/usr/bin/node", "/opt/rulepack/dist/engine/cli.js"]);
    expect(unknownFlags(exec.slice(2))).toEqual([]);
    expect(exec.slice(2, 4)).toEqual(["serve", "--host-config"]);
    expect(unit.get("Restart")).toBe("on-failure");
    expect(unit.get("RestartPreventExitStatus")).toBe(String(EXIT.usage));
    expect(unit.get("ExecReload")).toBe("/bin/kill -HUP $MAINPID");
  });

  it("the timer starts the check, which asks the example host's /healthz with deploy/healthz-check.sh", () => {
    expect(unitKeys("deploy/rulepack-healthz.timer").get("Unit")).toBe("rulepack-healthz.service");
    const check = unitKeys("deploy/rulepack-healthz.service");
    expect(check.get("ExecStart")).toBe("/opt/rulepack/deploy/healthz-check.sh");
    accessSync("deploy/healthz-check.sh", constants.X_OK);
    expect(read("deploy/rulepack-healthz.service")).toContain(
      `Environment=RULEPACK_HEALTHZ_URL=http://127.0.0.1:${exampleHost().healthPort}/healthz`,
    );
  });

  it("systemd reads them without a complaint (systemd-analyze verify)", async () => {
    // Installed where /opt/rulepack is this checkout.
    const dir = mkdtempSync(join(tmpdir(), "rulepack-units-"));
    for (const name of ["rulepack.service", "rulepack-healthz.service", "rulepack-healthz.timer"]) {
      writeFileSync(
        join(dir, name),
        read(`deploy/${name}`).replaceAll("/opt/rulepack", process.cwd()),
      );
    }
    const units = ["rulepack.service", "rulepack-healthz.service", "rulepack-healthz.timer"].map(
      (n) => join(dir, n),
    );
    const result = await run("systemd-analyze", ["verify", ...units]).catch(
      (e: { stdout: string; stderr: string }) => e,
    );
    expect(result.stderr).toBe("");
  });
});

describe("deploy/healthz-check.sh", () => {
  const check = (url: string) =>
    run("deploy/healthz-check.sh", [], {
      env: { ...process.env, RULEPACK_HEALTHZ_URL: url, RULEPACK_RESTART: "echo restarted" },
    }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );

  it("exits 0 on a 200", async () => {
    const healthz = await startHealthz({
      port: 0,
      host: "127.0.0.1",
      check: async () => ({ harbor: { store: true, listener: true } }),
    });
    try {
      expect(await check(`http://127.0.0.1:${healthz.port}/healthz`)).toEqual({
        code: 0,
        stdout: "",
      });
    } finally {
      await healthz.close();
    }
  });

  it("exits 1 with the body on a 503, and restarts nothing", async () => {
    const healthz = await startHealthz({
      port: 0,
      host: "127.0.0.1",
      check: async () => ({ lakeside: { store: false, listener: true } }),
    });
    try {
      const url = `http://127.0.0.1:${healthz.port}/healthz`;
      expect(await check(url)).toEqual({
        code: 1,
        stdout: `rulepack healthz: ${url} answered 503: {"ok":false,"practices":{"lakeside":{"store":false,"listener":true}}}\n`,
      });
    } finally {
      await healthz.close();
    }
  });

  it("restarts a host that does not answer, and exits 1", async () => {
    const closed = await startHealthz({ port: 0, host: "127.0.0.1", check: async () => ({}) });
    const url = `http://127.0.0.1:${closed.port}/healthz`;
    await closed.close();
    expect(await check(url)).toEqual({
      code: 1,
      stdout: `rulepack healthz: ${url} did not answer: echo restarted\nrestarted\n`,
    });
  });
});
