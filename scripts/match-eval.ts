/**
 * Evaluates the demographic matcher on corpus/matching (read in place, never
 * copied): precision, recall and F1 of the automatic links, and the size of
 * the review band, per data set.
 *
 *   node --import tsx scripts/match-eval.ts [--config FILE] [--only febrl1,dsgenC10k] [--corpus DIR]
 *     [--show-false N]   (print up to N wrong automatic links per data set, with their scores)
 *     [--show-missed N]  (print up to N records not linked whose true patient was a candidate)
 *     [--passes]         (print the blocking recall of each pass, and of it alone)
 *     [--why]            (count the records not linked automatically whose true patient was a
 *                        candidate, by why: a guard, an ambiguous match, below match, below review)
 *     [--json FILE]      (where to write the figures as JSON; default rulepack-match-eval.json in the temp dir)
 *     [--train | --hand-set]  (only weights trained by EM on each set's own records, or only the
 *                        configuration's m and u; both by default)
 *
 * The matcher is configured only by YAML (`matching.demographics` of
 * --config, default test/fixtures/matching/eval-config.yaml).
 *
 * How records are fed. As the engine does: records arrive one at a time, in
 * file order, and each is classified against the patients stored so far,
 * found through an in-memory index on blockingKeysFor (never all pairs):
 * - match: the record is linked to that patient (an update; the stored
 *   demographics stay as first registered, as a substantial change would be
 *   held for review anyway);
 * - none: the record becomes a new patient and is indexed;
 * - review: a person decides. The script plays that person with the ground
 *   truth: the record joins its true patient when one is among the
 *   candidates, else it becomes a new patient. Review decisions never count
 *   as automatic links.
 * Link task (febrl4): 4a is stored first, each 4b record is classified
 * against it, and 4b records are not stored.
 *
 * Figures. Auto-linked pairs are the record pairs inside the clusters the
 * automatic links form (transitively), the pairs the truth files list;
 * precision = correct / auto-linked, recall = correct / true pairs. The
 * review band is counted in records sent to review and in record-candidate
 * pairs listed; "review hits" are review records whose true patient was
 * among the candidates. "blocked" is the share of true pairs that share at
 * least one blocking key (the recall ceiling of blocking).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import {
  blockingKeysFor,
  type CompiledDemographics,
  classify,
  compileDemographics,
  type DemographicsConfig,
  demographicsConfigFrom,
  scorePair,
} from "../engine/matching/index.js";
import { trainWeights } from "../engine/matching/train.js";
import {
  nameShares,
  trainedFileFrom,
  trainedFileText,
  withTrainedWeights,
} from "../engine/matching/trained-file.js";
import type { Patient } from "../engine/model/records.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export interface Dataset {
  readonly name: string;
  readonly files: readonly string[];
  readonly truth: string;
  /** The entity a record id belongs to. */
  readonly entity: (recId: string) => string;
  readonly link?: boolean;
}

const febrlEntity = (recId: string): string => /^rec-(\d+)-/.exec(recId)?.[1] ?? recId;
const dsgenEntity = (recId: string): string => recId.slice(0, -1);

