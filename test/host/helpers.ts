import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "vitest";
import { type HostServeOptions, hostServeCommand } from "../../engine/cli/host-serve-command.js";
import type { CliIo } from "../../engine/io/cli-io.js";
import { openStore } from "../../engine/store/open.js";
import { adt, type PatientParts } from "../queue/harbor-queue.js";

/** The two example practices a test host runs. */
export const HARBOR = resolve("rules/practices/harbor-ortho/pack.yaml");
export const LAKESIDE = resolve("rules/practices/lakeside-family/pack.yaml");

/** A folder holding `host.yaml` with this text; returns the file. */
export function hostFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "rulepack-host-"));
  const file = join(dir, "host.yaml");
  writeFileSync(file, text);
  return file;
}

/** Harbor's small ADT, addressed to MSH-5 `application` and MSH-6 `facility`. */
export function addressedAdt(
  control: string,
  application: string,
  facility: string,
  patient: Omit<PatientParts, "control"> = {},
): string {
  return adt({ control, ...patient }).replace(
    "|ORTHOCHART|HARBOR|PS|PS|",
    `|ORTHOCHART|HARBOR|${application}|${facility}|`,
  );
}

export interface RunningTestHost {
  /** Each listener's port by the practices on it (`harbor-ortho`, `lakeside,harbor-ortho`); `healthz`'s. */
  readonly ports: ReadonlyMap<string, number>;
  readonly stderr: string[];
  readonly stdout: string[];
  /** The port of the listener whose `ready` line (at start or at a reload) names these practices last. */
  portOf(practices: string): number | undefined;
  /** Send the reload signal; resolves once that reload is done. */
  reload(): Promise<void>;
  stop(): Promise<number>;
}

/** `rulepack serve --host-config FILE` in-process, until every listener is ready. */
export async function startTestHost(
  file: string,
  options: Partial<Omit<HostServeOptions, "hostConfig" | "stop" | "onReload">> = {},
): Promise<RunningTestHost> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIo = { stdout: (t) => stdout.push(t), stderr: (t) => stderr.push(t) };
  let release = () => {};
  const stop = new Promise<void>((r) => {
    release = r;
  });
  let signal: (() => Promise<void>) | undefined;
  const running = hostServeCommand(
    {
      ...options,
      hostConfig: file,
      stop,
      onReload: (reload) => {
        signal = reload;
        return () => {};
      },
    },
    io,
  );
  let exited: number | undefined;
  void running.then((r) => {
    exited = r.exitCode;
  });
  for (let i = 0; i < 3000 && !stdout.join("").includes("ready host"); i++) {
    if (exited !== undefined) throw new Error(`the host exited ${exited}: ${stderr.join("")}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const ports = new Map<string, number>();
  for (const m of stdout.join("").matchAll(/ready port=(\d+) practices=(\S+)/g)) {
    ports.set(m[2] as string, Number(m[1]));
  }
  const health = /ready healthz port=(\d+)/.exec(stdout.join(""))?.[1];
  if (health !== undefined) ports.set("healthz", Number(health));
  expect(ports.size).toBeGreaterThan(0);
  return {
    ports,
    stderr,
    stdout,
    portOf(practices) {
      const all = [...stdout.join("").matchAll(/ready port=(\d+) practices=(\S+)/g)];
      const last = all.filter((m) => m[2] === practices).pop();
      return last ? Number(last[1]) : undefined;
    },
    reload: async () => {
      await signal?.();
    },
    async stop() {
      release();
      return (await running).exitCode;
    },
  };
}

/** Control IDs and states of a store's messages, in receipt order. */
export async function controlIds(location: string): Promise<string[]> {
  const store = openStore(location, { create: false });
  try {
    return (await store.messages()).map((m) => `${m.controlId} ${m.state}`);
  } finally {
    await store.close();
  }
}

/** MSA-1 of an ACK. */
export const ackCode = (ack: string): string | undefined => /\rMSA\|([A-Z]{2})/.exec(ack)?.[1];
