import { existsSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { byPosition, type PackError, type SourcePosition } from "../documents/errors.js";
import { layerOf } from "../documents/merge.js";
import { schemaValidator } from "../documents/schema.js";
import { convertSchemaErrors } from "../documents/schema-errors.js";
import { readYaml, type YamlSource } from "../documents/source.js";
import type { TlsFiles } from "../server/tls-credentials.js";
import { type PracticeStores, practiceStore, UNROUTED_STORE } from "./practice-store.js";

/**
 * A host file (`host.yaml`, schemas/host.schema.json): the practices one
 * `rulepack serve --host-config` runs, each with its pack, its store and
 * its inbound listener. Read like a pack: schema first, then what a schema
 * cannot say (names, ports and routes unique; routes need the shared port;
 * packs that exist), every problem at FILE:LINE:COL. Paths are resolved
 * from the host file's folder. Design: docs/decisions/0024, amended by
 * 0038 (workers, listener TLS, the sender, reloading this file, pruning
 * `_unrouted`).
 */

/** MSH-5 / MSH-6 values a frame on the shared port must carry to be the practice's. */
export interface Route {
  readonly receivingApplication?: string;
  readonly receivingFacility?: string;
}

/**
 * A listener's TLS files, resolved from the host file's folder, with where
 * the host file names them (`FILE:LINE:COL`): a file that cannot be read or
 * is not what its key takes is reported there at start.
 */
export interface HostTls {
  readonly files: TlsFiles;
  readonly at: string;
}

export type Inbound =
  | { readonly port: number; readonly tls?: HostTls }
  | { readonly routes: readonly Route[] };

export interface HostPractice {
  readonly name: string;
  /** The pack file, relative to the working directory (as the commands show files). */
  readonly pack: string;
  /** The store location, as `--db` takes it. */
  readonly store: string;
  readonly inbound: Inbound;
  /** `workers: N` (0: the lane); undefined: serve's --workers, else the lane. */
  readonly workers?: number;
  /** `leaseSeconds`, in ms; undefined: serve's --lease, else 30 s. */
  readonly leaseMs?: number;
}

/** Retention of `_unrouted` when the host file does not say: the packs' default. */
export const DEFAULT_UNROUTED_RETAIN_DAYS = 90;

export interface HostConfig {
  readonly file: string;
  /** The address every listener binds. */
  readonly host: string;
  readonly sharedPort?: number;
  /** TLS on the shared port (`listen.sharedPortTls`). */
  readonly sharedPortTls?: HostTls;
  /** The HTTP port of GET /healthz (healthz.ts), when there is one. */
  readonly healthPort?: number;
  /** Where the shared port records frames no practice claims. */
  readonly unroutedStore: string;
  /** `unrouted.retainDays` (unrouted-retention.ts). */
  readonly unroutedRetainDays: number;
  readonly practices: readonly HostPractice[];
}

export type HostLoad =
  | { readonly ok: true; readonly config: HostConfig }
  | { readonly ok: false; readonly errors: readonly PackError[] };

interface RawTls {
  cert: string;
  key: string;
  ca?: string;
  requireClientCert?: boolean;
}

interface RawHost {
  stores: PracticeStores;
  listen?: { host?: string; sharedPort?: number; healthPort?: number; sharedPortTls?: RawTls };
  unrouted?: { retainDays?: number };
  practices: {
    name: string;
    pack: string;
    store?: string;
    workers?: number;
    leaseSeconds?: number;
    inbound: { port?: number; routes?: Route[]; tls?: RawTls };
  }[];
}

/** `text` stands for the file's content (tests); else the file is read. */
export function loadHostFile(file: string, text?: string): HostLoad {
  const read = readYaml(file, text);
  if (!read.ok) return { ok: false, errors: read.errors };
  const source = read.source;
  const validate = schemaValidator("host");
  if (!validate(source.data)) {
    const errors = convertSchemaErrors(validate.errors ?? [], layerOf(source));
    return { ok: false, errors: errors.sort(byPosition) };
  }
  const raw = source.data as RawHost;
  const dir = dirname(resolve(file));
  const errors = [
    ...oneOfEach(source, raw),
    ...uniqueness(source, raw),
    ...sharedPortChecks(source, raw),
    ...tlsChecks(source, raw),
    ...leaseChecks(source, raw),
  ];
  raw.practices.forEach((p, i) => {
    if (!existsSync(resolve(dir, p.pack))) {
      errors.push({
        ...source.locate(["practices", i, "pack"]),
        code: "FILE_NOT_FOUND",
        message: `practices[${i}].pack: no file ${resolve(dir, p.pack)} (read from the host file's folder)`,
        path: `practices.${i}.pack`,
      });
    }
  });
  if (errors.length > 0) return { ok: false, errors: errors.sort(byPosition) };
  const shown = (path: string): string => relative(process.cwd(), path) || path;
  const stores = absoluteStores(raw.stores, dir);
  const tls = (given: RawTls | undefined, path: (string | number)[]): HostTls | undefined => {
    if (given === undefined) return undefined;
    const at = source.locate(path);
    return {
      files: {
        cert: shown(resolve(dir, given.cert)),
        key: shown(resolve(dir, given.key)),
        ...(given.ca !== undefined && { ca: shown(resolve(dir, given.ca)) }),
        requireClientCert: given.requireClientCert === true,
      },
      at: `${at.file}:${at.line}:${at.col}`,
    };
  };
  const sharedPortTls = tls(raw.listen?.sharedPortTls, ["listen", "sharedPortTls"]);
  return {
    ok: true,
    config: {
      file,
      host: raw.listen?.host ?? "127.0.0.1",
      ...(raw.listen?.sharedPort !== undefined && { sharedPort: raw.listen.sharedPort }),
      ...(raw.listen?.healthPort !== undefined && { healthPort: raw.listen.healthPort }),
      ...(sharedPortTls && { sharedPortTls }),
      unroutedStore: practiceStore(stores, UNROUTED_STORE),
      unroutedRetainDays: raw.unrouted?.retainDays ?? DEFAULT_UNROUTED_RETAIN_DAYS,
      practices: raw.practices.map((p, i) => {
        const ownTls = tls(p.inbound.tls, ["practices", i, "inbound", "tls"]);
        return {
          name: p.name,
          pack: shown(resolve(dir, p.pack)),
          store:
            p.store !== undefined ? storeOverride(p.store, dir) : practiceStore(stores, p.name),
          inbound:
            p.inbound.routes !== undefined
              ? { routes: p.inbound.routes }
              : { port: p.inbound.port as number, ...(ownTls && { tls: ownTls }) },
          ...(p.workers !== undefined && { workers: p.workers }),
          ...(p.leaseSeconds !== undefined && { leaseMs: p.leaseSeconds * 1000 }),
        };
      }),
    },
  };
}

/** The practice of this name, or the names there are. */
export function practiceNamed(
  config: HostConfig,
  name: string,
): HostPractice | { readonly unknown: readonly string[] } {
  return (
    config.practices.find((p) => p.name === name) ?? {
      unknown: config.practices.map((p) => p.name),
    }
  );
}

/**
 * serve's `--workers N [--lease SECONDS]` beside `--host-config`: the
 * workers of every practice whose entry does not name its own `workers`
 * (a practice's `workers: 0` keeps its lane).
 */
export function withWorkerDefaults(
  config: HostConfig,
  defaults: { readonly workers?: number; readonly leaseMs?: number },
): HostConfig {
  if (defaults.workers === undefined) return config;
  return {
    ...config,
    practices: config.practices.map((p) =>
      p.workers !== undefined
        ? p
        : {
            ...p,
            workers: defaults.workers as number,
            ...(p.leaseMs === undefined &&
              defaults.leaseMs !== undefined && { leaseMs: defaults.leaseMs }),
          },
    ),
  };
}

function absoluteStores(stores: PracticeStores, dir: string): PracticeStores {
  return stores.sqlite !== undefined ? { sqlite: resolve(dir, stores.sqlite) } : stores;
}

function storeOverride(location: string, dir: string): string {
  return /^postgres(ql)?:\/\//.test(location) || location === ":memory:"
    ? location
    : resolve(dir, location);
}

function duplicate(
  source: YamlSource,
  path: (string | number)[],
  what: string,
  first: SourcePosition,
): PackError {
  return {
    ...source.locate(path),
    code: "DUPLICATE_ROW",
    message: `${path.join(".").replace(/\.(\d+)\./g, "[$1].")}: ${what} is already used (line ${first.line}); each may appear once on a host`,
    path: path.join("."),
  };
}

/** `stores` names one kind, `inbound` one way in: exactly one key each. */
function oneOfEach(source: YamlSource, raw: RawHost): PackError[] {
  const one = (
    path: (string | number)[],
    given: object,
    keys: readonly string[],
    what: string,
  ): PackError[] => {
    const count = keys.filter((k) => k in given).length;
    if (count === 1) return [];
    return [
      {
        ...source.locate(path),
        code: count === 0 ? "MISSING_KEY" : "INVALID_VALUE",
        message: `${path.join(".").replace(/\.(\d+)\./g, "[$1].")}: ${what}`,
        path: path.join("."),
      },
    ];
  };
  return [
    ...one(
      ["stores"],
      raw.stores,
      ["postgres", "sqlite"],
      "give one of postgres (a URL) or sqlite (a folder)",
    ),
    ...raw.practices.flatMap((p, i) =>
      one(
        ["practices", i, "inbound"],
        p.inbound,
        ["port", "routes"],
        "give one of port (its own listener) or routes (the shared port)",
      ),
    ),
  ];
}

/** Names, ports (the shared one included; 0, any free port, may repeat) and routes unique. */
function uniqueness(source: YamlSource, raw: RawHost): PackError[] {
  const errors: PackError[] = [];
  const names = new Map<string, SourcePosition>();
  const ports = new Map<number, SourcePosition>();
  const routes = new Map<string, SourcePosition>();
  const seen = (map: Map<unknown, SourcePosition>, key: unknown, path: (string | number)[]) => {
    const first = map.get(key);
    if (first) errors.push(duplicate(source, path, `'${String(key)}'`, first));
    else map.set(key, source.locate(path));
  };
  for (const port of ["sharedPort", "healthPort"] as const) {
    const value = raw.listen?.[port];
    if (value !== undefined && value !== 0) seen(ports, value, ["listen", port]);
  }
  raw.practices.forEach((p, i) => {
    seen(names, p.name, ["practices", i, "name"]);
    const port = p.inbound.port;
    if (port !== undefined && port !== 0) seen(ports, port, ["practices", i, "inbound", "port"]);
    (p.inbound.routes ?? []).forEach((r, j) => {
      seen(routes, routeKey(r), ["practices", i, "inbound", "routes", j]);
    });
  });
  return errors;
}

/** The route as people read it: `APP^FACILITY`, `*` for a value it leaves open. */
export function routeKey(route: Route): string {
  return `${route.receivingApplication ?? "*"}^${route.receivingFacility ?? "*"}`;
}

/** Routes need the shared port, and the shared port needs a practice with routes. */
function sharedPortChecks(source: YamlSource, raw: RawHost): PackError[] {
  if (raw.listen?.sharedPort !== undefined) {
    if (raw.practices.some((p) => p.inbound.routes !== undefined)) return [];
    return [
      {
        ...source.locate(["listen", "sharedPort"]),
        code: "INVALID_VALUE",
        message: "listen.sharedPort: no practice has inbound.routes, so nothing could arrive on it",
        path: "listen.sharedPort",
      },
    ];
  }
  return raw.practices.flatMap((p, i) =>
    p.inbound.routes === undefined
      ? []
      : [
          {
            ...source.locate(["practices", i, "inbound", "routes"], "key"),
            code: "MISSING_KEY" as const,
            message: `practices[${i}].inbound.routes: routes are on the shared port; set listen.sharedPort`,
            path: `practices.${i}.inbound.routes`,
          },
        ],
  );
}

/**
 * A TLS entry as serve's TLS options pair them: a client-certificate check
 * needs the CA it checks against, and a CA is read only for that check; TLS
 * belongs to a listener, so a practice on the shared port has none of its own.
 */
function tlsChecks(source: YamlSource, raw: RawHost): PackError[] {
  const pairs = (tls: RawTls | undefined, path: (string | number)[]): PackError[] => {
    if (tls === undefined) return [];
    const shown = path.join(".").replace(/\.(\d+)\./g, "[$1].");
    const at = (key: string, message: string): PackError => ({
      ...source.locate([...path, key], "key"),
      code: "OPTION_DEPENDENCY",
      message: `${shown}.${key}: ${message}`,
      path: [...path, key].join("."),
    });
    if (tls.requireClientCert === true && tls.ca === undefined)
      return [
        at("requireClientCert", "needs ca (the CA senders' certificates are checked against)"),
      ];
    if (tls.ca !== undefined && tls.requireClientCert !== true)
      return [at("ca", "is read only with requireClientCert: true")];
    return [];
  };
  return [
    ...pairs(raw.listen?.sharedPortTls, ["listen", "sharedPortTls"]),
    ...(raw.listen?.sharedPortTls !== undefined && raw.listen.sharedPort === undefined
      ? [
          {
            ...source.locate(["listen", "sharedPortTls"], "key"),
            code: "INVALID_VALUE" as const,
            message: "listen.sharedPortTls: there is no listen.sharedPort for it to secure",
            path: "listen.sharedPortTls",
          },
        ]
      : []),
    ...raw.practices.flatMap((p, i) => {
      const path = ["practices", i, "inbound", "tls"];
      if (p.inbound.tls !== undefined && p.inbound.routes !== undefined)
        return [
          {
            ...source.locate(path, "key"),
            code: "INVALID_VALUE" as const,
            message: `practices[${i}].inbound.tls: a practice on the shared port is reached through listen.sharedPortTls`,
            path: path.join("."),
          },
        ];
      return pairs(p.inbound.tls, path);
    }),
  ];
}

/** `leaseSeconds` is the workers' claim: it needs workers. */
function leaseChecks(source: YamlSource, raw: RawHost): PackError[] {
  return raw.practices.flatMap((p, i) =>
    p.leaseSeconds !== undefined && !(p.workers !== undefined && p.workers > 0)
      ? [
          {
            ...source.locate(["practices", i, "leaseSeconds"], "key"),
            code: "OPTION_DEPENDENCY" as const,
            message: `practices[${i}].leaseSeconds: is the workers' claim; set workers: N (1 or more)`,
            path: `practices.${i}.leaseSeconds`,
          },
        ]
      : [],
  );
}
