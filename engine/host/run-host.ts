import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { CompiledPack } from "../pack/compiled.js";
import { loadPractice } from "../pack/practice-load.js";
import { DAY_MS } from "../server/maintenance.js";
import { readTlsFiles, type TlsCredentials } from "../server/tls-credentials.js";
import { isPostgresUrl, openStore } from "../store/open.js";
import { unwritableStoreFiles } from "../store/sqlite-files.js";
import type { Store } from "../store/types.js";
import { type Healthz, type PracticeHealth, startHealthz } from "./healthz.js";
import { hostChanges, type TlsKey } from "./host-changes.js";
import type { HostConfig, HostPractice, HostTls } from "./host-file.js";
import {
  cannotListen,
  type PracticeDeps,
  PracticeStartError,
  type RunningPractice,
  startPractice,
} from "./practice-runtime.js";
import { type SharedPort, startSharedPort } from "./shared-port.js";
import { startUnroutedRetention } from "./unrouted-retention.js";

/**
 * Every practice of a host file in one process (`rulepack serve
 * --host-config`): each practice runs as `serve --pack` runs it
 * (practice-runtime.ts: its store, pack, recovery or workers, alerts,
 * retention, sender), on its own port or on the shared port whose frames
 * are routed by MSH-5/MSH-6 (shared-port.ts; a frame no practice receives
 * is recorded in `_unrouted`, answered AR, and pruned by
 * `unrouted.retainDays`). A reload takes a new host file first
 * (host-changes.ts: practices added start, removed ones drain and stop,
 * changed ones restart, the rest run on), then loads again the practices
 * whose pack files changed, one at a time, each swapped in between two of
 * its frames; a pack that no longer loads is reported with its practice
 * and files, and the old one kept. Design: docs/decisions/0024, 0038.
 */

export interface HostRunOptions {
  readonly config: HostConfig;
  readonly now: () => Date;
  /** One line per event, without patient data. */
  readonly log: (line: string) => void;
  readonly idleTimeoutMs?: number;
  readonly alertCheckMs?: number;
  /** Starts a practice's outbound sender when its pack names a receiver (practice-runtime.ts). */
  readonly startSender?: PracticeDeps["startSender"];
  /** How often `_unrouted` is pruned; a day by default. */
  readonly unroutedPruneEveryMs?: number;
}

export interface HostListener {
  readonly port: number;
  readonly practices: readonly string[];
}

/** What a reload did to one practice. */
export interface PracticeReload {
  readonly practice: string;
  readonly result:
    | "unchanged"
    | "reloaded"
    | "kept"
    | "started"
    | "stopped"
    | "restarted"
    | "failed";
}

export interface RunningHost {
  /** The listeners running now (a reload of the host file changes them). */
  readonly listeners: readonly HostListener[];
  /** The port of GET /healthz, when the host file asks for it. */
  readonly healthPort?: number;
  /** The pack each practice's next frame is processed with. */
  packOf(practice: string): CompiledPack | undefined;
  /**
   * Take `next` (a host file read again) when given, then load again the
   * practices whose pack, tables or master data changed, one at a time.
   */
  reload(next?: HostConfig): Promise<HostReload>;
  /** Stop accepting, finish what was received, close the stores. */
  close(): Promise<void>;
}

export interface HostReload {
  readonly practices: readonly PracticeReload[];
  /** Listeners this reload started (a practice added or restarted, the shared port). */
  readonly listeners: readonly HostListener[];
}

export type HostStart =
  | { readonly ok: true; readonly host: RunningHost }
  | {
      readonly ok: false;
      /** "usage": a pack or TLS file that does not load; "failed": a store or a port that cannot be used. */
      readonly reason: "usage" | "failed";
      readonly errors: readonly string[];
    };

/** How long /healthz waits for a store's answer before it counts it as failed. */
const HEALTH_TIMEOUT_MS = 5_000;

/** A practice's pack and TLS read, ready to start; or why it cannot start (usage: exit 2 at start). */
type Prepared =
  | {
      readonly ok: true;
      readonly config: HostPractice;
      readonly pack: CompiledPack;
      readonly masterData?: Parameters<Store["loadMasterData"]>[0];
      readonly warnings: readonly string[];
      readonly tls?: TlsCredentials;
    }
  | { readonly ok: false; readonly config: HostPractice; readonly errors: readonly string[] };

