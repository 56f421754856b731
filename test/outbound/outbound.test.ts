import { describe, expect, it } from "vitest";
import { leafValue } from "../../engine/hl7/access.js";
import { controlIdOf } from "../../engine/outbound/build.js";
import { loadEvent } from "../../engine/outbound/events.js";
import { Segment, segmentText } from "../../engine/outbound/segments.js";
import {
  EVENT_FILES,
  event,
  forLakeside,
  HARBOR,
  LAKESIDE,
  line,
  masterData,
  pack,
  packWith,
  parsed,
  queued,
  segmentNames,
  send,
  storeFor,
  value,
} from "./helpers.js";

const harbor = pack(HARBOR);
const lakeside = pack(LAKESIDE);

describe("events: kinds and the messages they build (Table 4, reschedule)", () => {
  it("patient added -> ADT^A28^ADT_A05 in the structure's order, EVN-1 the trigger, EVN-2 the event time", async () => {
    const [r] = await send(harbor, event("patient-add"));
    expect(r?.state).toBe("NEW");
    expect(segmentNames(r)).toEqual([
      "MSH",
      "EVN",
      "PID",
      "PD1",
      "NK1",
      "PV1",
      "GT1",
      "IN1",
      "ZPI", // Harbor's outbound field rule orthochart-sex
    ]);
    expect(line(r, "MSH")).toContain("|ADT^A28^ADT_A05|");
    expect(line(r, "EVN")).toBe("EVN|A28|20260301090500-0500");
    expect(line(r, "PV1")).toBe("PV1|1|N");
  });

  it("patient updated -> ADT^A31^ADT_A05", async () => {
    const [r] = await send(harbor, event("patient-update"));
    expect(value(r, "MSH", 9, 2)).toBe("A31");
    expect(line(r, "EVN")).toBe("EVN|A31|20260301100000-0500");
    expect(value(r, "PID", 13)).toBe("6175550000");
  });

  it.each([
    ["appointment-schedule", "S12", "BOOKED"],
    ["appointment-update", "S14", "UPDATE"],
    ["appointment-checkin", "S14", "ARRIVED"],
    ["appointment-checkout", "S14", "COMPLETED"],
    ["appointment-cancel", "S15", "CANCELLED"],
  ])("%s -> SIU^%s^SIU_S12 with SCH-25 %s", async (name, trigger, status) => {
    const results = await send(lakeside, forLakeside(event(name)));
    expect(results).toHaveLength(1);
    const [r] = results;
    expect(segmentNames(r)).toEqual(["MSH", "SCH", "PID", "PV1", "RGS", "AIS", "AIL", "AIP"]);
    expect(line(r, "MSH").split("|")[8]).toBe(`SIU^${trigger}^SIU_S12`);
    expect(value(r, "SCH", 25)).toBe(status);
    expect(value(r, "SCH", 2)).toBe("2001");
  });

  it("a reschedule cancels the old appointment (S15) and creates the new one (S12)", async () => {
    const results = await send(harbor, event("appointment-reschedule"));
    expect(results.map((r) => [r.state, r.messageType])).toEqual([
      ["NEW", "SIU^S15"],
      ["NEW", "SIU^S12"],
    ]);
    expect([value(results[0], "SCH", 2), value(results[0], "SCH", 25)]).toEqual([
      "2001",
      "CANCELLED",
    ]);
    expect(value(results[0], "SCH", 6)).toBe("RESCHEDULED");
    expect([value(results[1], "SCH", 2), value(results[1], "SCH", 25)]).toEqual(["2002", "BOOKED"]);
    expect(value(results[1], "SCH", 11, 4)).toBe("20260304110000-0500");
  });

  it("SIU fields: SCH-6, -7, -8, -9/-10, -11 (.3 duration, .4 start); AIS-3, -4, -7; AIL-3; RGS-1", async () => {
    const [r] = await send(harbor, event("appointment-schedule"));
    expect(line(r, "SCH")).toBe(
      "SCH|V-88812|2001||||ROUTINE|Knee pain, left\\.br\\Bring MRI films|10|30|min|^^M30^20260302093000-0500||||||||||||||BOOKED",
    );
    expect(line(r, "RGS")).toBe("RGS|1");
    expect(line(r, "AIS")).toBe("AIS|1||10|20260302093000-0500|||30|min");
    expect(line(r, "AIL")).toBe("AIL|1||1");
  });

  it("the cancel reason is SCH-6 of an S15; other messages send the pack's default (base.yaml: ROUTINE)", async () => {
    expect(value((await send(harbor, event("appointment-cancel")))[0], "SCH", 6)).toBe(
      "PATIENT_REQUEST",
    );
    expect(value((await send(harbor, event("appointment-update")))[0], "SCH", 6)).toBe("ROUTINE");
    expect(
      value((await send(lakeside, forLakeside(event("appointment-update"))))[0], "SCH", 6),
    ).toBe("ROUTINE");
  });

  it("the event loader reports problems located in the file", async () => {
    const load = loadEvent("bad.json", '{\n  "kind": "appointmentSchedule",\n  "patient": {}\n}\n');
    expect(load.ok).toBe(false);
    if (load.ok) return;
    expect(load.errors.map((e) => [e.file, e.line, e.code])).toEqual([
      ["bad.json", 1, expect.any(String)],
      ["bad.json", 3, expect.any(String)],
    ]);
  });

  it("an appointment of another patient than the event's is refused at its line (PID-3 would name the wrong patient)", async () => {
    const text = [
      "{",
      '  "kind": "appointmentSchedule",',
      '  "patient": { "id": "12" },',
      '  "appointment": { "id": "2001", "patientId": "99", "start": "2026-03-02T09:30:00-05:00" }',
      "}",
    ].join("\n");
    const load = loadEvent("other.json", text);
    expect(load.ok).toBe(false);
    if (load.ok) return;
    expect(load.errors.map((e) => [e.line, e.code, e.message])).toEqual([
      [
        4,
        "INVALID_VALUE",
        "appointment.patientId is '99' but the event's patient.id is '12': an event is about one patient",
      ],
    ]);
  });

  it("a date of birth that is not YYYY-MM-DD is refused at its line (it would go out as an invalid DT)", async () => {
    const dobs = [
      '"patient": { "id": "1", "dob": "14/02/1980" }',
      '"patient": { "id": "1", "guarantor": { "dob": "1980-2-14" } }',
      '"patient": { "id": "1", "nextOfKin": { "lastName": "A" } },\n  "policies": [{ "sequence": 1, "insured": { "dob": "19800214" } }]',
    ];
    for (const patient of dobs) {
      const load = loadEvent("dob.json", `{\n  "kind": "patientAdd",\n  ${patient}\n}\n`);
      expect(load.ok, patient).toBe(false);
      if (load.ok) continue;
      expect(load.errors.map((e) => [e.line, e.code]).at(-1), patient).toEqual([
        expect.any(Number),
        "INVALID_VALUE",
      ]);
      expect(load.errors.at(-1)?.message, patient).toMatch(/dob/);
    }
    const ok = loadEvent(
      "dob.json",
      '{ "kind": "patientAdd", "patient": { "id": "1", "dob": "1980-02-14" } }',
    );
    expect(ok.ok).toBe(true);
  });
});

