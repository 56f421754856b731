/**
 * Demographic matching at scale (`npm run bench:match`, issue 19): fill a
 * store with N synthetic patients and time, one at a time, the candidate
 * lookup (`patientCandidates`, the matcher's only query) and the whole
 * match (lookup and classify) of a stored patient sent again, on the
 * in-memory, SQLite and PostgreSQL stores, in one run.
 *
 *   node --import tsx bench/store-lookup.ts [--sizes 100000,1000000] [--lookups 1000]
 *     [--stores memory,sqlite,postgres]
 *
 * Filling is outside the timed region. The memory store is filled through
 * the public API: one received message per chunk of `patient.create`
 * actions (100,000), each chunk a single transaction. SQLite and
 * PostgreSQL (a throw-away cluster, test/support/pg-cluster.ts) get their
 * first 2,000 patients through the API and the rest in bulk as the stores
 * write them (bench/bulk-patients.ts checks the rows are the same).
 * PostgreSQL answers through a lazy view, as on the message path.
 *
 * Synthetic data (syntheticPatients): a practice's patients with skewed
 * surnames, first names and ZIPs. Before the timings, the block sizes of
 * each pass the matcher asks: how many blocks, the largest, the mean, the
 * mean size of the block a stored patient falls in, and how many exceed
 * MAX_BLOCK_SIZE (lookups skip those). Each row gives median and p95 wall
 * time, this process's CPU time per match, and the match median as a
 * multiple of the memory store's at the same size.
 *
 * Timings are printed, never asserted. `storeLookupSuites` offers the
 * lookup to bench/run.ts: SQLite against the in-memory index.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { blockingKeysOf, DEFAULT_PASSES, MAX_BLOCK_SIZE } from "../engine/matching/blocking.js";
import { DEFAULT_DEMOGRAPHICS } from "../engine/matching/config.js";
import {
  blockingKeysFor,
  type ClassifyOptions,
  classify,
  compileDemographics,
} from "../engine/matching/scorer.js";
import type { PatientCreate } from "../engine/model/actions.js";
import type { Patient } from "../engine/model/records.js";
import { createMemoryStore } from "../engine/store/memory.js";
import { openPostgresStore } from "../engine/store/postgres.js";
import { openSqliteStore } from "../engine/store/sqlite.js";
import type {
  BlockingKeys,
  Store as RemoteStore,
  LocalStore as Store,
} from "../engine/store/types.js";
import { ViewMiss } from "../engine/store/view-miss.js";
import { type Cluster, startCluster } from "../test/support/pg-cluster.js";
import { bulkLoadPatients, bulkLoadSqlite, checkRowsMatch } from "./bulk-patients.js";

/*
 * Self-contained on purpose (no import of bench/harness.ts): the suite below
 * has the harness's Suite shape, so bench/run.ts can list it as is.
 */
interface Subject {
  readonly name: string;
  /** A promise only on the first call, which fills the stores. */
  run(): number | Promise<number>;
}
export interface LookupSuite {
  readonly name: string;
  readonly unit: string;
  readonly unitsPerPass: number;
  readonly baseline: Subject;
  readonly subject: Subject;
}

