import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect as connectTcp } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as connectTls } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TlsFiles } from "../../engine/server/tls-credentials.js";
import { rulepack } from "../support/cli.js";
import { makeTestPki, type TestPki } from "../support/tls-certs.js";
import { framed, SERVE_PACK, type Served, serve, states } from "./helpers.js";

/**
 * `rulepack serve --tls-cert FILE --tls-key FILE [--tls-ca FILE
 * --tls-require-client-cert]`: the listener over TLS (the spec's "secure
 * method of transfer"), with a CA, certificates and keys made by openssl
 * for this run. Senders: Node's TLS client and `openssl s_client`, an
 * implementation of TLS that is not Node's.
 */

const A04 = readFileSync("../shared/corpus/hl7/ADT_A04__mirth__1.hl7");
const A04_CONTROL_ID = "603266";

let root: string;
let pki: TestPki;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "rulepack-tls-"));
  pki = makeTestPki(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dbs = 0;
function freshDb(): string {
  dbs += 1;
  return join(root, `queue-${dbs}.sqlite`);
}

function serverFiles(requireClientCert = false): TlsFiles {
  return {
    cert: pki.serverCert,
    key: pki.serverKey,
    ...(requireClientCert && { ca: pki.ca }),
    requireClientCert,
  };
}

interface Exchange {
  /** The ACK frames received, as text. */
  readonly acks: readonly string[];
  /** The connection's error code, when it ended in one. */
  readonly error?: string;
}

/** Bytes up to and including each complete MLLP frame's end (0x1c 0x0d). */
function acksIn(bytes: Buffer): string[] {
  const text = bytes.toString("latin1");
  return [...text.matchAll(/\x0b([^\x1c]*)\x1c\r/g)].map((m) => m[1] as string);
}

/**
 * One frame over Node's TLS client (trusting the test CA), optionally with a
 * client certificate; resolves with the ACK, or with none when the
 * connection ends without one.
 */
function tlsSend(
  port: number,
  frame: Buffer,
  client?: { readonly cert: string; readonly key: string },
): Promise<Exchange> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ acks: acksIn(received), ...(error !== undefined && { error }) });
    };
    const socket = connectTls({
      port,
      host: "127.0.0.1",
      ca: readFileSync(pki.ca),
      ...(client && { cert: readFileSync(client.cert), key: readFileSync(client.key) }),
    });
    const timer = setTimeout(() => finish("TIMEOUT"), 20_000);
    socket.on("secureConnect", () => socket.write(frame));
    socket.on("data", (data: Buffer) => {
      received = Buffer.concat([received, data]);
      if (acksIn(received).length > 0) finish();
    });
    socket.on("error", (e: NodeJS.ErrnoException) => finish(e.code ?? e.name));
    socket.on("close", () => finish());
  });
}

/** One frame over plain TCP; what comes back before the server closes. */
function tcpSend(port: number, frame: Buffer): Promise<Exchange> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ acks: acksIn(received), ...(error !== undefined && { error }) });
    };
    const socket = connectTcp({ port, host: "127.0.0.1" }, () => socket.write(frame));
    const timer = setTimeout(() => finish("TIMEOUT"), 20_000);
    socket.on("data", (data: Buffer) => {
      received = Buffer.concat([received, data]);
    });
    socket.on("error", (e: NodeJS.ErrnoException) => finish(e.code ?? e.name));
    socket.on("close", () => finish());
  });
}

/**
 * `openssl s_client` sends the frame from its stdin; once the ACK's frame
 * end is on its stdout, its stdin is closed and it exits.
 */
function opensslSend(
  port: number,
  frame: Buffer,
  clientArgs: readonly string[],
): Promise<Exchange> {
  return new Promise((resolve) => {
    const child = spawn(
      "openssl",
      [
        "s_client",
        "-connect",
        `127.0.0.1:${port}`,
        "-CAfile",
        pki.ca,
        "-verify_return_error",
        "-quiet",
        "-no_ign_eof",
        ...clientArgs,
      ],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    let received = Buffer.alloc(0);
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.stdout.on("data", (data: Buffer) => {
      received = Buffer.concat([received, data]);
      if (acksIn(received).length > 0) child.stdin.end();
    });
    child.stderr.on("data", (d) => {
      stderr += String(d);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      const acks = acksIn(received);
      resolve({ acks, ...(acks.length === 0 && { error: `exit ${code}: ${stderr.trim()}` }) });
    });
    child.stdin.write(frame);
  });
}

async function withServer<T>(
  tls: TlsFiles,
  body: (served: Served) => Promise<T>,
): Promise<{ result: T; log: string }> {
  const served = await serve(freshDb(), undefined, { tls });
  try {
    const result = await body(served);
    return { result, log: served.stderr.join("") };
  } finally {
    expect(await served.stop()).toBe(0);
  }
}

describe("--tls-cert and --tls-key: the listener speaks TLS", () => {
  it("a Node TLS client sends a frame and gets its ACK; the message is stored and processed", async () => {
    const db = freshDb();
    const served = await serve(db, undefined, { tls: serverFiles() });
    const reply = await tlsSend(served.port, framed(A04));
    expect(await served.stop()).toBe(0);
    expect(reply.error).toBeUndefined();
    expect(reply.acks).toHaveLength(1);
    expect(reply.acks[0]).toContain(`MSA|AA|${A04_CONTROL_ID}`);
    const stored = await states(db);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ controlId: A04_CONTROL_ID, state: "PROCESSED" });
  });

  it("openssl s_client, a TLS peer that is not Node, sends a framed message and gets the ACK", async () => {
    const { result } = await withServer(serverFiles(), (s) => opensslSend(s.port, framed(A04), []));
    expect(result.error).toBeUndefined();
    expect(result.acks).toHaveLength(1);
    expect(result.acks[0]).toContain(`MSA|AA|${A04_CONTROL_ID}`);
  });

  it("plain TCP to the TLS port gets no ACK and is logged; the listener goes on ACKing TLS senders", async () => {
    const db = freshDb();
    const served = await serve(db, undefined, { tls: serverFiles() });
    const plain = await tcpSend(served.port, framed(A04));
    const after = await tlsSend(served.port, framed(A04));
    expect(await served.stop()).toBe(0);
    expect(plain.acks).toEqual([]);
    expect(plain.error).not.toBe("TIMEOUT");
    expect(served.stderr.join("")).toMatch(/connection refused: TLS handshake failed \(\S+\)/);
    expect(after.acks[0]).toContain(`MSA|AA|${A04_CONTROL_ID}`);
    expect((await states(db)).map((m) => m.controlId)).toEqual([A04_CONTROL_ID]);
  });
});

