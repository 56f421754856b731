import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { formatPackError } from "../documents/errors.js";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import { trainWeights } from "../matching/train.js";
import { nameShares, trainedFileText } from "../matching/trained-file.js";
import type { Patient } from "../model/records.js";
import { loadPack } from "../pack/load.js";
import type { Store } from "../store/types.js";
import { usageError } from "./args.js";
import { openExistingStore } from "./practice.js";

export const MATCH_USAGE =
  "rulepack match train --pack PACK [--db FILE] [--out FILE] [--max-patients N]";

/** Patients read a page at a time, up to `max` (the newest are left out past it). */
export async function storedPatients(store: Store, max: number): Promise<Patient[]> {
  const out: Patient[] = [];
  let after = 0;
  while (out.length < max) {
    const page = await store.patientPage(after, Math.min(10_000, max - out.length));
    out.push(...page.records);
    if (page.next === undefined) break;
    after = page.next;
  }
  return out;
}

/**
 * `rulepack match train`: estimates the m and u probability of each
 * comparison level of the pack's demographic fields by EM over the
 * practice's stored patients (engine/matching/train.ts) and writes them to
 * `--out` (default `trained-weights.yaml` beside the pack), the file
 * `matching.demographics.trained` names. No labels are needed; no patient
 * data is printed, only counts and weights.
 */
export async function matchCommand(args: readonly string[], io: CliIo): Promise<CommandResult> {
  const [name, ...rest] = args;
  if (name !== "train") return usageError(io, MATCH_USAGE, `unknown match command '${name ?? ""}'`);
  let values: Record<string, string | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        pack: { type: "string" },
        db: { type: "string", default: "rulepack.sqlite" },
        out: { type: "string" },
        "max-patients": { type: "string", default: "200000" },
      },
    }) as { values: Record<string, string | undefined>; positionals: string[] });
  } catch (e) {
    return usageError(io, MATCH_USAGE, (e as Error).message);
  }
  if (positionals.length > 0) {
    return usageError(io, MATCH_USAGE, `unexpected argument '${positionals[0]}'`);
  }
  const packFile = values.pack;
  if (packFile === undefined) return usageError(io, MATCH_USAGE, "--pack is required");
  const max = Number(values["max-patients"]);
  if (!Number.isInteger(max) || max < 2) {
    return usageError(io, MATCH_USAGE, "--max-patients must be a whole number of at least 2");
  }
  const loaded = loadPack(packFile);
  if (!loaded.ok) {
    for (const e of loaded.errors) io.stderr(`${formatPackError(e)}\n`);
    return { exitCode: EXIT.usage };
  }
  const store = openExistingStore(values.db ?? "rulepack.sqlite", io);
  if (!store) return { exitCode: EXIT.failed };
  let patients: Patient[];
  try {
    patients = await storedPatients(store, max);
  } finally {
    await store.close();
  }
  if (patients.length < 2) {
    io.stderr(`rulepack: ${patients.length} stored patient(s): nothing to train on\n`);
    return { exitCode: EXIT.failed };
  }
  const trained = trainWeights(loaded.pack.matching.demographics, patients);
  const out = values.out ?? join(dirname(packFile), "trained-weights.yaml");
  writeFileSync(out, trainedFileText(trained, patients.length, nameShares(patients)));
  io.stdout(
    `trained on ${patients.length} patients, ${trained.pairs} blocked pairs, match share ${trained.matchShare.toFixed(4)}, ${trained.iterations} iterations\n`,
  );
  for (const f of trained.fields) {
    const w = f.weights;
    io.stdout(
      `  ${f.field.padEnd(11)} agree ${w.agree.toFixed(2)}  partial ${w.partial.toFixed(2)}  disagree ${w.disagree.toFixed(2)}\n`,
    );
  }
  io.stdout(`wrote ${out}; name it in the pack: matching.demographics.trained\n`);
  return { exitCode: EXIT.ok };
}
