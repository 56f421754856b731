import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { AppointmentCreate, TypedAction } from "../../engine/model/actions.js";
import type { Appointment, Patient, Policy } from "../../engine/model/records.js";
import { sendEvent } from "../../engine/outbound/send.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { StoredMessage } from "../../engine/store/types.js";
import { apply, createPatient } from "../store/contract.js";
import { rulepack } from "../support/cli.js";
import { event, HARBOR, pack, storeFor } from "./helpers.js";

/**
 * `rulepack outbound backfill --pack PACK [--db FILE] [--since DATE]`: an
 * A28 for every patient of the store and an S12 for every future
 * appointment, built as `rulepack outbound` builds events (Harbor's pack:
 * its appointment filter by department, its race/ethnicity/language
 * mappings), queued NEW, and counted on stdout.
 */

const harbor = pack(HARBOR);
const root = mkdtempSync(join(tmpdir(), "rulepack-backfill-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let made = 0;

/** 2026-03-01 09:06 in Boston: "future" begins here unless --since says otherwise. */
const NOW = "2026-03-01T14:06:00Z";

const ANN: Patient & { id: string } = { ...event("patient-add").patient, id: "1001" };
const BEN: Patient & { id: string } = {
  ...ANN,
  id: "1002",
  firstName: "Ben",
  externalIds: {},
  race: "2028-9",
};
const MEDICARE: Policy = (event("patient-add").policies ?? [])[0] as Policy;

const appointment = (
  id: string,
  start: string,
  departmentId = "1",
  status: Appointment["status"] = "f",
): AppointmentCreate => ({
  type: "appointment.create",
  appointment: {
    id,
    patientId: "1001",
    start,
    durationMinutes: 30,
    providerId: "101",
    departmentId,
    type: "10",
    status,
  },
});

/** Harbor's schedule around NOW: two future bookings in Harbor Main, and what is not sent. */
const SCHEDULE: readonly AppointmentCreate[] = [
  appointment("2001", "2026-03-02T09:30:00-05:00"),
  appointment("2002", "2026-02-27T09:30:00-05:00"), // past
  appointment("2003", "2026-03-03T09:30:00-05:00", "1", "x"), // cancelled
  appointment("2004", "2026-03-04T10:00:00-05:00", "2"), // Harbor East: filtered out
  appointment("2005", "2026-03-01T08:00:00-05:00"), // earlier today, before NOW
  appointment("2006", "2026-06-15T13:00:00-04:00"),
];

/** A SQLite store holding these records, as the inbound side would have left them. */
async function storeWith(actions: readonly TypedAction[][]): Promise<string> {
  const db = join(root, `store-${++made}.sqlite`);
  const store = openSqliteStore(db);
  try {
    for (const a of actions) await apply(store, a);
  } finally {
    await store.close();
  }
  return db;
}

const HARBOR_STORE: TypedAction[][] = [
  [createPatient(ANN), { type: "insurance.add", patientId: "1001", policy: MEDICARE }],
  [createPatient(BEN)],
  ...SCHEDULE.map((a) => [a]),
];

async function outbound(db: string): Promise<StoredMessage[]> {
  const store = openSqliteStore(db);
  try {
    return [...(await store.messages({ direction: "outbound" }))];
  } finally {
    await store.close();
  }
}

const text = (m: StoredMessage | undefined): string => Buffer.from(m?.raw ?? []).toString("utf8");
const field = (m: StoredMessage | undefined, segment: string, n: number): string =>
  text(m)
    .split("\r")
    .find((l) => l.startsWith(`${segment}|`))
    ?.split("|")[segment === "MSH" ? n - 1 : n] ?? "";

const backfill = (db: string, ...extra: string[]) =>
  rulepack(["outbound", "backfill", "--pack", HARBOR, "--db", db, "--now", NOW, ...extra]);

describe("rulepack outbound backfill: the practice's full load, queued", () => {
  it("an A28 per patient in creation order, then an S12 per future appointment; counts on stdout", async () => {
    const db = await storeWith(HARBOR_STORE);
    const r = await backfill(db);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        "patients: 2 read, 2 queued (ADT^A28 2), 0 filtered out, 0 failed",
        "future appointments (from 2026-03-01T14:06:00.000Z): 3 read, 2 queued (SIU^S12 2), 1 filtered out, 0 failed; 3 past or cancelled left out",
        "filtered out 1 appointment FILTERED not sent: the appointment's department is not one of outbound.filters.appointments.names",
        "",
      ].join("\n"),
    );
    const sent = await outbound(db);
    expect(sent.map((m) => [m.state, m.messageType, m.controlId])).toEqual([
      ["NEW", "ADT^A28", "HOR00000000000000001"],
      ["NEW", "ADT^A28", "HOR00000000000000002"],
      ["NEW", "SIU^S12", "HOR00000000000000003"],
      ["PROCESSED", "appointmentSchedule", ""],
      ["NEW", "SIU^S12", "HOR00000000000000004"],
    ]);
    expect(sent.map((m) => field(m, "PID", 3).split("^")[0])).toEqual([
      "1001",
      "1002",
      "1001",
      "",
      "1001",
    ]);
    expect([field(sent[2], "SCH", 2), field(sent[4], "SCH", 2)]).toEqual(["2001", "2006"]);
    expect(field(sent[2], "SCH", 25)).toBe("BOOKED");
  });

  it("each message is the one rulepack outbound builds for the same record as a new-patient or booking event", async () => {
    const db = await storeWith(HARBOR_STORE);
    await backfill(db);
    const [annA28, , s12] = await outbound(db);
    const reference = await storeFor(HARBOR);
    const now = new Date(NOW);
    const [a28] = await sendEvent(
      harbor,
      reference,
      { kind: "patientAdd", patient: ANN, policies: [MEDICARE] },
      { now },
    );
    const [booking] = await sendEvent(
      harbor,
      reference,
      {
        kind: "appointmentSchedule",
        patient: ANN,
        policies: [MEDICARE],
        appointment: { ...(SCHEDULE[0] as AppointmentCreate).appointment },
      },
      { now },
    );
    const noControlId = (t: string | undefined) => (t ?? "").replace(/\|HOR\d+\|/, "|HOR|");
    expect(noControlId(text(annA28))).toBe(noControlId(a28?.text));
    expect(noControlId(text(s12))).toBe(noControlId(booking?.text));
    expect(text(annA28)).toContain("\rIN1|");
  });
});