describe("--tls-ca with --tls-require-client-cert: only senders with a certificate the CA signed", () => {
  it("a Node client with a certificate the CA signed gets its ACK", async () => {
    const { result } = await withServer(serverFiles(true), (s) =>
      tlsSend(s.port, framed(A04), { cert: pki.clientCert, key: pki.clientKey }),
    );
    expect(result.error).toBeUndefined();
    expect(result.acks[0]).toContain(`MSA|AA|${A04_CONTROL_ID}`);
  });

  it("openssl s_client with its client certificate gets the ACK", async () => {
    const { result } = await withServer(serverFiles(true), (s) =>
      opensslSend(s.port, framed(A04), ["-cert", pki.clientCert, "-key", pki.clientKey]),
    );
    expect(result.error).toBeUndefined();
    expect(result.acks[0]).toContain(`MSA|AA|${A04_CONTROL_ID}`);
  });

  it("a client without a certificate is refused: no ACK, nothing stored, the refusal logged", async () => {
    const db = freshDb();
    const served = await serve(db, undefined, { tls: serverFiles(true) });
    const refused = await tlsSend(served.port, framed(A04));
    expect(await served.stop()).toBe(0);
    expect(refused.acks).toEqual([]);
    expect(refused.error).not.toBe("TIMEOUT");
    expect(served.stderr.join("")).toMatch(/connection refused: TLS handshake failed/);
    expect(await states(db)).toEqual([]);
  });

  it("a client whose certificate another CA signed is refused", async () => {
    const db = freshDb();
    const served = await serve(db, undefined, { tls: serverFiles(true) });
    const refused = await tlsSend(served.port, framed(A04), {
      cert: pki.strangerCert,
      key: pki.strangerKey,
    });
    expect(await served.stop()).toBe(0);
    expect(refused.acks).toEqual([]);
    expect(refused.error).not.toBe("TIMEOUT");
    expect(await states(db)).toEqual([]);
  });
});

describe("TLS files that cannot be used: exit 2 with the path, before anything listens", () => {
  const serveWith = (db: string, ...tls: string[]) =>
    rulepack(["serve", "--pack", SERVE_PACK, "--mllp", "0", "--db", db, ...tls]);

  it("a certificate file that does not exist", async () => {
    const db = freshDb();
    const missing = join(root, "no-such.crt");
    const r = await serveWith(db, "--tls-cert", missing, "--tls-key", pki.serverKey);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`UNREADABLE_FILE --tls-cert ${missing} cannot be read (ENOENT)`);
    expect(r.stdout).not.toContain("ready");
    expect(existsSync(db)).toBe(false);
  });

  it("a key file that does not exist and a CA file that does not exist: each named", async () => {
    const key = join(root, "no-such.key");
    const ca = join(root, "no-such-ca.crt");
    const r = await serveWith(
      freshDb(),
      "--tls-cert",
      pki.serverCert,
      "--tls-key",
      key,
      "--tls-ca",
      ca,
      "--tls-require-client-cert",
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--tls-key ${key} cannot be read`);
    expect(r.stderr).toContain(`--tls-ca ${ca} cannot be read`);
  });

  it("a certificate file that holds no certificate", async () => {
    const garbage = join(root, "garbage.crt");
    writeFileSync(garbage, "not a certificate\n");
    const r = await serveWith(freshDb(), "--tls-cert", garbage, "--tls-key", pki.serverKey);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`INVALID_TLS_FILE --tls-cert ${garbage} is not a PEM certificate`);
  });

  it("a key that is not the certificate's", async () => {
    const r = await serveWith(freshDb(), "--tls-cert", pki.serverCert, "--tls-key", pki.clientKey);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `INVALID_TLS_FILE --tls-key ${pki.clientKey} is not the key of ${pki.serverCert}`,
    );
  });
});

describe("TLS options that do not go together: exit 2 with the usage", () => {
  it.each([
    [["--tls-cert", "server.crt"], "--tls-cert needs --tls-key"],
    [["--tls-key", "server.key"], "--tls-key needs --tls-cert"],
    [
      ["--tls-cert", "server.crt", "--tls-key", "server.key", "--tls-require-client-cert"],
      "--tls-require-client-cert needs --tls-ca",
    ],
    [
      ["--tls-cert", "server.crt", "--tls-key", "server.key", "--tls-ca", "ca.crt"],
      "--tls-ca is read only with --tls-require-client-cert",
    ],
    [
      ["--tls-ca", "ca.crt", "--tls-require-client-cert"],
      "--tls-ca and --tls-require-client-cert need --tls-cert and --tls-key",
    ],
  ])("%j", async (tls, message) => {
    const r = await rulepack(["serve", "--pack", SERVE_PACK, "--mllp", "0", ...tls]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain("usage: rulepack serve");
  });
});
