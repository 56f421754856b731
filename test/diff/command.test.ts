import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueInputs } from "../../engine/diff/stores.js";
import { receiveBytes } from "../../engine/queue/intake.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import { rulepack } from "../support/cli.js";
import { CORPUS, HARBOR, NOW, practice, VARIANTS } from "./corpus.js";

/**
 * `rulepack diff` as a command: the queue as input, a snapshot as the
 * starting store, the JSON and HTML reports, and the exit codes CI gates on.
 * The variant is Harbor with insurance mode `always` (options.test.ts).
 */

const ALWAYS = join(VARIANTS, "insurance-always.yaml");
const SAME = join(VARIANTS, "same.yaml");
const PIPEHAT = join(CORPUS, "ADT_A01__pipehat__1.hl7"); // no IN1: self-pay under `always`
const NHAPI = join(CORPUS, "ADT_A04__nhapitools__1.hl7"); // no IN1 either
const SIU = join(CORPUS, "SIU_S12__mirth__1.hl7"); // not touched by insurance
const PATIENT_NAME = "KLEINSAMPLE"; // PIPEHAT's PID.5: must never reach stderr

let dir: string;
let queue: string;
let snapshot: string;
const hash = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** A store the way the listener leaves one: each message received at its own time. */
async function makeStore(file: string, messages: readonly (readonly [string, string])[]) {
  const harbor = practice(HARBOR);
  const store = openSqliteStore(file);
  if (harbor.masterData) await store.loadMasterData(harbor.masterData);
  for (const [path, at] of messages) {
    await receiveBytes(harbor.pack, store, readFileSync(path), {
      now: new Date(at),
      receivedAt: new Date(Date.parse(at) - 1000).toISOString(),
      sender: "mllp:127.0.0.1:5000",
      detectDuplicates: true,
    });
  }
  await store.close();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rulepack-diff-cmd-"));
  queue = join(dir, "queue.sqlite");
  snapshot = join(dir, "snapshot.sqlite");
  await makeStore(queue, [
    [PIPEHAT, "2024-02-01T09:00:00Z"],
    [PIPEHAT, "2024-02-01T10:00:00Z"], // a resend: a transport duplicate, never processed
    [NHAPI, "2024-02-02T09:00:00Z"],
    [SIU, "2024-02-03T09:00:00Z"],
  ]);
  await makeStore(snapshot, [[PIPEHAT, "2024-01-15T09:00:00Z"]]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const diff = (...args: string[]) =>
  rulepack(["diff", "--pack", ALWAYS, "--against", HARBOR, ...args]);

describe("--from-queue DB", () => {
  it("replays the queue's inbound messages in receipt order, duplicates left out", async () => {
    const run = await diff("--from-queue", queue, "--format", "json");
    const report = JSON.parse(run.stdout);
    expect(report.summary).toEqual({
      messages: 3,
      stateChanged: [],
      actionsOrErrorsChanged: 2,
      unchanged: 1,
    });
    expect(
      report.changes.map((c: { source: string; controlId: string }) => [c.source, c.controlId]),
    ).toEqual([
      ["q-000001", "01052901"],
      ["q-000003", "1817457"],
    ]);
    expect(run.status).toBe(0);
  });

  it("gives each message the clock of its recorded attempt, not its receipt time", async () => {
    const inputs = await queueInputs(queue, {});
    expect(inputs.map((i) => [i.source, i.now.toISOString(), i.receivedAt])).toEqual([
      ["q-000001", "2024-02-01T09:00:00.000Z", "2024-02-01T08:59:59.000Z"],
      ["q-000003", "2024-02-02T09:00:00.000Z", "2024-02-02T08:59:59.000Z"],
      ["q-000004", "2024-02-03T09:00:00.000Z", "2024-02-03T08:59:59.000Z"],
    ]);
  });

  it("--type and --since choose the messages", async () => {
    const siu = JSON.parse(
      (await diff("--from-queue", queue, "--type", "SIU", "--format", "json")).stdout,
    );
    expect(siu.summary).toMatchObject({ messages: 1, unchanged: 1 });
    const late = JSON.parse(
      (await diff("--from-queue", queue, "--since", "2024-02-02", "--format", "json")).stdout,
    );
    expect(late.changes.map((c: { source: string }) => c.source)).toEqual(["q-000003"]);
    expect(late.summary.messages).toBe(2);
  });

  it("never writes the live store", async () => {
    const before = hash(queue);
    await diff("--from-queue", queue);
    expect(hash(queue)).toBe(before);
  });
});

describe("--snapshot DB", () => {
  it("starts both runs from a copy: a patient the snapshot holds keeps its ID", async () => {
    const run = await diff(
      "--snapshot",
      snapshot,
      "--now",
      NOW.toISOString(),
      "--format",
      "json",
      PIPEHAT,
    );
    const report = JSON.parse(run.stdout);
    expect(report.changes[0].actions).toEqual([
      { change: "added", action: { type: "insurance.selfPay", patientId: "1001" } },
    ]);
  });

  it("leaves the snapshot as it was", async () => {
    const before = hash(snapshot);
    await diff("--snapshot", snapshot, "--now", NOW.toISOString(), PIPEHAT);
    expect(hash(snapshot)).toBe(before);
  });
});

describe("--format", () => {
  it("text: the summary, then each changed message with its actions; nothing on stderr", async () => {
    const run = await diff("--now", NOW.toISOString(), PIPEHAT, SIU);
    expect(run.stdout).toBe(
      [
        "2 messages; 0 changed state; 1 changed actions or errors only; 1 unchanged",
        "",
        `#1 ${PIPEHAT} control 01052901 ADT^A01: PROCESSED (state unchanged)`,
        "  actions:",
        '    + insurance.selfPay {"patientId":"new patient (#1)"}',
        "",
      ].join("\n"),
    );
    expect(run.stderr).toBe("");
  });

  it("json: the summary and the changes, for tools; the summary line on stderr", async () => {
    const run = await diff("--now", NOW.toISOString(), "--format", "json", PIPEHAT);
    expect(JSON.parse(run.stdout)).toEqual({
      summary: { messages: 1, stateChanged: [], actionsOrErrorsChanged: 1, unchanged: 0 },
      changes: [
        {
          position: 1,
          source: PIPEHAT,
          controlId: "01052901",
          messageType: "ADT^A01",
          sameState: "PROCESSED",
          actions: [
            {
              change: "added",
              action: { type: "insurance.selfPay", patientId: "new patient (#1)" },
            },
          ],
          errors: [],
        },
      ],
    });
    expect(run.stderr).toBe(
      "1 messages; 0 changed state; 1 changed actions or errors only; 0 unchanged\n",
    );
  });
});

describe("--html FILE", () => {
  it("writes a self-contained page holding the summary and each changed message", async () => {
    const html = join(dir, "report.html");
    const run = await diff("--now", NOW.toISOString(), "--html", html, PIPEHAT, SIU);
    expect(run.status).toBe(0);
    const page = readFileSync(html, "utf8");
    expect(page).toContain(
      '<p id="summary">2 messages; 0 changed state; 1 changed actions or errors only; 1 unchanged</p>',
    );
    expect(page).toContain("control 01052901 ADT^A01: PROCESSED (state unchanged)");
    expect(page).toContain("<code>insurance.selfPay</code>");
    expect(page).not.toMatch(/<script|<link|src=|https?:/);
    expect(run.stderr).not.toContain(PATIENT_NAME);
  });
});

describe("--fail-on-change", () => {
  it("exits 1 when any message changed", async () => {
    expect((await diff("--now", NOW.toISOString(), "--fail-on-change", PIPEHAT)).status).toBe(1);
  });
  it("exits 0 when none did", async () => {
    expect((await diff("--now", NOW.toISOString(), "--fail-on-change", SIU)).status).toBe(0);
  });
});

describe("--expect FILE (an approved diff)", () => {
  it("exits 0 when the diff is the approved one", async () => {
    const approved = join(dir, "approved.json");
    writeFileSync(
      approved,
      (await diff("--now", NOW.toISOString(), "--format", "json", PIPEHAT, NHAPI)).stdout,
    );
    const run = await diff("--now", NOW.toISOString(), "--expect", approved, PIPEHAT, NHAPI);
    expect(run.status).toBe(0);
  });

  it("exits 1 when it is not, naming the messages by control ID only", async () => {
    const approved = join(dir, "approved-empty.json");
    const same = await rulepack([
      "diff",
      "--pack",
      SAME,
      "--against",
      HARBOR,
      "--now",
      NOW.toISOString(),
      "--format",
      "json",
      PIPEHAT,
      NHAPI,
    ]);
    writeFileSync(approved, same.stdout);
    const run = await diff("--now", NOW.toISOString(), "--expect", approved, PIPEHAT, NHAPI);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      [
        `rulepack: DIFF_NOT_APPROVED: the diff is not the one approved in ${approved}`,
        "  the summary",
        "  #1 control 01052901 ADT^A01: changed, not approved",
        "  #2 control 1817457 ADT^A04: changed, not approved",
        "",
      ].join("\n"),
    );
    expect(run.stderr).not.toContain(PATIENT_NAME);
  });

  it("exits 1 when the approved file cannot be read", async () => {
    const run = await diff("--now", NOW.toISOString(), "--expect", join(dir, "none.json"), SIU);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("EXPECT_UNREADABLE");
  });
});

describe("usage", () => {
  it("wants exactly one old pack and one source of messages", async () => {
    expect((await rulepack(["diff", "--pack", ALWAYS, SIU])).status).toBe(2);
    expect((await diff("--from-queue", queue, SIU)).status).toBe(2);
    expect((await diff()).status).toBe(2);
    expect((await diff("--from-queue", queue, "--now", NOW.toISOString())).status).toBe(2);
  });
});
