import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { createWebApp } from "./app.js";
import type { WebOptions } from "./context.js";

/**
 * The web app listening on a port (`rulepack serve --http PORT`), bound to
 * 127.0.0.1 unless told otherwise, over TLS when given a certificate and
 * key (the session cookie is then Secure).
 */

export interface HttpListenOptions {
  readonly port: number;
  readonly host: string;
  /** PEM files; plain HTTP without. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export interface HttpServer {
  /** The port it listens on (the one picked for port 0). */
  readonly port: number;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

export async function startHttpServer(
  listen: HttpListenOptions,
  options: Omit<WebOptions, "secure">,
): Promise<HttpServer> {
  const https = listen.tls && {
    cert: readFileSync(listen.tls.cert),
    key: readFileSync(listen.tls.key),
  };
  const app = await createWebApp({ ...options, secure: https !== undefined }, https);
  await app.listen({ port: listen.port, host: listen.host });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : listen.port;
  return { port, app, close: () => app.close() };
}