/** The TLS files read and checked, each problem at the host file's line naming them. */
function readHostTls(
  tls: HostTls | undefined,
): { ok: true; credentials?: TlsCredentials } | { ok: false; errors: string[] } {
  if (tls === undefined) return { ok: true };
  const read = readTlsFiles(tls.files);
  if (read.ok) return { ok: true, credentials: read.credentials };
  return {
    ok: false,
    errors: read.errors.map(
      (e) => `${tls.at}: ${e.code} ${e.message.replace(/^--tls-(cert|key|ca)\b/, "tls.$1")}`,
    ),
  };
}

function prepare(config: HostPractice): Prepared {
  const load = loadPractice(config.pack);
  if (!load.ok)
    return {
      ok: false,
      config,
      errors: [...load.errors, `rulepack: practice ${config.name}: its pack does not load`],
    };
  const tls = readHostTls("port" in config.inbound ? config.inbound.tls : undefined);
  if (!tls.ok)
    return {
      ok: false,
      config,
      errors: [...tls.errors, `rulepack: practice ${config.name}: its TLS files do not load`],
    };
  return {
    ok: true,
    config,
    pack: load.pack,
    ...(load.masterData && { masterData: load.masterData }),
    warnings: load.warnings,
    ...(tls.credentials && { tls: tls.credentials }),
  };
}

/** Paths and contents: a certificate renewed in place restarts its listener at a reload. */
const tlsKey: TlsKey = (tls) => {
  if (tls === undefined) return "";
  const hash = createHash("sha256");
  const { files } = tls;
  for (const path of [files.cert, files.key, files.ca]) {
    if (path === undefined) continue;
    hash.update(`${path}\u0000`);
    try {
      hash.update(readFileSync(path));
    } catch {
      hash.update("unreadable");
    }
  }
  hash.update(String(files.requireClientCert));
  return hash.digest("hex");
};

function unwritable(locations: readonly string[]): string[] {
  return locations
    .flatMap((db) => (isPostgresUrl(db) ? [] : unwritableStoreFiles(db)))
    .map((p) => `rulepack: the store cannot be written: ${p}`);
}

