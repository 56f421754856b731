import { existsSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import type { PackError, PackErrorCode } from "../documents/errors.js";
import { byPosition } from "../documents/errors.js";
import { type Layer, layerOf, mergeLayers, type PathKey } from "../documents/merge.js";
import { readYaml, type YamlSource } from "../documents/source.js";
import { MESSAGE_STRUCTURES, structureCarries, TRIGGER_STRUCTURES } from "../hl7/structures.js";
import { RECORD_STRUCTURES, type RecordKind, recordOf } from "../model/canonical-fields.js";
import { compileReference } from "../paths/index.js";
import {
  isNamedPath,
  NAMED_LISTS,
  type PackChain,
  readChain,
  shown as shownFile,
} from "./chain.js";

/**
 * `rulepack validate --strict`: what a pack may legally say but probably did
 * not mean (docs/pack-language.md §21). Every finding is a warning at
 * `FILE:LINE:COL`; none makes a pack invalid. Runs on a pack that loads.
 */

export type LintCode = Extract<
  PackErrorCode,
  | "OVERRIDE_EQUALS_INHERITED"
  | "SEGMENT_NOT_IN_STRUCTURE"
  | "TABLE_NOT_READ"
  | "DUPLICATE_FOREIGN_KEY"
  | "OPTION_WITHOUT_EVENT"
  | "RULE_SHADOWED"
>;

export interface LintWarning extends PackError {
  readonly code: LintCode;
  readonly severity: "warning";
}

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

interface LintInput {
  readonly chain: PackChain;
  /** The merged pack. */
  readonly pack: Json;
  /** Whether the node at `path` of the merged pack was written by the root (base) file. */
  readonly fromRoot: (path: PathKey) => boolean;
  readonly warn: (source: YamlSource, path: PathKey, code: LintCode, message: string) => void;
  /** `FILE:LINE` where the node at `path` of the merged pack was written. */
  readonly at: (path: PathKey) => string;
  /** Warn at the node at `path` of the merged pack, where its author wrote it. */
  readonly warnAt: (path: PathKey, code: LintCode, message: string) => void;
}

/** The checks, one per warning code. */
const CHECKS: readonly { readonly code: LintCode; readonly run: (input: LintInput) => void }[] = [
  { code: "OVERRIDE_EQUALS_INHERITED", run: overridesEqualInherited },
  { code: "SEGMENT_NOT_IN_STRUCTURE", run: segmentsNotInStructure },
  { code: "TABLE_NOT_READ", run: tablesNotRead },
  { code: "DUPLICATE_FOREIGN_KEY", run: duplicateForeignKeys },
  { code: "OPTION_WITHOUT_EVENT", run: optionsWithoutEvent },
  { code: "RULE_SHADOWED", run: shadowedRules },
];

/**
 * The warnings of a pack, sorted by position. A pack that cannot be read
 * gives none: `loadPack` reports why.
 */
export function lintPack(file: string): readonly LintWarning[] {
  const read = readChain(file);
  if (!read.ok) return [];
  const { chain } = read;
  const warnings: LintWarning[] = [];
  const warn = (source: YamlSource, path: PathKey, code: LintCode, message: string) => {
    warnings.push({
      ...source.locate(path, "key"),
      code,
      severity: "warning",
      message,
      path: path.join("."),
    });
  };
  const root = chain.sources[0];
  const input: LintInput = {
    chain,
    pack: isMap(chain.merged.data) ? chain.merged.data : {},
    fromRoot: (path) => chain.merged.origins.get(pathKey(path))?.source === root,
    warn,
    at: (path) => {
      const origin = chain.merged.origins.get(pathKey(path));
      if (!origin) return path.join(".");
      const p = origin.source.locate(origin.path, "key");
      return `${p.file}:${p.line}`;
    },
    warnAt: (path, code, message) => {
      const origin = chain.merged.origins.get(pathKey(path));
      if (origin) warn(origin.source, origin.path, code, message);
    },
  };
  for (const check of CHECKS) check.run(input);
  return warnings.sort(byPosition);
}

const pathKey = (path: PathKey): string => path.join("\u0000");

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isMap(a) && isMap(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
    );
  }
  return false;
}

const shown = (v: unknown): string => JSON.stringify(v);

// --- OVERRIDE_EQUALS_INHERITED ----------------------------------------------

