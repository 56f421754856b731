import jsonata from "jsonata";
import type { PackError, PackErrorCode, SourcePosition } from "../documents/errors.js";
import { originOf, type PathKey } from "../documents/merge.js";
import type { CompiledExpression, ExpressionBudget } from "../expressions/runtime.js";
import { structureCarries } from "../hl7/structures.js";
import { RECORD_STRUCTURES, type RecordKind } from "../model/canonical-fields.js";
import type { CompiledReference } from "../paths/types.js";
import type { PackChain } from "./chain.js";
import { cachedExpression, cachedReference } from "./compile-cache.js";
import { loadMappingTable, type MappingTable } from "./mapping-tables.js";
import { keepBounded } from "./memo.js";
import type { RawPack } from "./raw.js";
import { compileLimits } from "./sections/limits.js";

/**
 * What every section compiler of compilePack shares: where a node of the
 * merged pack was written, one sink for located errors, and the compilation
 * of what several sections contain (field references, expressions under the
 * pack's `limits`, mapping tables read once per pack).
 */
export interface CompileContext {
  /** The merged, schema-valid pack. */
  readonly raw: RawPack;
  /** The pack file that was loaded, as given. */
  readonly file: string;
  /** An abstract pack (base.yaml) has no practice folder: its practices bring the tables. */
  readonly abstract: boolean;
  /** The budget every expression of the pack is compiled with (`limits.expressions`). */
  readonly budget: ExpressionBudget;
  /** `FILE:LINE` where the node at `path` was written. */
  at(path: PathKey): string;
  /** Report a problem at the node at `path` (at `column` within its text). */
  fail(path: PathKey, code: PackErrorCode, message: string, column?: number): void;
  /** Report problems located elsewhere (a mapping file's). */
  report(errors: readonly PackError[]): void;
  /** A field reference read from a message of `record`'s structures. */
  reference(path: PathKey, text: string, record: RecordKind): CompiledReference | undefined;
  /**
   * An expression under the pack's budget. `reads` is the record whose
   * messages it reads, or `outbound` (the event's records: no message, no
   * inbound table). A `condition` (`when:`) that is a constant other than a
   * boolean can never be true and is refused.
   */
  expression(
    path: PathKey,
    text: string,
    reads: RecordKind | "outbound",
    role?: "value" | "condition",
  ): CompiledExpression | undefined;
  /**
   * A mapping table of the pack's chain (standard rows overlaid by the
   * practice's), read once; `why` says who needs it when it is missing.
   */
  readTable(table: string, path: PathKey, why: string, column?: number): MappingTable | undefined;
  /** The tables `$mapCode` names, where each is first named. */
  readonly tablesNamed: ReadonlyMap<string, { readonly path: PathKey; readonly column?: number }>;
  /** Every table read so far, by name. */
  readonly tables: ReadonlyMap<string, MappingTable>;
  readonly errors: readonly PackError[];
}

/** Records whose messages can have a matched appointment to read `appointment.*` from. */
const APPOINTMENT_AVAILABLE = new Set<RecordKind>(["appointment", "claim", "charge"]);