describe("enabled.outbound (§7): a disabled event is PROCESSED with OUTBOUND_NOT_ENABLED", () => {
  it("Harbor does not send check-outs; no message is queued, the event is recorded PROCESSED", async () => {
    const store = await storeFor(HARBOR);
    const results = await send(harbor, event("appointment-checkout"), store);
    expect(results).toEqual([
      {
        event: "appointmentCheckOut",
        state: "PROCESSED",
        messageId: expect.any(String),
        errors: [
          {
            code: "OUTBOUND_NOT_ENABLED",
            severity: "info",
            message:
              "appointmentCheckOut is not enabled for outbound (enabled.outbound.appointmentCheckOut)",
          },
        ],
      },
    ]);
    expect(await queued(store)).toEqual([
      ["PROCESSED", "outbound", "appointmentCheckOut", ["OUTBOUND_NOT_ENABLED"]],
    ]);
  });

  it("a message type in enabled.outbound is the type sent (Lakeside: A04 and A08)", async () => {
    const [r] = await send(lakeside, forLakeside(event("patient-add")));
    expect(
      value((await send(lakeside, forLakeside(event("patient-update"))))[0], "MSH", 9, 2),
    ).toBe("A08");
    expect(value(r, "MSH", 9, 1)).toBe("ADT");
    expect(value(r, "MSH", 9, 2)).toBe("A04");
    expect(value(r, "MSH", 9, 3)).toBe("ADT_A01");
    expect(line(r, "EVN")).toBe("EVN|A04|20260301080500-0600");
  });
});

