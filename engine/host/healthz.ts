import { createServer, type Server } from "node:http";

/**
 * A host's `GET /healthz` (`listen.healthPort` in the host file), what the
 * systemd timer and the Dockerfile's HEALTHCHECK ask (deploy/): 200 when
 * every practice's store answers, its listener listens and its outbound
 * sender runs (when its pack names a receiver), else 503; the body says
 * which practice failed, `{ ok, practices: { NAME: { store, listener,
 * sender } } }` (no patient data; `sender` only for a practice that sends).
 * A practice of the host file that could not be started is down. A store that does not answer within
 * `timeoutMs` counts as failed. Every other path is 404. One practice's
 * `serve --http` has the same path with the web side's own checks.
 */

export interface PracticeHealth {
  readonly store: boolean;
  readonly listener: boolean;
  /** Present when the practice's pack names a receiver: its sender's lanes run. */
  readonly sender?: boolean;
}

/** Every part of the practice is up. */
export function practiceUp(p: PracticeHealth): boolean {
  return p.store && p.listener && p.sender !== false;
}

export interface HealthzOptions {
  readonly port: number;
  readonly host: string;
  /** Each practice's health, by name. */
  readonly check: () => Promise<Readonly<Record<string, PracticeHealth>>>;
}

export interface Healthz {
  readonly port: number;
  close(): Promise<void>;
}

/** Whether `probe` resolves within `ms` (false on a rejection or a timeout). */
export async function answersWithin(probe: () => Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      probe().then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function startHealthz(options: HealthzOptions): Promise<Healthz> {
  const server: Server = createServer((request, response) => {
    if (request.method !== "GET" || request.url?.split("?")[0] !== "/healthz") {
      response.writeHead(404, { "content-type": "application/json" });
      response.end('{"ok":false,"error":"not found"}\n');
      return;
    }
    void options.check().then(
      (practices) => {
        const ok = Object.values(practices).every(practiceUp);
        response.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
        response.end(`${JSON.stringify({ ok, practices })}\n`);
      },
      () => {
        response.writeHead(503, { "content-type": "application/json" });
        response.end('{"ok":false}\n');
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      const address = server.address();
      resolve({
        port: typeof address === "object" && address ? address.port : options.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