export async function startHost(options: HostRunOptions): Promise<HostStart> {
  const { now, log } = options;
  let config = options.config;
  // Each TLS entry's files as they were when its listener read them: a later reload compares with those.
  const tlsKeys = new WeakMap<HostTls, string>();
  const keyOf: TlsKey = (tls) => {
    if (tls === undefined) return "";
    const known = tlsKeys.get(tls);
    if (known !== undefined) return known;
    const key = tlsKey(tls);
    tlsKeys.set(tls, key);
    return key;
  };
  keyOf(config.sharedPortTls);
  for (const p of config.practices) if ("port" in p.inbound) keyOf(p.inbound.tls);
  const prepared = config.practices.map(prepare);
  const refused = prepared.flatMap((p) => (p.ok ? [] : p.errors));
  if (refused.length > 0) return { ok: false, reason: "usage", errors: refused };
  const sharedTls = readHostTls(config.sharedPortTls);
  if (!sharedTls.ok) return { ok: false, reason: "usage", errors: sharedTls.errors };
  const cannotWrite = unwritable([...config.practices.map((p) => p.store), config.unroutedStore]);
  if (cannotWrite.length > 0) return { ok: false, reason: "failed", errors: cannotWrite };

  const deps = (): PracticeDeps => ({
    host: config.host,
    now,
    log,
    ...(options.idleTimeoutMs !== undefined && { idleTimeoutMs: options.idleTimeoutMs }),
    ...(options.alertCheckMs !== undefined && { alertCheckMs: options.alertCheckMs }),
    ...(options.startSender && { startSender: options.startSender }),
  });
  const practices = new Map<string, RunningPractice>();
  /** Practices of the host file not running (a reload could not start them), and why. */
  const failed = new Map<string, string>();
  let shared: SharedPort | undefined;
  let unrouted: { store: Store; stop: () => void } | undefined;
  let healthz: Healthz | undefined;
  let closing = false;

  const routedConfigs = () => config.practices.filter((p) => "routes" in p.inbound);
  const routedRunning = () => [...practices.values()].filter((p) => "routes" in p.config.inbound);
  const sharedLane = {
    lane: () => shared?.server,
    listening: () => shared !== undefined && !closing,
  };

  const launch = async (p: Prepared & { ok: true }): Promise<RunningPractice> => {
    for (const w of p.warnings) log(`practice=${p.config.name} ${w}`);
    const running = await startPractice(p.config, p.pack, p.masterData, p.tls, deps());
    practices.set(p.config.name, running);
    failed.delete(p.config.name);
    return running;
  };
  const begin = (practice: RunningPractice) =>
    practice.begin("routes" in practice.config.inbound ? sharedLane : undefined);

  const openShared = async (tls: TlsCredentials | undefined): Promise<SharedPort> => {
    const port = config.sharedPort as number;
    if (routedRunning().length === 0)
      throw new PracticeStartError(
        `rulepack: the shared port ${port} has no practice running to route to`,
      );
    const store = openStore(config.unroutedStore);
    try {
      const started = await startSharedPort({
        port,
        host: config.host,
        ...(tls && { tls }),
        ...(options.idleTimeoutMs !== undefined && { idleTimeoutMs: options.idleTimeoutMs }),
        unrouted: store,
        routes: routedConfigs(),
        practices: routedRunning(),
        now,
        log,
      });
      const retention = startUnroutedRetention({
        store,
        retainDays: () => config.unroutedRetainDays,
        between: (task) => started.server.between(task),
        now,
        log: (line) => log(`shared port ${line}`),
        everyMs: options.unroutedPruneEveryMs ?? DAY_MS,
      });
      unrouted = { store, stop: retention.stop };
      await retention.first;
      return started;
    } catch (e) {
      await store.close().catch(() => undefined);
      if (e instanceof PracticeStartError) throw e;
      throw cannotListen(config.host, port, e);
    }
  };
  const closeShared = async () => {
    const port = shared;
    shared = undefined;
    await port?.close();
    unrouted?.stop();
    await unrouted?.store.close();
    unrouted = undefined;
  };

  const openHealthz = async () => {
    const port = config.healthPort as number;
    healthz = await startHealthz({
      port,
      host: config.host,
      check: async () => {
        const entries = await Promise.all(
          config.practices.map(async (p): Promise<[string, PracticeHealth]> => {
            const running = practices.get(p.name);
            if (!running || closing) return [p.name, { store: false, listener: false }];
            return [p.name, await running.health(HEALTH_TIMEOUT_MS)];
          }),
        );
        return Object.fromEntries(entries);
      },
    }).catch((e: unknown) => {
      throw cannotListen(config.host, port, e);
    });
  };

  const listeners = (): HostListener[] => [
    ...[...practices.values()].flatMap((p) =>
      p.port !== undefined ? [{ port: p.port, practices: [p.config.name] }] : [],
    ),
    ...(shared ? [{ port: shared.port, practices: shared.names() }] : []),
  ];

  const closeAll = async () => {
    closing = true;
    await healthz?.close();
    healthz = undefined;
    // The shared port drains first (its frames' answers), then each practice drains its own.
    await closeShared();
    for (const practice of practices.values()) await practice.stop();
    practices.clear();
  };

  /** Start a prepared practice at a reload; a store or port that fails leaves it down (/healthz says so). */
  const startAtReload = async (
    p: Prepared & { ok: true },
  ): Promise<RunningPractice | undefined> => {
    const name = p.config.name;
    const why = unwritable([p.config.store]);
    try {
      if (why.length > 0) throw new PracticeStartError(why.join("; "));
      return await launch(p);
    } catch (e) {
      if (!(e instanceof PracticeStartError)) throw e;
      log(`practice=${name} reload: ${e.message}`);
      log(`practice=${name} not started (the host file names it: fix it and reload)`);
      failed.set(name, e.message);
      return undefined;
    }
  };

  const applyHostFile = async (next: HostConfig): Promise<HostReload> => {
    const changes = hostChanges(config, next, keyOf);
    const results: PracticeReload[] = [];
    const started: HostListener[] = [];
    const restarting = new Set(changes.restarted.map((p) => p.name));
    // A practice an earlier reload could not start is tried again.
    const retried = next.practices.filter(
      (p) => !practices.has(p.name) && !changes.added.includes(p) && !restarting.has(p.name),
    );
    log(
      `reload: host file ${next.file}: added=${changes.added.length} removed=${changes.removed.length} restarted=${changes.restarted.length} rerouted=${changes.rerouted.length}`,
    );
    // Read first: a changed practice whose new pack or TLS files do not load keeps running as it was.
    const ready: (Prepared & { ok: true })[] = [];
    const keptEntries = new Map<string, HostPractice>();
    for (const entry of [...changes.added, ...changes.restarted, ...retried]) {
      const p = prepare(entry);
      if (p.ok) {
        ready.push(p);
        continue;
      }
      for (const e of p.errors) log(`practice=${entry.name} reload: ${e}`);
      if (restarting.has(entry.name)) {
        log(`practice=${entry.name} reload failed: keeping it as it runs`);
        keptEntries.set(entry.name, practices.get(entry.name)?.config as HostPractice);
        restarting.delete(entry.name);
        results.push({ practice: entry.name, result: "kept" });
      } else {
        log(`practice=${entry.name} not started (the host file names it: fix it and reload)`);
        failed.set(entry.name, "not started");
        results.push({ practice: entry.name, result: "failed" });
      }
    }
    // The host file as taken: a practice kept as it runs keeps its old entry.
    const taken: HostConfig = {
      ...next,
      practices: next.practices.map((p) => keptEntries.get(p.name) ?? p),
    };
    for (const name of changes.removed) failed.delete(name);
    const leaving = [...changes.removed, ...restarting];
    const stopOne = async (name: string) => {
      const practice = practices.get(name);
      practices.delete(name);
      if (!practice) return;
      await practice.stop();
      if (!restarting.has(name)) {
        log(`practice=${name} stopped`);
        results.push({ practice: name, result: "stopped" });
      }
    };
    const resultOf = (name: string): PracticeReload["result"] =>
      restarting.has(name) ? "restarted" : "started";
    const begun: RunningPractice[] = [];
    const routed = (entry: HostPractice) => "routes" in entry.inbound;

    // Practices on their own ports drain on their own.
    for (const name of leaving) if (practices.get(name)?.port !== undefined) await stopOne(name);

    const sharedTlsNext = readHostTls(taken.sharedPortTls);
    let sharedChange = changes.sharedPort;
    if (!sharedTlsNext.ok) {
      for (const e of sharedTlsNext.errors) log(`reload: ${e}`);
      if (sharedChange === "restart") {
        log("reload: keeping the shared port as it runs");
        sharedChange = "same";
      }
    }
    if (sharedChange === "restart" || sharedChange === "stop") await closeShared();
    // Practices on the shared port change between two of its frames: no frame meets a gap.
    const swapRouted = async () => {
      for (const name of leaving) if (practices.has(name)) await stopOne(name);
      config = taken;
      for (const p of ready.filter((r) => routed(r.config))) {
        const running = await startAtReload(p);
        if (running) begun.push(running);
        results.push({
          practice: p.config.name,
          result: running ? resultOf(p.config.name) : "failed",
        });
      }
      for (const entry of changes.rerouted) practices.get(entry.name)?.retarget(entry);
      shared?.setRouting(routedConfigs(), routedRunning());
    };
    const port = shared;
    if (port) await port.server.between(swapRouted);
    else await swapRouted();
    if (taken.sharedPort !== undefined && !shared && sharedTlsNext.ok) {
      try {
        shared = await openShared(sharedTlsNext.credentials);
        started.push({ port: shared.port, practices: shared.names() });
        log(`shared port listening port=${shared.port}`);
      } catch (e) {
        if (!(e instanceof PracticeStartError)) throw e;
        log(`reload: ${e.message}; the shared port's practices get no frames`);
      }
    }
    for (const p of ready.filter((r) => !routed(r.config))) {
      const running = await startAtReload(p);
      if (running) {
        begun.push(running);
        started.push({ port: running.port as number, practices: [p.config.name] });
        log(`practice=${p.config.name} listening port=${running.port}`);
      }
      results.push({
        practice: p.config.name,
        result: running ? resultOf(p.config.name) : "failed",
      });
    }
    for (const practice of begun) await begin(practice);
    if (changes.healthPort !== "same") {
      await healthz?.close();
      healthz = undefined;
      if (taken.healthPort !== undefined) {
        try {
          await openHealthz();
        } catch (e) {
          if (!(e instanceof PracticeStartError)) throw e;
          log(`reload: ${e.message}`);
        }
      }
    }
    return { practices: results, listeners: started };
  };

  try {
    for (const p of prepared) if (p.ok) await launch(p);
    if (config.sharedPort !== undefined) shared = await openShared(sharedTls.credentials);
    for (const practice of practices.values()) await begin(practice);
    if (config.healthPort !== undefined) await openHealthz();
  } catch (e) {
    await closeAll();
    if (e instanceof PracticeStartError)
      return { ok: false, reason: "failed", errors: [e.message] };
    throw e;
  }
  return {
    ok: true,
    host: {
      get listeners() {
        return listeners();
      },
      get healthPort() {
        return healthz?.port;
      },
      packOf: (name) => practices.get(name)?.pack,
      async reload(next) {
        const changed = next ? await applyHostFile(next) : { practices: [], listeners: [] };
        const done = new Set(changed.practices.map((r) => r.practice));
        const results = [...changed.practices];
        for (const practice of practices.values()) {
          if (done.has(practice.config.name)) continue;
          results.push({ practice: practice.config.name, result: await practice.reload() });
        }
        return { practices: results, listeners: changed.listeners };
      },
      close: closeAll,
    },
  };
}
