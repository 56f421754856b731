import { describe, expect, it } from "vitest";
import type { Outcome } from "../../../engine/model/outcome.js";
import { codes, newStore, run, STORED, siu, storedAppointment } from "./helpers.js";

/**
 * Table 14 - Required HL7 fields to create an appointment: where each field
 * is read (fields rules, each a configurable reference), what is required
 * to create, the "(if applicable)" rows, and Table 19 - Custom mapping of
 * provider, department, type, status and cancel reason.
 */

const created = (o: Outcome) => {
  const [action] = o.actions;
  if (action?.type !== "appointment.create") throw new Error(`no create: ${codes(o).join(", ")}`);
  return action.appointment;
};

describe("Table 14 required fields: Date/Time, Provider, Department, Appointment Type (to create)", () => {
  it("all four missing: four REQUIRED_FIELD_MISSING, each naming its HL7 alternatives; nothing created", async () => {
    const store = await newStore();
    const outcome = await run(
      "appt-basic",
      store,
      siu("S12", { sch: { 8: undefined }, tq1: null, pv1: { 3: undefined, 7: undefined } }),
    );
    expect(outcome.state).toBe("ERROR");
    expect(outcome.actions).toEqual([]);
    expect(outcome.errors).toEqual([
      {
        code: "REQUIRED_FIELD_MISSING",
        severity: "error",
        message:
          "appointment date/time (TQ1.7 | SCH.11.4 | AIS.4) is required to create an appointment",
        field: "TQ1.7 | SCH.11.4 | AIS.4",
      },
      {
        code: "REQUIRED_FIELD_MISSING",
        severity: "error",
        message: "appointment provider (PV1.7) is required to create an appointment",
        field: "PV1.7",
      },
      {
        code: "REQUIRED_FIELD_MISSING",
        severity: "error",
        message: "appointment department (PV1.3.1) is required to create an appointment",
        field: "PV1.3.1",
      },
      {
        code: "REQUIRED_FIELD_MISSING",
        severity: "error",
        message: "appointment type (SCH.8) is required to create an appointment",
        field: "SCH.8",
      },
    ]);
    expect(store.appointmentById("1001")).toBeUndefined();
  });

  it("the same message for a stored appointment is an update: nothing is required", async () => {
    const outcome = await run(
      "appt-basic",
      await newStore([storedAppointment()]),
      siu("S14", {
        sch: { 2: "2001", 8: undefined },
        tq1: null,
        pv1: { 3: undefined, 7: undefined },
      }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.actions).toEqual([
      { type: "appointment.update", appointmentId: "2001", appointment: { notes: "knee pain" } },
    ]);
  });
});

describe("appointment.start: TQ1.7 | SCH.11.4 | AIS.4 (v2.6+ senders use TQ1; older ones SCH.11)", () => {
  it("TQ1.7 first, even when SCH.11 and AIS say otherwise", async () => {
    const outcome = await run(
      "appt-basic",
      await newStore(),
      siu("S12", {
        sch: { 11: "^^15^202603120800" },
        more: ["RGS|1", "AIS|1||OV|202603130800"],
      }),
    );
    expect(created(outcome).start).toBe("2026-03-11T09:00:00-05:00");
  });

  it("no TQ1: the TQ start in SCH.11.4", async () => {
    const outcome = await run(
      "appt-basic",
      await newStore(),
      siu("S12", { tq1: null, sch: { 11: "^^15^202603120800^202603120815" } }),
    );
    expect(created(outcome)).toMatchObject({ start: "2026-03-12T08:00:00-05:00" });
  });

  it("neither: AIS.4", async () => {
    const outcome = await run(
      "appt-basic",
      await newStore(),
      siu("S12", { tq1: null, more: ["RGS|1", "AIS|1||OV|202603130800"] }),
    );
    expect(created(outcome).start).toBe("2026-03-13T08:00:00-05:00");
  });

  it("a timestamp with its own offset keeps it; without one, the practice's zone at that date", async () => {
    const withOffset = await run(
      "appt-basic",
      await newStore(),
      siu("S12", { tq1: { 7: "202603110900+0100" } }),
    );
    expect(created(withOffset).start).toBe("2026-03-11T09:00:00+01:00");
    // Chicago leaves daylight time on 2026-11-01.
    const winter = await run(
      "appt-basic",
      await newStore(),
      siu("S12", { tq1: { 7: "202611020900" } }),
    );
    expect(created(winter).start).toBe("2026-11-02T09:00:00-06:00");
  });

  it("a plain timestamp in SCH.11.1 is not the start by default (REQUIRED_FIELD_MISSING)...", async () => {
    const outcome = await run(
      "appt-basic",
      await newStore(),
      siu("S12", { tq1: null, sch: { 11: "202603120800" } }),
    );
    expect(codes(outcome)).toEqual(["REQUIRED_FIELD_MISSING(TQ1.7 | SCH.11.4 | AIS.4)"]);
  });

  it("...a pack whose sender puts one there reads `TQ1.7 | SCH.11.4 | SCH.11.1`", async () => {
    const outcome = await run(
      "appt-mapped",
      await newStore(),
      siu("S12", {
        tq1: null,
        sch: { 7: "OV15", 11: "202603120800" },
        pv1: { 3: "^^^MAIN", 7: "DRN" },
      }),
    );
    expect(created(outcome).start).toBe("2026-03-12T08:00:00-05:00");
  });

  it("a start below minute precision is INVALID_VALUE", async () => {
    const outcome = await run(
      "appt-basic",
      await newStore(),
      siu("S12", { tq1: { 7: "20260311" } }),
    );
    expect(outcome.errors).toEqual([
      {
        code: "INVALID_VALUE",
        severity: "error",
        message:
          "appointment.start '20260311' is not a date-time to the minute (YYYYMMDDHHMM) (TQ1.7)",
        field: "TQ1.7",
        value: "20260311",
      },
    ]);
  });
});

describe("appointment.durationMinutes as received: TQ1.6 | SCH.9 | AIS.7", () => {
  const cases: [string, Parameters<typeof siu>[1], number | undefined][] = [
    ["TQ1.6 (service duration)", { tq1: { 6: "40^min" }, sch: { 9: "30" } }, 40],
    ["SCH.9 when TQ1 has none", { tq1: { 6: undefined }, sch: { 9: "30", 10: "min" } }, 30],
    [
      "AIS.7 last",
      { tq1: { 6: undefined }, more: ["RGS|1", "AIS|1||OV|202603110900|||45|min"] },
      45,
    ],
    ["none: no duration", { tq1: { 6: undefined } }, undefined],
  ];
  for (const [name, parts, minutes] of cases) {
    it(name, async () => {
      const outcome = await run("appt-basic", await newStore(), siu("S12", parts));
      expect(created(outcome).durationMinutes).toBe(minutes);
    });
  }
});

describe("appointment.departmentId: PV1.3 component 1 by default, configurable", () => {
  it("default PV1.3.1", async () => {
    const outcome = await run("appt-basic", await newStore(), siu("S12", { pv1: { 3: "2^^^9" } }));
    expect(created(outcome).departmentId).toBe("2");
  });

  it("a pack reading the facility component PV1.3.4 (and mapping it)", async () => {
    const outcome = await run(
      "appt-mapped",
      await newStore(),
      siu("S12", { sch: { 7: "OV15" }, pv1: { 3: "2^^^EAST", 7: "DRN" } }),
    );
    expect(created(outcome).departmentId).toBe("2");
  });
});

describe("appointment.type: SCH.8 by default (docs/decisions/0004), SCH.7 where the sender puts it", () => {
  it("default: SCH.8; SCH.7 is the notes (SCH.7.2, else SCH.7.1)", async () => {
    const outcome = await run(
      "appt-basic",
      await newStore(),
      siu("S12", { sch: { 7: "OV15^follow-up on knee", 8: "14" } }),
    );
    expect(created(outcome)).toMatchObject({ type: "14", notes: "follow-up on knee" });
    const plain = await run(
      "appt-basic",
      await newStore(),
      siu("S12", { sch: { 7: "bring x-rays" } }),
    );
    expect(created(plain).notes).toBe("bring x-rays");
  });

  it("a pack reading SCH.7 (Table 19 - Custom mapping's field), with notes from NTE", async () => {
    const outcome = await run(
      "appt-mapped",
      await newStore(),
      siu("S12", {
        sch: { 7: "POSTOP^Post-op visit", 8: "Normal" },
        pv1: { 3: "^^^MAIN", 7: "DRN" },
        more: ["NTE|1||wound check"],
      }),
    );
    expect(outcome.actions).toEqual([
      {
        type: "appointment.create",
        appointment: {
          id: "1001",
          patientId: "1001",
          start: "2026-03-11T09:00:00-05:00",
          durationMinutes: 15,
          providerId: "101",
          departmentId: "1",
          type: "14",
          notes: "wound check",
          primaryPolicy: { sequence: 1, packageId: "4471", policyNumber: "HM-1" },
          secondaryPolicy: { sequence: 2, packageId: "00312", policyNumber: "BC-2" },
          status: "f",
        },
      },
    ]);
  });
});

describe('Table 14 "(if applicable)": notes, cancel reason and status only where the event needs them', () => {
  it("an S12 does not read SCH.6 (an event reason there) or SCH.25: unmappable values do not block it", async () => {
    const outcome = await run(
      "appt-mapped",
      await newStore(),
      siu("S12", { sch: { 6: "Add", 7: "OV15", 25: "Waitlist" }, pv1: { 3: "^^^MAIN", 7: "DRN" } }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(created(outcome)).not.toHaveProperty("cancelReason");
  });

  it("a pack requiring the cancel reason on a cancel: S15 without SCH.6 is REQUIRED_FIELD_MISSING", async () => {
    const store = await newStore([storedAppointment()]);
    const outcome = await run("appt-if-applicable", store, siu("S15", { sch: { 2: "2001" } }));
    expect(outcome.errors).toEqual([
      {
        code: "REQUIRED_FIELD_MISSING",
        severity: "error",
        message: "cancel reason (SCH.6) is required to update an appointment",
        field: "SCH.6",
      },
    ]);
    expect(store.appointmentById("2001")).toEqual(STORED);
    const given = await run(
      "appt-if-applicable",
      store,
      siu("S15", { sch: { 2: "2001", 6: "PT" } }),
    );
    expect(given.state).toBe("PROCESSED");
  });

  it("the same rule does not apply to an update or a check-in", async () => {
    const outcome = await run(
      "appt-if-applicable",
      await newStore([storedAppointment()]),
      siu("S14", { sch: { 2: "2001", 25: "2" } }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.errors).toEqual([]);
  });

  it("notes recommended (severity warning): RECOMMENDED_FIELD_MISSING, and the appointment is created", async () => {
    const outcome = await run(
      "appt-if-applicable",
      await newStore(),
      siu("S12", { sch: { 7: undefined } }),
    );
    expect(outcome.state).toBe("PROCESSED");
    expect(outcome.errors).toEqual([
      {
        code: "RECOMMENDED_FIELD_MISSING",
        severity: "warning",
        message: "appointment notes (SCH.7.2 | SCH.7.1) is recommended to create an appointment",
        field: "SCH.7.2 | SCH.7.1",
      },
    ]);
    expect(outcome.actions.map((a) => a.type)).toEqual(["appointment.create"]);
  });
});

describe("Table 19 - Custom mapping: provider, department, type, status, cancel reason", () => {
  const mapped = (parts: Parameters<typeof siu>[1] = {}) =>
    siu("S12", {
      ...parts,
      sch: { 7: "OV15", ...parts.sch },
      pv1: { 3: "^^^MAIN", 7: "DRN", ...parts.pv1 },
    });

  it("mapped codes become practice codes", async () => {
    const outcome = await run("appt-mapped", await newStore(), mapped({ pv1: { 7: "DRA" } }));
    expect(created(outcome)).toMatchObject({ providerId: "102", departmentId: "1", type: "12" });
  });

  const unmapped: [string, Parameters<typeof siu>[1], string, string, string][] = [
    ["provider (PV1.7)", { pv1: { 7: "DRX" } }, "PV1.7", "provider", "DRX"],
    ["department (PV1.3.4)", { pv1: { 3: "^^^WEST" } }, "PV1.3.4", "department", "WEST"],
    ["appointment type (SCH.7)", { sch: { 7: "XRAY" } }, "SCH.7", "appointmentType", "XRAY"],
  ];
  for (const [name, parts, field, table, value] of unmapped) {
    it(`unmapped ${name}: UNMAPPED_CODE with field, table and value`, async () => {
      const store = await newStore();
      const outcome = await run("appt-mapped", store, mapped(parts));
      expect(outcome.state).toBe("ERROR");
      expect(outcome.errors).toEqual([
        {
          code: "UNMAPPED_CODE",
          severity: "error",
          message: `'${value}' has no row in mapping table ${table} (${field}); add one and reprocess`,
          field,
          table,
          value,
        },
      ]);
      expect(store.appointmentById("1001")).toBeUndefined();
    });
  }

  it("unmapped status (SCH.25) on an S14: UNMAPPED_CODE, no event decided", async () => {
    const outcome = await run(
      "appt-mapped",
      await newStore([storedAppointment()]),
      siu("S14", { sch: { 2: "2001", 25: "Waitlist" } }),
    );
    expect(outcome.errors).toEqual([
      {
        code: "UNMAPPED_CODE",
        severity: "error",
        message:
          "'Waitlist' has no row in mapping table appointmentStatus (SCH.25); add one and reprocess",
        field: "SCH.25",
        table: "appointmentStatus",
        value: "Waitlist",
      },
    ]);
  });

  it("cancel reason (SCH.6) on an S15: mapped, or UNMAPPED_CODE", async () => {
    const store = await newStore([storedAppointment()]);
    const bad = await run("appt-mapped", store, siu("S15", { sch: { 2: "2001", 6: "ZZ" } }));
    expect(codes(bad)).toEqual(["UNMAPPED_CODE(SCH.6)"]);
    expect(bad.errors[0]).toMatchObject({ table: "cancelReason", value: "ZZ" });
    const good = await run("appt-mapped", store, siu("S15", { sch: { 2: "2001", 6: "ns" } }));
    expect(good.actions).toEqual([
      {
        type: "appointment.cancel",
        appointmentId: "2001",
        appointment: { status: "x", cancelReason: "NOSHOW" },
      },
    ]);
  });

  it("not mapped (mappingRequired false), a provider not in master data is UNKNOWN_PROVIDER (ERROR)", async () => {
    const outcome = await run("appt-basic", await newStore(), siu("S12", { pv1: { 7: "999" } }));
    expect(outcome.state).toBe("ERROR");
    expect(codes(outcome)).toEqual(["UNKNOWN_PROVIDER(PV1.7)"]);
  });

  it("not mapped, a type not in the appointment type table is INVALID_VALUE (an HL7 0277 'Normal' in SCH.8)", async () => {
    const outcome = await run("appt-basic", await newStore(), siu("S12", { sch: { 8: "Normal" } }));
    expect(outcome.errors).toEqual([
      {
        code: "INVALID_VALUE",
        severity: "error",
        message: "appointmentType 'Normal' is not in the practice's master data",
        field: "SCH.8",
        table: "appointmentType",
        value: "Normal",
      },
    ]);
  });

  it("not mapped, a provider by NPI becomes the practice provider ID", async () => {
    const outcome = await run(
      "appt-basic",
      await newStore(),
      siu("S12", { pv1: { 7: "1593847613" } }),
    );
    expect(created(outcome).providerId).toBe("102");
  });
});
