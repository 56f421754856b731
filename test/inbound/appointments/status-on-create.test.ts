import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCommand } from "../../../engine/cli/run-command.js";
import { missingSlipsCommand, worklistCommand } from "../../../engine/cli/worklist-command.js";
import type { CliIo } from "../../../engine/io/cli-io.js";
import { NOW, newStore, run, siu, storedAppointment } from "./helpers.js";

/**
 * Future appointments / Past or present appointments
 * (appointments.statusOnCreate), and the Missing Slips worklist the spec
 * says past or present appointments appear on (`rulepack worklist
 * missing-slips`).
 */

const statusOf = async (packId: string, tq1: string, now: Date = NOW) => {
  const outcome = await run(packId, await newStore(), siu("S12", { tq1: { 7: tq1 } }), now);
  const [action] = outcome.actions;
  if (action?.type !== "appointment.create") throw new Error("no create");
  return action.appointment.status;
};

describe("appointments.statusOnCreate: future f, past or present 2 (by day, in practice.timeZone)", () => {
  // NOW is 2026-03-10 13:00 in Chicago.
  const cases: [string, string, string][] = [
    ["tomorrow (2026-03-11 09:00): f", "202603110900", "f"],
    ["next month: f", "202604010800", "f"],
    ["today, earlier (08:00): 2", "202603100800", "2"],
    ["today, later (23:30): 2, the day decides, not the hour", "202603102330", "2"],
    ["yesterday: 2", "202603091600", "2"],
  ];
  for (const [name, tq1, status] of cases) {
    it(name, async () => {
      expect(await statusOf("appt-basic", tq1)).toBe(status);
    });
  }

  it("the day is the practice's: at 22:00 in Chicago (03:00 UTC next day) tomorrow 09:00 is still future", async () => {
    const late = new Date("2026-03-11T03:00:00Z");
    // Judged in UTC, both would fall on 2026-03-11: present, 2.
    expect(await statusOf("appt-basic", "202603110900", late)).toBe("f");
  });

  it("the message's own offset does not change whose calendar: 03:00 UTC on the 11th is the 10th in Chicago", async () => {
    expect(await statusOf("appt-basic", "202603110300+0000")).toBe("2");
  });

  it("a pack's own codes, in its own zone: pastOrPresent 3 in Auckland", async () => {
    // NOW is 2026-03-11 07:00 in Auckland.
    expect(await statusOf("appt-status-on-create", "202603110900")).toBe("3");
    expect(await statusOf("appt-status-on-create", "202603120900")).toBe("f");
  });

  it("a reschedule's new appointment (cancelAndCreate) is judged the same way", async () => {
    const store = await newStore([storedAppointment({ externalIds: { visit: "100" } })]);
    const outcome = await run(
      "appt-external-id",
      store,
      siu("S13", { sch: { 1: "100" }, tq1: { 7: "202603100700" } }),
    );
    expect(outcome.actions[1]).toMatchObject({
      type: "appointment.create",
      appointment: { id: "2002", status: "2" },
    });
  });
});

describe("Missing Slips: 2/3 appointments whose type requires a billing slip (store.appointmentsMissingSlips)", () => {
  it("a past appointment created in 2 is listed; of a type with Billing Slip Required No, it is not", async () => {
    const store = await newStore();
    await run("appt-basic", store, siu("S12", { tq1: { 7: "202603100800" } }));
    await run(
      "appt-basic",
      store,
      siu("S12", { sch: { 2: "x", 8: "14" }, tq1: { 7: "202603100830" } }),
    );
    await run("appt-basic", store, siu("S12", { tq1: { 7: "202603110800" } }));
    expect(store.appointmentById("1002")).toMatchObject({ status: "2", type: "14" });
    expect(store.appointmentById("1003")).toMatchObject({ status: "f" });
    expect((await store.appointmentsMissingSlips()).map((a) => a.id)).toEqual(["1001"]);
  });

  it("a future appointment joins when checked in or out, and leaves when cancelled", async () => {
    const store = await newStore([storedAppointment()]);
    expect(await store.appointmentsMissingSlips()).toEqual([]);
    await run("appt-basic", store, siu("S14", { sch: { 2: "2001", 25: "3" } }));
    expect((await store.appointmentsMissingSlips()).map((a) => a.id)).toEqual(["2001"]);
    await run("appt-basic", store, siu("S15", { sch: { 2: "2001" } }));
    expect(await store.appointmentsMissingSlips()).toEqual([]);
  });
});

