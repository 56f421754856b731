import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { formatPackError } from "../../engine/documents/errors.js";
import { layerOf } from "../../engine/documents/merge.js";
import { readYaml } from "../../engine/documents/source.js";
import { leafValue } from "../../engine/hl7/access.js";
import { parseHl7 } from "../../engine/hl7/parse.js";
import type { Hl7Message } from "../../engine/hl7/tree.js";
import type { MasterData } from "../../engine/model/master-data.js";
import type { PracticeEvent } from "../../engine/outbound/events.js";
import { loadEvent } from "../../engine/outbound/events.js";
import { type OutboundResult, sendEvent } from "../../engine/outbound/send.js";
import type { CompiledPack } from "../../engine/pack/compiled.js";
import { loadPack } from "../../engine/pack/load.js";
import { loadMasterData } from "../../engine/pack/master-data-load.js";
import { createMemoryStore } from "../../engine/store/memory.js";
import type { Store } from "../../engine/store/types.js";

export const HARBOR = "rules/practices/harbor-ortho/pack.yaml";
export const LAKESIDE = "rules/practices/lakeside-family/pack.yaml";
export const NOW = new Date("2026-03-01T14:06:00Z");
export const EVENTS_DIR = "test/fixtures/events";

export function pack(file: string): CompiledPack {
  const load = loadPack(file);
  if (!load.ok) throw new Error(load.errors.map(formatPackError).join("\n"));
  return load.pack;
}

/** A practice pack with more YAML merged on top (outbound options under test). */
export function packWith(base: string, yaml: string): CompiledPack {
  const read = readYaml("variant.yaml", yaml);
  if (!read.ok) throw new Error(read.errors.map(formatPackError).join("\n"));
  const load = loadPack(base, { overrides: layerOf(read.source) });
  if (!load.ok) throw new Error(load.errors.map(formatPackError).join("\n"));
  return load.pack;
}

export function masterData(packFile: string): MasterData {
  const load = loadMasterData(join(packFile, "..", "master-data.yaml"));
  if (!load.ok) throw new Error(load.errors.map(formatPackError).join("\n"));
  return load.data;
}

export async function storeFor(
  packFile: string,
  data: MasterData = masterData(packFile),
): Promise<Store> {
  const store = createMemoryStore();
  await store.loadMasterData(data);
  return store;
}

export const EVENT_FILES = readdirSync(EVENTS_DIR)
  .filter((f) => f.endsWith(".json"))
  .sort();

export function event(name: string): PracticeEvent {
  const load = loadEvent(join(EVENTS_DIR, `${name}.json`));
  if (!load.ok) throw new Error(load.errors.map(formatPackError).join("\n"));
  return load.event;
}

/** The fixtures name Harbor's providers; Lakeside's are 1, 2, 3. */
export function forLakeside(e: PracticeEvent): PracticeEvent {
  const ids: Record<string, string> = { "101": "1", "102": "2" };
  const text = JSON.stringify(e).replace(/"(primaryProviderId|providerId)":"(\d+)"/g, (_, k, v) => {
    return `"${k}":"${ids[v] ?? v}"`;
  });
  return JSON.parse(text) as PracticeEvent;
}

export async function send(
  p: CompiledPack,
  e: PracticeEvent,
  store?: Store,
): Promise<OutboundResult[]> {
  const into = store ?? (await storeFor(p.id === "lakeside-family" ? LAKESIDE : HARBOR));
  return sendEvent(p, into, e, { now: NOW });
}

/** The one message a result holds, parsed with our parser. */
export function parsed(result: OutboundResult | undefined): Hl7Message {
  if (!result?.text) throw new Error(`no message: ${JSON.stringify(result)}`);
  const doc = parseHl7(result.text);
  const [message] = doc.messages;
  if (doc.messages.length !== 1 || !message) throw new Error("expected one message");
  return message;
}

export function segmentNames(result: OutboundResult | undefined): string[] {
  return parsed(result).segments.map((s) => s.name);
}

/** The segment's line as text (`PV1|1|N`). */
export function line(result: OutboundResult | undefined, name: string, nth = 1): string {
  const lines = (result?.text ?? "").split("\r").filter((l) => l.startsWith(`${name}|`));
  return lines[nth - 1] ?? "";
}

/** One value by standard position, read back with our parser. */
export function value(
  result: OutboundResult | undefined,
  segment: string,
  field: number,
  component = 1,
  repetition = 1,
): string | null | undefined {
  const s = parsed(result).segments.find((x) => x.name === segment);
  return leafValue(s, field, repetition, component);
}

export const fixtureText = (name: string): string =>
  readFileSync(join(EVENTS_DIR, `${name}.json`), "utf8");

/** The queue as [state, direction, message type, error codes]: what every event left there. */
export async function queued(store: Store): Promise<[string, string, string, string[]][]> {
  return (await store.messages()).map((m) => [
    m.state,
    m.direction,
    m.messageType,
    (m.outcome?.errors ?? []).map((e) => e.code),
  ]);
}

/** The load errors of a practice pack with more YAML merged on top, as `CODE path: message`. */
export function packErrors(base: string, yaml: string): string[] {
  const read = readYaml("variant.yaml", yaml);
  if (!read.ok) throw new Error(read.errors.map(formatPackError).join("\n"));
  const load = loadPack(base, { overrides: layerOf(read.source) });
  return load.ok ? [] : load.errors.map((e) => `${e.code} ${e.message}`);
}

/** An event with some patient fields replaced. */
export function withPatient(e: PracticeEvent, patient: Record<string, unknown>): PracticeEvent {
  return { ...e, patient: { ...e.patient, ...patient } };
}
