import { readdirSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { MessageChange, PackDiff, ReplayInput, RunPack } from "../../engine/diff/diff.js";
import { fileInputs } from "../../engine/diff/inputs.js";
import { loadPractice } from "../../engine/pack/practice-load.js";

/** The public corpus, read in place, in name order under one fixed clock. */
export const CORPUS = "/work/shared/corpus/hl7";
export const NOW = new Date("2024-03-01T12:00:00Z");
export const HARBOR = resolve(import.meta.dirname, "../../rules/practices/harbor-ortho/pack.yaml");
export const VARIANTS = resolve(import.meta.dirname, "../fixtures/diff/harbor-ortho");

export function corpusFiles(): string[] {
  return readdirSync(CORPUS)
    .filter((f) => f.endsWith(".hl7"))
    .sort()
    .map((f) => join(CORPUS, f));
}

export function corpusInputs(): ReplayInput[] {
  return fileInputs(
    corpusFiles().map((path) => ({ path, bytes: readFileSync(path) })),
    NOW,
  );
}

export function practice(file: string): RunPack {
  const load = loadPractice(file);
  if (!load.ok) throw new Error(load.errors.join("\n"));
  return { pack: load.pack, ...(load.masterData && { masterData: load.masterData }) };
}

/** One line per changed message: file, control ID, type, state move (or the state kept). */
export function changedMessages(diff: PackDiff): string[] {
  return diff.changes.map(changeLine);
}

export function changeLine(c: MessageChange): string {
  const state = c.state ? `${c.state.from} -> ${c.state.to}` : `${c.sameState}`;
  return `${basename(c.source)} ${c.controlId} ${c.messageType} ${state}`;
}
