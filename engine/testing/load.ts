import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, relative, resolve } from "node:path";
import { stringify } from "yaml";
import { layerOf, type PathKey } from "../documents/merge.js";
import { schemaValidator } from "../documents/schema.js";
import { convertSchemaErrors } from "../documents/schema-errors.js";
import { missingModeline, type YamlSource } from "../documents/source.js";
import { DEFAULT_BUDGET } from "../expressions/runtime.js";
import type { MasterData } from "../model/master-data.js";
import { deepFreeze } from "../model/merge.js";
import type { QueueState } from "../model/outcome.js";
import {
  type EventLoad,
  eventInconsistencies,
  loadEvent,
  type PracticeEvent,
} from "../outbound/events.js";
import { cachedExpression, cachedReference } from "../pack/compile-cache.js";
import { loadMasterData } from "../pack/master-data-load.js";
import { keepBounded } from "../pack/memo.js";
import { DISK_FILES } from "../pack/pack-files.js";
import { readYamlFileCached } from "../pack/yaml-cache.js";
import type { CompiledReference } from "../paths/types.js";
import { TEST_YAML, withoutAbsent } from "./absent.js";
import {
  LIST_NAMES,
  type ListName,
  type LoadedAssert,
  type LoadedCase,
  type LoadedEvent,
  type LoadedMessage,
  type LoadedSuite,
  type MessageExpectation,
  type OutcomeExpectation,
  type SeedRecords,
  type StoreExpectation,
  type SuiteLoad,
  type TestProblem,
} from "./model.js";

/**
 * Reading a rule-test file: YAML with positions and the `!absent` tag, the
 * JSON Schema (schemas/rule-test.schema.json), then what a schema cannot
 * say: unique case names, files and fixtures that exist, assertions that
 * compile, keys that are planned but not built yet. Every problem is located
 * (FILE:LINE:COL); nothing is thrown.
 */

/** The clock of a case that names none: fixed, never the wall clock. */
export const DEFAULT_NOW = "2026-01-01T12:00:00Z";

const MAX_FIXTURE_DEPTH = 8;

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);
const shown = (absolute: string): string => relative(process.cwd(), absolute) || absolute;

/** Read one `*.test.yaml`. */
export function loadTestFile(file: string): SuiteLoad {
  const absolute = resolve(file);
  const name = shown(absolute);
  const read = readYamlFileCached(name, TEST_YAML);
  if (!read.ok) return { ok: false, file: name, errors: read.errors, warnings: [] };
  const source = read.source;
  const warnings = modelineWarnings(source);
  const validate = schemaValidator("rule-test");
  if (!validate(withoutAbsent(source.data))) {
    return {
      ok: false,
      file: name,
      errors: convertSchemaErrors(validate.errors ?? [], layerOf(source)),
      warnings,
    };
  }
  const errors: TestProblem[] = [];
  const suite = new SuiteReader(source, absolute, errors).read();
  if (errors.length > 0) return { ok: false, file: name, errors: sorted(errors), warnings };
  return { ok: true, suite, warnings };
}

function sorted(errors: TestProblem[]): TestProblem[] {
  return errors.sort((a, b) => a.line - b.line || a.col - b.col || a.code.localeCompare(b.code));
}

class SuiteReader {
  private readonly data: Json;
  private readonly dir: string;
  private readonly masterDataCache = new Map<string, MasterData | undefined>();

  constructor(
    private readonly source: YamlSource,
    absolute: string,
    private readonly errors: TestProblem[],
  ) {
    this.data = source.data as Json;
    this.dir = dirname(absolute);
  }

  private fail(path: PathKey, code: string, message: string, at: "key" | "value" = "value") {
    this.errors.push({ ...this.source.locate(path, at), code, message });
  }

  read(): LoadedSuite {
    const cases = (this.data.cases as Json[]).map((c, i) => this.readCase(c, i));
    const first = new Map<string, number>();
    cases.forEach((c, i) => {
      const earlier = first.get(c.name);
      if (earlier === undefined) first.set(c.name, i);
      else
        this.fail(
          ["cases", i, "name"],
          "DUPLICATE_CASE",
          `case "${c.name}" is already defined at line ${cases[earlier]?.line}; give each case its own name`,
        );
    });
    return {
      file: this.source.file,
      source: this.source,
      ...(typeof this.data.description === "string" && { description: this.data.description }),
      cases,
    };
  }

