import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { statusCommand } from "../../engine/cli/status-command.js";
import { rulepack } from "../support/cli.js";
import { freePort, type Receiver, startReceiver, until, writeReceiverPack } from "./harness.js";

/**
 * `rulepack deliver` and what `queue show`, `queue list --direction
 * outbound` and `status` say of delivery, on Harbor's example events sent
 * to the python receiver.
 */

const EVENTS = [
  "test/fixtures/events/patient-add.json",
  "test/fixtures/events/patient-update.json",
];
const receivers: Receiver[] = [];
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.stop();
});
const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** The receiver's report lines arrive on its stdout a little after the ACK. */
const heard = (receiver: Receiver | undefined, n: number) =>
  until(async () => (receiver?.received.length ?? 0) >= n, `${n} messages at the receiver`);

async function practice(receiverArgs: readonly string[] | undefined) {
  const root = mkdtempSync(join(tmpdir(), "rulepack-deliver-cli-"));
  roots.push(root);
  let port: number;
  let receiver: Receiver | undefined;
  if (receiverArgs) {
    receiver = await startReceiver(receiverArgs);
    receivers.push(receiver);
    port = receiver.port;
  } else port = await freePort();
  const pack = writeReceiverPack(root, port, ["maxAttempts: 2"]);
  const db = join(root, "queue.sqlite");
  const built = await rulepack(["outbound", "--pack", pack, "--db", db, ...EVENTS]);
  expect(built.status).toBe(0);
  return { pack, db, port, receiver };
}

describe("rulepack deliver --once", () => {
  it("sends every queued message, one line per send; queue show tells the story; status shows the receiver", async () => {
    const { pack, db, port, receiver } = await practice([]);
    const run = await rulepack(["deliver", "--pack", pack, "--db", db, "--once"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      [
        "q-000001 HOR00000000000000001 ADT^A28 send 1: acknowledged (MSA-1 AA)",
        "q-000002 HOR00000000000000002 ADT^A31 send 1: acknowledged (MSA-1 AA)",
        "",
      ].join("\n"),
    );
    expect(run.stderr).toContain(
      "sent 2, acknowledged 2, retried 0, failed 0, resent with the same MSH-10 0",
    );
    await heard(receiver, 2);
    expect(receiver?.received.map((r) => [r.controlId, r.patient])).toEqual([
      ["HOR00000000000000001", "1001"],
      ["HOR00000000000000002", "1001"],
    ]);
    const show = await rulepack(["queue", "show", "q-000001", "--db", db]);
    expect(show.stdout).toMatch(
      new RegExp(
        [
          "delivery \\(1 send\\)",
          "  \\S+ built as HOR00000000000000001",
          `  \\S+ send 1 to 127\\.0\\.0\\.1:${port}`,
          "  \\S+ send 1 acknowledged: MSA\\|AA\\|HOR00000000000000001",
          "  now PROCESSED: delivered: the receiver acknowledged it",
        ].join("\n"),
      ),
    );
    const status = await rulepack(["status", "--db", db]);
    expect(status.stdout).toMatch(
      new RegExp(
        `receiver 127\\.0\\.0\\.1:${port}: connected since \\S+; last ACK \\S+Z; PENDING 0; waiting 0, oldest since -`,
      ),
    );
    const list = await rulepack(["queue", "list", "--direction", "outbound", "--db", db]);
    expect(list.stdout).toMatch(new RegExp(`receiver 127\\.0\\.0\\.1:${port}: connected`));
  }, 60_000);

  it("a receiver that refuses (AE): exit 1, ERROR ACK_REJECTED shown; --resend sends the same bytes again", async () => {
    const { pack, db, receiver } = await practice(["--ae-for", "HOR00000000000000001"]);
    const run = await rulepack(["deliver", "--pack", pack, "--db", db, "--once"]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(
      /^q-000001 HOR00000000000000001 ADT\^A28 send 1: failed \(MSA-1 AE: ERR-3 207 test error\)$/m,
    );
    // The patient's A31 waits behind its refused A28.
    await heard(receiver, 1);
    expect(receiver?.received.map((r) => r.controlId)).toEqual(["HOR00000000000000001"]);
    const show = await rulepack(["queue", "show", "q-000001", "--db", db]);
    expect(show.stdout).toContain("ACK_REJECTED");
    expect(show.stdout).toContain("now ERROR: not delivered");
    const blocked = await rulepack(["queue", "list", "--code", "ACK_REJECTED", "--db", db]);
    expect(blocked.stdout).toContain("q-000001");

    const resend = await rulepack([
      "deliver",
      "--pack",
      pack,
      "--db",
      db,
      "--once",
      "--resend",
      "q-000001",
      "--actor",
      "alice",
    ]);
    expect(resend.stdout).toContain("q-000001 resent as stored: NEW");
    const after = await rulepack(["queue", "show", "q-000001", "--db", db]);
    expect(after.stdout).toContain("resent as stored by alice");
    // The receiver refuses that MSH-10 every time: the same bytes came twice, the A31 still waits.
    await heard(receiver, 2);
    expect(receiver?.received.map((r) => r.controlId)).toEqual([
      "HOR00000000000000001",
      "HOR00000000000000001",
    ]);
  }, 60_000);

  it("no receiver listening: the messages wait PENDING with the cause; status says not connected", async () => {
    const { pack, db, port } = await practice(undefined);
    const run = await rulepack(["deliver", "--pack", pack, "--db", db, "--once"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/send 1: retry \(no connection: ECONNREFUSED\)/);
    const show = await rulepack(["queue", "show", "q-000001", "--db", db]);
    expect(show.stdout).toMatch(/now PENDING: sent, waiting for its ACK or for the next send/);
    const later = new Date(Date.now() + 31 * 60_000);
    let out = "";
    await statusCommand(
      { db, format: "text", pack, now: later },
      { stdout: (t) => (out += t), stderr: () => {} },
    );
    expect(out).toMatch(new RegExp(`receiver 127\\.0\\.0\\.1:${port}: not connected since`));
    expect(out).toMatch(
      new RegExp(
        `alert kind=unreachable sender=127\\.0\\.0\\.1:${port} value=3\\d(\\.\\d)? threshold=30`,
      ),
    );
  }, 60_000);

  it("refuses a pack that names no receiver (exit 2)", async () => {
    const root = mkdtempSync(join(tmpdir(), "rulepack-deliver-cli-"));
    roots.push(root);
    const run = await rulepack([
      "deliver",
      "--pack",
      "rules/practices/harbor-ortho/pack.yaml",
      "--db",
      join(root, "q.sqlite"),
      "--once",
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("names no receiver (outbound.delivery.receiver");
  });
});
