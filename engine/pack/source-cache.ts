import { resolve } from "node:path";
import { readYaml, type YamlRead } from "../documents/source.js";
import { deepFreeze } from "../model/merge.js";
import { DISK_FILES, type PackFiles } from "./pack-files.js";
import { readYamlCached } from "./yaml-cache.js";

/**
 * Pack and mapping-table files read once per text (decision 0036): the file
 * is read every time, and parsed again only when its text differs from the
 * last parse of the same file. A rule test's `overrides:` reload, a `serve`
 * reload after another file changed, reuse the parsed sources they share.
 * The data of a kept source is frozen, so nothing that merges or compiles it
 * can change what the next load reads. A text this process has not parsed
 * may still come from the parse another process kept on disk (yaml-cache.ts,
 * decision 0042).
 */
const kept = new Map<string, { readonly text: string; readonly read: YamlRead }>();

/** `readYaml(file)`, reusing the last parse of `file` when its text is unchanged. */
export function readPackYaml(file: string, files: PackFiles = DISK_FILES): YamlRead {
  const text = files.read(file);
  // readYaml reports the unreadable file, located, as it always did.
  if (text === undefined) return readYaml(file);
  // The shown name is part of the key: positions in the parse carry it.
  const key = `${resolve(file)}\u0000${file}`;
  const hit = kept.get(key);
  if (hit && hit.text === text) return hit.read;
  const read = readYamlCached(file, text);
  if (read.ok) deepFreeze(read.source.data);
  kept.set(key, { text, read });
  return read;
}
