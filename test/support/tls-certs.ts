import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A throw-away PKI made with Debian's openssl at test time (nothing secret
 * is committed): a CA, a listener certificate for 127.0.0.1/localhost, a
 * client certificate it signed, and a client certificate signed by a
 * second CA the listener does not trust. EC P-256 keys: quick to make.
 */
export interface TestPki {
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A client certificate and key from a CA the listener does not know. */
  readonly strangerCert: string;
  readonly strangerKey: string;
}

function openssl(dir: string, args: readonly string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

const KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

function makeCa(dir: string, name: string): void {
  openssl(dir, [
    "req",
    "-x509",
    ...KEY,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.crt`,
    "-days",
    "2",
    "-subj",
    `/CN=Rulepack test ${name}`,
  ]);
}

function makeSigned(dir: string, name: string, ca: string, subject: string, ext: string): void {
  writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
  openssl(dir, ["req", ...KEY, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject]);
  openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    `${ca}.crt`,
    "-CAkey",
    `${ca}.key`,
    "-CAcreateserial",
    "-out",
    `${name}.crt`,
    "-days",
    "2",
    "-extfile",
    `${name}.ext`,
  ]);
}

/** Make the PKI's files in `dir` (an empty temporary folder). */
export function makeTestPki(dir: string): TestPki {
  makeCa(dir, "ca");
  makeCa(dir, "other-ca");
  makeSigned(
    dir,
    "server",
    "ca",
    "/CN=localhost",
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth",
  );
  makeSigned(dir, "client", "ca", "/CN=practice-a", "extendedKeyUsage=clientAuth");
  makeSigned(dir, "stranger", "other-ca", "/CN=stranger", "extendedKeyUsage=clientAuth");
  const at = (f: string) => join(dir, f);
  return {
    ca: at("ca.crt"),
    serverCert: at("server.crt"),
    serverKey: at("server.key"),
    clientCert: at("client.crt"),
    clientKey: at("client.key"),
    strangerCert: at("stranger.crt"),
    strangerKey: at("stranger.key"),
  };
}
