import { accessSync, constants } from "node:fs";
import { dirname } from "node:path";

/**
 * The files SQLite writes for one store, and whether this process can
 * write them. SQLite maps the `-shm` index into memory: when that file is
 * not writable the process dies of SIGBUS at its first write, which Node
 * cannot catch or log. The listener checks first (at start and on SIGHUP)
 * and says which file and why.
 */

/** Throws (like fs.accessSync) when `path` cannot be accessed in `mode`. */
export type AccessCheck = (path: string, mode: number) => void;

/** The database, its write-ahead log and its shared-memory index. */
export function sqliteFiles(file: string): readonly string[] {
  return [file, `${file}-wal`, `${file}-shm`];
}

/**
 * One line per store file this process cannot write (`FILE (EACCES)`);
 * empty when all can be. A file not there yet is created by SQLite in its
 * folder, which must then be writable.
 */
export function unwritableStoreFiles(file: string, access: AccessCheck = accessSync): string[] {
  if (file === "" || file === ":memory:") return [];
  const problems: string[] = [];
  const failure = (path: string, mode: number): string | undefined => {
    try {
      access(path, mode);
      return undefined;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code ?? "EACCES";
    }
  };
  for (const path of sqliteFiles(file)) {
    const code = failure(path, constants.R_OK | constants.W_OK);
    if (code === undefined) continue;
    if (code !== "ENOENT") {
      problems.push(`${path} (${code})`);
      continue;
    }
    const folder = dirname(path);
    const folderCode = failure(folder, constants.W_OK | constants.X_OK);
    // A missing folder is created on open (openSqliteStore).
    if (folderCode !== undefined && folderCode !== "ENOENT") {
      const line = `${folder} (${folderCode}): the store's files cannot be created there`;
      if (!problems.includes(line)) problems.push(line);
    }
  }
  return problems;
}
