import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PACK_DEFAULTS } from "../../engine/pack/defaults.js";

/**
 * The defaults live twice, on purpose: rules/base.yaml is what a pack
 * engineer reads, engine/pack/defaults.ts is what the code needs before a
 * pack exists (and for a pack that does not extend base.yaml). They agree.
 */

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/** Every leaf of the defaults (a scalar or a list) with its dotted path. */
function leaves(node: unknown, path: string[] = []): [string, unknown][] {
  if (!isMap(node)) return [[path.join("."), node]];
  return Object.entries(node).flatMap(([k, v]) => leaves(v, [...path, k]));
}

function at(data: unknown, path: string): unknown {
  let node = data;
  for (const key of path.split(".")) node = isMap(node) ? node[key] : undefined;
  return node;
}

const base = parse(readFileSync("rules/base.yaml", "utf8")) as Json;

/**
 * Defaults base.yaml cannot state, and why: a child that chooses otherwise
 * would inherit the key beside its choice, which the schema refuses.
 */
const NOT_IN_BASE: Readonly<Record<string, string>> = {
  "appointments.matching.from": "with appointments.matching.by externalId, from is refused",
  "charges.appointmentMatching.from": "with charges.appointmentMatching.by none, from is refused",
  "charges.derivation.supervisingProvider": "stated in docs/pack-language.md §18 only",
  "outbound.msh.controlIdPrefix": "empty: no prefix",
};

describe("defaults: rules/base.yaml and engine/pack/defaults.ts agree", () => {
  const all = leaves(PACK_DEFAULTS);

  it("reads the defaults (the walk is not empty)", () => {
    expect(all.length).toBeGreaterThan(50);
  });

  it("every default base.yaml states has the value the code assumes", () => {
    const stated = all.filter(([path]) => at(base, path) !== undefined);
    expect(stated.map(([path]) => [path, at(base, path)])).toEqual(stated);
  });

  it("base.yaml states every default except those it cannot (each with its reason)", () => {
    const missing = all.filter(([path]) => at(base, path) === undefined).map(([path]) => path);
    expect(missing.sort()).toEqual(Object.keys(NOT_IN_BASE).sort());
  });
});
