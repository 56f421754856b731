import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadMasterData } from "../../engine/pack/master-data-load.js";

/**
 * Master-data files are edited with the schema's help (issue 20): each
 * starts with the `$schema` modeline an editor reads, and the schema gives
 * an example for every typical value and the default of every list, so
 * completion shows what a value looks like. The examples are real: put
 * together they load as master data.
 */

const SCHEMA = "schemas/master-data.schema.json";
const MODELINE = /^# yaml-language-server: \$schema=(\S+)$/;

interface Node {
  readonly properties?: Record<string, Node & { items?: Node }>;
  readonly items?: Node;
  readonly examples?: unknown[];
  readonly default?: unknown;
  readonly type?: string;
}

describe("master-data.yaml of every example practice", () => {
  const practices = readdirSync("rules/practices").filter((p) =>
    existsSync(join("rules/practices", p, "master-data.yaml")),
  );

  it.each(practices)("%s starts with the modeline naming the schema", (practice) => {
    const file = join("rules/practices", practice, "master-data.yaml");
    const first = readFileSync(file, "utf8").split("\n")[0] ?? "";
    const target = MODELINE.exec(first)?.[1];
    expect(target, first).toBeDefined();
    expect(resolve(dirname(file), target as string)).toBe(resolve(SCHEMA));
  });
});

describe(SCHEMA, () => {
  const schema = JSON.parse(readFileSync(SCHEMA, "utf8")) as Node;
  const lists = Object.entries(schema.properties ?? {});

  it("gives every list its default (empty)", () => {
    expect(lists.map(([name, list]) => [name, list.default])).toEqual(
      lists.map(([name]) => [name, []]),
    );
  });

  it("gives every text value an example, and every switch its default", () => {
    const missing: string[] = [];
    for (const [name, list] of lists) {
      for (const [key, value] of Object.entries(list.items?.properties ?? {})) {
        const typical = value.type === "boolean" ? value.default : value.examples?.[0];
        if (typical === undefined) missing.push(`${name}.${key}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("its examples, put together, are master data that loads", () => {
    const record = (list: Node) =>
      Object.fromEntries(
        Object.entries(list.items?.properties ?? {})
          .filter(([key]) => key !== "supervisingProviderId")
          .map(([key, value]) => [key, value.examples?.[0] ?? value.default]),
      );
    const data = Object.fromEntries(lists.map(([name, list]) => [name, [record(list)]]));
    const text = stringify(data);
    const load = loadMasterData("examples.yaml", text);
    expect(load.ok ? [] : load.errors.map((e) => `${e.code} ${e.message}`)).toEqual([]);
  });
});
