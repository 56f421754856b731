import type { CompiledPack } from "../pack/compiled.js";
import { type MllpServer, startMllpServer } from "../server/mllp-server.js";
import type { TlsCredentials } from "../server/tls-credentials.js";
import type { FrameProcessor } from "../server/worker-frame.js";
import type { Store } from "../store/types.js";
import type { HostPractice } from "./host-file.js";
import type { RunningPractice } from "./practice-runtime.js";
import { createRouter, type Router } from "./route.js";
import { recordUnroutable } from "./unroutable.js";

/**
 * The shared port: each frame to the practice its MSH-5/MSH-6 name (route.ts),
 * stored and decided as that practice's own listener would (its workers
 * with `workers:`, its lane otherwise), or recorded in `_unrouted` and
 * answered AR. The practices it routes to can change while it runs (a
 * reload of the host file): the new set is swapped in between two frames
 * (`setRouting`), so a frame already received finishes with the practice
 * it was routed to.
 */

export interface SharedPortOptions {
  readonly port: number;
  readonly host: string;
  readonly tls?: TlsCredentials;
  readonly idleTimeoutMs?: number;
  /** Where unroutable frames (and oversize ones: no practice can be read from them) are kept. */
  readonly unrouted: Store;
  /** The host file's practices on this port (their routes), and those of them running. */
  readonly routes: readonly HostPractice[];
  readonly practices: readonly RunningPractice[];
  readonly now: () => Date;
  readonly log: (line: string) => void;
}

export interface SharedPort {
  readonly server: MllpServer;
  readonly port: number;
  /** The practices it routes to now, by name. */
  names(): readonly string[];
  /**
   * Route by these entries to these running practices from the next frame
   * on. Called between two frames (inside `server.between`), so that no
   * frame is routed to a practice being stopped. A frame whose route names
   * a practice that is not running is unroutable: it never falls through
   * to a less specific route of another practice.
   */
  setRouting(routes: readonly HostPractice[], practices: readonly RunningPractice[]): void;
  /** Stop accepting, finish and answer what was received. */
  close(): Promise<void>;
}

export async function startSharedPort(options: SharedPortOptions): Promise<SharedPort> {
  const { log, unrouted } = options;
  const slog = (line: string) => log(`shared port ${line}`);
  let routing = routingOf(options.routes, options.practices);
  const first = options.practices[0];
  if (!first) throw new Error("the shared port needs a practice to route to");
  // Each practice's frames go through its own frame handling, found by the store the route chose.
  const frames: FrameProcessor = (pack, store, ...rest) => {
    const practice = routing.byStore.get(store);
    if (!practice) throw new Error("a frame routed to a practice that is not on the shared port");
    return practice.frames(pack, store, ...rest);
  };
  const server = await startMllpServer({
    // Every frame is routed (an oversize one is recorded in `_unrouted`): the server's own pack is unused.
    pack: first.pack as CompiledPack,
    store: unrouted,
    port: options.port,
    host: options.host,
    ...(options.tls && { tls: options.tls }),
    ...(options.idleTimeoutMs !== undefined && { idleTimeoutMs: options.idleTimeoutMs }),
    log: slog,
    now: options.now,
    processFrame: frames,
    route(bytes) {
      const found = routing.router.route(bytes);
      const practice = found.ok ? routing.byName.get(found.practice) : undefined;
      if (!found.ok || !practice) {
        const refused = found.ok
          ? {
              ok: false as const,
              addressed: found.addressed,
              message: `MSH-5^MSH-6 '${found.addressed}' is routed to a practice that is not running on this host`,
              candidates: [found.practice],
              ...(found.header && { header: found.header }),
            }
          : found;
        slog(
          `unroutable addressed=${refused.addressed || "-"}${refused.candidates.length > 0 ? ` candidates=${refused.candidates.join(",")}` : ""}`,
        );
        return { refuse: (sender, at) => recordUnroutable(unrouted, bytes, refused, sender, at) };
      }
      slog(`routed practice=${practice.config.name}`);
      return { pack: practice.pack, store: practice.store, onOutcomes: practice.onOutcomes };
    },
  });
  return {
    server,
    port: server.port,
    names: () => [...routing.byName.keys()],
    setRouting(routes, practices) {
      routing = routingOf(routes, practices);
    },
    close: () => server.close(),
  };
}

interface Routing {
  readonly router: Router;
  readonly byName: ReadonlyMap<string, RunningPractice>;
  readonly byStore: ReadonlyMap<Store, RunningPractice>;
}

function routingOf(
  routes: readonly HostPractice[],
  practices: readonly RunningPractice[],
): Routing {
  return {
    router: createRouter(routes),
    byName: new Map(practices.map((p) => [p.config.name, p])),
    byStore: new Map(practices.map((p) => [p.store, p])),
  };
}
