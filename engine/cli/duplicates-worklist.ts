import { formatPackError } from "../documents/errors.js";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import { DEFAULT_DEMOGRAPHICS } from "../matching/config.js";
import { type DuplicatePair, findDuplicates } from "../matching/duplicates.js";
import { compileDemographics } from "../matching/scorer.js";
import { loadPack } from "../pack/load.js";
import { storedPatients } from "./match-command.js";
import { openExistingStore } from "./practice.js";

export interface DuplicatesOptions {
  readonly db: string;
  readonly format: "text" | "json";
  /** The practice's pack, whose matcher scores the pairs; the engine's defaults without. */
  readonly pack?: string;
}

/** At most this many patients are compared (a practice's store, read a page at a time). */
const MAX_PATIENTS = 2_000_000;

/**
 * `rulepack worklist duplicates`: pairs of stored patients that are likely
 * one person (engine/matching/duplicates.ts), best first, for a person to
 * merge. Text: one line per pair — the two patient IDs, the total, the band
 * (match or review), a guard if one applies, and the fields that agree,
 * partially agree and disagree (names only, no patient data) — then the
 * count. JSON: one pair per line, the count on stderr. Exit 1 when there
 * are pairs (a finding), 0 when none.
 */
export async function duplicatesCommand(
  options: DuplicatesOptions,
  io: CliIo,
): Promise<CommandResult> {
  let config = compileDemographics(DEFAULT_DEMOGRAPHICS);
  if (options.pack !== undefined) {
    const loaded = loadPack(options.pack);
    if (!loaded.ok) {
      for (const e of loaded.errors) io.stderr(`${formatPackError(e)}\n`);
      return { exitCode: EXIT.usage };
    }
    config = loaded.pack.matching.demographics;
  }
  const store = openExistingStore(options.db, io);
  if (!store) return { exitCode: EXIT.failed };
  let pairs: DuplicatePair[];
  try {
    pairs = findDuplicates(config, await storedPatients(store, MAX_PATIENTS));
  } finally {
    await store.close();
  }
  const count = `${pairs.length} likely duplicate pair${pairs.length === 1 ? "" : "s"}\n`;
  if (options.format === "json") {
    for (const p of pairs) io.stdout(`${JSON.stringify(p)}\n`);
    io.stderr(count);
  } else {
    for (const p of pairs) io.stdout(`${textLine(p)}\n`);
    io.stdout(count);
  }
  return { exitCode: pairs.length > 0 ? EXIT.failed : EXIT.ok };
}

function textLine(p: DuplicatePair): string {
  const list = (fields: readonly string[]) => (fields.length > 0 ? fields.join(",") : "-");
  return [
    `${p.patientIds[0]} ${p.patientIds[1]}`,
    `total=${p.total.toFixed(1)}`,
    `band=${p.band}`,
    ...(p.guard ? [`guard=${p.guard}`] : []),
    `agree=${list(p.agree)}`,
    `partial=${list(p.partial)}`,
    `disagree=${list(p.disagree)}`,
  ].join(" ");
}
