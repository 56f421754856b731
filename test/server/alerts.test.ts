import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Outcome, QueueState } from "../../engine/model/outcome.js";
import type { AlertOptions } from "../../engine/pack/queue-options.js";
import { formatAlert, outcomeAlert, rearm, thresholdAlerts } from "../../engine/queue/alerts.js";
import { runAlertCommand } from "../../engine/server/alert-command.js";
import { createAlertMonitor } from "../../engine/server/alert-monitor.js";
import { createMemoryStore } from "../../engine/store/memory.js";
import type { QueueSummary, Store } from "../../engine/store/types.js";
import { queueMessage } from "./helpers.js";

/**
 * queue.alerts (docs/pack-language.md §20): pure evaluation against a queue
 * summary and an outcome, re-arming, the log line, the pack's command, and
 * the listener's monitor over a real store.
 */

const root = mkdtempSync(join(tmpdir(), "rulepack-alerts-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const OPTIONS: AlertOptions = {
  errorCount: 2,
  oldestErrorHours: 24,
  athenaError: true,
  idleMinutes: 30,
};
const NOW = new Date("2026-03-02T12:00:00.000Z");

function summary(over: Partial<QueueSummary> = {}): QueueSummary {
  return { counts: {}, lastReceivedAt: "2026-03-02T11:59:00.000Z", ...over };
}

function outcome(state: QueueState, codes: string[] = []): Outcome {
  return {
    messageId: "q-000007",
    controlId: "603266",
    messageType: "ADT^A04",
    state,
    actions: [],
    errors: codes.map((code) => ({
      code: code as Outcome["errors"][number]["code"],
      severity: "error",
      message: `${code} with PATIENT DATA`,
    })),
    review: [],
    trace: [],
  };
}

describe("queue.alerts.errorCount", () => {
  it("fires when ERROR plus CBOERROR exceed the count, not at it", async () => {
    const at = { now: NOW };
    expect(
      thresholdAlerts(OPTIONS, { ...at, summary: summary({ counts: { ERROR: 1, CBOERROR: 1 } }) }),
    ).toEqual([]);
    expect(
      thresholdAlerts(OPTIONS, {
        ...at,
        summary: summary({ counts: { ERROR: 2, CBOERROR: 1, ATHENAERROR: 5, PROCESSED: 9 } }),
      }),
    ).toEqual([{ kind: "errorCount", at: NOW.toISOString(), value: 3, threshold: 2 }]);
  });
});

describe("queue.alerts.oldestErrorHours", () => {
  it("fires when the longest-waiting error is older than the hours", async () => {
    const waiting = (since: string) =>
      thresholdAlerts(OPTIONS, {
        now: NOW,
        summary: summary({ counts: { ERROR: 1 }, oldestWaitingSince: since }),
      });
    expect(waiting("2026-03-01T12:00:00.000Z")).toEqual([]);
    expect(waiting("2026-03-01T06:00:00.000Z")).toEqual([
      { kind: "oldestError", at: NOW.toISOString(), value: 30, threshold: 24 },
    ]);
  });
});

describe("queue.alerts.idleMinutes", () => {
  it("fires when nothing was received for longer than the minutes; 0 is off", async () => {
    const quiet = summary({ lastReceivedAt: "2026-03-02T11:15:00.000Z" });
    expect(thresholdAlerts(OPTIONS, { now: NOW, summary: quiet })).toEqual([
      { kind: "idle", at: NOW.toISOString(), value: 45, threshold: 30 },
    ]);
    expect(thresholdAlerts({ ...OPTIONS, idleMinutes: 0 }, { now: NOW, summary: quiet })).toEqual(
      [],
    );
  });

  it("each sender (MSH-3^MSH-4) on its own: the silent one alerts, named, while others keep sending", async () => {
    const two = summary({
      lastReceivedAt: "2026-03-02T11:59:00.000Z",
      lastReceivedBySender: {
        "EHR^MAIN": "2026-03-02T11:59:00.000Z",
        "LAB^": "2026-03-02T11:00:00.000Z",
      },
    });
    expect(thresholdAlerts(OPTIONS, { now: NOW, summary: two })).toEqual([
      { kind: "idle", at: NOW.toISOString(), sender: "LAB^", value: 60, threshold: 30 },
    ]);
    expect(
      formatAlert({
        kind: "idle",
        at: NOW.toISOString(),
        sender: "LAB^",
        value: 60,
        threshold: 30,
      }),
    ).toBe("alert kind=idle sender=LAB^ value=60 threshold=30");
  });

  it("counts from when the listener started when the store has received nothing", async () => {
    const empty = { counts: {} };
    const since = (iso: string) =>
      thresholdAlerts(OPTIONS, { now: NOW, summary: empty, listeningSince: new Date(iso) });
    expect(since("2026-03-02T11:45:00.000Z")).toEqual([]);
    expect(since("2026-03-02T11:00:00.000Z").map((a) => [a.kind, a.value])).toEqual([["idle", 60]]);
    expect(thresholdAlerts(OPTIONS, { now: NOW, summary: empty })).toEqual([]);
  });
});

describe("queue.alerts.athenaError", () => {
  it("alerts on every ATHENAERROR with IDs, type and codes only; off when false", async () => {
    const failed = outcome("ATHENAERROR", ["INTERNAL_ERROR", "EXPRESSION_ERROR", "INTERNAL_ERROR"]);
    expect(outcomeAlert(OPTIONS, failed, NOW)).toEqual({
      kind: "athenaError",
      at: NOW.toISOString(),
      messageId: "q-000007",
      controlId: "603266",
      messageType: "ADT^A04",
      codes: ["INTERNAL_ERROR", "EXPRESSION_ERROR"],
    });
    expect(outcomeAlert({ ...OPTIONS, athenaError: false }, failed, NOW)).toBeUndefined();
    expect(outcomeAlert(OPTIONS, outcome("ERROR", ["PATIENT_NOT_FOUND"]), NOW)).toBeUndefined();
  });
});

describe("alert re-arming", () => {
  it("raises a condition once while it holds and again after it cleared", async () => {
    const holding = thresholdAlerts(OPTIONS, {
      now: NOW,
      summary: summary({ counts: { ERROR: 3 } }),
    });
    const first = rearm(new Set(), holding);
    expect(first.raised.map((a) => a.kind)).toEqual(["errorCount"]);
    const again = rearm(first.firing, holding);
    expect(again.raised).toEqual([]);
    const cleared = rearm(again.firing, []);
    expect([...cleared.firing]).toEqual([]);
    expect(rearm(cleared.firing, holding).raised.map((a) => a.kind)).toEqual(["errorCount"]);
  });
});

describe("alert log line", () => {
  it("is `alert kind=...` with values, IDs and codes, never the error messages", async () => {
    expect(formatAlert({ kind: "errorCount", at: "x", value: 3, threshold: 2 })).toBe(
      "alert kind=errorCount value=3 threshold=2",
    );
    const line = formatAlert(
      outcomeAlert(OPTIONS, outcome("ATHENAERROR", ["INTERNAL_ERROR"]), NOW) as never,
    );
    expect(line).toBe(
      "alert kind=athenaError messageId=q-000007 controlId=603266 type=ADT^A04 codes=INTERNAL_ERROR",
    );
    expect(line).not.toContain("PATIENT");
  });
});

describe("queue.alerts.command", () => {
  const script = (name: string, body: string) => {
    const file = join(root, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
    return file;
  };
  const alert = { kind: "errorCount" as const, at: NOW.toISOString(), value: 3, threshold: 2 };

  it("runs the program without a shell with the alert as JSON on stdin", async () => {
    const out = join(root, "received.json");
    const file = script("record.sh", `cat > "$1"`);
    expect(await runAlertCommand([file, out], alert)).toEqual({ ok: true });
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(alert);
  });

  it("reports a failing, missing or overrunning program as a value", async () => {
    expect(await runAlertCommand([script("fail.sh", "exit 3")], alert)).toEqual({
      ok: false,
      reason: "exit 3",
    });
    expect(await runAlertCommand([join(root, "missing")], alert)).toEqual({
      ok: false,
      reason: "ENOENT",
    });
    expect(await runAlertCommand([script("slow.sh", "exec sleep 5")], alert, 100)).toEqual({
      ok: false,
      reason: "timed out after 100 ms",
    });
    expect(await runAlertCommand([], alert)).toEqual({ ok: false, reason: "empty command" });
  });
});

describe("the listener's alert monitor", () => {
  async function storeWith(states: QueueState[]): Promise<Store> {
    const store = createMemoryStore();
    for (const [i, state] of states.entries()) {
      await queueMessage(store, `C${i}`, state, "2026-03-02T11:59:00.000Z");
    }
    return store;
  }

  it("checks thresholds after a held message, once until the condition clears; runs the command", async () => {
    const store = await storeWith(["ERROR", "ERROR", "ERROR"]);
    const lines: string[] = [];
    const ran: string[] = [];
    const monitor = createAlertMonitor({
      options: () => ({ ...OPTIONS, command: ["notify"] }),
      store,
      log: (l) => lines.push(l),
      now: () => NOW,
      runCommand: async (command, a) => {
        ran.push(`${command.join(" ")} ${a.kind}`);
        return { ok: false, reason: "exit 1" };
      },
    });
    monitor.afterMessages([outcome("PROCESSED")]);
    await monitor.settled();
    expect(lines).toEqual([]);
    monitor.afterMessages([outcome("ERROR")]);
    await monitor.settled();
    monitor.afterMessages([outcome("ERROR")]);
    await monitor.settled();
    monitor.afterMessages([outcome("ATHENAERROR", ["INTERNAL_ERROR"])]);
    await monitor.settled();
    // Commands run in the background: their failures are logged when they end.
    expect(lines.filter((l) => l.startsWith("alert kind="))).toEqual([
      "alert kind=errorCount value=3 threshold=2",
      "alert kind=athenaError messageId=q-000007 controlId=603266 type=ADT^A04 codes=INTERNAL_ERROR",
    ]);
    expect(lines.filter((l) => l.startsWith("alert command")).sort()).toEqual([
      "alert command failed kind=athenaError reason=exit 1",
      "alert command failed kind=errorCount reason=exit 1",
    ]);
    expect(ran).toEqual(["notify errorCount", "notify athenaError"]);
  });

  it("a silent sender alerts once while another keeps the listener busy; again only after it was heard", async () => {
    const store = await storeWith([]);
    const lines: string[] = [];
    let clock = new Date("2026-03-02T10:00:00.000Z");
    const monitor = createAlertMonitor({
      options: () => OPTIONS,
      store,
      log: (l) => lines.push(l),
      now: () => clock,
    });
    const from = async (app: string) =>
      await store.receive({
        raw: new Uint8Array(),
        receivedAt: clock.toISOString(),
        sender: "mllp:127.0.0.1",
        controlId: "C",
        messageType: "ADT^A04",
        direction: "inbound",
        sendingApplication: app,
        sendingFacility: "F",
      });
    await from("EHR");
    await from("LAB");
    for (const minutes of [10, 20, 31, 41, 51]) {
      clock = new Date(Date.parse("2026-03-02T10:00:00.000Z") + minutes * 60_000);
      await from("EHR");
      monitor.afterMessages([outcome("PROCESSED")]);
      await monitor.check();
    }
    await from("LAB");
    await monitor.check();
    clock = new Date(Date.parse(clock.toISOString()) + 31 * 60_000);
    await monitor.check();
    expect(lines).toEqual([
      "alert kind=idle sender=LAB^F value=31 threshold=30",
      "alert kind=idle sender=EHR^F value=31 threshold=30",
      "alert kind=idle sender=LAB^F value=31 threshold=30",
    ]);
  });

  it("raises idle on the timer's check once, and again after a message re-armed it", async () => {
    const store = await storeWith([]);
    const lines: string[] = [];
    let clock = new Date("2026-03-02T10:00:00.000Z");
    const monitor = createAlertMonitor({
      options: () => OPTIONS,
      store,
      log: (l) => lines.push(l),
      now: () => clock,
    });
    await monitor.check();
    clock = new Date("2026-03-02T10:31:00.000Z");
    await monitor.check();
    await monitor.check();
    await store.receive({
      raw: new Uint8Array(),
      receivedAt: clock.toISOString(),
      sender: "test",
      controlId: "C1",
      messageType: "ADT^A04",
      direction: "inbound",
    });
    monitor.afterMessages([outcome("PROCESSED")]);
    await monitor.check();
    clock = new Date("2026-03-02T11:02:00.000Z");
    await monitor.check();
    expect(lines).toEqual([
      "alert kind=idle value=31 threshold=30",
      "alert kind=idle value=31 threshold=30",
    ]);
  });
});