export function compileContext(chain: PackChain, file: string): CompileContext {
  const raw = chain.merged.data as RawPack;
  const errors: PackError[] = [];
  const position = (path: PathKey, column?: number): SourcePosition => {
    const origin = originOf(chain.merged, path);
    if (!origin) return { file, line: 1, col: 1 };
    return column === undefined
      ? origin.source.locate(origin.path)
      : origin.source.locateWithin(origin.path, column);
  };
  const at = (path: PathKey) => {
    const p = position(path);
    return `${p.file}:${p.line}`;
  };
  const fail = (path: PathKey, code: PackErrorCode, message: string, column?: number) => {
    errors.push({ ...position(path, column), code, message, path: path.join(".") });
  };
  const abstract = raw.pack.abstract === true;
  const practiceId = abstract ? undefined : raw.pack.id;
  const { maxLength, budget } = compileLimits(raw);

  const checkReads = (path: PathKey, ref: CompiledReference, record: RecordKind) => {
    const structures = RECORD_STRUCTURES[record];
    for (const segment of ref.segments) {
      if (!structures.some((s) => structureCarries(s, segment))) {
        fail(
          path,
          "SEGMENT_NOT_IN_MESSAGE",
          `${segment} is not a segment of the messages a ${record} comes from (${structures.join(", ")})`,
          columnOf(ref.source, segment),
        );
      }
    }
    for (const derived of ref.derived) {
      if (derived.startsWith("appointment.") && !APPOINTMENT_AVAILABLE.has(record)) {
        fail(
          path,
          "INVALID_FIELD_REFERENCE",
          `${derived}: a ${record} message has no matched appointment to read`,
          columnOf(ref.source, derived),
        );
      }
    }
  };

  const reference = (path: PathKey, text: string, record: RecordKind) => {
    const compiled = cachedReference(text);
    if (!compiled.ok) {
      fail(
        path,
        "INVALID_FIELD_REFERENCE",
        `'${text}': ${compiled.error.message}`,
        compiled.error.column,
      );
      return undefined;
    }
    checkReads(path, compiled.reference, record);
    return compiled.reference;
  };

  const tablesNamed = new Map<string, { path: PathKey; column?: number }>();
  const expression = (
    path: PathKey,
    text: string,
    reads: RecordKind | "outbound",
    role: "value" | "condition" = "value",
  ): CompiledExpression | undefined => {
    if (text.length > maxLength) {
      fail(
        path,
        "INVALID_VALUE",
        `expression is ${text.length} characters; limits.expressions.maxLength is ${maxLength}`,
      );
      return undefined;
    }
    const compiled = cachedExpression(text, budget);
    if (!compiled.ok) {
      for (const e of compiled.errors) fail(path, e.code, e.message, e.column);
      return undefined;
    }
    const expr = compiled.expression;
    if (role === "condition") {
      const constant = nonBooleanConstant(text);
      if (constant !== undefined) {
        fail(
          path,
          "INVALID_VALUE",
          `when: ${constant} is a constant that is never true (a condition applies only when it yields true); write a test such as $field('PV1.2') = 'O', or remove when:`,
        );
        return undefined;
      }
    }
    if (reads === "outbound") {
      if (expr.references.length > 0) {
        fail(
          path,
          "INVALID_FIELD_REFERENCE",
          `$field('${expr.references[0]?.source}'): an outbound rule has no message to read; it reads the event's records (patient, appointment, policies, event)`,
        );
        return undefined;
      }
      if (expr.tables.length > 0) {
        fail(
          path,
          "OPTION_DEPENDENCY",
          "$mapCode reads an inbound table (foreign -> practice); an outbound rule maps with map: and outbound.mappings",
        );
        return undefined;
      }
      return expr;
    }
    for (const ref of expr.references) checkReads(path, ref, reads);
    for (const table of expr.tables)
      if (!tablesNamed.has(table)) {
        const column = expr.tableColumns.get(table);
        tablesNamed.set(table, { path, ...(column !== undefined && { column }) });
      }
    return expr;
  };

  const tables = new Map<string, MappingTable>();
  const readTable = (
    table: string,
    path: PathKey,
    why: string,
    column?: number,
  ): MappingTable | undefined => {
    const cached = tables.get(table);
    if (cached) return cached;
    if (!chain.mappingsDir) {
      fail(
        path,
        "MAPPING_TABLE_NOT_FOUND",
        `mapping table '${table}' ${why}, but no pack in the chain sets pack.mappingsDir`,
        column,
      );
      return undefined;
    }
    const loaded = loadMappingTable(chain.mappingsDir, practiceId, table, chain.files);
    if (!loaded.ok) {
      if (loaded.missing) {
        fail(
          path,
          "MAPPING_TABLE_NOT_FOUND",
          `mapping table '${table}' ${why}, but neither mappings/standard/${table}.yaml nor mappings/${practiceId ?? "<practice>"}/${table}.yaml exists`,
          column,
        );
      }
      errors.push(...loaded.errors);
      return undefined;
    }
    tables.set(table, loaded.table);
    return loaded.table;
  };

  return {
    raw,
    file,
    abstract,
    budget,
    at,
    fail,
    report: (found) => void errors.push(...found),
    reference,
    expression,
    readTable,
    tablesNamed,
    tables,
    errors,
  };
}

/**
 * `'yes'`, `1`, `null`: a condition written as a constant other than true
 * or false, shown as written; undefined for anything else.
 */
function nonBooleanConstant(text: string): string | undefined {
  if (!constants.has(text)) keepBounded(constants, text, constantIn(text), 20_000);
  return constants.get(text);
}

/** nonBooleanConstant's answers by text: the same condition is parsed once per process. */
const constants = new Map<string, string | undefined>();

function constantIn(text: string): string | undefined {
  let node: { type?: string; value?: unknown };
  try {
    node = jsonata(text).ast() as { type?: string; value?: unknown };
  } catch {
    return undefined;
  }
  const constant =
    node.type === "string" ||
    node.type === "number" ||
    (node.type === "value" && typeof node.value !== "boolean");
  return constant ? text.trim() : undefined;
}

export function columnOf(source: string, part: string): number | undefined {
  const i = source.indexOf(part);
  return i < 0 ? undefined : i + 1;
}