export const DATASETS: readonly Dataset[] = [
  {
    name: "febrl1",
    files: ["febrl/febrl_dataset1.csv"],
    truth: "truth/febrl1_true_pairs.csv",
    entity: febrlEntity,
  },
  {
    name: "febrl2",
    files: ["febrl/febrl_dataset2.csv"],
    truth: "truth/febrl2_true_pairs.csv",
    entity: febrlEntity,
  },
  {
    name: "febrl3",
    files: ["febrl/febrl_dataset3.csv"],
    truth: "truth/febrl3_true_pairs.csv",
    entity: febrlEntity,
  },
  {
    name: "febrl4",
    files: ["febrl/febrl_dataset4a.csv", "febrl/febrl_dataset4b.csv"],
    truth: "truth/febrl4_a_b_true_links.csv",
    entity: febrlEntity,
    link: true,
  },
  {
    name: "dsgenC1k",
    files: ["febrl_dsgen/dataset_C_1000.csv"],
    truth: "truth/dsgen_C_1000_true_pairs.csv",
    entity: dsgenEntity,
  },
  {
    name: "dsgenC10k",
    files: ["febrl_dsgen/dataset_C_10000.csv"],
    truth: "truth/dsgen_C_10000_true_pairs.csv",
    entity: dsgenEntity,
  },
  {
    name: "febrlUS1k",
    files: ["febrl_us/febrl_us_dataset1000.csv"],
    truth: "truth/febrl_us_1000_true_pairs.csv",
    entity: febrlEntity,
  },
  {
    name: "febrlUS10k",
    files: ["febrl_us/febrl_us_dataset10000.csv"],
    truth: "truth/febrl_us_10000_true_pairs.csv",
    entity: febrlEntity,
  },
];

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Rows of a corpus CSV (no quoting in these files; cells trimmed; latin-1 for the bad bytes). */
function readCsv(path: string): Record<string, string>[] {
  const lines = readFileSync(path, "latin1").split(/\r?\n/);
  const header = (lines[0] ?? "").split(",").map((h) => h.trim());
  const rows: Record<string, string>[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === "") continue;
    const cells = line.split(",");
    const row: Record<string, string> = {};
    header.forEach((h, j) => {
      row[h] = (cells[j] ?? "").trim();
    });
    rows.push(row);
  }
  return rows;
}

const orNull = (value: string | undefined): string | null => (value ? value : null);

