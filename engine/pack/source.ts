import { readFileSync } from "node:fs";
import { type Document, isNode, isScalar, LineCounter, type Node, parseDocument } from "yaml";
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

export function readYaml(file: string, text?: string): YamlRead {
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
  const doc = parseDocument(src, { lineCounter, uniqueKeys: true, prettyErrors: false });
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
            ? "duplicate key: each key may appear once in a map"
            : firstLine(e.message),
        ...position(e.pos[0]),
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
  const data = doc.toJS({ maxAliasCount: 100 });
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

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
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
 * source text side by side, letting a folded line break in the source stand
 * for the space it became, and skipping quotes and block indentation.
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
    let src = node.range[0];
    if (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE") src++;
    if (node.type === "BLOCK_FOLDED" || node.type === "BLOCK_LITERAL") {
      src = text.indexOf("\n", src) + 1;
      while (text[src] === " ") src++;
    }
    const target = Math.min(Math.max(column - 1, 0), value.length);
    for (let v = 0; v < target && src < node.range[1]; v++) {
      if (text[src] === value[v]) {
        src++;
        continue;
      }
      if (/\s/.test(value[v] ?? "") && /[\r\n]/.test(text[src] ?? "")) {
        while (/[\r\n]/.test(text[src] ?? "")) src++;
        while (text[src] === " ") src++;
        continue;
      }
      src++;
    }
    return position(src);
  };
}
