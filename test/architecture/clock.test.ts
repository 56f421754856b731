import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Decisions read the message's clock (issue 13): `now` is an input of the
 * core, so nothing below the CLI and the listener reads the system clock.
 * The CLI (engine/cli.ts, engine/cli/) and the listener's entry
 * (engine/server/mllp-server.ts) make `now` and pass it down; JSONata's
 * `$now()`/`$millis()` are bound to it per evaluation
 * (engine/expressions/runtime.ts).
 */

const ENGINE = resolve(import.meta.dirname, "../../engine");
const CLOCK = /new Date\(\)|Date\.now\(\)/;

/** Where the clock is made. */
const MAKERS = [/^cli\.ts$/, /^cli\//, /^server\/mllp-server\.ts$/];

/**
 * Known readers below them, each with its reason; a new one fails the test.
 * None: the stores take every attempt's time from its Completion
 * (`complete(outcome, completion)` requires one).
 */
const KNOWN: Readonly<Record<string, string>> = {};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

describe("the wall clock is read only where `now` is made", () => {
  it("no file of engine/ below the CLI and the listener reads new Date() or Date.now()", () => {
    const readers = sources(ENGINE)
      .map((path) => relative(ENGINE, path))
      .filter((rel) => !MAKERS.some((m) => m.test(rel)))
      .filter((rel) => CLOCK.test(readFileSync(join(ENGINE, rel), "utf8")));
    expect(readers.sort()).toEqual(Object.keys(KNOWN).sort());
  });
});
