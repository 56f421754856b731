import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { outboundCommand } from "../../engine/cli/outbound-command.js";
import type { CliIo } from "../../engine/io/cli-io.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import {
  EVENT_FILES,
  EVENTS_DIR,
  event,
  forLakeside,
  HARBOR,
  LAKESIDE,
  line,
  pack,
  send,
} from "./helpers.js";

/** Debian's interpreter: the `python3` on PATH may be another one, without python3-hl7. */
const PYTHON = "/usr/bin/python3";
const SCRIPT = "test/support/python-hl7-outbound.py";

interface PythonRead {
  readonly segments: string[];
  readonly "MSH-9": string | null;
  readonly "SCH-2": string | null;
  readonly "SCH-25": string | null;
  readonly "PID-3": string | null;
  readonly "PV1-7": string | null;
}

function pythonRead(messages: readonly string[]): PythonRead[] {
  const out = execFileSync(PYTHON, [SCRIPT], { input: JSON.stringify(messages), encoding: "utf8" });
  return JSON.parse(out) as PythonRead[];
}

/** The whole field as written (`|`-split; MSH counts its field separator as MSH-1). */
const fieldText = (segmentLine: string, n: number, msh = false): string | null =>
  segmentLine === "" ? null : (segmentLine.split("|")[msh ? n - 1 : n] ?? "");

const lakeside = pack(LAKESIDE);
const lakesideResults = (
  await Promise.all(
    EVENT_FILES.map((file) => send(lakeside, forLakeside(event(file.replace(/\.json$/, ""))))),
  )
)
  .flat()
  .filter((r) => r.state === "NEW");

const harbor = pack(HARBOR);
const harborResults = (
  await Promise.all(EVENT_FILES.map((file) => send(harbor, event(file.replace(/\.json$/, "")))))
)
  .flat()
  .filter((r) => r.state === "NEW");

type Sent = (typeof lakesideResults)[number];

describe("read back by an independent implementation: Debian's python3-hl7", () => {
  const results = lakesideResults;

  it("every example event builds a message (Lakeside sends every kind)", async () => {
    expect(results.map((r) => r.messageType)).toEqual([
      "SIU^S15",
      "SIU^S14",
      "SIU^S14",
      "SIU^S15",
      "SIU^S12",
      "SIU^S12",
      "SIU^S14",
      "ADT^A04",
      "ADT^A08",
    ]);
  });

  it("one message per parse: segment names and order, MSH-9, SCH-2, SCH-25, PID-3, PV1-7", async () => {
    const read = readsAsWritten(results);
    expect(read[5]).toMatchObject({
      "MSH-9": "SIU^S12^SIU_S12",
      "SCH-2": "2001",
      "SCH-25": "BOOKED",
      "PID-3": "1001^^^^PI",
      "PV1-7": "9941339100^^^^^^^^CMS^^^^NPI",
    });
  });
});

describe("read back by python3-hl7: Harbor's 2.5.1 messages (TQ1, AIG, a Z-segment, escapes)", () => {
  it("one message per parse: segment names and order, MSH-9, SCH-2, SCH-25, PID-3, PV1-7", async () => {
    expect(harborResults.map((r) => r.messageType)).toContain("SIU^S12");
    const read = readsAsWritten(harborResults);
    expect(read.flatMap((r) => r.segments)).toEqual(expect.arrayContaining(["TQ1", "AIG", "ZPI"]));
    expect(read.find((r) => r["MSH-9"] === "ADT^A28^ADT_A05")?.segments).toEqual(
      expect.arrayContaining(["MSH", "EVN", "PID", "PV1", "GT1", "IN1"]),
    );
  });
});

