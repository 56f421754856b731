import { comparePackRuns, type PackDiff } from "./compare.js";
import type { ReplayInput } from "./inputs.js";
import { emptyStart, type RunPack, replay, snapshotStart } from "./stores.js";

export type { MessageChange, PackDiff } from "./compare.js";
export type { ReplayInput } from "./inputs.js";
export type { RunPack } from "./stores.js";

export interface DiffOptions {
  /** A SQLite store both runs start from (each from its own copy); absent: an empty store. */
  readonly snapshot?: string;
}

/**
 * The same inputs through the old and the new pack, each from the same
 * starting store, compared message by message. Nothing outside the runs'
 * own stores is written.
 */
export async function diffPacks(
  old: RunPack,
  next: RunPack,
  inputs: readonly ReplayInput[],
  options: DiffOptions = {},
): Promise<PackDiff> {
  const start = options.snapshot !== undefined ? snapshotStart(options.snapshot) : emptyStart();
  try {
    const before = await replay(old, start, inputs);
    const after = await replay(next, start, inputs);
    return comparePackRuns(before, after);
  } finally {
    start.dispose();
  }
}