  private readCase(raw: Json, index: number): LoadedCase {
    const path: PathKey = ["cases", index];
    const at = this.source.locate(path);
    const suiteTags = (this.data.tags as string[] | undefined) ?? [];
    const tags = [...new Set([...suiteTags, ...((raw.tags as string[] | undefined) ?? [])])];
    const skip = raw.skip === undefined || raw.skip === false ? false : (raw.skip as true | string);
    if (isMap(raw.overrides) && "pack" in raw.overrides) {
      this.fail(
        [...path, "overrides", "pack"],
        "INVALID_VALUE",
        "overrides cannot change pack: (its id, extends and mappingsDir belong to the pack file); name another pack with the case's pack: instead",
        "key",
      );
    }
    const pack = this.packOf(raw, path);
    const given = isMap(raw.given) ? raw.given : {};
    const seed = this.seedOf(given, [...path, "given"], 0);
    const masterData = this.masterDataOf(seed.masterData);
    const messages = ((raw.messages as unknown[] | undefined) ?? []).flatMap((m, j) =>
      this.messageOf(m, [...path, "messages", j]),
    );
    const events = ((raw.events as unknown[] | undefined) ?? []).flatMap((e, j) =>
      this.eventOf(e, [...path, "events", j]),
    );
    if (raw.messages === undefined && raw.events === undefined) {
      this.fail(
        [...path, "name"],
        "MISSING_KEY",
        "the case sends nothing: add messages: (inbound HL7) or events: (outbound practice events)",
        "key",
      );
    }
    const expectRaw = raw.expect;
    const expectIsList = Array.isArray(expectRaw);
    const expect =
      expectRaw === undefined
        ? undefined
        : expectIsList
          ? (expectRaw as Json[]).map((e, j) => this.expectationOf(e, [...path, "expect", j]))
          : [this.expectationOf(expectRaw as Json, [...path, "expect"])];
    const now = new Date(
      (raw.now as string | undefined) ?? (this.data.now as string | undefined) ?? DEFAULT_NOW,
    );
    return {
      index,
      name: raw.name as string,
      line: at.line,
      col: at.col,
      tags,
      skip,
      only: raw.only === true,
      pack,
      ...(raw.overrides !== undefined && { overrides: [...path, "overrides"] }),
      now,
      ...(masterData && { masterData }),
      seed: seed.records,
      messages,
      events,
      ...(expect && { expect }),
      expectIsList,
    };
  }

  /** The case's pack, else the suite's, else ../pack.yaml from a practice's tests/ folder. */
  private packOf(raw: Json, path: PathKey): string {
    const own = typeof raw.pack === "string" ? { text: raw.pack, at: [...path, "pack"] } : null;
    const suite =
      typeof this.data.pack === "string" ? { text: this.data.pack, at: ["pack"] } : null;
    const chosen = own ?? suite;
    if (!chosen) {
      const beside = resolve(this.dir, "..", "pack.yaml");
      if (basename(this.dir) === "tests" && existsSync(beside)) return shown(beside);
      this.fail(
        [...path, "name"],
        "MISSING_KEY",
        "no pack: write pack: <file> at the top of the file (relative to it) or in the case",
        "key",
      );
      return "";
    }
    const file = resolve(this.dir, chosen.text);
    if (!existsSync(file)) {
      this.fail(
        chosen.at,
        "FILE_NOT_FOUND",
        `pack '${chosen.text}': no such file (${shown(file)})`,
      );
    }
    return shown(file);
  }

  private messageOf(raw: unknown, path: PathKey): LoadedMessage[] {
    const line = this.source.locate(path).line;
    if (typeof raw === "string") return [inline(raw, line)];
    if (isMap(raw) && typeof raw.hl7 === "string") return [inline(raw.hl7, line)];
    if (isMap(raw) && typeof raw.file === "string") {
      const file = resolve(this.dir, raw.file);
      try {
        return [{ label: shown(file), bytes: readFileSync(file), line }];
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? "EIO";
        this.fail(
          [...path, "file"],
          "FILE_NOT_FOUND",
          `cannot read message file '${raw.file}' (${code})`,
        );
      }
    }
    return [];
  }

  /** A practice event: `{file}` (JSON, relative to this file) or the event inline. */
  private eventOf(raw: unknown, path: PathKey): LoadedEvent[] {
    const line = this.source.locate(path).line;
    if (isMap(raw) && typeof raw.file === "string") {
      const file = resolve(this.dir, raw.file);
      if (!existsSync(file)) {
        this.fail([...path, "file"], "FILE_NOT_FOUND", `event file '${raw.file}': no such file`);
        return [];
      }
      const load = eventFileLoad(shown(file));
      if (!load.ok) {
        this.errors.push(...load.errors);
        return [];
      }
      return [{ label: shown(file), event: load.event, line }];
    }
    const validate = schemaValidator("practice-event");
    if (!validate(raw)) {
      this.errors.push(...convertSchemaErrors(validate.errors ?? [], layerOf(this.source, path)));
      return [];
    }
    const event = raw as PracticeEvent;
    const wrong = eventInconsistencies(event, (inner) => this.source.locate([...path, ...inner]));
    if (wrong.length > 0) {
      this.errors.push(...wrong);
      return [];
    }
    return [{ label: `inline event (line ${line})`, event, line }];
  }