/** python3-hl7's reading of each message: one message per parse, the fields as written. */
function readsAsWritten(results: readonly Sent[]): PythonRead[] {
  const texts = results.map((r) => r.text ?? "");
  const read = pythonRead(texts);
  expect(read).toHaveLength(texts.length);
  read.forEach((got, i) => {
    const r = results[i];
    const lines = (r?.text ?? "").split("\r").filter((l) => l !== "");
    expect(got.segments).toEqual(lines.map((l) => l.slice(0, 3)));
    expect(got.segments.length).toBeGreaterThan(3);
    expect(got["MSH-9"]).toBe(fieldText(line(r, "MSH"), 9, true));
    expect(got["SCH-2"]).toBe(fieldText(line(r, "SCH"), 2));
    expect(got["SCH-25"]).toBe(fieldText(line(r, "SCH"), 25));
    expect(got["PID-3"]).toBe(fieldText(line(r, "PID"), 3));
    expect(got["PV1-7"]).toBe(fieldText(line(r, "PV1"), 7));
  });
  return read;
}

function capture(): CliIo & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    stdout: (s: string) => {
      io.out += s;
    },
    stderr: (s: string) => {
      io.err += s;
    },
  };
  return io;
}

const NOW_ISO = new Date("2026-03-01T14:06:00Z");
const outbound = async (pack: string, db: string, files: string[], io: CliIo): Promise<number> =>
  (await outboundCommand({ pack, db, now: NOW_ISO, files }, io)).exitCode;

describe("rulepack outbound", () => {
  const files = EVENT_FILES.map((f) => join(EVENTS_DIR, f));

  it("prints the messages, reproducible byte for byte with a fresh store and a fixed --now", async () => {
    const first = capture();
    const second = capture();
    expect(await outbound(HARBOR, ":memory:", files, first)).toBe(0);
    expect(await outbound(HARBOR, ":memory:", files, second)).toBe(0);
    expect(second.out).toBe(first.out);
    const messages = first.out.split("\n\n").filter((m) => m !== "");
    expect(messages).toHaveLength(8);
    expect(messages[0]?.split("\n").slice(0, 2)).toEqual([
      "MSH|^~\\&|RULEPACK|19591|ORTHOCHART|HARBOR|20260301090600-0500||SIU^S15^SIU_S12|HOR00000000000000001|P|2.5.1",
      "SCH|V-88812|2001||||PATIENT_REQUEST|Knee pain, left\\.br\\Bring MRI films|10|30|min|^^M30^20260302093000-0500||||||||||||||CANCELLED",
    ]);
    expect(first.err).toBe(
      "test/fixtures/events/appointment-checkout.json: appointmentCheckOut PROCESSED OUTBOUND_NOT_ENABLED appointmentCheckOut is not enabled for outbound (enabled.outbound.appointmentCheckOut)\n",
    );
  });

  it("queues them NEW, direction outbound, in the --db store; the counter goes on in the next run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rulepack-outbound-"));
    try {
      const db = join(dir, "q.sqlite");
      const run = (): Promise<number> =>
        outbound(HARBOR, db, [join(EVENTS_DIR, "patient-add.json")], capture());
      expect(await run()).toBe(0);
      expect(await run()).toBe(0);
      const store = openSqliteStore(db);
      try {
        expect(
          (await store.messages()).map((m) => [m.state, m.direction, m.messageType, m.controlId]),
        ).toEqual([
          ["NEW", "outbound", "ADT^A28", "HOR00000000000000001"],
          ["NEW", "outbound", "ADT^A28", "HOR00000000000000002"],
        ]);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an invalid event file is a located error and exit 2", async () => {
    const io = capture();
    expect(await outbound(HARBOR, ":memory:", ["package.json"], io)).toBe(2);
    expect(io.err).toMatch(/^package\.json:\d+:\d+: /);
  });

  it("an event that cannot be built exits 1 and queues no message (the ERROR is recorded)", async () => {
    const io = capture();
    const r = await send(pack(LAKESIDE), event("appointment-schedule"));
    expect(r[0]?.errors[0]?.code).toBe("UNKNOWN_PROVIDER");
    const code = await outbound(
      LAKESIDE,
      ":memory:",
      [join(EVENTS_DIR, "appointment-schedule.json")],
      io,
    );
    expect(code).toBe(1);
    expect(io.out).toBe("");
    expect(io.err).toContain(
      "appointmentSchedule ERROR UNKNOWN_PROVIDER provider 101 is not in the practice's master data (PV1.7)",
    );
  });
});
