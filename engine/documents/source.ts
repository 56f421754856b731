import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import {
  type Document,
  isMap,
  isNode,
  isScalar,
  LineCounter,
  type Node,
  parseDocument,
  type SchemaOptions,
  visit,
  type YAMLError,
} from "yaml";
import type { PackError, PackErrorCode, SourcePosition } from "./errors.js";

/** A YAML file read with positions, so every later problem can be located in it. */
export interface YamlSource {
  readonly file: string;
  /** The file's text as read. */
  readonly text: string;
  readonly data: unknown;
  readonly doc: Document | null;
  /** Position of the node at `path` (or of its nearest existing ancestor). */
  locate(path: readonly (string | number)[], at?: "key" | "value"): SourcePosition;
  /** Position of the 1-based `column` within the string scalar at `path` (a reference, an expression). */
  locateWithin(path: readonly (string | number)[], column: number): SourcePosition;
}

export type YamlRead =
  | { readonly ok: true; readonly source: YamlSource }
  | { readonly ok: false; readonly errors: readonly PackError[] };

const YAML_CODES: Readonly<Record<string, PackErrorCode>> = { DUPLICATE_KEY: "DUPLICATE_KEY" };

/** Options of `readYaml`: YAML tags beyond the core schema (a rule test's `!absent`). */
export interface ReadYamlOptions {
  readonly customTags?: SchemaOptions["customTags"];
}

export function readYaml(file: string, text?: string, options: ReadYamlOptions = {}): YamlRead {
  let src = text;
  if (src === undefined) {
    try {
      src = readFileSync(file, "utf8");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "EIO";
      return {
        ok: false,
        errors: [
          {
            code: "FILE_NOT_FOUND",
            message: `cannot read ${file} (${code})`,
            file,
            line: 1,
            col: 1,
          },
        ],
      };
    }
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(src, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    ...(options.customTags && { customTags: options.customTags }),
  });
  const position = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col };
  };
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({
        code: YAML_CODES[e.code] ?? "YAML_SYNTAX",
        message:
          e.code === "DUPLICATE_KEY"
            ? duplicateKeyMessage(src, e, lineCounter)
            : firstLine(e.message),
        ...position(syntaxErrorOffset(src, e)),
      })),
    };
  }
  const locate = (
    path: readonly (string | number)[],
    at: "key" | "value" = "value",
  ): SourcePosition => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      const range = rangeOf(node, n === path.length && at === "key" ? keyOf(doc, path) : undefined);
      if (range !== undefined) return position(range);
    }
    return { file, line: 1, col: 1 };
  };
  const converted = toData(doc);
  if (!converted.ok) {
    const alias = firstAlias(doc);
    return {
      ok: false,
      errors: [{ ...converted.error, ...position(alias?.range?.[0] ?? 0) }],
    };
  }
  const data = converted.data;
  return {
    ok: true,
    source: {
      file,
      text: src,
      data,
      doc,
      locate,
      locateWithin: within(doc, src, locate, position),
    },
  };
}

/** Aliases may expand to at most this many nodes each (the `yaml` package's guard against alias bombs). */
const MAX_ALIAS_COUNT = 100;

/**
 * The document as plain data. `yaml` throws when aliases expand to too many
 * nodes (a "billion laughs" file, or just many aliases of a large anchor):
 * that is a problem of the file, reported at its first alias, not thrown.
 */
function toData(
  doc: Document,
): { ok: true; data: unknown } | { ok: false; error: { code: PackErrorCode; message: string } } {
  try {
    return { ok: true, data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/alias/i.test(message))
      return {
        ok: false,
        error: {
          code: "YAML_ALIAS_LIMIT",
          message: `the aliases (*name) of this file expand to too many nodes (${firstLine(message)}); write the repeated values out, or alias smaller anchors`,
        },
      };
    return { ok: false, error: { code: "YAML_SYNTAX", message: firstLine(message) } };
  }
}

