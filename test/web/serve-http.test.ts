import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { serveCommand } from "../../engine/cli/serve-command.js";
import { serveHttpOnly } from "../../engine/cli/serve-http.js";
import { serveHttpArgs } from "../../engine/cli/serve-http-args.js";
import { tokenCommand } from "../../engine/cli/token-command.js";
import { userCommand } from "../../engine/cli/user-command.js";
import { readUsers, verifyPassword } from "../../engine/web/users.js";
import { HARBOR_PACK } from "../queue/harbor-queue.js";
import { rulepack } from "../support/cli.js";
import { captureIo } from "../testing/helpers.js";
import { makeWorld } from "./world.js";

/**
 * `rulepack user`, `rulepack token` and `rulepack serve --http`: people and
 * tokens in the operator's users file (hashes only), and the web app on a
 * real port, alone or beside the MLLP listener.
 */

const dir = mkdtempSync(join(tmpdir(), "rulepack-serve-http-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const usersFile = join(dir, "users.yaml");
const given = (password: string) => async () => password;

async function user(args: string[], password = "a long enough password") {
  const io = captureIo();
  const { exitCode } = await userCommand(args, io, given(password));
  return { exitCode, stdout: io.out(), stderr: io.err() };
}

describe("rulepack user", () => {
  it("add: the name, an scrypt hash of the password read (never a flag) and the roles per practice", async () => {
    const r = await user([
      "add",
      "maria",
      "--role",
      "view,map-insurance",
      "--practice-id",
      "harbor-ortho",
      "--users",
      usersFile,
    ]);
    expect(r).toEqual({
      exitCode: 0,
      stdout: `added maria (view, map-insurance for harbor-ortho) to ${usersFile}\n`,
      stderr: "",
    });
    const text = readFileSync(usersFile, "utf8");
    expect(text).not.toContain("a long enough password");
    const read = readUsers(usersFile);
    if (!read.ok) throw new Error(read.message);
    const maria = read.file.users[0];
    expect(maria?.roles).toEqual({ "harbor-ortho": ["view", "map-insurance"] });
    expect(maria?.password).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(verifyPassword("a long enough password", maria?.password ?? "")).toBe(true);
    expect(verifyPassword("another password", maria?.password ?? "")).toBe(false);
  });

  it("add: refuses an unknown role, a short password, a name already there", async () => {
    expect((await user(["add", "x", "--role", "superuser", "--users", usersFile])).exitCode).toBe(
      2,
    );
    expect(await user(["add", "short", "--role", "view", "--users", usersFile], "2short")).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: "rulepack: a password needs at least 10 characters; nothing written\n",
    });
    expect((await user(["add", "maria", "--role", "view", "--users", usersFile])).exitCode).toBe(1);
  });

  it("passwd changes the hash; remove takes the user out", async () => {
    expect(
      (await user(["passwd", "maria", "--users", usersFile], "a new password here")).exitCode,
    ).toBe(0);
    const after = readUsers(usersFile);
    if (!after.ok) throw new Error(after.message);
    expect(verifyPassword("a new password here", after.file.users[0]?.password ?? "")).toBe(true);
    expect((await user(["remove", "maria", "--users", usersFile])).stdout).toBe(
      `removed maria from ${usersFile}\n`,
    );
    expect((await user(["remove", "maria", "--users", usersFile])).exitCode).toBe(1);
  });

  it("takes no --password flag", async () => {
    const r = await rulepack([
      "user",
      "add",
      "x",
      "--role",
      "view",
      "--password",
      "secret",
      "--users",
      usersFile,
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown option '--password'");
  });
});

describe("rulepack token add", () => {
  it("prints the token once and keeps only its SHA-256, its practice and scopes", () => {
    const io = captureIo();
    const r = tokenCommand(
      ["add", "ps", "--practice-id", "harbor-ortho", "--scope", "events", "--users", usersFile],
      io,
    );
    expect(r.exitCode).toBe(0);
    const token = io.out().trim();
    expect(token).toMatch(/^rpk_[\w-]{43}$/);
    expect(readFileSync(usersFile, "utf8")).not.toContain(token);
    const read = readUsers(usersFile);
    if (!read.ok) throw new Error(read.message);
    expect(read.file.tokens.map((t) => [t.name, t.practice, t.scopes])).toEqual([
      ["ps", "harbor-ortho", ["events"]],
    ]);
  });

  it("refuses a token without a practice or with an unknown scope", () => {
    expect(
      tokenCommand(["add", "x", "--scope", "events", "--users", usersFile], captureIo()).exitCode,
    ).toBe(2);
    expect(
      tokenCommand(
        ["add", "x", "--practice-id", "p", "--scope", "all", "--users", usersFile],
        captureIo(),
      ).exitCode,
    ).toBe(2);
  });
});

describe("serve --http options", () => {
  it("default to 127.0.0.1 and users.yaml; the others need --http", () => {
    expect(serveHttpArgs({ http: "8080" })).toEqual({
      http: { port: 8080, host: "127.0.0.1", users: "users.yaml" },
    });
    expect(serveHttpArgs({ "http-host": "0.0.0.0" })).toEqual({
      error: "--http-host needs --http PORT",
    });
    expect(serveHttpArgs({ http: "x" })).toEqual({ error: "--http takes a PORT (0-65535)" });
    expect(serveHttpArgs({ http: "1", "http-tls-cert": "c.pem" })).toEqual({
      error: "--http-tls-cert and --http-tls-key go together",
    });
  });
});

/** The port a `ready http=N` line names, once it is printed. */
async function readyHttp(io: ReturnType<typeof captureIo>): Promise<number> {
  for (let i = 0; i < 600; i++) {
    const m = /ready http=(\d+)/.exec(io.out());
    if (m) return Number(m[1]);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never ready: ${io.out()} ${io.err()}`);
}

describe("rulepack serve --http", () => {
  it("without --mllp: the web app alone on 127.0.0.1, /healthz says the store answers", async () => {
    const io = captureIo();
    let stop = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const running = serveHttpOnly(
      {
        pack: HARBOR_PACK,
        db: join(dir, "alone.sqlite"),
        http: { port: 0, host: "127.0.0.1", users: usersFile },
        stop: stopped,
      },
      io,
    );
    const port = await readyHttp(io);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { ok: true, store: true }]);
    const list = await fetch(`http://127.0.0.1:${port}/api/messages`);
    expect(list.status).toBe(401);
    stop();
    expect((await running).exitCode).toBe(0);
  });

  it("beside the MLLP listener: both ready, /healthz names the listener", async () => {
    const io = captureIo();
    let stop = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const running = serveCommand(
      {
        pack: HARBOR_PACK,
        db: join(dir, "both.sqlite"),
        port: 0,
        host: "127.0.0.1",
        http: { port: 0, host: "127.0.0.1", users: usersFile },
        stop: stopped,
        onReload: () => () => {},
      },
      io,
    );
    const port = await readyHttp(io);
    expect(io.out()).toMatch(/ready port=\d+\n/);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await health.json()).toEqual({ ok: true, store: true, listener: true });
    stop();
    expect((await running).exitCode).toBe(0);
  });

  it("with a receiver in the pack: /healthz names the sender, running", async () => {
    const io = captureIo();
    let stop = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const running = serveCommand(
      {
        // Its receiver (127.0.0.1:2576) need not answer: the sender runs and retries.
        pack: "test/fixtures/delivery/harbor-to-receiver.yaml",
        db: join(dir, "sender.sqlite"),
        port: 0,
        host: "127.0.0.1",
        http: { port: 0, host: "127.0.0.1", users: usersFile },
        stop: stopped,
        onReload: () => () => {},
      },
      io,
    );
    const port = await readyHttp(io);
    // The sender starts after the web app, before `ready port=`.
    for (let i = 0; i < 600 && !/ready port=\d+/.test(io.out()); i++)
      await new Promise((r) => setTimeout(r, 50));
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect([health.status, await health.json()]).toEqual([
      200,
      { ok: true, store: true, listener: true, sender: true },
    ]);
    stop();
    expect((await running).exitCode).toBe(0);
  });

  it("a sender that has stopped: /healthz is 503 and says which part", async () => {
    const world = await makeWorld({ sender: () => false });
    const health = await world.app.inject({ method: "GET", url: "/healthz" });
    expect([health.statusCode, health.json()]).toEqual([
      503,
      { ok: false, store: true, sender: false },
    ]);
    await world.app.close();
  });
});