/** The identity of an item of a named list (§3): its name, else its identity keys. */
function identityOf(path: PathKey, item: unknown): string | undefined {
  if (!isMap(item)) return undefined;
  if (typeof item.name === "string") return `name:${item.name}`;
  const list = NAMED_LISTS.find(
    (l) => l.path.length === path.length && l.path.every((p, i) => p === path[i]),
  );
  if (!list || list.keys.length === 0) return undefined;
  const values = list.keys.map((k) => item[k]);
  return values.every((v) => v === undefined) ? undefined : shown(values);
}

/**
 * A key of a file that extends another, whose value is the one the chain
 * below it already gives: deleting it changes nothing.
 */
function overridesEqualInherited(input: LintInput): void {
  const { sources } = input.chain;
  let below: Layer | undefined;
  for (const source of sources) {
    const layer = layerOf(source);
    if (below !== undefined) {
      const data = isMap(source.data) ? source.data : {};
      for (const [key, value] of Object.entries(data)) {
        // `pack` is each file's own identity, never inherited.
        if (key === "pack") continue;
        compareWithInherited(input, source, [key], value, (below.data as Json)[key]);
      }
    }
    below = below === undefined ? layer : mergeLayers(below, layer, isNamedPath);
  }
}

function compareWithInherited(
  input: LintInput,
  source: YamlSource,
  path: PathKey,
  over: unknown,
  inherited: unknown,
): void {
  if (inherited === undefined) return;
  if (isMap(over) && isMap(inherited)) {
    for (const [key, value] of Object.entries(over))
      compareWithInherited(input, source, [...path, key], value, inherited[key]);
    return;
  }
  if (Array.isArray(over) && Array.isArray(inherited) && isNamedPath(path)) {
    over.forEach((item, i) => {
      const id = identityOf(path, item);
      if (id === undefined) return;
      const base = inherited.find((b) => identityOf(path, b) === id);
      if (base !== undefined && deepEqual(item, base))
        input.warn(
          source,
          [...path, i],
          "OVERRIDE_EQUALS_INHERITED",
          `${isMap(item) ? (item.name ?? item.field ?? item.to ?? item.ref) : path.join(".")}: this rule restates the inherited one unchanged: remove it`,
        );
    });
    return;
  }
  if (deepEqual(over, inherited))
    input.warn(
      source,
      path,
      "OVERRIDE_EQUALS_INHERITED",
      `${path.join(".")} is ${shown(over)}, the value it inherits: remove it`,
    );
}

// --- SEGMENT_NOT_IN_STRUCTURE -------------------------------------------------