/** The first alias node (`*name`) of the document, where an alias problem is shown. */
function firstAlias(doc: Document): Node | undefined {
  let found: Node | undefined;
  visit(doc, {
    Alias(_key, node) {
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

/**
 * Where a YAML error is best shown. `yaml` reports an unclosed quote at the
 * end of the file and a bad indentation at the start of the line; the author
 * needs the opening quote and the first character of the misplaced key.
 */
function syntaxErrorOffset(text: string, e: YAMLError): number {
  const at = e.pos[0];
  if (e.code === "MISSING_CHAR") {
    const quote = /Missing closing (["'])quote/.exec(e.message)?.[1];
    const open = quote ? text.lastIndexOf(quote, at - 1) : -1;
    if (open >= 0) return open;
  }
  let offset = at;
  while (text[offset] === " " || text[offset] === "\t") offset++;
  return offset < text.length && text[offset] !== "\n" && text[offset] !== "\r" ? offset : at;
}

/** `"patientAdd" is already defined at line 10`: find the first key of the pair `yaml` rejected. */
function duplicateKeyMessage(text: string, e: YAMLError, lines: LineCounter): string {
  const relaxed = parseDocument(text, { uniqueKeys: false });
  let message = "duplicate key: each key may appear once in a map";
  visit(relaxed, {
    Map(_key, map) {
      if (!isMap(map)) return;
      const seen = new Map<string, Node>();
      for (const pair of map.items) {
        if (!isScalar(pair.key) || !pair.key.range) continue;
        const name = String(pair.key.value);
        const first = seen.get(name);
        if (first?.range && pair.key.range[0] === e.pos[0]) {
          message = `"${name}" is already defined at line ${lines.linePos(first.range[0]).line}; each key may appear once in a map`;
          return visit.BREAK;
        }
        if (!first) seen.set(name, pair.key);
      }
      return undefined;
    },
  });
  return message;
}

function rangeOf(node: unknown, key?: Node): number | undefined {
  if (key?.range) return key.range[0];
  if (isNode(node) && node.range) return node.range[0];
  return undefined;
}

/** The key node of the last path element, for errors that belong on the key (unknown keys). */
function keyOf(doc: Document, path: readonly (string | number)[]): Node | undefined {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  if (!parent || typeof parent !== "object" || !("items" in parent)) return undefined;
  for (const item of (parent as { items: unknown[] }).items) {
    const k = (item as { key?: unknown }).key;
    if (isScalar(k) && String(k.value) === String(last)) return k;
  }
  return undefined;
}

type Locate = YamlSource["locate"];

/**
 * Map a column of a scalar's value back to the file: walk the value and the
 * source text side by side. A line break in the source that folding turned
 * into a space (or removed) is skipped with the indentation after it; block
 * indentation, quotes and escape sequences take source characters that are
 * not in the value.
 */
function within(
  doc: Document,
  text: string,
  locate: Locate,
  position: (offset: number) => SourcePosition,
): YamlSource["locateWithin"] {
  return (path, column) => {
    const node = doc.getIn(path, true);
    if (!isScalar(node) || typeof node.value !== "string" || !node.range) return locate(path);
    const value = node.value;
    const end = node.range[1];
    const block = node.type === "BLOCK_FOLDED" || node.type === "BLOCK_LITERAL";
    let src = node.range[0];
    let indent = 0;
    if (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE") src++;
    if (block) {
      src = text.indexOf("\n", src) + 1;
      while (text[src] === "\r" || text[src] === "\n") src++;
      while (text[src] === " ") {
        src++;
        indent++;
      }
    }
    /** After a line break in the source: the block's indentation, or all of a flow scalar's. */
    const skipIndent = () => {
      let n = 0;
      while ((text[src] === " " || (!block && text[src] === "\t")) && (!block || n < indent)) {
        src++;
        n++;
      }
    };
    const isBreak = (c: string | undefined) => c === "\n" || c === "\r";
    const target = Math.min(Math.max(column - 1, 0), value.length);
    let v = 0;
    while (v < target && src < end) {
      const c = text[src];
      if (node.type === "QUOTE_DOUBLE" && c === "\\") {
        const next = text[src + 1];
        if (isBreak(next)) {
          // An escaped line break joins the lines with nothing between them.
          src += next === "\r" && text[src + 2] === "\n" ? 3 : 2;
          skipIndent();
          continue;
        }
        src += next === "x" ? 4 : next === "u" ? 6 : next === "U" ? 10 : 2;
        v++;
        continue;
      }
      if (node.type === "QUOTE_SINGLE" && c === "'" && text[src + 1] === "'") {
        src += 2;
        v++;
        continue;
      }
      if (c === value[v]) {
        src++;
        v++;
        if (c === "\n") skipIndent();
        continue;
      }
      if (isBreak(c)) {
        // Folded: the break became the value's space, or joined two lines.
        if (c === "\r" && text[src + 1] === "\n") src++;
        src++;
        skipIndent();
        if (value[v] === " " && !isBreak(text[src])) v++;
        continue;
      }
      src++;
    }
    return position(src);
  };
}

const MODELINE = /^# yaml-language-server: \$schema=(\S+)/;

/**
 * The problem with a file's first line when it is not the yaml-language-server
 * modeline pointing at `schemas/<schema>` (so editors complete and check it),
 * or undefined when it is.
 */
export function missingModeline(
  source: YamlSource,
  schema: string,
  what: string,
): (SourcePosition & { readonly message: string }) | undefined {
  const first = source.text.split(/\r?\n/, 1)[0] ?? "";
  const m = MODELINE.exec(first);
  if (m?.[1]?.endsWith(schema) && existsSync(resolve(dirname(source.file), m[1]))) return undefined;
  return {
    file: source.file,
    line: 1,
    col: 1,
    message: `the first line should be '# yaml-language-server: $schema=<relative path>/schemas/${schema}' so editors complete and check the ${what}`,
  };
}