/** Results feed a sink so no lookup can be optimised away. */
let sink = 0;
function consume(n: number): void {
  sink = (sink + n) | 0;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** A small deterministic PRNG (mulberry32), so every run builds the same patients. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ONSETS = ["B", "C", "D", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "T", "W"];
const VOWELS = ["a", "e", "i", "o", "u", "ay", "ee", "ou"];
const CODAS = ["", "n", "r", "s", "t", "l", "m", "ck", "ng", "rd", "son", "ton", "man", "ley"];

function surnames(count: number, next: () => number): string[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const names = new Set<string>();
  while (names.size < count) {
    const syllables = 1 + Math.floor(next() * 3);
    let name = pick(ONSETS);
    for (let i = 0; i < syllables; i++) {
      name += pick(VOWELS) + pick(CODAS);
      if (i < syllables - 1) name += pick(ONSETS).toLowerCase();
    }
    names.add(name);
  }
  return [...names];
}

/** Sampling by rank with weight 1/rank^s (Zipf): real names and ZIPs are skewed. */
function zipf<T>(items: readonly T[], s: number, next: () => number): () => T {
  const cumulative: number[] = [];
  let sum = 0;
  for (let rank = 1; rank <= items.length; rank++) {
    sum += 1 / rank ** s;
    cumulative.push(sum);
  }
  return () => {
    const x = next() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return items[lo] as T;
  };
}

const STREETS_PER_ZIP = 300;
const SUFFIXES = ["St", "Ave", "Rd", "Ln"];
const CITIES = ["Springfield", "Riverton", "Fairview", "Oakdale", "Millbrook", "Ashford"];

const DAY = 86_400_000;
const DOB_FROM = Date.UTC(1930, 0, 1);
const DOB_DAYS = Math.round((Date.UTC(2020, 0, 1) - DOB_FROM) / DAY);

/**
 * The i-th synthetic patient (IDs from 1001, like the store's own): a
 * practice's patients. Surnames: 20,000 made-up names, Zipf 0.7 (the
 * commonest 1.6% of patients, Smith is 0.9% of the US); first names:
 * 2,000, Zipf 0.8 (the commonest 5%); 30 ZIPs around the practice, Zipf 1
 * (the commonest 25%), in six towns, each ZIP with 300 streets of its own,
 * Zipf 0.7 (a few long ones); dates of birth uniform over 1930-2019; SSNs
 * and phones unique.
 */
export function syntheticPatients(n: number, seed = 42): PatientCreate["patient"][] {
  const next = random(seed);
  const lastName = zipf(surnames(20_000, next), 0.7, next);
  const firstName = zipf(
    surnames(2000, next).map((name) => name.slice(0, 8)),
    0.8,
    next,
  );
  const zips = Array.from({ length: 30 }, (_, i) => i);
  const zip = zipf(zips, 1, next);
  // Each ZIP's own 300 streets, a few of them long.
  const streetNames = surnames(zips.length * STREETS_PER_ZIP, next);
  const streetOf = zipf(
    Array.from({ length: STREETS_PER_ZIP }, (_, i) => i),
    0.7,
    next,
  );
  const out: PatientCreate["patient"][] = [];
  for (let i = 0; i < n; i++) {
    const dob = new Date(DOB_FROM + Math.floor(next() * DOB_DAYS) * DAY).toISOString().slice(0, 10);
    const serial = String(100_000_000 + i * 7).padStart(9, "0");
    out.push({
      id: String(1001 + i),
      lastName: lastName(),
      firstName: firstName(),
      dob,
      sex: i % 2 ? "F" : "M",
      ssn: `${serial.slice(0, 3)}-${serial.slice(3, 5)}-${serial.slice(5)}`,
      phones: {
        home: `(555) ${String(2_000_000 + i).slice(0, 3)}-${String(2_000_000 + i).slice(3)}`,
      },
      address: (() => {
        const z = zip();
        const street = streetNames[z * STREETS_PER_ZIP + streetOf()] as string;
        const number = 1 + Math.floor(next() * 2000);
        return {
          line1: `${number} ${street} ${SUFFIXES[number % SUFFIXES.length]}`,
          city: CITIES[z % CITIES.length] as string,
          state: "NY",
          zip: String(12_301 + z * 7),
        };
      })(),
    });
  }
  return out;
}

/** Block sizes per pass the matcher asks (DEFAULT_PASSES) over the patients. */
export interface BlockSizes {
  readonly pass: string;
  readonly blocks: number;
  readonly largest: number;
  /** The mean size of a block (patients with a key of the pass / blocks). */
  readonly mean: number;
  /** The mean size of the block a stored patient falls in (what a lookup of one reads). */
  readonly meanSeen: number;
  /** Blocks larger than MAX_BLOCK_SIZE, which lookups skip. */
  readonly skipped: number;
}

export function blockSizes(patients: readonly PatientCreate["patient"][]): BlockSizes[] {
  const counts = new Map<string, Map<string, number>>();
  for (const patient of patients) {
    for (const key of blockingKeysOf(patient, DEFAULT_PASSES).passes ?? []) {
      const pass = key.slice(0, key.indexOf(":"));
      const byKey = counts.get(pass) ?? new Map<string, number>();
      counts.set(pass, byKey);
      byKey.set(key, (byKey.get(key) ?? 0) + 1);
    }
  }
  return [...counts].map(([pass, byKey]) => {
    let largest = 0;
    let squares = 0;
    let total = 0;
    let skipped = 0;
    for (const size of byKey.values()) {
      largest = Math.max(largest, size);
      squares += size * size;
      total += size;
      if (size > MAX_BLOCK_SIZE) skipped++;
    }
    return {
      pass,
      blocks: byKey.size,
      largest,
      mean: total / byKey.size,
      meanSeen: squares / total,
      skipped,
    };
  });
}

/** Fill through receive + complete, `chunk` creates per message (one transaction each). */
export async function fillStore(
  store: Store | RemoteStore,
  patients: readonly PatientCreate["patient"][],
  chunk = 100_000,
): Promise<void> {
  for (let start = 0; start < patients.length; start += chunk) {
    const messageId = await store.receive({
      raw: new Uint8Array(0),
      receivedAt: "2026-01-01T00:00:00.000Z",
      sender: "bench",
      controlId: `FILL${start}`,
      messageType: "ADT^A04",
      direction: "inbound",
    });
    await store.complete(
      {
        messageId,
        controlId: `FILL${start}`,
        messageType: "ADT^A04",
        state: "PROCESSED",
        actions: patients
          .slice(start, start + chunk)
          .map((patient) => ({ type: "patient.create", patient })),
        errors: [],
        review: [],
        trace: [],
      },
      { kind: "receive", now: "2026-01-01T00:00:00.000Z" },
    );
  }
}

export interface LookupFigures {
  readonly queries: number;
  readonly medianMicros: number;
  readonly p95Micros: number;
  /** This process's CPU time per query, mean (a PostgreSQL server's own is not in it). */
  readonly cpuMicros: number;
  readonly medianCandidates: number;
}

/** A store's candidate lookup, as a decision makes it. */
export type Lookup = (block: BlockingKeys) => readonly Patient[] | Promise<readonly Patient[]>;

/** The embedded stores answer from their index, synchronously. */
export function localLookup(store: Store): Lookup {
  return (block) => store.patientCandidates(block);
}

/**
 * PostgreSQL answers as on the message path: a lazy view is opened, the
 * lookup misses, the view fetches it (one statement), the lookup is read.
 */
export function postgresLookup(store: RemoteStore): Lookup {
  return async (block) => {
    const opened = await store.openView({ lazy: true });
    try {
      return opened.view.patientCandidates(block);
    } catch (e) {
      if (!(e instanceof ViewMiss) || opened.fill === undefined) throw e;
      await opened.fill(e.reads);
      return opened.view.patientCandidates(block);
    }
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

/**
 * Times `step` once per item, each alone, after a warm-up on other items
 * (so the timed lookups are not answered from a cache the warm-up filled).
 */
async function timeEach<T>(
  items: readonly T[],
  warmUp: readonly T[],
  step: (item: T) => number | Promise<number>,
): Promise<LookupFigures> {
  for (const item of warmUp) consume(await step(item));
  const times: number[] = [];
  const counts: number[] = [];
  const cpu = process.cpuUsage();
  for (const item of items) {
    const start = process.hrtime.bigint();
    const found = await step(item);
    times.push(Number(process.hrtime.bigint() - start) / 1000);
    counts.push(found);
    consume(found);
  }
  const used = process.cpuUsage(cpu);
  const sorted = [...times].sort((a, b) => a - b);
  return {
    queries: items.length,
    medianMicros: median(times),
    p95Micros: percentile(sorted, 0.95),
    cpuMicros: (used.user + used.system) / items.length,
    medianCandidates: median(counts),
  };
}

/** Time each lookup alone (after a warm-up) and report the median. */
export function measureLookups(
  lookUp: Lookup,
  blocks: readonly BlockingKeys[],
  warmUp: readonly BlockingKeys[],
): Promise<LookupFigures> {
  return timeEach(blocks, warmUp, async (block) => (await lookUp(block)).length);
}

/** Blocking keys of `count` stored patients picked at random (the default passes). */
export function lookupBlocks(
  patients: readonly PatientCreate["patient"][],
  count: number,
  seed = 7,
): { allKeys: BlockingKeys[]; picked: PatientCreate["patient"][] } {
  const next = random(seed);
  const allKeys: BlockingKeys[] = [];
  const picked: PatientCreate["patient"][] = [];
  for (let i = 0; i < count; i++) {
    const patient = patients[Math.floor(next() * patients.length)];
    if (!patient) continue;
    picked.push(patient);
    allKeys.push(blockingKeysOf(patient, DEFAULT_PASSES));
  }
  return { allKeys, picked };
}

/**
 * A whole demographic match as the patient handler makes it: the blocking
 * lookup, then the Fellegi–Sunter scorer over the candidates (a stored
 * patient sent again, so each ends in a match). The count is the candidates'.
 */
export function measureMatches(
  lookUp: Lookup,
  incoming: readonly PatientCreate["patient"][],
  warmUp: readonly PatientCreate["patient"][],
  options: ClassifyOptions = {},
): Promise<LookupFigures> {
  const matcher = compileDemographics(DEFAULT_DEMOGRAPHICS);
  return timeEach(incoming, warmUp, async (patient) => {
    const { id: _id, ...received } = patient;
    const candidates = await lookUp(blockingKeysFor(matcher, received));
    consume(classify(matcher, received, candidates, options).kind.length);
    return candidates.length;
  });
}

export type StoreKind = "memory" | "sqlite" | "postgres";

export interface StoreLookupResult {
  readonly store: StoreKind;
  readonly patients: number;
  readonly fillSeconds: number;
  /** How the store was filled: its API, or (PostgreSQL at scale) its first patients so and the rest in bulk. */
  readonly fill: string;
  readonly lookup: LookupFigures;
  /** Lookup and scoring together: the demographic match time. */
  readonly match: LookupFigures;
  /** Memory only: the match scoring every candidate in full (classify's everyCandidate), the baseline of the bound. */
  readonly matchEveryCandidate?: LookupFigures;
}

/** Patients a SQL store is filled with through its API before the bulk load. */
const THROUGH_API = 2_000;

const bulkNote = (n: number): string =>
  n > THROUGH_API ? `API ${fmt(THROUGH_API)}, bulk the rest` : "API";

/** A filled store and its lookup; `close` removes it. */
async function filledStore(
  kind: StoreKind,
  patients: readonly PatientCreate["patient"][],
  postgresUrl: (() => Promise<string>) | undefined,
): Promise<{ lookUp: Lookup; fill: string; close(): Promise<void> }> {
  if (kind === "memory") {
    const store = createMemoryStore();
    await fillStore(store, patients);
    return { lookUp: localLookup(store), fill: "API", close: () => store.close() };
  }
  if (kind === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "rulepack-bench-"));
    const file = join(dir, "bench.db");
    const first = patients.slice(0, THROUGH_API);
    const filling = openSqliteStore(file);
    await fillStore(filling, first);
    await filling.close();
    bulkLoadSqlite(file, first.slice(0, 200), patients.slice(THROUGH_API));
    const store = openSqliteStore(file);
    return {
      lookUp: localLookup(store),
      fill: bulkNote(patients.length),
      async close() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (postgresUrl === undefined) throw new Error("no PostgreSQL cluster");
  const url = await postgresUrl();
  const store = openPostgresStore(url);
  const first = patients.slice(0, THROUGH_API);
  // Small messages: a commit locks each key it writes (decision 0037), 64 per connection by default.
  await fillStore(store, first, 100);
  await checkRowsMatch(url, first.slice(0, 200));
  await bulkLoadPatients(url, patients.slice(THROUGH_API));
  return {
    lookUp: postgresLookup(store),
    fill: bulkNote(patients.length),
    close: () => store.close(),
  };
}

/** Fill one store of `n` patients and measure its lookups and matches. */
export async function benchStoreLookup(
  kind: StoreKind,
  n: number,
  lookups = 1000,
  postgresUrl?: () => Promise<string>,
): Promise<StoreLookupResult> {
  const patients = syntheticPatients(n);
  // Other patients for each measurement: PostgreSQL's view keeps the answers it fetched.
  const lookedUp = lookupBlocks(patients, lookups);
  const matched = lookupBlocks(patients, lookups, 13);
  const warm = lookupBlocks(patients, Math.min(200, lookups), 11);
  const start = process.hrtime.bigint();
  const store = await filledStore(kind, patients, postgresUrl);
  const fillSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  try {
    return {
      store: kind,
      patients: n,
      fillSeconds,
      fill: store.fill,
      lookup: await measureLookups(store.lookUp, lookedUp.allKeys, warm.allKeys),
      match: await measureMatches(store.lookUp, matched.picked, warm.picked),
      ...(kind === "memory" && {
        matchEveryCandidate: await measureMatches(store.lookUp, matched.picked, warm.picked, {
          everyCandidate: true,
        }),
      }),
    };
  } finally {
    await store.close();
  }
}

/**
 * For bench/run.ts: `patientCandidates` with all keys on a SQLite store of
 * `n` patients against the in-memory store's index (the baseline). The
 * stores are filled on the first call, inside the harness's warm-up (so a
 * `--filter` that skips this suite pays nothing); later calls are the
 * view's synchronous reads, never awaited.
 */
export function storeLookupSuites(n = 100_000, lookups = 200): LookupSuite[] {
  let prepared: { stores: Record<"memory" | "sqlite", Store>; blocks: BlockingKeys[] } | undefined;
  let preparing: Promise<void> | undefined;
  const prepare = async (): Promise<void> => {
    const patients = syntheticPatients(n);
    const dir = mkdtempSync(join(tmpdir(), "rulepack-bench-"));
    const sqlite = openSqliteStore(join(dir, "bench.db"));
    process.once("exit", () => {
      // The embedded store closes at the call; the promise only reports it.
      void sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const memory = createMemoryStore();
    await fillStore(memory, patients);
    await fillStore(sqlite, patients);
    prepared = { stores: { memory, sqlite }, blocks: lookupBlocks(patients, lookups).allKeys };
  };
  const subject = (name: string, pick: "memory" | "sqlite") => {
    const lookUp = (): number => {
      if (!prepared) throw new Error("the lookup stores are not filled");
      const { stores, blocks } = prepared;
      for (const block of blocks) consume(stores[pick].patientCandidates(block).length);
      return blocks.length;
    };
    return {
      name,
      run(): number | Promise<number> {
        if (prepared) return lookUp();
        preparing ??= prepare();
        return preparing.then(lookUp);
      },
    };
  };
  return [
    {
      name: `store patientCandidates, ${n.toLocaleString("en-US")} patients (all keys)`,
      unit: "lookup",
      unitsPerPass: lookups,
      baseline: subject("memory store index", "memory"),
      subject: subject("sqlite store (patient_keys index)", "sqlite"),
    },
  ];
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** A database per size on one throw-away cluster (test/support/pg-cluster.ts), started on first use. */
function postgresDatabases(): { next(): Promise<string>; stop(): Promise<void> } {
  let cluster: Promise<Cluster> | undefined;
  let count = 0;
  return {
    async next() {
      cluster ??= startCluster();
      const url = new URL((await cluster).url);
      url.pathname = `/lookup${++count}`;
      return url.toString();
    },
    async stop() {
      if (cluster) await (await cluster).stop();
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: "string", default: "100000,1000000" },
      lookups: { type: "string", default: "1000" },
      stores: { type: "string", default: "memory,sqlite,postgres" },
    },
  });
  const sizes = (values.sizes as string).split(",").map(Number);
  const stores = (values.stores as string).split(",") as StoreKind[];
  const lookups = Number(values.lookups);
  const databases = postgresDatabases();
  const results: StoreLookupResult[] = [];
  try {
    for (const n of sizes) {
      process.stdout.write(
        `\nblocks of the default passes at ${fmt(n)} patients (skipped: larger than ${MAX_BLOCK_SIZE}):\n`,
      );
      for (const b of blockSizes(syntheticPatients(n))) {
        process.stdout.write(
          `  ${b.pass.padEnd(34)} ${fmt(b.blocks).padStart(9)} blocks, largest ${fmt(b.largest).padStart(6)}, mean ${fmt(b.mean, 1).padStart(6)}, mean seen ${fmt(b.meanSeen, 1).padStart(6)}, skipped ${fmt(b.skipped)}\n`,
        );
      }
      process.stdout.write(
        "store     patients  fill s  lookup: median µs  p95 µs  candidates   match: median µs  p95 µs  cpu µs  × memory   fill\n",
      );
      for (const kind of stores) {
        const r = await benchStoreLookup(kind, n, lookups, () => databases.next());
        results.push(r);
        const memory = results.find((m) => m.store === "memory" && m.patients === n);
        const ratio = memory ? r.match.medianMicros / memory.match.medianMicros : Number.NaN;
        process.stdout.write(
          `${r.store.padEnd(8)} ${fmt(r.patients).padStart(9)} ${fmt(r.fillSeconds, 0).padStart(7)}` +
            `  ${fmt(r.lookup.medianMicros, 1).padStart(17)} ${fmt(r.lookup.p95Micros, 1).padStart(7)} ${fmt(r.lookup.medianCandidates).padStart(11)}` +
            `   ${fmt(r.match.medianMicros, 1).padStart(16)} ${fmt(r.match.p95Micros, 1).padStart(7)} ${fmt(r.match.cpuMicros, 1).padStart(7)} ${fmt(ratio, 2).padStart(9)}   ${r.fill}\n`,
        );
        const every = r.matchEveryCandidate;
        if (every) {
          process.stdout.write(
            `  (scoring every candidate, no bound: match median ${fmt(every.medianMicros, 1)} µs, p95 ${fmt(every.p95Micros, 1)}, cpu ${fmt(every.cpuMicros, 1)}; the bound's ×${fmt(every.medianMicros / r.match.medianMicros, 2)})\n`,
          );
        }
      }
    }
  } finally {
    await databases.stop();
  }
  const goal = results.find((r) => r.store === "memory" && r.patients === 1_000_000);
  if (goal) {
    const met = goal.match.medianMicros <= 1000 ? "MET" : "NOT MET";
    process.stdout.write(
      `\ngoal: a match at or under 1 ms median at 10⁶ patients (memory): ${fmt(goal.match.medianMicros, 1)} µs, ${met}\n`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
