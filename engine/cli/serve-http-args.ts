import type { ServeHttpOptions } from "./serve-http.js";
import { DEFAULT_USERS_FILE } from "./user-command.js";

/** The HTTP options of `rulepack serve`, as parseArgs reads them. */
export interface ServeHttpValues {
  readonly http?: string | undefined;
  readonly "http-host"?: string | undefined;
  readonly users?: string | undefined;
  readonly "http-tls-cert"?: string | undefined;
  readonly "http-tls-key"?: string | undefined;
}

/**
 * The web app's port, address, users file and TLS files, undefined
 * without `--http`, or the usage error (the other options need `--http`; a
 * certificate goes with its key).
 */
export function serveHttpArgs(
  values: ServeHttpValues,
): { readonly http?: ServeHttpOptions } | { readonly error: string } {
  const cert = values["http-tls-cert"];
  const key = values["http-tls-key"];
  if (values.http === undefined) {
    const stray = (["http-host", "users", "http-tls-cert", "http-tls-key"] as const).find(
      (o) => values[o] !== undefined,
    );
    return stray ? { error: `--${stray} needs --http PORT` } : {};
  }
  const port = Number(values.http);
  if (!/^\d+$/.test(values.http) || port > 65535) return { error: "--http takes a PORT (0-65535)" };
  if ((cert === undefined) !== (key === undefined))
    return { error: "--http-tls-cert and --http-tls-key go together" };
  return {
    http: {
      port,
      host: values["http-host"] ?? "127.0.0.1",
      users: values.users ?? DEFAULT_USERS_FILE,
      ...(cert !== undefined && key !== undefined && { tls: { cert, key } }),
    },
  };
}