/** A corpus row as the canonical Patient the engine would extract from a PID segment. */
function toPatient(row: Record<string, string>): Patient {
  const dob = row.date_of_birth ?? "";
  const line1 = [row.street_number, row.address_1].filter(Boolean).join(" ");
  const sex = (row.sex ?? "").toUpperCase();
  return {
    firstName: orNull(row.given_name),
    lastName: orNull(row.surname),
    dob: /^\d{8}$/.test(dob)
      ? `${dob.slice(0, 4)}-${dob.slice(4, 6)}-${dob.slice(6)}`
      : orNull(dob),
    sex: sex === "M" || sex === "F" ? sex : null,
    ssn: orNull(row.soc_sec_id),
    address: {
      line1: orNull(line1),
      line2: orNull(row.address_2),
      city: orNull(row.suburb),
      state: orNull(row.state),
      zip: orNull(row.postcode),
    },
    phones: { home: orNull(row.phone_number) },
  };
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

function readTruth(path: string): Set<string> {
  const pairs = new Set<string>();
  for (const line of readFileSync(path, "latin1").split(/\r?\n/).slice(1)) {
    const [a, b] = line.split(",");
    if (a && b) pairs.add(pairKey(a.trim(), b.trim()));
  }
  return pairs;
}

function keysOf(compiled: CompiledDemographics, patient: Patient): string[] {
  return [...(blockingKeysFor(compiled, patient).passes ?? [])];
}

/** Patients stored so far, indexed by blocking key. */
class Store {
  readonly patients: Patient[] = [];
  /** Record ids that form each stored patient's automatic cluster. */
  readonly clusters: string[][] = [];
  /** The true entity of the record each patient was registered from. */
  readonly entities: string[] = [];
  private readonly index = new Map<string, number[]>();
  private stamp = new Int32Array(1024);
  private turn = 0;

  add(patient: Patient, recId: string, entity: string, keys: readonly string[]): number {
    const slot = this.patients.length;
    this.patients.push({ ...patient, id: String(slot) });
    this.clusters.push([recId]);
    this.entities.push(entity);
    this.entitySet.add(entity);
    for (const key of keys) {
      const list = this.index.get(key);
      if (list === undefined) this.index.set(key, [slot]);
      else list.push(slot);
    }
    return slot;
  }

  /** Whether a record of the entity is stored. */
  hasEntity(entity: string): boolean {
    return this.entitySet.has(entity);
  }
  private readonly entitySet = new Set<string>();

  candidates(keys: readonly string[]): Patient[] {
    if (this.stamp.length < this.patients.length) {
      this.stamp = new Int32Array(this.patients.length * 2);
    }
    const turn = ++this.turn;
    const out: Patient[] = [];
    for (const key of keys) {
      for (const slot of this.index.get(key) ?? []) {
        if (this.stamp[slot] === turn) continue;
        this.stamp[slot] = turn;
        out.push(this.patients[slot] as Patient);
      }
    }
    return out;
  }
}

interface Figures {
  name: string;
  records: number;
  truePairs: number;
  blocked: number;
  /** True pairs sharing each pass's key. */
  byPass: Record<string, number>;
  /** Records not linked automatically whose true patient was a candidate, by why (guard, ambiguous, below a threshold). */
  missedWhy: Record<string, number>;
  linked: number;
  correct: number;
  reviewRecords: number;
  reviewPairs: number;
  reviewHits: number;
  comparisons: number;
  seconds: number;
}

/** How a set is weighed: the configuration's hand-set m and u, or weights trained on the set's own records. */
export type Weights = "hand-set" | "trained";

function evaluate(
  dataset: Dataset,
  base: DemographicsConfig,
  corpus: string,
  showFalse: number,
  weights: Weights,
): Figures {
  const started = performance.now();
  const tables = dataset.files.map((f) => readCsv(resolve(corpus, f)));
  const compiled = compileDemographics(
    weights === "trained" ? trained(base, tables.flat().map(toPatient)) : base,
  );
  const truth = readTruth(resolve(corpus, dataset.truth));
  const records = tables.flat();
  const store = new Store();
  let linked = 0;
  let correct = 0;
  let reviewRecords = 0;
  let reviewPairs = 0;
  let reviewHits = 0;
  let comparisons = 0;
  let shown = 0;
  let shownMissed = 0;
  /** Records not linked automatically whose true patient was a candidate, by why. */
  const missedWhy: Record<string, number> = {};
  const showMissed = Number(option("show-missed") ?? 0);

  const keysById = new Map<string, Set<string>>();
  const prepared = (rows: readonly Record<string, string>[]) =>
    rows.map((row) => {
      const recId = row.rec_id ?? "";
      const patient = toPatient(row);
      const keys = keysOf(compiled, patient);
      keysById.set(recId, new Set(keys));
      return { recId, patient, keys, entity: dataset.entity(recId) };
    });

  const handle = (
    r: { recId: string; patient: Patient; keys: string[]; entity: string },
    storeNew: boolean,
  ): void => {
    const candidates = store.candidates(r.keys);
    comparisons += candidates.length;
    const decision = classify(compiled, r.patient, candidates);
    if (decision.kind === "match") {
      const cluster = store.clusters[Number(decision.patientId)] as string[];
      for (const other of cluster) {
        linked++;
        if (truth.has(pairKey(r.recId, other))) correct++;
      }
      if (shown < showFalse && store.entities[Number(decision.patientId)] !== r.entity) {
        shown++;
        const fields = Object.entries(decision.score.fields)
          .filter(([, s]) => s.level !== "missing")
          .map(([f, s]) => `${f}=${s.level}(${s.weight.toFixed(1)})`)
          .join(" ");
        const stored = store.patients[Number(decision.patientId)];
        process.stdout.write(
          `  false link ${r.recId} -> ${cluster[0]} total ${decision.score.total.toFixed(1)}: ${fields}\n` +
            `    incoming ${JSON.stringify(r.patient)}\n    stored   ${JSON.stringify(stored)}\n`,
        );
      }
      cluster.push(r.recId);
      return;
    }
    const own = candidates.find((c) => store.entities[Number(c.id)] === r.entity);
    if (own !== undefined) {
      const score = scorePair(compiled, r.patient, own);
      const why =
        decision.kind === "review" && decision.reason === "ambiguousMatch"
          ? "ambiguous"
          : score.guard !== undefined && score.total >= compiled.thresholds.match
            ? `guard ${score.guard}`
            : score.total >= compiled.thresholds.review
              ? "below match"
              : "below review";
      missedWhy[why] = (missedWhy[why] ?? 0) + 1;
    } else if (store.hasEntity(r.entity)) {
      missedWhy["not a candidate"] = (missedWhy["not a candidate"] ?? 0) + 1;
    }
    if (shownMissed < showMissed) {
      if (own !== undefined) {
        shownMissed++;
        const score = scorePair(compiled, r.patient, own);
        const fields = Object.entries(score.fields)
          .map(([f, s]) => `${f}=${s.level}(${s.weight.toFixed(1)})`)
          .join(" ");
        process.stdout.write(
          `  missed ${r.recId} (${decision.kind}) total ${score.total.toFixed(1)}${score.guard ? ` guard ${score.guard}` : ""}: ${fields}\n` +
            `    incoming ${JSON.stringify(r.patient)}\n    stored   ${JSON.stringify(own)}\n`,
        );
      }
    }
    if (decision.kind === "review") {
      reviewRecords++;
      reviewPairs += decision.candidates.length;
      const hit = decision.candidates.find((c) => store.entities[Number(c.patientId)] === r.entity);
      if (hit !== undefined) {
        reviewHits++;
        return; // the reviewer links it; not an automatic link
      }
    }
    if (storeNew) store.add(r.patient, r.recId, r.entity, r.keys);
  };

  if (dataset.link) {
    const [a, b] = tables;
    for (const r of prepared(a ?? [])) store.add(r.patient, r.recId, r.entity, r.keys);
    for (const r of prepared(b ?? [])) handle(r, false);
  } else {
    for (const r of prepared(records)) handle(r, true);
  }

  let blocked = 0;
  const byPass: Record<string, number> = {};
  for (const pair of truth) {
    const [x, y] = pair.split("\u0000") as [string, string];
    const kx = keysById.get(x);
    const ky = keysById.get(y);
    const shared = kx && ky ? [...kx].filter((k) => ky.has(k)) : [];
    if (shared.length > 0) blocked++;
    const names = new Set(shared.map((k) => k.slice(0, k.indexOf(":"))));
    for (const name of names) byPass[name] = (byPass[name] ?? 0) + 1;
    if (names.size === 1) {
      const only = `only ${[...names][0]}`;
      byPass[only] = (byPass[only] ?? 0) + 1;
    }
  }
  return {
    name: dataset.name,
    records: records.length,
    truePairs: truth.size,
    blocked,
    byPass,
    missedWhy,
    linked,
    correct,
    reviewRecords,
    reviewPairs,
    reviewHits,
    comparisons,
    seconds: (performance.now() - started) / 1000,
  };
}

export function loadConfig(path: string): DemographicsConfig {
  const doc = parse(readFileSync(path, "utf8")) as { matching?: { demographics?: unknown } };
  return demographicsConfigFrom(doc?.matching?.demographics);
}

/**
 * The configuration with weights trained on the data set's own records
 * (unlabelled), through the file `rulepack match train` writes and a pack
 * reads: what a practice running the command on its store would get.
 */
function trained(config: DemographicsConfig, patients: readonly Patient[]): DemographicsConfig {
  const t = trainWeights(config, patients);
  const text = trainedFileText(t, patients.length, nameShares(patients));
  if (process.argv.includes("--verbose")) process.stdout.write(text.replace(/^/gm, "    "));
  return withTrainedWeights(config, trainedFileFrom(text));
}

/** A data set's figures, with the ratios match-eval prints and its floor test asserts. */
export interface SetResult extends Figures {
  readonly weights: Weights;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Records sent to review, as a share of the records. */
  readonly reviewShare: number;
  /** True pairs that share a blocking key. */
  readonly blockingRecall: number;
}

export const DEFAULT_CONFIG = resolve(ROOT, "test/fixtures/matching/eval-config.yaml");
export const DEFAULT_CORPUS = resolve(ROOT, "../shared/corpus/matching");

/** Evaluates one data set (read in place from `corpus`). */
export function evaluateSet(
  dataset: Dataset,
  config: DemographicsConfig,
  weights: Weights,
  corpus = DEFAULT_CORPUS,
  showFalse = 0,
): SetResult {
  const f = evaluate(dataset, config, corpus, showFalse, weights);
  const precision = f.linked === 0 ? 1 : f.correct / f.linked;
  const recall = f.correct / f.truePairs;
  return {
    ...f,
    weights,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    reviewShare: f.reviewRecords / f.records,
    blockingRecall: f.blocked / f.truePairs,
  };
}

const fixed = (n: number, digits = 3): string => (Number.isFinite(n) ? n.toFixed(digits) : "-");

function main(): void {
  const configPath = resolve(option("config") ?? DEFAULT_CONFIG);
  const corpus = resolve(option("corpus") ?? DEFAULT_CORPUS);
  const only = option("only")?.split(",");
  const modes: Weights[] = process.argv.includes("--train")
    ? ["trained"]
    : process.argv.includes("--hand-set")
      ? ["hand-set"]
      : ["hand-set", "trained"];
  const config = loadConfig(configPath);
  const compiled = compileDemographics(config);
  const { match, review } = compiled.thresholds;
  process.stdout.write(
    `config ${configPath}\nthresholds match ${match}, review ${review}; partialFactor ${compiled.partialFactor}\n` +
      "weights: hand-set (the configuration's m and u) and trained (EM on each set's own records, as rulepack match train)\n\n",
  );
  const columns = [
    ["dataset", 11],
    ["weights", 9],
    ["records", 8],
    ["true", 7],
    ["blocked", 8],
    ["linked", 7],
    ["precision", 10],
    ["recall", 7],
    ["F1", 6],
    ["review", 7],
    ["rev.share", 10],
    ["rev.hits", 9],
    ["compared", 9],
    ["seconds", 8],
  ] as const;
  const row = (cells: readonly string[]) =>
    `${cells.map((c, i) => (i < 2 ? c.padEnd(columns[i]?.[1] ?? 8) : c.padStart(columns[i]?.[1] ?? 8))).join(" ")}\n`;
  process.stdout.write(row(columns.map(([name]) => name)));
  const results: SetResult[] = [];
  for (const weights of modes) {
    for (const dataset of DATASETS) {
      if (only && !only.includes(dataset.name)) continue;
      const r = evaluateSet(dataset, config, weights, corpus, Number(option("show-false") ?? 0));
      results.push(r);
      process.stdout.write(
        row([
          r.name,
          weights,
          String(r.records),
          String(r.truePairs),
          fixed(r.blockingRecall),
          String(r.linked),
          fixed(r.precision, 4),
          fixed(r.recall),
          fixed(r.f1),
          String(r.reviewRecords),
          fixed(r.reviewShare),
          String(r.reviewHits),
          String(r.comparisons),
          fixed(r.seconds, 2),
        ]),
      );
      if (process.argv.includes("--why")) {
        for (const [why, n] of Object.entries(r.missedWhy).sort((x, y) => y[1] - x[1])) {
          process.stdout.write(`    missed, ${why.padEnd(24)} ${n}\n`);
        }
      }
      if (process.argv.includes("--passes")) {
        for (const [name, n] of Object.entries(r.byPass).sort((x, y) => y[1] - x[1])) {
          process.stdout.write(`    ${name.padEnd(32)} ${fixed(n / r.truePairs)}\n`);
        }
      }
    }
  }
  const json = resolve(option("json") ?? join(tmpdir(), "rulepack-match-eval.json"));
  writeFileSync(json, `${JSON.stringify({ config: configPath, results }, null, 2)}\n`);
  process.stdout.write(`\nwrote ${json}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
