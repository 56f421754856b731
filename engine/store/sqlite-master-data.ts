import type BetterSqlite3 from "better-sqlite3";
import { EMPTY_MASTER_DATA, type MasterData } from "../model/master-data.js";
import { deepFreeze } from "../model/merge.js";

/**
 * The practice's master data as one SQLite connection reads it (issue 18,
 * decision 0039): parsed and frozen once, and checked against the file once
 * per view a decision opens, not on every read (a decision reads it many
 * times: providers, departments, packages, procedures).
 *
 * A view's opening reads `PRAGMA data_version` (`seen`); the first read after
 * it compares the stored text with the cached one when that version moved
 * (another connection committed something: a `rulepack store load`, or just
 * messages) and parses it again only when the text changed. The store's
 * own `masterData` (async-store.ts) opens a view for each read, so a tool
 * reading it directly sees it live, as before; `current` checks now.
 */
export interface MasterDataCache {
  /** The master data as of the last view opened (checked once after it). */
  read(): MasterData;
  /** The master data as stored now. */
  current(): MasterData;
  /** A view was opened at this `data_version`: the next `read` checks once. */
  seen(version: number): void;
  /** This connection stored `json` (its own write: no other connection's change to miss). */
  loaded(json: string): void;
}

export function sqliteMasterData(db: BetterSqlite3.Database): MasterDataCache {
  const stored = db.prepare("SELECT data FROM master_data WHERE id = 1").pluck();
  const dataVersion = db.prepare("PRAGMA data_version").pluck();
  let cached: { version: number; json: string | undefined; data: MasterData } | undefined;
  /** The version to check against at the next read; undefined once checked. */
  let unchecked: number | undefined;

  const at = (version: number): MasterData => {
    unchecked = undefined;
    if (cached?.version === version) return cached.data;
    const json = stored.get() as string | undefined;
    cached =
      cached !== undefined && cached.json === json
        ? { ...cached, version }
        : { version, json, data: parse(json) };
    return cached.data;
  };
  return {
    read: () =>
      cached !== undefined && unchecked === undefined
        ? cached.data
        : at(unchecked ?? (dataVersion.get() as number)),
    current: () => at(dataVersion.get() as number),
    seen(version) {
      unchecked = version;
    },
    loaded(json) {
      unchecked = undefined;
      cached = { version: dataVersion.get() as number, json, data: parse(json) };
    },
  };
}

function parse(json: string | undefined): MasterData {
  return deepFreeze(json === undefined ? EMPTY_MASTER_DATA : (JSON.parse(json) as MasterData));
}