/** The structures of the message codes a `when:` names (`'ADT'`, `"DFT^P03"`), if it names any. */
function structuresNamedBy(when: string): string[] | undefined {
  const codes = new Set<string>();
  for (const m of when.matchAll(/["'](ADT|SIU|DFT)(?:\^[A-Z0-9]+)?["']/g))
    codes.add(m[1] as string);
  if (codes.size === 0) return undefined;
  const structures = new Set<string>();
  for (const [trigger, structure] of Object.entries(TRIGGER_STRUCTURES))
    if (codes.has(trigger.slice(0, 3))) structures.add(structure);
  return [...structures];
}

/**
 * A field rule that reads a segment none of the structures it can apply to
 * holds: a policy rule reading FT1 under `when:` naming ADT reads nothing.
 * (A segment no message of the record holds is the error SEGMENT_NOT_IN_MESSAGE.)
 */
function segmentsNotInStructure(input: LintInput): void {
  const fields = Array.isArray(input.pack.fields) ? input.pack.fields : [];
  fields.forEach((rule, i) => {
    if (!isMap(rule) || typeof rule.from !== "string" || typeof rule.field !== "string") return;
    const record = recordOf(rule.field) as RecordKind;
    const recordStructures = RECORD_STRUCTURES[record] ?? Object.keys(MESSAGE_STRUCTURES);
    const named = typeof rule.when === "string" ? structuresNamedBy(rule.when) : undefined;
    if (named === undefined) return;
    const structures = named.filter((s) => recordStructures.includes(s));
    const compiled = compileReference(rule.from);
    if (!compiled.ok) return;
    for (const segment of compiled.reference.segments) {
      if (structures.some((s) => structureCarries(s, segment))) continue;
      input.warnAt(
        ["fields", i, "from"],
        "SEGMENT_NOT_IN_STRUCTURE",
        `${segment}: this rule applies only to ${named.join(", ")} messages (its when:), whose structure holds no ${segment}`,
      );
    }
  });
}

// --- TABLE_NOT_READ ---------------------------------------------------------

/** The table each mapping element reads (`table:`, default the element's name), when it reads one. */
function tablesRead(pack: Json): Set<string> {
  const read = new Set<string>();
  const mappings = isMap(pack.mappings) ? pack.mappings : {};
  const fields = Array.isArray(pack.fields) ? pack.fields : [];
  const mapped = new Set(
    fields.flatMap((r) => (isMap(r) && typeof r.map === "string" ? [r.map] : [])),
  );
  for (const [element, options] of Object.entries(mappings)) {
    if (!isMap(options)) continue;
    if (mapped.has(element) && options.mappingRequired === true)
      read.add(typeof options.table === "string" ? options.table : element);
  }
  // Standard lookups every pack may make (relationship direction, §14).
  read.add("relationshipInverse");
  const outbound =
    isMap(pack.outbound) && isMap(pack.outbound.mappings) ? pack.outbound.mappings : {};
  for (const [element, options] of Object.entries(outbound)) {
    read.add(isMap(options) && typeof options.table === "string" ? options.table : element);
  }
  return read;
}

/**
 * A practice mapping file (`mappings/<pack id>/<table>.yaml`) that no
 * option reads: its rows are never used.
 */
function tablesNotRead(input: LintInput): void {
  const { mappingsDir } = input.chain;
  const id = isMap(input.pack.pack) ? input.pack.pack.id : undefined;
  if (!mappingsDir || typeof id !== "string") return;
  const dir = join(mappingsDir, id);
  if (!existsSync(dir)) return;
  const read = tablesRead(input.pack);
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith(".yaml")) continue;
    const table = basename(name, ".yaml");
    if (read.has(table)) continue;
    const yaml = readYaml(shownFile(join(dir, name)));
    if (!yaml.ok) continue;
    input.warn(
      yaml.source,
      isMap(yaml.source.data) && "table" in yaml.source.data ? ["table"] : [],
      "TABLE_NOT_READ",
      `table '${table}' is read by no option of pack ${id} (no field rule maps through it, no outbound mapping names it)`,
    );
  }
}

// --- DUPLICATE_FOREIGN_KEY --------------------------------------------------

interface Row {
  readonly source: YamlSource;
  readonly index: number;
  readonly key: string;
  readonly practice: unknown;
}

/**
 * Two rows of one table whose keys are the same code once case and outer
 * spaces are ignored (`F` and `f ` in a case-sensitive table: one of them
 * is probably a typo), or a practice row repeating a standard row exactly.
 * The same code twice in one file is the error DUPLICATE_ROW.
 */
function duplicateForeignKeys(input: LintInput): void {
  const { mappingsDir } = input.chain;
  const id = isMap(input.pack.pack) ? input.pack.pack.id : undefined;
  if (!mappingsDir || typeof id !== "string") return;
  for (const table of [...tablesRead(input.pack)].sort()) {
    const rows: Row[] = [];
    for (const folder of ["standard", id]) {
      const file = join(mappingsDir, folder, `${table}.yaml`);
      if (!existsSync(file)) continue;
      const yaml = readYaml(shownFile(file));
      if (!yaml.ok || !isMap(yaml.source.data)) continue;
      const data = yaml.source.data;
      const column = data.direction === "outbound" ? "practice" : "foreign";
      const list = Array.isArray(data.rows) ? data.rows : [];
      list.forEach((row, index) => {
        if (isMap(row) && typeof row[column] === "string")
          rows.push({ source: yaml.source, index, key: row[column], practice: row.practice });
      });
    }
    const seen = new Map<string, Row>();
    for (const row of rows) {
      const folded = row.key.trim().toUpperCase();
      const first = seen.get(folded);
      if (first === undefined) {
        seen.set(folded, row);
        continue;
      }
      const at = first.source.locate(["rows", first.index]);
      if (first.key !== row.key) {
        input.warn(
          row.source,
          ["rows", row.index],
          "DUPLICATE_FOREIGN_KEY",
          `'${row.key}' and '${first.key}' (${at.file}:${at.line}) differ only in case or spaces: one of the two rows is probably never used as meant`,
        );
      } else if (first.source !== row.source && deepEqual(first.practice, row.practice)) {
        input.warn(
          row.source,
          ["rows", row.index],
          "DUPLICATE_FOREIGN_KEY",
          `'${row.key}' repeats the standard row at ${at.file}:${at.line} with the same practice code: remove it`,
        );
      }
    }
  }
}

// --- OPTION_WITHOUT_EVENT ---------------------------------------------------

const isEnabled = (v: unknown): boolean =>
  v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0);