describe("rulepack worklist missing-slips [--db FILE] [--format text|json]", () => {
  const root = mkdtempSync(join(tmpdir(), "rulepack-worklist-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const capture = (): CliIo & { out: string; err: string } => {
    const io = {
      out: "",
      err: "",
      stdout: (t: string) => {
        io.out += t;
      },
      stderr: (t: string) => {
        io.err += t;
      },
    };
    return io;
  };
  const file = (name: string, text: string) => {
    const path = join(root, name);
    writeFileSync(path, text);
    return path;
  };

  it("after `rulepack run`: the checked-in appointments, soonest first, in text and JSON", async () => {
    const db = join(root, "run.sqlite");
    const adt = file(
      "a04.hl7",
      "MSH|^~\\&|EHR|CLINIC|PM|PRACTICE|20260310120000||ADT^A04|A1|P|2.5.1\rPID|1||000777^^^OC^MR||RIVERA^ANA||19800214|F\rPV1|1|O|1",
    );
    const later = file(
      "later.hl7",
      siu("S12", { controlId: "S1", pid: { 2: undefined }, tq1: { 7: "202603101100" } }),
    );
    const earlier = file(
      "earlier.hl7",
      siu("S12", { controlId: "S2", pid: { 2: undefined }, tq1: { 7: "202603100800" } }),
    );
    const future = file(
      "future.hl7",
      siu("S12", { controlId: "S3", pid: { 2: undefined }, tq1: { 7: "202603120800" } }),
    );
    const ran = capture();
    const result = await runCommand(
      {
        pack: "test/fixtures/appointments/appt-basic/pack.yaml",
        db,
        now: NOW,
        format: "text",
        explain: false,
        showData: false,
        files: [adt, later, earlier, future],
        progress: false,
      },
      ran,
    );
    expect(result).toEqual({ exitCode: 0 });
    expect(ran.out.trim().split("\n").at(-1)).toBe("4 PROCESSED");

    const text = capture();
    expect(await worklistCommand(["missing-slips", "--db", db], text)).toEqual({ exitCode: 0 });
    expect(text.out).toBe(
      [
        "1002 2026-03-10T08:00:00-05:00 status=2 patient=1001 provider=101 department=1 type=12",
        "1001 2026-03-10T11:00:00-05:00 status=2 patient=1001 provider=101 department=1 type=12",
        "2 appointments missing slips",
        "",
      ].join("\n"),
    );

    const json = capture();
    expect(await missingSlipsCommand({ db, format: "json" }, json)).toEqual({ exitCode: 0 });
    const lines = json.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((a) => [a.id, a.status, a.patientId])).toEqual([
      ["1002", "2", "1001"],
      ["1001", "2", "1001"],
    ]);
    expect(json.err).toBe("2 appointments missing slips\n");
  });

  it("no store at --db: exit 1, nothing created", async () => {
    const io = capture();
    const db = join(root, "none.sqlite");
    expect(await missingSlipsCommand({ db, format: "text" }, io)).toEqual({ exitCode: 1 });
    expect(io.err).toBe(
      `rulepack: no store at ${db} (rulepack run or serve --db FILE creates one)\n`,
    );
  });

  it("usage errors: exit 2", async () => {
    const io = capture();
    expect(await worklistCommand(["late-charges"], io)).toEqual({ exitCode: 2 });
    expect(await worklistCommand(["missing-slips", "--format", "csv"], io)).toEqual({
      exitCode: 2,
    });
    expect(io.err).toBe(
      [
        "rulepack: unknown worklist 'late-charges' (the worklists are missing-slips, duplicates)",
        "usage: rulepack worklist missing-slips|duplicates [--db FILE] [--pack PACK] [--format text|json]",
        "rulepack: unknown --format 'csv'",
        "usage: rulepack worklist missing-slips|duplicates [--db FILE] [--pack PACK] [--format text|json]",
        "",
      ].join("\n"),
    );
  });
});