describe("--since DATE: where the future appointments begin (default: --now)", () => {
  it("a date is midnight in the practice's time zone: this morning's appointment before --now is sent", async () => {
    const db = await storeWith(HARBOR_STORE);
    const r = await backfill(db, "--since", "2026-03-01");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      "future appointments (from 2026-03-01T05:00:00.000Z): 4 read, 3 queued (SIU^S12 3), 1 filtered out, 0 failed; 2 past or cancelled left out",
    );
    const s12s = (await outbound(db)).filter((m) => m.messageType === "SIU^S12");
    expect(s12s.map((m) => field(m, "SCH", 2))).toEqual(["2001", "2005", "2006"]);
  });

  it("a date-time with an offset is that instant: appointments before it are left out", async () => {
    const db = await storeWith(HARBOR_STORE);
    const r = await backfill(db, "--since", "2026-03-10T00:00:00-05:00");
    expect(r.stdout).toContain(
      "future appointments (from 2026-03-10T05:00:00.000Z): 1 read, 1 queued (SIU^S12 1), 0 filtered out, 0 failed; 5 past or cancelled left out",
    );
    const s12s = (await outbound(db)).filter((m) => m.messageType === "SIU^S12");
    expect(s12s.map((m) => field(m, "SCH", 2))).toEqual(["2006"]);
  });

  it("patients are all sent whatever --since says", async () => {
    const db = await storeWith(HARBOR_STORE);
    const r = await backfill(db, "--since", "2027-01-01");
    expect(r.stdout).toContain("patients: 2 read, 2 queued (ADT^A28 2), 0 filtered out, 0 failed");
    expect(r.stdout).toContain("future appointments (from 2027-01-01T05:00:00.000Z): 0 read");
  });

  it("a --since that is no date is exit 2 with the usage, nothing queued", async () => {
    const db = await storeWith(HARBOR_STORE);
    const r = await backfill(db, "--since", "next tuesday");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      "rulepack: --since 'next tuesday' is not a date (YYYY-MM-DD) or ISO-8601 date-time",
    );
    expect(r.stderr).toContain("usage: rulepack outbound");
    expect(await outbound(db)).toEqual([]);
  });

  it("--since without backfill is exit 2: outbound's events carry their own times", async () => {
    const r = await rulepack([
      "outbound",
      "--pack",
      HARBOR,
      "--db",
      ":memory:",
      "--since",
      "2026-03-01",
      "test/fixtures/events/patient-add.json",
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--since is an option of outbound backfill");
  });
});