describe("outbound.filters (Table 7)", () => {
  const moved = (departmentId: string, previousDepartmentId?: string) => {
    const e = event("appointment-update");
    return {
      ...e,
      appointment: { ...(e.appointment as NonNullable<typeof e.appointment>), departmentId },
      ...(previousDepartmentId && {
        previous: { ...(e.previous as object), departmentId: previousDepartmentId },
      }),
    };
  };

  it("Harbor sends appointments of the listed departments (names, any case)", async () => {
    expect((await send(harbor, moved("3", "3")))[0]?.state).toBe("NEW");
  });

  it("an appointment of another department is PROCESSED with FILTERED: recorded, no message queued", async () => {
    const store = await storeFor(HARBOR);
    const [r] = await send(harbor, moved("2", "5"), store);
    expect(r?.state).toBe("PROCESSED");
    expect(r?.errors.map((e) => [e.code, e.severity])).toEqual([["FILTERED", "info"]]);
    expect(await queued(store)).toEqual([
      ["PROCESSED", "outbound", "appointmentUpdate", ["FILTERED"]],
    ]);
  });

  it("a name no master-data entry has is named in the FILTERED info (master data is runtime)", async () => {
    const p = packWith(
      HARBOR,
      "outbound: { filters: { appointments: { by: department, names: [Harbour Main] } } }",
    );
    const [r] = await send(p, moved("1", "1"));
    expect(r?.errors[0]?.message).toBe(
      "not sent: the appointment's department is not one of outbound.filters.appointments.names (no master-data department is named 'Harbour Main')",
    );
  });

  it("an appointment moving out of a listed department still tells the receiver", async () => {
    expect((await send(harbor, moved("2", "1")))[0]?.state).toBe("NEW");
  });

  it("patients are not filtered by Harbor; a patients filter tests the primary provider", async () => {
    expect((await send(harbor, event("patient-add")))[0]?.state).toBe("NEW");
    const p = packWith(
      HARBOR,
      "outbound:\n  filters:\n    patients: { by: provider, names: ['douglas adams, md'] }\n",
    );
    expect((await send(p, event("patient-add"), await storeFor(HARBOR)))[0]?.errors[0]?.code).toBe(
      "FILTERED",
    );
    const other = event("patient-add");
    const sent = await send(p, {
      ...other,
      patient: { ...other.patient, primaryProviderId: "102" },
    });
    expect(sent[0]?.state).toBe("NEW");
  });

  it("a record with no value for the filter is not sent", async () => {
    const e = event("patient-add");
    const p = packWith(
      HARBOR,
      "outbound:\n  filters:\n    patients: { by: department, names: [Harbor Main] }\n",
    );
    const r = await send(p, { ...e, patient: { ...e.patient, primaryDepartmentId: null } });
    expect(r[0]?.errors[0]?.code).toBe("FILTERED");
  });
});

describe("outbound.appointmentStatuses (Table 8)", () => {
  it("a pack's own statuses replace the defaults in SCH-25", async () => {
    const p = packWith(
      LAKESIDE,
      "outbound:\n  appointmentStatuses: { appointmentCheckIn: Arrived, appointmentCheckOut: Complete }\n",
    );
    const store = await storeFor(LAKESIDE);
    expect(
      value((await send(p, forLakeside(event("appointment-checkin")), store))[0], "SCH", 25),
    ).toBe("Arrived");
    expect(
      value((await send(p, forLakeside(event("appointment-checkout")), store))[0], "SCH", 25),
    ).toBe("Complete");
    expect(
      value((await send(p, forLakeside(event("appointment-schedule")), store))[0], "SCH", 25),
    ).toBe("BOOKED");
  });
});