const APPOINTMENT_EVENTS = [
  "appointmentSchedule",
  "appointmentUpdate",
  "appointmentCancel",
  "appointmentCheckIn",
  "appointmentCheckOut",
];

/**
 * A practice's `appointments.*` with no inbound appointment event enabled,
 * or its `charges.*` with inbound `charge` (DFT) off: the option is never
 * consulted. Keys the base sets are not the practice's doing and are not reported.
 */
function optionsWithoutEvent(input: LintInput): void {
  const enabled = isMap(input.pack.enabled) ? input.pack.enabled : {};
  const inbound = isMap(enabled.inbound) ? enabled.inbound : {};
  const sections: { key: string; on: boolean; events: string }[] = [
    {
      key: "appointments",
      on: APPOINTMENT_EVENTS.some((e) => isEnabled(inbound[e])),
      events: "no inbound appointment event is enabled",
    },
    {
      key: "charges",
      on: isEnabled(inbound.charge),
      events: "inbound charge (DFT^P03) is not enabled",
    },
  ];
  for (const { key, on, events } of sections) {
    const section = input.pack[key];
    if (on || !isMap(section)) continue;
    for (const option of Object.keys(section)) {
      if (input.fromRoot([key, option])) continue;
      input.warnAt(
        [key, option],
        "OPTION_WITHOUT_EVENT",
        `${key}.${option} has no effect: ${events}`,
      );
    }
  }
}

// --- RULE_SHADOWED ------------------------------------------------------------

const normalized = (when: string): string => when.replace(/\s+/g, " ").trim();

/**
 * Two field rules for one canonical field where one can never decide it
 * (§8: rules with `when:` are tried in merged order, then the one without):
 * a later rule with the same `when:` as an earlier one, or the unconditional
 * rule after a rule whose `when:` is `true`.
 */
function shadowedRules(input: LintInput): void {
  const fields = Array.isArray(input.pack.fields) ? input.pack.fields : [];
  const conditions = new Map<string, { when: string; index: number }[]>();
  fields.forEach((rule, i) => {
    if (!isMap(rule) || typeof rule.field !== "string" || rule.remove === true) return;
    if (typeof rule.when !== "string") return;
    const when = normalized(rule.when);
    const earlier = conditions.get(rule.field) ?? [];
    const same = earlier.find((e) => e.when === when);
    if (same)
      input.warnAt(
        ["fields", i],
        "RULE_SHADOWED",
        `${rule.field}: the rule at ${input.at(["fields", same.index])} has the same when: and is tried first, so this rule never decides the field`,
      );
    conditions.set(rule.field, [...earlier, { when, index: i }]);
  });
  fields.forEach((rule, i) => {
    if (!isMap(rule) || typeof rule.field !== "string" || rule.remove === true) return;
    if (rule.when !== undefined) return;
    const always = (conditions.get(rule.field) ?? []).find((c) => c.when === "true");
    if (always)
      input.warnAt(
        ["fields", i],
        "RULE_SHADOWED",
        `${rule.field}: the rule at ${input.at(["fields", always.index])} has when: true, so this unconditional rule never decides the field`,
      );
  });
  shadowedOutboundRules(input);
}

const messagesOf = (rule: Json): readonly string[] | undefined =>
  Array.isArray(rule.messages) ? rule.messages.map(String) : undefined;

/**
 * Two outbound rules writing one HL7 location (§19: each replaces what was
 * written there before it): a later rule with no `when:` for every message
 * of the earlier one always overwrites it.
 */
function shadowedOutboundRules(input: LintInput): void {
  const outbound = isMap(input.pack.outbound) ? input.pack.outbound : {};
  const rules = Array.isArray(outbound.fields) ? outbound.fields : [];
  rules.forEach((earlier, i) => {
    if (!isMap(earlier) || typeof earlier.to !== "string") return;
    const earlierMessages = messagesOf(earlier);
    const later = rules.findIndex((rule, j) => {
      if (j <= i || !isMap(rule) || rule.to !== earlier.to || rule.when !== undefined) return false;
      const messages = messagesOf(rule);
      if (messages === undefined) return true;
      return earlierMessages?.every((m) => messages.includes(m)) === true;
    });
    if (later < 0) return;
    input.warnAt(
      ["outbound", "fields", i],
      "RULE_SHADOWED",
      `${earlier.to}: the rule at ${input.at(["outbound", "fields", later])} writes it later, with no when:, for every message of this one, so this rule's value is never sent`,
    );
  });
}
