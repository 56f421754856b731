/**
 * Blocking lookups at scale: fill a store with N synthetic patients and time
 * `patientCandidates` (the demographic matcher's only query) on both stores.
 *
 *   node --import tsx bench/store-lookup.ts [--sizes 100000,1000000] [--lookups 1000]
 *     [--stores memory,sqlite]
 *
 * Filling goes through the public API: one received message per chunk of
 * `patient.create` actions (100,000 by default), so each chunk is a single
 * SQLite transaction. Lookups ask with a stored patient's blocking keys:
 * "all keys" (the default passes, DEFAULT_PASSES) as the matcher does, and
 * "no name" (the passes without a name sound) to show what names cost.
 * "match" is the whole demographic match: lookup and scoring.
 *
 * Synthetic data (syntheticPatients): a practice's patients with skewed
 * surnames, first names and ZIPs. Before the timings, each pass's block
 * sizes: how many blocks, the largest, the mean size of the block a stored
 * patient falls in, and how many exceed MAX_BLOCK_SIZE (lookups skip those).
 *
 * Timings are printed, never asserted. `storeLookupSuites` offers the same
 * measurement to bench/run.ts: SQLite against the in-memory index.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { blockingKeysOf, DEFAULT_PASSES, MAX_BLOCK_SIZE } from "../engine/matching/blocking.js";
import { DEFAULT_DEMOGRAPHICS } from "../engine/matching/config.js";
import { blockingKeysFor, classify, compileDemographics } from "../engine/matching/scorer.js";
import type { PatientCreate } from "../engine/model/actions.js";
import { createMemoryStore } from "../engine/store/memory.js";
import { openSqliteStore } from "../engine/store/sqlite.js";
import type { BlockingKeys, LocalStore as Store } from "../engine/store/types.js";

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

const DAY = 86_400_000;
const DOB_FROM = Date.UTC(1930, 0, 1);
const DOB_DAYS = Math.round((Date.UTC(2020, 0, 1) - DOB_FROM) / DAY);

/**
 * The i-th synthetic patient (IDs from 1001, like the store's own): a
 * practice's patients. Surnames: 20,000 made-up names, Zipf 0.7 (the
 * commonest 1.6% of patients, Smith is 0.9% of the US); first names:
 * 2,000, Zipf 0.8 (the commonest 5%); 30 ZIPs around the practice, Zipf 1
 * (the commonest 25%); dates of birth uniform over 1930-2019; SSNs and
 * phones unique.
 */
export function syntheticPatients(n: number, seed = 42): PatientCreate["patient"][] {
  const next = random(seed);
  const lastName = zipf(surnames(20_000, next), 0.7, next);
  const firstName = zipf(
    surnames(2000, next).map((name) => name.slice(0, 8)),
    0.8,
    next,
  );
  const zip = zipf(
    Array.from({ length: 30 }, (_, i) => String(12_301 + i * 7)),
    1,
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
      address: { line1: `${i % 9000} Main St`, city: "Springfield", state: "NY", zip: zip() },
    });
  }
  return out;
}

/** Block sizes per pass over the patients: the largest, the mean per patient looked up, and how many keys exceed MAX_BLOCK_SIZE. */
export interface BlockSizes {
  readonly pass: string;
  readonly blocks: number;
  readonly largest: number;
  /** The mean size of the block a stored patient falls in (what a lookup of one reads). */
  readonly meanSeen: number;
  /** Blocks larger than MAX_BLOCK_SIZE, which lookups skip. */
  readonly skipped: number;
}

export function blockSizes(patients: readonly PatientCreate["patient"][]): BlockSizes[] {
  const counts = new Map<string, Map<string, number>>();
  for (const patient of patients) {
    for (const key of blockingKeysOf(patient).passes ?? []) {
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
    return { pass, blocks: byKey.size, largest, meanSeen: squares / total, skipped };
  });
}

/** Fill through receive + complete, `chunk` creates per message (one transaction each). */
export async function fillStore(
  store: Store,
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
  readonly p90Micros: number;
  readonly medianCandidates: number;
}

/** Time each lookup alone (after a warm-up) and report the median. */
export function measureLookups(store: Store, blocks: readonly BlockingKeys[]): LookupFigures {
  for (const block of blocks.slice(0, Math.min(100, blocks.length))) {
    consume(store.patientCandidates(block).length);
  }
  const times: number[] = [];
  const counts: number[] = [];
  for (const block of blocks) {
    const start = process.hrtime.bigint();
    const found = store.patientCandidates(block).length;
    times.push(Number(process.hrtime.bigint() - start) / 1000);
    counts.push(found);
    consume(found);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    queries: blocks.length,
    medianMicros: median(times),
    p90Micros: sorted[Math.floor(sorted.length * 0.9)] ?? 0,
    medianCandidates: median(counts),
  };
}