describe("outbound.providerId (Table 9)", () => {
  it("npi (Lakeside): XCN-1 the NPI, XCN-9 the assigning authority, XCN-13 NPI in PV1-7, AIP-3, PD1-4", async () => {
    const [appointment] = await send(lakeside, forLakeside(event("appointment-schedule")));
    expect(line(appointment, "PV1")).toBe("PV1|1|O|||||9941339100^^^^^^^^CMS^^^^NPI");
    expect(line(appointment, "AIP")).toBe("AIP|1||9941339100^^^^^^^^CMS^^^^NPI");
    const [patient] = await send(lakeside, forLakeside(event("patient-add")));
    expect(line(patient, "PD1")).toBe("PD1||||9941339100^^^^^^^^CMS^^^^NPI");
  });

  it("practiceId (Harbor): XCN-1 the practice's provider ID, XCN-13 the pack's identifier type", async () => {
    const [r] = await send(harbor, event("appointment-schedule"));
    expect(line(r, "PV1")).toBe("PV1|1|O|^^^HARBOR||||101^^^^^^^^^^^^PRN");
    expect(line(r, "AIP")).toBe("AIP|1||101^^^^^^^^^^^^PRN");
  });

  it("in a CE field (AIG-3) the ID is component 1 and the coding system component 3; AIG-4 the resource type", async () => {
    const [r] = await send(harbor, event("appointment-schedule"));
    expect(line(r, "AIG")).toBe("AIG|1||101^Susan Nguyen, MD^PRN|SURGEON");
    expect(segmentNames(r)).toEqual([
      "MSH",
      "SCH",
      "TQ1",
      "PID",
      "PV1",
      "RGS",
      "AIS",
      "AIG",
      "AIL",
      "AIP",
    ]);
  });

  it("a provider with no NPI under npi is UNKNOWN_PROVIDER naming the provider; nothing is sent", async () => {
    const data = masterData(LAKESIDE);
    const store = await storeFor(LAKESIDE, {
      ...data,
      providers: data.providers.map((p) =>
        p.id === "1" ? { id: "1", name: "Maria Kowalski, MD" } : p,
      ),
    });
    const [r] = await send(lakeside, forLakeside(event("appointment-schedule")), store);
    expect(r?.state).toBe("ERROR");
    expect(r?.errors).toEqual([
      {
        code: "UNKNOWN_PROVIDER",
        severity: "error",
        message:
          "provider 1 (Maria Kowalski, MD) has no NPI, and the pack sends NPIs (outbound.providerId.use); nothing is sent (PV1.7)",
        field: "PV1.7",
        value: "1",
      },
    ]);
    expect(await queued(store)).toEqual([
      ["ERROR", "outbound", "appointmentSchedule", ["UNKNOWN_PROVIDER"]],
    ]);
  });
});

describe("outbound.codeSystems: race and ethnicity as CDC codes, language as ISO 639-2", () => {
  it("the code in CE-1 and the coding system in CE-3 (PID-10, PID-15, PID-22)", async () => {
    const [r] = await send(lakeside, forLakeside(event("patient-add")));
    expect([value(r, "PID", 10, 1), value(r, "PID", 10, 3)]).toEqual(["2106-3", "CDCREC"]);
    expect([value(r, "PID", 15, 1), value(r, "PID", 15, 3)]).toEqual(["eng", "ISO6392"]);
    expect([value(r, "PID", 22, 1), value(r, "PID", 22, 3)]).toEqual(["2186-5", "CDCREC"]);
  });

  it("a pack names its own coding systems", async () => {
    const p = packWith(
      LAKESIDE,
      "outbound:\n  codeSystems: { race: HL70005, language: HL70296 }\n",
    );
    const [r] = await send(p, forLakeside(event("patient-add")), await storeFor(LAKESIDE));
    expect(value(r, "PID", 10, 3)).toBe("HL70005");
    expect(value(r, "PID", 15, 3)).toBe("HL70296");
    expect(value(r, "PID", 22, 3)).toBe("CDCREC");
  });
});

