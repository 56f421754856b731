/** The shared HL7 corpus, read into memory once, as Buffers and as strings. */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseHl7 } from "../engine/hl7/index.js";

export const CORPUS_DIR = resolve(
  fileURLToPath(new URL("../", import.meta.url)),
  "../shared/corpus/hl7",
);

export interface CorpusFile {
  readonly name: string;
  readonly bytes: Buffer;
  /** UTF-8 decoded, BOM kept (parseHl7 strips it). */
  readonly text: string;
  /** Messages parseHl7 finds in it (a batch holds several). */
  readonly messages: number;
}

export interface Corpus {
  readonly files: readonly CorpusFile[];
  readonly messages: number;
  readonly bytes: number;
}

export function loadCorpus(dir = CORPUS_DIR): Corpus {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".hl7"))
    .sort()
    .map((name) => {
      const bytes = readFileSync(join(dir, name));
      return {
        name,
        bytes,
        text: bytes.toString("utf8"),
        messages: parseHl7(bytes).messages.length,
      };
    });
  return {
    files,
    messages: files.reduce((n, f) => n + f.messages, 0),
    bytes: files.reduce((n, f) => n + f.bytes.length, 0),
  };
}
