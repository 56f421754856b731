import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";

/**
 * The listener's TLS credentials (`rulepack serve --tls-cert FILE --tls-key
 * FILE [--tls-ca FILE --tls-require-client-cert]`), the spec's "secure
 * method of transfer". Every file is read and checked before anything
 * listens, so a wrong path is refused at start with that path, never found
 * at the first sender's handshake.
 */

/** The files as given on the command line. */
export interface TlsFiles {
  /** The listener's certificate (PEM), with its chain after it. */
  readonly cert: string;
  /** The certificate's private key (PEM, unencrypted). */
  readonly key: string;
  /** The CA (PEM) client certificates are checked against. */
  readonly ca?: string;
  /** Refuse a sender without a certificate signed by `ca`. */
  readonly requireClientCert: boolean;
}

/** What the listener's TLS server is made with (node:tls server options). */
export interface TlsCredentials {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer;
  readonly requireClientCert: boolean;
}

export interface TlsFileError {
  /** `UNREADABLE_FILE`: it cannot be read; `INVALID_TLS_FILE`: it is not what the option takes. */
  readonly code: "UNREADABLE_FILE" | "INVALID_TLS_FILE";
  /** The file, as given. */
  readonly path: string;
  readonly message: string;
}

export type TlsRead =
  | { readonly ok: true; readonly credentials: TlsCredentials }
  | { readonly ok: false; readonly errors: readonly TlsFileError[] };

type Read = { ok: true; bytes: Buffer } | { ok: false; error: TlsFileError };

function readFile(path: string, option: string): Read {
  try {
    return { ok: true, bytes: readFileSync(path) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "error";
    return {
      ok: false,
      error: {
        code: "UNREADABLE_FILE",
        path,
        message: `${option} ${path} cannot be read (${code})`,
      },
    };
  }
}

/** Undefined when `check` accepts the bytes, else why not. */
function invalid(
  path: string,
  option: string,
  what: string,
  check: () => unknown,
): TlsFileError | undefined {
  try {
    check();
    return undefined;
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return {
      code: "INVALID_TLS_FILE",
      path,
      message: `${option} ${path} is not ${what} (${reason})`,
    };
  }
}

/** Read and check the files: each a readable PEM of its kind, the key the certificate's. */
export function readTlsFiles(files: TlsFiles): TlsRead {
  const cert = readFile(files.cert, "--tls-cert");
  const key = readFile(files.key, "--tls-key");
  const ca = files.ca === undefined ? undefined : readFile(files.ca, "--tls-ca");
  const errors: TlsFileError[] = [cert, key, ...(ca ? [ca] : [])].flatMap((r) =>
    r.ok ? [] : [r.error],
  );
  if (!cert.ok || !key.ok || (ca && !ca.ok)) return { ok: false, errors };
  const checks = [
    invalid(files.cert, "--tls-cert", "a PEM certificate", () => new X509Certificate(cert.bytes)),
    invalid(files.key, "--tls-key", "a PEM private key", () => createPrivateKey(key.bytes)),
    ca && files.ca
      ? invalid(files.ca, "--tls-ca", "a PEM certificate", () => new X509Certificate(ca.bytes))
      : undefined,
  ].filter((e): e is TlsFileError => e !== undefined);
  if (checks.length > 0) return { ok: false, errors: checks };
  const pair = invalid(files.key, "--tls-key", `the key of ${files.cert}`, () =>
    createSecureContext({ cert: cert.bytes, key: key.bytes }),
  );
  if (pair) return { ok: false, errors: [pair] };
  return {
    ok: true,
    credentials: {
      cert: cert.bytes,
      key: key.bytes,
      ...(ca && { ca: ca.bytes }),
      requireClientCert: files.requireClientCert,
    },
  };
}