describe("IN1-17 and GT1-11 in the direction the receiver uses (insurance / guarantor.relationshipDirection)", () => {
  it("Harbor (patient to insured): IN1-17 the patient's relationship as stored", async () => {
    const [r] = await send(harbor, event("patient-add"));
    expect(line(r, "IN1")).toBe(
      "IN1|1|501||||||||||||||O'Brien^Margaret|3|19520709||||||||||||||||||XYZ123456",
    );
    expect(line(r, "GT1")).toBe(
      "GT1|1||O'Brien^Sean||12 Pier St^^Boston^MA^02110|6175551234||19780501|M||2",
    );
  });

  it("Lakeside (insured to patient): IN1-17 turned around through relationshipInverse", async () => {
    const [r] = await send(lakeside, forLakeside(event("patient-add")));
    expect(value(r, "IN1", 17)).toBe("5");
  });

  it("guarantorToPatient turns GT1-11 around", async () => {
    const p = packWith(HARBOR, "guarantor:\n  relationshipDirection: guarantorToPatient\n");
    const e = event("patient-add");
    const guarantor = { ...e.patient.guarantor, relationship: "3" };
    const [r] = await send(
      p,
      { ...e, patient: { ...e.patient, guarantor } },
      await storeFor(HARBOR),
    );
    expect(value(r, "GT1", 11)).toBe("5");
  });
});

describe("external IDs go out verbatim where the pack reads them (§12)", () => {
  it("Harbor: the MRN as the PID-3 repetition of type MR (leading zeros kept), the visit ID in SCH-1", async () => {
    const [r] = await send(harbor, event("appointment-schedule"));
    expect(value(r, "PID", 3, 1, 1)).toBe("1001");
    expect(value(r, "PID", 3, 5, 1)).toBe("PI");
    expect(value(r, "PID", 3, 1, 2)).toBe("00045678");
    expect(value(r, "PID", 3, 5, 2)).toBe("MR");
    expect(value(r, "SCH", 1)).toBe("V-88812");
  });

  it("an appointment without an external ID leaves SCH-1 empty; SCH-2 is always the practice's ID", async () => {
    const [r] = await send(lakeside, forLakeside(event("appointment-schedule")));
    expect(value(r, "SCH", 1)).toBe(undefined);
    expect(value(r, "SCH", 2)).toBe("2001");
  });
});

describe("outbound.msh: the message header, MSH-10 and the times", () => {
  it("Harbor: MSH-3..6 from the pack and practice, 2.5.1, P, MSH-7 in America/New_York", async () => {
    const [r] = await send(harbor, event("patient-add"));
    expect(line(r, "MSH")).toBe(
      "MSH|^~\\&|RULEPACK|19591|ORTHOCHART|HARBOR|20260301090600-0500||ADT^A28^ADT_A05|HOR00000000000000001|P|2.5.1",
    );
  });

  it("Lakeside: 2.3.1 in training with ack types, MSH-7 in America/Chicago; no TQ1 before 2.5", async () => {
    const [r] = await send(lakeside, forLakeside(event("appointment-schedule")));
    expect(line(r, "MSH")).toBe(
      "MSH|^~\\&|RULEPACK|24817|PRAIRIE||20260301080600-0600||SIU^S12^SIU_S12|LFM00000000000000001|T|2.3.1|||AL|NE",
    );
    expect(segmentNames(r)).not.toContain("TQ1");
  });

  it("TQ1 (2.5 and later) carries the start and the duration", async () => {
    const [r] = await send(harbor, event("appointment-schedule"));
    expect(line(r, "TQ1")).toBe("TQ1|1||||||20260302093000-0500||||||30^min");
  });

  it("MSH-18 the character set when the pack names one", async () => {
    const p = packWith(HARBOR, "outbound:\n  msh: { charset: UNICODE UTF-8 }\n");
    expect(value((await send(p, event("patient-add"), await storeFor(HARBOR)))[0], "MSH", 18)).toBe(
      "UNICODE UTF-8",
    );
  });

  it("MSH-10: the prefix and a zero-padded per-pack counter, 20 characters, one number per queued message", async () => {
    const store = await storeFor(HARBOR);
    const ids = [
      ...(await send(harbor, event("patient-add"), store)),
      ...(await send(harbor, event("appointment-reschedule"), store)),
      ...(await send(harbor, event("appointment-checkout"), store)),
      ...(await send(harbor, event("appointment-schedule"), store)),
    ].map((r) => r.controlId);
    expect(ids).toEqual([
      "HOR00000000000000001",
      "HOR00000000000000002",
      "HOR00000000000000003",
      undefined,
      "HOR00000000000000004",
    ]);
    expect(controlIdOf("", 42)).toBe("00000000000000000042");
    expect(controlIdOf("ABCDEFGHIJKL", 7)).toHaveLength(20);
  });

  it("every built message is stored NEW, direction outbound, with its bytes and control ID", async () => {
    const store = await storeFor(HARBOR);
    const [r] = await send(harbor, event("appointment-schedule"), store);
    const stored = await store.message(r?.messageId ?? "");
    expect(stored?.state).toBe("NEW");
    expect(stored?.direction).toBe("outbound");
    expect(stored?.messageType).toBe("SIU^S12");
    expect(stored?.controlId).toBe("HOR00000000000000001");
    expect(new TextDecoder().decode(stored?.raw)).toBe(r?.text);
  });
});

