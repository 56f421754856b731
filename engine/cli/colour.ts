import * as util from "node:util";
import type { CliIo } from "../io/cli-io.js";

/**
 * Colour for pretty output: on a terminal, unless NO_COLOR is set (any
 * non-empty value, no-color.org); FORCE_COLOR (not "0") turns it on
 * anywhere. Off, every style is the text itself.
 */
export function colourWanted(
  isTty: boolean,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return isTty;
}

export type Style = "red" | "green" | "yellow" | "cyan" | "dim";

export type Paint = (style: Style, text: string) => string;

/**
 * node:util's styleText (Node >= 20.12). Newer versions check stdout and
 * the environment themselves; colourWanted has decided already (and the
 * styled text may go to stderr), so that check is off.
 */
const styleText = (
  util as {
    styleText?: (
      format: string,
      text: string,
      options?: { readonly validateStream?: boolean },
    ) => string;
  }
).styleText;

export function painter(on: boolean): Paint {
  if (!on || styleText === undefined) return (_style, text) => text;
  return (style, text) => styleText(style, text, { validateStream: false });
}

/**
 * The pretty test report's marks painted: `✓` green, `✗` red, as the
 * report's lines come (each write holds whole lines). The text is
 * otherwise unchanged, so the report itself stays colour-free.
 */
export function paintMarks(text: string, paint: Paint): string {
  return text.replace(
    /^( *)([✓✗])/gmu,
    (_all, indent: string, mark: string) =>
      `${indent}${paint(mark === "✓" ? "green" : "red", mark)}`,
  );
}

/** An io whose stdout paints the report's marks. */
export function markPaintingIo(io: CliIo, paint: Paint): CliIo {
  return { stdout: (text: string) => io.stdout(paintMarks(text, paint)), stderr: io.stderr };
}