  /** `expect[].messages`: a whole message (string) or {type, segments, fields}. */
  private messageExpectationOf(raw: unknown, path: PathKey): MessageExpectation {
    const line = this.source.locate(path).line;
    if (typeof raw === "string")
      return {
        line,
        path,
        text: raw.replace(/\r\n|\r|\n/g, "\r").replace(/\r$/, ""),
        refs: new Map(),
      };
    const m = raw as Json;
    const refs = new Map<string, CompiledReference>();
    const fields = isMap(m.fields) ? m.fields : undefined;
    for (const ref of Object.keys(fields ?? {})) {
      const compiled = cachedReference(ref);
      if (!compiled.ok) {
        this.fail([...path, "fields", ref], compiled.error.code, compiled.error.message, "key");
        continue;
      }
      refs.set(ref, compiled.reference);
    }
    return {
      line,
      path,
      ...(typeof m.type === "string" && { type: m.type }),
      ...(Array.isArray(m.segments) && { segments: m.segments as string[] }),
      ...(fields && { fields }),
      refs,
    };
  }

  private expectationOf(raw: Json, path: PathKey): OutcomeExpectation {
    const exact = new Set<ListName>(
      raw.exact === true ? LIST_NAMES : Array.isArray(raw.exact) ? (raw.exact as ListName[]) : [],
    );
    const asserts: LoadedAssert[] = [];
    const assertRaw = raw.assert;
    const sources =
      typeof assertRaw === "string"
        ? [{ text: assertRaw, at: [...path, "assert"] }]
        : Array.isArray(assertRaw)
          ? (assertRaw as string[]).map((text, k) => ({ text, at: [...path, "assert", k] }))
          : [];
    for (const { text, at } of sources) {
      const compiled = cachedExpression(text, DEFAULT_BUDGET);
      if (!compiled.ok) {
        for (const e of compiled.errors)
          this.errors.push({
            ...this.source.locateWithin(at, e.column),
            code: e.code,
            message: `assert: ${e.message}`,
          });
        continue;
      }
      asserts.push({
        source: text,
        expression: compiled.expression,
        line: this.source.locate(at).line,
      });
    }
    return {
      path,
      line: this.source.locate(path).line,
      ...(typeof raw.state === "string" && { state: raw.state as QueueState }),
      ...(typeof raw.controlId === "string" && { controlId: raw.controlId }),
      ...(typeof raw.messageType === "string" && { messageType: raw.messageType }),
      exact,
      ...(Array.isArray(raw.actions) && {
        actions: raw.actions.map((a) => (typeof a === "string" ? { type: a } : a)),
      }),
      ...(Array.isArray(raw.errors) && {
        errors: raw.errors.map((e) => (typeof e === "string" ? { code: e } : e)),
      }),
      ...(Array.isArray(raw.review) && { review: raw.review }),
      asserts,
      ...(isMap(raw.store) && { store: raw.store as StoreExpectation }),
      ...(Array.isArray(raw.messages) && {
        messages: raw.messages.map((m, k) =>
          this.messageExpectationOf(m, [...path, "messages", k]),
        ),
      }),
    };
  }

  /** A store state: its fixtures (`use:`) first, then its own records; the last master data wins. */
  private seedOf(
    raw: Json,
    path: PathKey,
    depth: number,
    source: YamlSource = this.source,
    dir: string = this.dir,
  ): { records: SeedRecords; masterData?: { value: unknown; path: PathKey; source: YamlSource } } {
    const records = {
      patients: [] as Json[],
      policies: [] as Json[],
      appointments: [] as Json[],
      claims: [] as Json[],
    };
    let masterData: { value: unknown; path: PathKey; source: YamlSource } | undefined;
    const uses = typeof raw.use === "string" ? [raw.use] : ((raw.use as string[]) ?? []);
    uses.forEach((ref, k) => {
      const usePath = typeof raw.use === "string" ? [...path, "use"] : [...path, "use", k];
      const fixture = this.fixtureOf(ref, usePath, source, dir, depth);
      if (!fixture) return;
      const inner = this.seedOf(fixture.raw, fixture.path, depth + 1, fixture.source, fixture.dir);
      for (const key of Object.keys(records) as (keyof typeof records)[])
        records[key].push(...(inner.records[key] as Json[]));
      if (inner.masterData) masterData = inner.masterData;
    });
    for (const key of Object.keys(records) as (keyof typeof records)[]) {
      if (Array.isArray(raw[key])) records[key].push(...(raw[key] as Json[]));
    }
    if (raw.masterData !== undefined) {
      const value =
        typeof raw.masterData === "string" ? resolve(dir, raw.masterData) : raw.masterData;
      masterData = { value, path: [...path, "masterData"], source };
    }
    return { records, ...(masterData && { masterData }) };
  }

