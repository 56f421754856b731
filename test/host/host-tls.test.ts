import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect as connectTcp } from "node:net";
import { dirname, join, relative } from "node:path";
import { connect as connectTls } from "node:tls";
import { beforeAll, describe, expect, it } from "vitest";
import { MllpDecoder } from "../../engine/hl7/mllp.js";
import { framed } from "../server/helpers.js";
import { rulepack } from "../support/cli.js";
import { makeTestPki, type TestPki } from "../support/tls-certs.js";
import {
  ackCode,
  addressedAdt,
  controlIds,
  HARBOR,
  hostFile,
  LAKESIDE,
  startTestHost,
} from "./helpers.js";

/**
 * Listener TLS in host mode (decision 0038): a practice's own port with
 * `inbound.tls`, the shared port with `listen.sharedPortTls` (routed by
 * MSH-5/MSH-6 inside TLS), paths read from the host file's folder; a TLS
 * file that does not load stops the start with exit 2 at the host file's
 * line naming it. Senders: Node's TLS client, and plain TCP refused.
 */

let file: string;
let pki: TestPki;
beforeAll(() => {
  file = hostFile("");
  const tls = join(dirname(file), "tls");
  mkdirSync(tls);
  pki = makeTestPki(tls);
});

/** One frame over TLS (or plain TCP); the ACKs that came back, or the error that ended it. */
function send(
  port: number,
  frame: Buffer,
  how: {
    readonly tls: boolean;
    readonly client?: { cert: string; key: string };
    /** The CA the client trusts (the test PKI's by default). */
    readonly ca?: string;
  },
): Promise<{ acks: string[]; error?: string }> {
  return new Promise((resolve) => {
    const decoder = new MllpDecoder();
    const acks: string[] = [];
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ acks, ...(error !== undefined && { error }) });
    };
    const socket = how.tls
      ? connectTls({
          port,
          host: "127.0.0.1",
          ca: readFileSync(how.ca ?? pki.ca),
          ...(how.client && {
            cert: readFileSync(how.client.cert),
            key: readFileSync(how.client.key),
          }),
        })
      : connectTcp({ port, host: "127.0.0.1" });
    socket.on(how.tls ? "secureConnect" : "connect", () => socket.write(frame));
    const timer = setTimeout(() => finish("TIMEOUT"), 30_000);
    socket.on("data", (data: Buffer) => {
      for (const e of decoder.push(data))
        if (e.kind === "frame") acks.push(Buffer.from(e.bytes).toString("utf8"));
      if (acks.length > 0) finish();
    });
    socket.on("error", (e: NodeJS.ErrnoException) => finish(e.code ?? e.name));
    socket.on("close", () => finish());
  });
}

const hostText = (harborTls: string) => `stores:
  sqlite: stores
listen:
  sharedPort: 0
  sharedPortTls:
    cert: tls/server.crt
    key: tls/server.key
    ca: tls/ca.crt
    requireClientCert: true
practices:
  - name: harbor
    pack: ${HARBOR}
    inbound:
      port: 0
      tls: ${harborTls}
  - name: lakeside
    pack: ${LAKESIDE}
    inbound: { routes: [{ receivingFacility: LAKESIDE }] }
`;

describe("inbound.tls and listen.sharedPortTls", () => {
  it("speaks MLLP inside TLS on a practice's own port and on the shared port, which also asks for the sender's certificate", async () => {
    writeFileSync(file, hostText("{ cert: tls/server.crt, key: tls/server.key }"));
    const host = await startTestHost(file);
    const client = { cert: pki.clientCert, key: pki.clientKey };
    const stranger = { cert: pki.strangerCert, key: pki.strangerKey };
    try {
      const harborPort = host.portOf("harbor") as number;
      const sharedPort = host.portOf("lakeside") as number;
      const harbor = await send(harborPort, framed(addressedAdt("H1", "PS", "PS")), { tls: true });
      expect(harbor.acks.map(ackCode)).toEqual(["AA"]);
      const plain = await send(harborPort, framed(addressedAdt("H2", "PS", "PS")), { tls: false });
      expect(plain.acks).toEqual([]);

      const routed = await send(sharedPort, framed(addressedAdt("L1", "PS", "LAKESIDE")), {
        tls: true,
        client,
      });
      expect(routed.acks.map(ackCode)).toEqual(["AA"]);
      const unknown = await send(sharedPort, framed(addressedAdt("L2", "PS", "LAKESIDE")), {
        tls: true,
        client: stranger,
      });
      expect(unknown.acks).toEqual([]);
      const none = await send(sharedPort, framed(addressedAdt("L3", "PS", "LAKESIDE")), {
        tls: true,
      });
      expect(none.acks).toEqual([]);
      expect(host.stderr.join("")).toContain("connection refused: TLS handshake failed");
    } finally {
      expect(await host.stop()).toBe(0);
    }
    const stores = join(dirname(file), "stores");
    expect(await controlIds(join(stores, "harbor.sqlite"))).toEqual(["H1 PROCESSED"]);
    expect((await controlIds(join(stores, "lakeside.sqlite"))).map((l) => l.split(" ")[0])).toEqual(
      ["L1"],
    );
  });

  it("restarts a listener whose certificate was renewed in place at the next SIGHUP", async () => {
    writeFileSync(file, hostText("{ cert: tls/server.crt, key: tls/server.key }"));
    const original = { cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) };
    const host = await startTestHost(file);
    try {
      // A new CA and server certificate written over the same paths.
      const renewed = join(dirname(file), "renewed");
      mkdirSync(renewed, { recursive: true });
      const next = makeTestPki(renewed);
      const tls = join(dirname(file), "tls");
      copyFileSync(next.serverCert, join(tls, "server.crt"));
      copyFileSync(next.serverKey, join(tls, "server.key"));
      await host.reload();
      expect(host.stderr.join("")).toContain("added=0 removed=0 restarted=1 rerouted=0");
      const trusting = (ca: string) =>
        send(host.portOf("harbor") as number, framed(addressedAdt("R1", "PS", "PS")), {
          tls: true,
          ca,
        });
      expect((await trusting(next.ca)).acks.map(ackCode)).toEqual(["AA"]);
      expect((await trusting(pki.ca)).acks).toEqual([]);
    } finally {
      expect(await host.stop()).toBe(0);
      writeFileSync(pki.serverCert, original.cert);
      writeFileSync(pki.serverKey, original.key);
    }
  });

  it("refuses to start (exit 2) on a TLS file that cannot be read, at the host file's line naming it", async () => {
    writeFileSync(file, hostText("{ cert: tls/missing.crt, key: tls/server.key }"));
    const run = await rulepack(["serve", "--host-config", file]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      `${file}:15:12: UNREADABLE_FILE tls.cert ${relative(process.cwd(), join(dirname(file), "tls", "missing.crt"))} cannot be read (ENOENT)`,
    );
    expect(run.stderr).toContain("rulepack: practice harbor: its TLS files do not load");
  });
});