describe("escaping: every delimiter, the escape character and line breaks in data", () => {
  it("writes \\F\\ \\S\\ \\R\\ \\T\\ \\E\\ and \\.br\\, and our parser reads the values back", async () => {
    const e = event("appointment-schedule");
    const notes = "a|b^c~d&e\\f\r\ng\nh";
    const [r] = await send(harbor, {
      ...e,
      appointment: { ...(e.appointment as NonNullable<typeof e.appointment>), notes },
    });
    expect(line(r, "SCH").split("|")[7]).toBe("a\\F\\b\\S\\c\\R\\d\\T\\e\\E\\f\\.br\\g\\.br\\h");
    expect(value(r, "SCH", 7)).toBe("a|b^c~d&e\\f\ng\nh");
  });

  it("a CR/LF pair and a lone CR are each one line break, \\.br\\ (not \\X0D\\, which receivers read as a second break)", async () => {
    const e = event("appointment-schedule");
    const notes = "one\r\ntwo\rthree\n\nfour";
    const [r] = await send(harbor, {
      ...e,
      appointment: { ...(e.appointment as NonNullable<typeof e.appointment>), notes },
    });
    expect(line(r, "SCH").split("|")[7]).toBe("one\\.br\\two\\.br\\three\\.br\\\\.br\\four");
    expect(r?.text).not.toContain("\\X0D\\");
    expect(value(r, "SCH", 7)).toBe("one\ntwo\nthree\n\nfour");
  });

  it("empty trailing components and fields are not written", async () => {
    expect(segmentText(new Segment("ZZZ").set(2, 1, "x").set(5, 3, undefined))).toBe("ZZZ||x");
  });
});

describe("parse-back: every generated message reads back with our parser to the same values", () => {
  for (const [name, p] of [
    ["harbor-ortho", harbor],
    ["lakeside-family", lakeside],
  ] as const) {
    it.each(EVENT_FILES)(`${name}: %s`, async (file) => {
      const e = event(file.replace(/\.json$/, ""));
      const results = await send(p, name === "lakeside-family" ? forLakeside(e) : e);
      for (const r of results.filter((x) => x.state === "NEW")) {
        const message = parsed(r);
        const lines = (r.text ?? "").split("\r");
        expect(lines.pop()).toBe("");
        expect(message.segments.map((s) => s.name)).toEqual(lines.map((l) => l.slice(0, 3)));
        // Every component written is read back unchanged.
        for (const [i, text] of lines.entries()) {
          const segment = message.segments[i];
          const fields = text.split("|").slice(1);
          const msh = segment?.name === "MSH";
          for (let f = msh ? 1 : 0; f < fields.length; f++) {
            const number = msh ? f + 2 : f + 1;
            for (const [rep, repText] of (fields[f] ?? "").split("~").entries()) {
              for (const [c, comp] of repText.split("^").entries()) {
                if (comp === "") continue;
                expect(leafValue(segment, number, rep + 1, c + 1)).toBe(
                  comp
                    .replace(/\\F\\/g, "|")
                    .replace(/\\T\\/g, "&")
                    .replace(/\\.br\\/g, "\n"),
                );
              }
            }
          }
        }
      }
    });
  }
});
