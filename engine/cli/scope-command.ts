import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { formatPackError } from "../documents/errors.js";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import { buildScopeSheet } from "../scope/build.js";
import { diffSheets, formatMoves } from "../scope/diff.js";
import { renderHtml } from "../scope/render-html.js";
import { renderMarkdown } from "../scope/render-markdown.js";
import { renderPdf } from "../scope/render-pdf.js";
import type { ScopeSheet } from "../scope/sheet.js";
import { usageError } from "./args.js";

export const SCOPE_USAGE =
  "rulepack scope PACK [--format html|md|pdf] [--out FILE] | rulepack scope --diff OLD NEW";

type Format = "html" | "md" | "pdf";
const FORMATS: readonly string[] = ["html", "md", "pdf"];

/** `rulepack scope ...`: argument checks, then the sheet or the cell diff. */
export async function scopeCommand(args: readonly string[], io: CliIo): Promise<CommandResult> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      format: { type: "string", default: "html" },
      out: { type: "string" },
      diff: { type: "boolean" },
    },
  });
  const usage = (message: string) => usageError(io, SCOPE_USAGE, message);
  if (values.diff) {
    const [before, after, ...extra] = positionals;
    if (!before || !after || extra.length > 0) return usage("--diff takes OLD and NEW packs");
    return scopeDiff(before, after, io);
  }
  if (!FORMATS.includes(values.format)) return usage(`unknown --format '${values.format}'`);
  const [pack, ...extra] = positionals;
  if (!pack || extra.length > 0) return usage("give exactly one PACK");
  const format = values.format as Format;
  if (format === "pdf" && values.out === undefined) return usage("--format pdf needs --out FILE");
  return scopeSheet({ pack, format, ...(values.out !== undefined && { out: values.out }) }, io);
}

export interface ScopeOptions {
  readonly pack: string;
  readonly format: Format;
  /** Written here; else (html, md) printed on stdout. */
  readonly out?: string;
}

function sheetOrErrors(pack: string, io: CliIo): ScopeSheet | undefined {
  const built = buildScopeSheet(pack);
  if (built.ok) return built.sheet;
  for (const e of built.errors) io.stderr(`${formatPackError(e)}\n`);
  return undefined;
}

/**
 * `rulepack scope PACK`: the scoping document filled in from the effective
 * pack, each value with the FILE:LINE that set it. Exit 2 when the pack does
 * not load (input it cannot use, as in `run`; its problems located on stderr,
 * as `validate` prints them).
 */
export async function scopeSheet(options: ScopeOptions, io: CliIo): Promise<CommandResult> {
  const sheet = sheetOrErrors(options.pack, io);
  if (!sheet) return { exitCode: EXIT.usage };
  if (options.format === "md") return emit(renderMarkdown(sheet), options.out, io);
  const html = renderHtml(sheet);
  if (options.format === "html") return emit(html, options.out, io);
  const pdf = await renderPdf(html);
  return emit(pdf, options.out, io);
}

function emit(content: string | Uint8Array, out: string | undefined, io: CliIo): CommandResult {
  if (out === undefined) {
    io.stdout(typeof content === "string" ? content : "");
    return { exitCode: EXIT.ok };
  }
  try {
    writeFileSync(out, content);
  } catch (e) {
    io.stderr(`rulepack: cannot write ${out} (${(e as NodeJS.ErrnoException).code ?? "EIO"})\n`);
    return { exitCode: EXIT.failed };
  }
  io.stderr(`wrote ${out}\n`);
  return { exitCode: EXIT.ok };
}

/**
 * `rulepack scope --diff OLD NEW`: the cells of the scoping document a pack
 * change moved, one line each with the old and new value and where the new
 * one is set, then the count. Exit 0 either way; 2 when a pack does not load.
 */
export function scopeDiff(before: string, after: string, io: CliIo): CommandResult {
  const old = sheetOrErrors(before, io);
  const now = sheetOrErrors(after, io);
  if (!old || !now) return { exitCode: EXIT.usage };
  io.stdout(formatMoves(diffSheets(old, now)));
  return { exitCode: EXIT.ok };
}
