import type { TlsFiles } from "../server/tls-credentials.js";

/** The TLS options of `rulepack serve`, as parseArgs reads them. */
export interface ServeTlsValues {
  readonly "tls-cert"?: string | undefined;
  readonly "tls-key"?: string | undefined;
  readonly "tls-ca"?: string | undefined;
  readonly "tls-require-client-cert"?: boolean | undefined;
}

/**
 * The listener's TLS files, undefined for plain TCP, or the usage error:
 * a certificate goes with its key, and a client-certificate check needs
 * the CA it checks against (and a CA is only read for that check).
 */
export function serveTlsFiles(
  values: ServeTlsValues,
): { readonly files?: TlsFiles } | { readonly error: string } {
  const cert = values["tls-cert"];
  const key = values["tls-key"];
  const ca = values["tls-ca"];
  const require = values["tls-require-client-cert"] === true;
  if (cert === undefined && key === undefined) {
    if (ca !== undefined || require)
      return { error: "--tls-ca and --tls-require-client-cert need --tls-cert and --tls-key" };
    return {};
  }
  if (cert === undefined) return { error: "--tls-key needs --tls-cert" };
  if (key === undefined) return { error: "--tls-cert needs --tls-key" };
  if (require && ca === undefined)
    return {
      error:
        "--tls-require-client-cert needs --tls-ca (the CA client certificates are checked against)",
    };
  if (ca !== undefined && !require)
    return { error: "--tls-ca is read only with --tls-require-client-cert" };
  return { files: { cert, key, ...(ca !== undefined && { ca }), requireClientCert: require } };
}