/** Blocking keys of `count` stored patients picked at random, with and without the name key. */
export function lookupBlocks(
  patients: readonly PatientCreate["patient"][],
  count: number,
  seed = 7,
): { allKeys: BlockingKeys[]; noName: BlockingKeys[]; picked: PatientCreate["patient"][] } {
  const next = random(seed);
  const allKeys: BlockingKeys[] = [];
  const noName: BlockingKeys[] = [];
  const picked: PatientCreate["patient"][] = [];
  for (let i = 0; i < count; i++) {
    const patient = patients[Math.floor(next() * patients.length)];
    if (!patient) continue;
    picked.push(patient);
    const block = blockingKeysOf(patient, DEFAULT_PASSES);
    allKeys.push(block);
    const rest = (block.passes ?? []).filter((key) => !/Soundex|firstInitial/.test(key));
    noName.push({ ...block, passes: rest });
  }
  return { allKeys, noName, picked };
}

/**
 * A whole demographic match as the patient handler makes it: the blocking
 * lookup, then the Fellegi–Sunter scorer over the candidates (a stored
 * patient sent again, so each ends in a match).
 */
export function measureMatches(
  store: Store,
  incoming: readonly PatientCreate["patient"][],
): LookupFigures {
  const matcher = compileDemographics(DEFAULT_DEMOGRAPHICS);
  // Warm-up, as measureLookups: the scorer's first calls are compiled by the JIT.
  for (const patient of incoming.slice(0, Math.min(200, incoming.length))) {
    const { id: _id, ...received } = patient;
    const candidates = store.patientCandidates(blockingKeysFor(matcher, received));
    consume(classify(matcher, received, candidates).kind.length);
  }
  const times: number[] = [];
  const counts: number[] = [];
  for (const patient of incoming) {
    const { id: _id, ...received } = patient;
    const start = process.hrtime.bigint();
    const candidates = store.patientCandidates(blockingKeysFor(matcher, received));
    consume(classify(matcher, received, candidates).kind.length);
    times.push(Number(process.hrtime.bigint() - start) / 1000);
    counts.push(candidates.length);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    queries: incoming.length,
    medianMicros: median(times),
    p90Micros: sorted[Math.floor(sorted.length * 0.9)] ?? 0,
    medianCandidates: median(counts),
  };
}

export interface StoreLookupResult {
  readonly store: "memory" | "sqlite";
  readonly patients: number;
  readonly fillSeconds: number;
  readonly allKeys: LookupFigures;
  readonly noName: LookupFigures;
  /** Lookup and scoring together: the demographic match time. */
  readonly match: LookupFigures;
}

/** Fill one store of `n` patients and measure both kinds of lookup. */
export async function benchStoreLookup(
  kind: "memory" | "sqlite",
  n: number,
  lookups = 1000,
): Promise<StoreLookupResult> {
  const patients = syntheticPatients(n);
  const blocks = lookupBlocks(patients, lookups);
  const dir = kind === "sqlite" ? mkdtempSync(join(tmpdir(), "rulepack-bench-")) : undefined;
  const store = dir ? openSqliteStore(join(dir, "bench.db")) : createMemoryStore();
  try {
    const start = process.hrtime.bigint();
    await fillStore(store, patients);
    const fillSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    return {
      store: kind,
      patients: n,
      fillSeconds,
      allKeys: measureLookups(store, blocks.allKeys),
      noName: measureLookups(store, blocks.noName),
      match: measureMatches(store, blocks.picked),
    };
  } finally {
    await store.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: "string", default: "100000,1000000" },
      lookups: { type: "string", default: "1000" },
      stores: { type: "string", default: "memory,sqlite" },
    },
  });
  const sizes = (values.sizes as string).split(",").map(Number);
  const stores = (values.stores as string).split(",") as ("memory" | "sqlite")[];
  const lookups = Number(values.lookups);
  process.stdout.write(
    "store   patients   fill s  fill/s    all keys: median µs  p90 µs  candidates   no name: median µs  p90 µs  candidates   match: median µs  p90 µs\n",
  );
  for (const n of sizes) {
    process.stdout.write(
      `\nblocks at ${fmt(n)} patients (skipped: larger than ${MAX_BLOCK_SIZE}):\n`,
    );
    for (const b of blockSizes(syntheticPatients(n))) {
      process.stdout.write(
        `  ${b.pass.padEnd(34)} ${fmt(b.blocks).padStart(9)} blocks, largest ${fmt(b.largest).padStart(7)}, mean seen ${fmt(b.meanSeen, 1).padStart(8)}, skipped ${fmt(b.skipped)}\n`,
      );
    }
    for (const kind of stores) {
      const r = await benchStoreLookup(kind, n, lookups);
      process.stdout.write(
        `${r.store.padEnd(7)} ${fmt(r.patients).padStart(9)} ${fmt(r.fillSeconds, 1).padStart(8)} ${fmt(r.patients / r.fillSeconds).padStart(7)}` +
          `    ${fmt(r.allKeys.medianMicros, 1).padStart(17)} ${fmt(r.allKeys.p90Micros, 1).padStart(7)} ${fmt(r.allKeys.medianCandidates).padStart(11)}` +
          `   ${fmt(r.noName.medianMicros, 1).padStart(18)} ${fmt(r.noName.p90Micros, 1).padStart(7)} ${fmt(r.noName.medianCandidates).padStart(11)}` +
          `   ${fmt(r.match.medianMicros, 1).padStart(16)} ${fmt(r.match.p90Micros, 1).padStart(7)}\n`,
      );
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
