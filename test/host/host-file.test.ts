import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { formatPackError } from "../../engine/documents/errors.js";
import { loadHostFile } from "../../engine/host/host-file.js";
import { HARBOR, hostFile, LAKESIDE } from "./helpers.js";

/** host.yaml: schemas/host.schema.json, then what a schema cannot say, every problem at FILE:LINE:COL. */

const problems = (file: string): string[] => {
  const read = loadHostFile(file);
  return read.ok ? [] : read.errors.map(formatPackError);
};

describe("a valid host file", () => {
  it("gives each practice its pack, its schema of the one database and its listener", () => {
    const file = hostFile(`stores:
  postgres: postgres://rulepack@db.example:5432/practices
listen:
  host: 0.0.0.0
  sharedPort: 2575
practices:
  - name: harbor-ortho
    pack: ${HARBOR}
    inbound: { port: 2576 }
  - name: lakeside
    pack: ${LAKESIDE}
    inbound:
      routes: [{ receivingApplication: PS, receivingFacility: LAKESIDE }]
`);
    const read = loadHostFile(file);
    expect(read.ok && read.config).toEqual({
      file,
      host: "0.0.0.0",
      sharedPort: 2575,
      unroutedStore: "postgres://rulepack@db.example:5432/practices?schema=_unrouted",
      unroutedRetainDays: 90,
      practices: [
        {
          name: "harbor-ortho",
          pack: relative(process.cwd(), HARBOR),
          store: "postgres://rulepack@db.example:5432/practices?schema=harbor_ortho",
          inbound: { port: 2576 },
        },
        {
          name: "lakeside",
          pack: relative(process.cwd(), LAKESIDE),
          store: "postgres://rulepack@db.example:5432/practices?schema=lakeside",
          inbound: { routes: [{ receivingApplication: "PS", receivingFacility: "LAKESIDE" }] },
        },
      ],
    });
  });

  it("reads relative paths from the host file's folder: packs, the SQLite folder, a practice's own store", () => {
    const file = hostFile(`stores:
  sqlite: stores
practices:
  - name: harbor
    pack: ${relative(dirname(hostFile("")), HARBOR)}
    inbound: { port: 0 }
  - name: lakeside
    pack: ${LAKESIDE}
    store: elsewhere/lakeside.db
    inbound: { port: 0 }
`);
    const read = loadHostFile(file);
    if (!read.ok) throw new Error(problems(file).join("\n"));
    const dir = dirname(file);
    expect(read.config.host).toBe("127.0.0.1");
    expect(read.config.practices.map((p) => [p.pack, p.store])).toEqual([
      [relative(process.cwd(), HARBOR), join(dir, "stores", "harbor.sqlite")],
      [relative(process.cwd(), LAKESIDE), join(dir, "elsewhere", "lakeside.db")],
    ]);
    expect(read.config.unroutedStore).toBe(join(dir, "stores", "_unrouted.sqlite"));
  });
});

describe("an invalid host file", () => {
  const practice = (name: string, inbound: string) =>
    `  - name: ${name}\n    pack: ${HARBOR}\n    inbound: ${inbound}\n`;

  it("is refused by the schema at the key's line: an unknown key, a name that cannot be a schema", () => {
    const file = hostFile(`stores:
  sqlite: stores
practices:
  - name: Harbor_Ortho
    pack: ${HARBOR}
    inbound: { port: 0, prot: 1 }
`);
    expect(problems(file)).toEqual([
      expect.stringMatching(new RegExp(`^${file}:4:\\d+: INVALID_VALUE .*name`)),
      `${file}:6:25: UNKNOWN_KEY "prot" is not a key of practices[0].inbound (did you mean port?)`,
    ]);
  });

  it("refuses a name, a port or a route used twice, at the second one", () => {
    const file = hostFile(`stores:
  sqlite: stores
listen:
  sharedPort: 2575
practices:
${practice("a", "{ port: 2576 }")}${practice("a", "{ port: 2576 }")}${practice("b", "{ port: 2575 }")}${practice("c", "{ routes: [{ receivingFacility: X }] }")}${practice("d", "{ routes: [{ receivingFacility: X }] }")}`);
    expect(problems(file)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${file}:9:\\d+: DUPLICATE_ROW practices\\[1\\]\\.name: 'a' is already used \\(line 6\\)`,
        ),
      ),
      expect.stringMatching(
        new RegExp(`^${file}:11:\\d+: DUPLICATE_ROW .*'2576' is already used \\(line 8\\)`),
      ),
      expect.stringMatching(
        new RegExp(`^${file}:14:\\d+: DUPLICATE_ROW .*'2575' is already used \\(line 4\\)`),
      ),
      expect.stringMatching(
        new RegExp(`^${file}:20:\\d+: DUPLICATE_ROW .*'\\*\\^X' is already used \\(line 17\\)`),
      ),
    ]);
  });

  it("refuses routes without a shared port, and a shared port no practice is routed to", () => {
    const routes = hostFile(
      `stores:\n  sqlite: s\npractices:\n${practice("a", "{ routes: [{ receivingApplication: A }] }")}`,
    );
    expect(problems(routes)).toEqual([
      `${routes}:6:16: MISSING_KEY practices[0].inbound.routes: routes are on the shared port; set listen.sharedPort`,
    ]);
    const shared = hostFile(
      `stores:\n  sqlite: s\nlisten:\n  sharedPort: 2575\npractices:\n${practice("a", "{ port: 1 }")}`,
    );
    expect(problems(shared)).toEqual([
      `${shared}:4:15: INVALID_VALUE listen.sharedPort: no practice has inbound.routes, so nothing could arrive on it`,
    ]);
  });

  it("refuses both ways in (or none), and both kinds of store", () => {
    const file = hostFile(
      `stores:\n  sqlite: s\n  postgres: postgres://db/x\npractices:\n${practice("a", "{ port: 1, routes: [{ receivingApplication: A }] }")}${practice("b", "{}")}`,
    );
    expect(problems(file)).toEqual([
      `${file}:2:3: INVALID_VALUE stores: give one of postgres (a URL) or sqlite (a folder)`,
      `${file}:7:14: INVALID_VALUE practices[0].inbound: give one of port (its own listener) or routes (the shared port)`,
      `${file}:7:25: MISSING_KEY practices[0].inbound.routes: routes are on the shared port; set listen.sharedPort`,
      `${file}:10:14: MISSING_KEY practices[1].inbound: give one of port (its own listener) or routes (the shared port)`,
    ]);
  });

  it("refuses a pack that is not there, at its line", () => {
    const file = hostFile(
      `stores:\n  sqlite: s\npractices:\n  - name: a\n    pack: nowhere/pack.yaml\n    inbound: { port: 0 }\n`,
    );
    expect(problems(file)).toEqual([
      `${file}:5:11: FILE_NOT_FOUND practices[0].pack: no file ${join(dirname(file), "nowhere/pack.yaml")} (read from the host file's folder)`,
    ]);
  });
});