  private fixtureOf(
    ref: string,
    at: PathKey,
    from: YamlSource,
    dir: string,
    depth: number,
  ): { raw: Json; path: PathKey; source: YamlSource; dir: string } | undefined {
    const fail = (code: string, message: string) =>
      this.errors.push({ ...from.locate(at), code, message });
    if (depth >= MAX_FIXTURE_DEPTH) {
      fail("FIXTURE_CYCLE", `fixtures use each other more than ${MAX_FIXTURE_DEPTH} deep`);
      return undefined;
    }
    const hash = ref.lastIndexOf("#");
    let source = from;
    let fixtureDir = dir;
    let name = ref;
    if (hash >= 0) {
      const file = resolve(dir, ref.slice(0, hash));
      name = ref.slice(hash + 1);
      const read = readYamlFileCached(shown(file), TEST_YAML);
      if (!read.ok) {
        fail("FIXTURE_NOT_FOUND", `cannot read fixtures of '${ref}': ${read.errors[0]?.message}`);
        return undefined;
      }
      source = read.source;
      fixtureDir = dirname(file);
    }
    const fixtures = isMap(source.data) ? source.data.fixtures : undefined;
    const raw = isMap(fixtures) ? fixtures[name] : undefined;
    if (!isMap(raw)) {
      const known = isMap(fixtures) ? Object.keys(fixtures) : [];
      fail(
        "FIXTURE_NOT_FOUND",
        `no fixture '${name}' in ${source.file}${known.length ? ` (it has: ${known.join(", ")})` : ""}`,
      );
      return undefined;
    }
    return { raw, path: ["fixtures", name], source, dir: fixtureDir };
  }

  private masterDataOf(
    given: { value: unknown; path: PathKey; source: YamlSource } | undefined,
  ): MasterData | undefined {
    if (!given) return undefined;
    if (typeof given.value === "string") {
      const file = given.value;
      if (this.masterDataCache.has(file)) return this.masterDataCache.get(file);
      if (!existsSync(file)) {
        this.errors.push({
          ...given.source.locate(given.path),
          code: "FILE_NOT_FOUND",
          message: `master data '${shown(file)}': no such file`,
        });
        return undefined;
      }
      const load = loadMasterData(shown(file));
      if (!load.ok) {
        this.errors.push(...load.errors);
        this.masterDataCache.set(file, undefined);
        return undefined;
      }
      this.masterDataCache.set(file, load.data);
      return load.data;
    }
    const validate = schemaValidator("master-data");
    if (!validate(given.value)) {
      this.errors.push(
        ...convertSchemaErrors(validate.errors ?? [], layerOf(given.source, given.path)),
      );
      return undefined;
    }
    // Defaults and cross-checks as for a master-data.yaml; problems relocated into this file.
    const load = loadMasterData(given.source.file, stringify(given.value));
    if (!load.ok) {
      for (const e of load.errors) {
        const path = (e.path ?? "").split(".").filter(Boolean);
        const keys = path.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
        this.errors.push({ ...e, ...given.source.locate([...given.path, ...keys]) });
      }
      return undefined;
    }
    return load.data;
  }
}

function inline(text: string, line: number): LoadedMessage {
  return { label: `inline HL7 (line ${line})`, bytes: new TextEncoder().encode(text), line };
}

function modelineWarnings(source: YamlSource): TestProblem[] {
  const problem = missingModeline(source, "rule-test.schema.json", "test");
  return problem ? [{ ...problem, severity: "warning", code: "MODELINE_MISSING" }] : [];
}

/**
 * Event files as last loaded, by name and text: the cases that name the same
 * event file share one read and check of it (decision 0036). The event is
 * frozen, so no case can change what the next one gets.
 */
const eventFiles = new Map<string, { readonly text: string; readonly load: EventLoad }>();

function eventFileLoad(file: string): EventLoad {
  const text = DISK_FILES.read(file);
  if (text === undefined) return loadEvent(file);
  // The shown name is part of the key: the problems' positions carry it.
  const key = `${resolve(file)}\u0000${file}`;
  const kept = eventFiles.get(key);
  if (kept && kept.text === text) return kept.load;
  const load = loadEvent(file, text);
  if (load.ok) deepFreeze(load.event);
  return keepBounded(eventFiles, key, { text, load }, 1_000).load;
}