describe("filters: outbound.filters decides as for events", () => {
  it("an appointment in a department the filter does not name is recorded PROCESSED FILTERED, not queued", async () => {
    const db = await storeWith([
      [createPatient(ANN)],
      [appointment("2004", "2026-03-04T10:00:00-05:00", "2")],
    ]);
    const r = await backfill(db);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("1 read, 0 queued, 1 filtered out, 0 failed");
    const [, filtered] = await outbound(db);
    expect(filtered?.state).toBe("PROCESSED");
    expect(filtered?.outcome?.errors.map((e) => [e.code, e.severity])).toEqual([
      ["FILTERED", "info"],
    ]);
  });

  it("an appointment in Harbor Surgery Center (named by the filter) is sent", async () => {
    const db = await storeWith([
      [createPatient(ANN)],
      [appointment("2007", "2026-03-04T10:00:00-05:00", "3")],
    ]);
    const r = await backfill(db);
    expect(r.stdout).toContain("1 read, 1 queued (SIU^S12 1), 0 filtered out, 0 failed");
  });
});

describe("mappings: outbound.mappings translate the stored codes, as for events", () => {
  it("race and ethnicity go out in OrthoChart's codes (orthochartRaceOut, orthochartEthnicityOut)", async () => {
    const db = await storeWith([[createPatient(ANN)], [createPatient(BEN)]]);
    await backfill(db);
    const [ann, ben] = await outbound(db);
    expect([field(ann, "PID", 10), field(ann, "PID", 22)]).toEqual(["W^^L", "2^^L"]);
    expect(field(ben, "PID", 10)).toBe("O^^L");
  });

  it("a code without a row fails: ERROR UNMAPPED_CODE in the queue, one line with its message ID, exit 1", async () => {
    const db = await storeWith([[createPatient({ ...ANN, race: "2500-7" })], [createPatient(BEN)]]);
    const r = await backfill(db);
    expect(r.status).toBe(1);
    const [failed, queued] = await outbound(db);
    expect([failed?.state, queued?.state]).toEqual(["ERROR", "NEW"]);
    expect(r.stdout).toBe(
      [
        "patients: 2 read, 1 queued (ADT^A28 1), 0 filtered out, 1 failed",
        "future appointments (from 2026-03-01T14:06:00.000Z): 0 read, 0 queued, 0 filtered out, 0 failed; 0 past or cancelled left out",
        `failed patient 1001 ${failed?.messageId}: UNMAPPED_CODE PID.10 race '2500-7' has no row in outbound mapping table orthochartRaceOut (PID.10); nothing is sent`,
        "",
      ].join("\n"),
    );
  });
});

describe("no patients", () => {
  it("an existing store without patients or appointments: nothing to backfill, nothing queued, exit 0", async () => {
    const db = await storeWith([]);
    const r = await backfill(db);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      "nothing to backfill: the store holds no patients and no appointments from 2026-03-01T14:06:00.000Z\n",
    );
    expect(await outbound(db)).toEqual([]);
  });

  it("no store at --db: exit 1, and none is created", async () => {
    const db = join(root, "no-such.sqlite");
    const r = await backfill(db);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`rulepack: no store at ${db}`);
    expect(existsSync(db)).toBe(false);
  });

  it("a word after backfill is exit 2: backfill reads the store, not EVENT files", async () => {
    const db = await storeWith([]);
    const r = await backfill(db, "test/fixtures/events/patient-add.json");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("outbound backfill takes no EVENT file");
  });
});
