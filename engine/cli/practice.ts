import { existsSync } from "node:fs";
import { type CliIo, EXIT } from "../io/cli-io.js";
import type { MasterData } from "../model/master-data.js";
import type { CompiledPack } from "../pack/compiled.js";
import { loadPractice, masterDataBeside as readMasterDataBeside } from "../pack/practice-load.js";
import { isPostgresUrl, openStore, storeLocation } from "../store/open.js";
import type { Store } from "../store/types.js";

/**
 * What the commands that work for one practice open: its pack (warnings and
 * located errors on stderr), the `master-data.yaml` beside it, and the store.
 */

export type Opened<T> =
  | ({ readonly ok: true } & T)
  | { readonly ok: false; readonly exitCode: number };

/** The pack, refused when it does not load or is abstract (`base.yaml`). */
export function loadPracticePack(
  file: string,
  io: CliIo,
): Opened<{ readonly pack: CompiledPack; readonly masterData?: MasterData }> {
  const load = loadPractice(file);
  if (!load.ok) {
    for (const e of load.errors) io.stderr(`${e}\n`);
    return { ok: false, exitCode: EXIT.usage };
  }
  for (const w of load.warnings) io.stderr(`${w}\n`);
  return { ok: true, pack: load.pack, ...(load.masterData && { masterData: load.masterData }) };
}

/** The practice's master data beside its pack, when there is one. */
export function masterDataBeside(
  packFile: string,
  io: CliIo,
): Opened<{ readonly data?: MasterData }> {
  const master = readMasterDataBeside(packFile);
  if (!master.ok) {
    for (const e of master.errors) io.stderr(`${e}\n`);
    return { ok: false, exitCode: EXIT.usage };
  }
  return master;
}

/** An existing store: a mistyped name must not create an empty queue. */
export function openExistingStore(given: string, io: CliIo): Store | undefined {
  const db = storeLocation(given, process.env);
  if (db !== ":memory:" && !isPostgresUrl(db) && !existsSync(db)) {
    io.stderr(`rulepack: no store at ${db} (rulepack run or serve --db FILE creates one)\n`);
    return undefined;
  }
  try {
    return openStore(db, { create: false });
  } catch (e) {
    io.stderr(`rulepack: cannot open the store ${db}: ${e instanceof Error ? e.message : e}\n`);
    return undefined;
  }
}

/**
 * The pack (read now, so a mapping row added since is used) and the store
 * with the practice's master data loaded. `existing`: the store must exist
 * already (the queue commands); else it is created on first use (run).
 */
export async function openPractice(
  packFile: string,
  db: string,
  io: CliIo,
  options: { readonly existing: boolean },
): Promise<Opened<{ readonly pack: CompiledPack; readonly store: Store }>> {
  const practice = loadPracticePack(packFile, io);
  if (!practice.ok) return practice;
  const store = options.existing
    ? openExistingStore(db, io)
    : openStore(storeLocation(db, process.env));
  if (!store) return { ok: false, exitCode: EXIT.failed };
  if (practice.masterData) await store.loadMasterData(practice.masterData);
  return { ok: true, pack: practice.pack, store };
}
