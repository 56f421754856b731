import { formatPackError } from "../documents/errors.js";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import { loadMasterData } from "../pack/master-data-load.js";
import { openStore, storeLocation } from "../store/open.js";
import type { Store } from "../store/types.js";

export interface StoreLoadOptions {
  /** The SQLite file; created and migrated when it does not exist. */
  readonly db: string;
  /** The practice's master-data.yaml. */
  readonly masterData: string;
}

/**
 * `rulepack store load --db FILE MASTER_DATA.yaml`: check the master data
 * (schema and cross-references) and replace the store's copy with it. On
 * any problem nothing is written: exit 1 with one `FILE:LINE:COL: CODE
 * message` line per problem on stderr.
 */
export async function storeLoadCommand(
  options: StoreLoadOptions,
  io: CliIo,
): Promise<CommandResult> {
  const load = loadMasterData(options.masterData);
  if (!load.ok) {
    for (const e of load.errors) io.stderr(`${formatPackError(e)}\n`);
    const unreadable = load.errors.some((e) => e.code === "FILE_NOT_FOUND");
    return { exitCode: unreadable ? EXIT.usage : EXIT.failed };
  }
  let store: Store;
  try {
    store = openStore(storeLocation(options.db, process.env));
  } catch (e) {
    io.stderr(
      `rulepack: cannot open the store ${options.db}: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    return { exitCode: EXIT.failed };
  }
  try {
    await store.loadMasterData(load.data);
  } finally {
    await store.close();
  }
  const d = load.data;
  io.stdout(
    `${options.db}: master data loaded from ${options.masterData}: ` +
      `${d.providers.length} providers, ${d.departments.length} departments, ` +
      `${d.insurancePackages.length} insurance packages, ${d.appointmentTypes.length} appointment types, ` +
      `${d.procedures.length} procedures\n`,
  );
  return { exitCode: EXIT.ok };
}
