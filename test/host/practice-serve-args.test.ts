import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import { commandSpec } from "../../engine/cli/command-specs.js";
import { resolvePracticeArgs } from "../../engine/cli/practice-args.js";
import type { CliIo } from "../../engine/io/cli-io.js";
import { HARBOR, hostFile } from "./helpers.js";

/**
 * `serve --practice NAME` serves one practice of the host file alone as the
 * host would run it (decision 0038): its workers, lease and TLS come with
 * its pack, store and port, unless the command line gives its own.
 */

const file = hostFile(`stores:
  sqlite: /var/lib/rulepack
practices:
  - name: harbor
    pack: ${HARBOR}
    workers: 3
    leaseSeconds: 20
    inbound:
      port: 2576
      tls: { cert: /etc/rulepack/harbor.crt, key: /etc/rulepack/harbor.key, ca: /etc/rulepack/ca.crt, requireClientCert: true }
`);
/** A path as the host file gives it to commands: relative to the working directory. */
const shown = (path: string) => relative(process.cwd(), path);
const io: CliIo = { stdout: () => {}, stderr: () => {} };
const serveArgs = (args: string[]) => {
  const r = resolvePracticeArgs(
    commandSpec("serve") as NonNullable<ReturnType<typeof commandSpec>>,
    ["--host-config", file, "--practice", "harbor", ...args],
    {},
    io,
  );
  if (!("args" in r)) throw new Error(`exit ${r.result}`);
  return r.args;
};

describe("serve --practice NAME", () => {
  it("gets the practice's workers, lease and TLS files", () => {
    const args = serveArgs([]);
    expect(args.slice(args.indexOf("--workers"))).toEqual([
      "--workers",
      "3",
      "--lease",
      "20",
      "--tls-cert",
      shown("/etc/rulepack/harbor.crt"),
      "--tls-key",
      shown("/etc/rulepack/harbor.key"),
      "--tls-ca",
      shown("/etc/rulepack/ca.crt"),
      "--tls-require-client-cert",
    ]);
  });

  it("keeps the command line's own workers and TLS", () => {
    const args = serveArgs(["--workers", "1", "--tls-cert", "a.crt", "--tls-key", "a.key"]);
    expect(args.filter((a) => a === "--workers" || a === "--tls-cert")).toEqual([
      "--workers",
      "--tls-cert",
    ]);
    expect(args).not.toContain("--lease");
    expect(args).not.toContain(shown("/etc/rulepack/harbor.crt"));
  });
});
