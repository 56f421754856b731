import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

/**
 * How the loader reads pack and mapping-table files: from disk at every
 * load (a `serve` reload must see what changed), or as they were when one
 * run first asked for them (decision 0042).
 */
export interface PackFiles {
  /** The file's text, or undefined when it cannot be read (the loader then reports why). */
  read(file: string): string | undefined;
  exists(file: string): boolean;
}

/** Every load reads the disk. */
export const DISK_FILES: PackFiles = {
  read(file) {
    try {
      return readFileSync(file, "utf8");
    } catch {
      return undefined;
    }
  },
  exists: existsSync,
};

/**
 * Files read once for the length of one run: a `rulepack test` run loads
 * the pack once per case with `overrides:`, and each of those loads would
 * otherwise read the chain and every table file again. Whatever changes on
 * disk during the run is seen by the next run.
 */
export function filesOfOneRun(): PackFiles {
  const texts = new Map<string, string | undefined>();
  const existing = new Map<string, boolean>();
  return {
    read(file) {
      const key = resolve(file);
      if (!texts.has(key)) texts.set(key, DISK_FILES.read(file));
      return texts.get(key);
    },
    exists(file) {
      const key = resolve(file);
      let known = existing.get(key);
      if (known === undefined) {
        known = existsSync(file);
        existing.set(key, known);
      }
      return known;
    },
  };
}
