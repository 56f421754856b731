import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { formatPackError } from "../../engine/documents/errors.js";
import { loadHostFile, withWorkerDefaults } from "../../engine/host/host-file.js";
import { HARBOR, hostFile, LAKESIDE } from "./helpers.js";

/**
 * The host file's keys of decision 0038: each practice's `workers` and
 * `leaseSeconds`, TLS per listener (`inbound.tls`, `listen.sharedPortTls`,
 * paths from the host file's folder) and `unrouted.retainDays`; what a
 * schema cannot say is refused at its FILE:LINE:COL.
 */

const problems = (file: string): string[] => {
  const read = loadHostFile(file);
  return read.ok ? [] : read.errors.map(formatPackError);
};

const configOf = (file: string) => {
  const read = loadHostFile(file);
  if (!read.ok) throw new Error(read.errors.map(formatPackError).join("\n"));
  return read.config;
};

describe("workers and leaseSeconds", () => {
  it("gives each practice its workers and lease; serve's --workers fills in the others", () => {
    const file = hostFile(`stores:
  sqlite: stores
practices:
  - name: harbor
    pack: ${HARBOR}
    workers: 3
    leaseSeconds: 10
    inbound: { port: 0 }
  - name: lakeside
    pack: ${LAKESIDE}
    inbound: { port: 0 }
  - name: quiet
    pack: ${LAKESIDE}
    workers: 0
    inbound: { port: 0 }
`);
    const config = configOf(file);
    const workersOf = (c: typeof config) => c.practices.map((p) => [p.name, p.workers, p.leaseMs]);
    expect(workersOf(config)).toEqual([
      ["harbor", 3, 10_000],
      ["lakeside", undefined, undefined],
      ["quiet", 0, undefined],
    ]);
    expect(workersOf(withWorkerDefaults(config, { workers: 2, leaseMs: 5_000 }))).toEqual([
      ["harbor", 3, 10_000],
      ["lakeside", 2, 5_000],
      ["quiet", 0, undefined],
    ]);
    expect(withWorkerDefaults(config, {})).toBe(config);
  });

  it("refuses leaseSeconds without workers, at its key", () => {
    const file = hostFile(`stores:
  sqlite: stores
practices:
  - name: harbor
    pack: ${HARBOR}
    leaseSeconds: 10
    inbound: { port: 0 }
`);
    expect(problems(file)).toEqual([
      `${file}:6:5: OPTION_DEPENDENCY practices[0].leaseSeconds: is the workers' claim; set workers: N (1 or more)`,
    ]);
  });
});

describe("TLS per listener", () => {
  it("resolves a practice's and the shared port's files from the host file's folder, keeping where it names them", () => {
    const file = hostFile(`stores:
  sqlite: stores
listen:
  sharedPort: 0
  sharedPortTls: { cert: tls/shared.crt, key: tls/shared.key }
practices:
  - name: harbor
    pack: ${HARBOR}
    inbound:
      port: 0
      tls:
        cert: tls/harbor.crt
        key: tls/harbor.key
        ca: tls/ca.crt
        requireClientCert: true
  - name: lakeside
    pack: ${LAKESIDE}
    inbound: { routes: [{ receivingFacility: LAKESIDE }] }
`);
    const dir = dirname(file);
    const shown = (name: string) => relative(process.cwd(), join(dir, "tls", name));
    const config = configOf(file);
    expect(config.sharedPortTls).toEqual({
      files: { cert: shown("shared.crt"), key: shown("shared.key"), requireClientCert: false },
      at: `${file}:5:18`,
    });
    expect(config.practices[0]?.inbound).toEqual({
      port: 0,
      tls: {
        files: {
          cert: shown("harbor.crt"),
          key: shown("harbor.key"),
          ca: shown("ca.crt"),
          requireClientCert: true,
        },
        at: `${file}:12:9`,
      },
    });
  });

  it("refuses a client-certificate check without its CA, a CA without the check, TLS on a routed practice, and shared-port TLS without a shared port", () => {
    const file = hostFile(`stores:
  sqlite: stores
listen:
  sharedPort: 0
practices:
  - name: a
    pack: ${HARBOR}
    inbound: { port: 0, tls: { cert: c, key: k, requireClientCert: true } }
  - name: b
    pack: ${HARBOR}
    inbound: { port: 0, tls: { cert: c, key: k, ca: ca } }
  - name: c
    pack: ${HARBOR}
    inbound: { routes: [{ receivingFacility: C }], tls: { cert: c, key: k } }
`);
    expect(problems(file)).toEqual([
      `${file}:8:49: OPTION_DEPENDENCY practices[0].inbound.tls.requireClientCert: needs ca (the CA senders' certificates are checked against)`,
      `${file}:11:49: OPTION_DEPENDENCY practices[1].inbound.tls.ca: is read only with requireClientCert: true`,
      `${file}:14:52: INVALID_VALUE practices[2].inbound.tls: a practice on the shared port is reached through listen.sharedPortTls`,
    ]);
    const noShared = hostFile(`stores:
  sqlite: stores
listen:
  sharedPortTls: { cert: c, key: k }
practices:
  - name: a
    pack: ${HARBOR}
    inbound: { port: 0 }
`);
    expect(problems(noShared)).toEqual([
      `${noShared}:4:3: INVALID_VALUE listen.sharedPortTls: there is no listen.sharedPort for it to secure`,
    ]);
  });
});

describe("unrouted.retainDays", () => {
  const withUnrouted = (unrouted: string) =>
    hostFile(`stores:
  sqlite: stores
${unrouted}practices:
  - name: a
    pack: ${HARBOR}
    inbound: { port: 0 }
`);

  it("is the packs' 90 days unless the host file says", () => {
    expect(configOf(withUnrouted("")).unroutedRetainDays).toBe(90);
    expect(configOf(withUnrouted("unrouted:\n  retainDays: 14\n")).unroutedRetainDays).toBe(14);
  });

  it("refuses a retention under a day, at its line", () => {
    const file = withUnrouted("unrouted:\n  retainDays: 0\n");
    expect(problems(file)).toEqual([expect.stringMatching(new RegExp(`^${file}:4:\\d+: `))]);
  });
});
