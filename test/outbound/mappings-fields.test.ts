import { describe, expect, it } from "vitest";
import {
  event,
  forLakeside,
  HARBOR,
  LAKESIDE,
  line,
  pack,
  packErrors,
  packWith,
  queued,
  segmentNames,
  send,
  storeFor,
  value,
  withPatient,
} from "./helpers.js";

const harbor = pack(HARBOR);
const lakeside = pack(LAKESIDE);

describe("outbound.mappings: practice codes -> the receiver's codes (Table 19 elements)", () => {
  it("Harbor: race, ethnicity and language in OrthoChart's codes (direction: outbound tables), coding system L", async () => {
    const [r] = await send(harbor, event("patient-add"));
    expect(line(r, "PID").split("|").slice(10, 11)).toEqual(["W^^L"]);
    expect([value(r, "PID", 15, 1), value(r, "PID", 15, 3)]).toEqual(["E", "L"]);
    expect([value(r, "PID", 22, 1), value(r, "PID", 22, 3)]).toEqual(["2", "L"]);
  });

  it("several practice codes share one receiver code: Asian and American Indian both go out as O", async () => {
    for (const race of ["2028-9", "1002-5", "2131-1"]) {
      const [r] = await send(harbor, withPatient(event("patient-add"), { race }));
      expect(value(r, "PID", 10, 1)).toBe("O");
    }
  });

  it("an unmapped code is UNMAPPED_CODE (ERROR, table and value set, field PID.10): recorded, nothing queued", async () => {
    const store = await storeFor(HARBOR);
    const [r] = await send(harbor, withPatient(event("patient-add"), { race: "2500-7" }), store);
    expect(r?.state).toBe("ERROR");
    expect(r?.text).toBeUndefined();
    expect(r?.errors).toEqual([
      {
        code: "UNMAPPED_CODE",
        severity: "error",
        message:
          "race '2500-7' has no row in outbound mapping table orthochartRaceOut (PID.10); nothing is sent",
        field: "PID.10",
        table: "orthochartRaceOut",
        value: "2500-7",
      },
    ]);
    expect(await queued(store)).toEqual([["ERROR", "outbound", "patientAdd", ["UNMAPPED_CODE"]]]);
  });

  it("every unmapped code of a message is reported, with its field (language, and sex in GT1.9)", async () => {
    const e = withPatient(event("patient-add"), {
      language: "spa",
      guarantor: { ...event("patient-add").patient.guarantor, sex: "X" },
    });
    const [r] = await send(harbor, e);
    expect(r?.errors.map((x) => [x.code, x.field, x.table, x.value])).toEqual([
      ["UNMAPPED_CODE", "PID.15", "orthochartLanguageOut", "spa"],
      ["UNMAPPED_CODE", "GT1.9", "sex", "X"],
    ]);
  });

  it("an inbound table read backwards: the row marked outbound: true wins among rows sharing a practice code", async () => {
    const p = packWith(LAKESIDE, "outbound:\n  mappings: { maritalStatus: {}, sex: {} }\n");
    const [r] = await send(
      p,
      forLakeside(withPatient(event("patient-add"), { sex: "U", maritalStatus: "P" })),
      await storeFor(LAKESIDE),
    );
    expect(value(r, "PID", 8)).toBe("U");
    expect(value(r, "PID", 16)).toBe("P");
  });

  it("relationships are turned around first (Lakeside: insuredToPatient), then mapped", async () => {
    const p = packWith(LAKESIDE, "outbound:\n  mappings: { relationshipToInsured: {} }\n");
    const [r] = await send(p, forLakeside(event("patient-add")), await storeFor(LAKESIDE));
    expect(value(r, "IN1", 17)).toBe("PAR");
  });

  it("SIU codes: the appointment type (SCH-8, AIS-3) and an S15's cancel reason (SCH-6), read backwards", async () => {
    const p = packWith(
      HARBOR,
      "outbound:\n  mappings: { appointmentType: {}, cancelReason: {} }\n",
    );
    const e = event("appointment-cancel");
    const [r] = await send(
      p,
      {
        ...e,
        appointment: { ...e.appointment, id: e.appointment?.id ?? "", cancelReason: "PATIENT" },
      },
      await storeFor(HARBOR),
    );
    expect([value(r, "SCH", 8), value(r, "AIS", 3), value(r, "SCH", 6)]).toEqual([
      "NEWPT",
      "NEWPT",
      "PT",
    ]);
    const [unmapped] = await send(p, e, await storeFor(HARBOR));
    expect(unmapped?.errors.map((x) => [x.code, x.field, x.table, x.value])).toEqual([
      ["UNMAPPED_CODE", "SCH.6", "cancelReason", "PATIENT_REQUEST"],
    ]);
  });

  it("at load: a table that does not exist is MAPPING_TABLE_NOT_FOUND", async () => {
    expect(packErrors(HARBOR, "outbound:\n  mappings: { race: { table: nowhere } }\n")).toEqual([
      "MAPPING_TABLE_NOT_FOUND mapping table 'nowhere' is named by outbound.mappings.race, but neither mappings/standard/nowhere.yaml nor mappings/harbor-ortho/nowhere.yaml exists",
    ]);
  });
});

describe("outbound.fields: outbound field rules", () => {
  it("Harbor: a Z-segment from a record through a mapping (ADT only), a default in PV1-3.4 (SIU only)", async () => {
    const [adt] = await send(harbor, event("patient-add"));
    expect(line(adt, "ZPI")).toBe("ZPI||||F");
    const [siu] = await send(harbor, event("appointment-schedule"));
    expect(segmentNames(siu)).not.toContain("ZPI");
    expect(value(siu, "PV1", 3, 4)).toBe("HARBOR");
  });

  it("from: the first record path with a value; [c=v] picks (or creates) the repetition", async () => {
    const p = packWith(
      LAKESIDE,
      "outbound:\n  fields:\n    - { to: 'PID.13[3=CP].1', from: patient.phones.work | patient.phones.mobile }\n",
    );
    const [r] = await send(p, forLakeside(event("patient-add")), await storeFor(LAKESIDE));
    expect(line(r, "PID").split("|")[13]).toBe("6175551234^PRN^PH~6175559876^PRN^CP");
    const [r2] = await send(
      p,
      forLakeside(withPatient(event("patient-add"), { phones: { work: "6175550000" } })),
      await storeFor(LAKESIDE),
    );
    expect(line(r2, "PID").split("|").slice(13, 15)).toEqual([
      "6175550000^^CP",
      "6175550000^WPN^PH",
    ]);
  });

  it("expr: JSONata over the records with $value; when: a condition; a null clears the layout's value", async () => {
    const p = packWith(
      LAKESIDE,
      [
        "outbound:",
        "  fields:",
        "    - { to: PID.19, expr: 'null' }",
        "    - { to: PID.5.3, from: patient.middleName, expr: '$uppercase($value)' }",
        "    - { to: SCH.7, when: \"event.kind = 'appointmentCancel'\", expr: \"'cancelled by ' & appointment.cancelReason\" }",
      ].join("\n"),
    );
    const [adt] = await send(p, forLakeside(event("patient-add")), await storeFor(LAKESIDE));
    expect(value(adt, "PID", 19)).toBeUndefined();
    expect(value(adt, "PID", 5, 3)).toBe("M");
    const [s15] = await send(p, forLakeside(event("appointment-cancel")), await storeFor(LAKESIDE));
    expect(value(s15, "SCH", 7)).toBe("cancelled by PATIENT_REQUEST");
  });

  it("an expression that fails at run time is an ERROR naming the rule; nothing is queued", async () => {
    const p = packWith(
      LAKESIDE,
      "outbound:\n  fields:\n    - { to: PID.19, expr: \"$number('x')\" }\n",
    );
    const store = await storeFor(LAKESIDE);
    const [r] = await send(p, forLakeside(event("patient-add")), store);
    expect(r?.state).toBe("ERROR");
    expect(r?.errors[0]?.code).toBe("EXPRESSION_ERROR");
    expect(r?.errors[0]?.field).toBe("PID.19");
    expect(await queued(store)).toEqual([
      ["ERROR", "outbound", "patientAdd", ["EXPRESSION_ERROR"]],
    ]);
  });

  it("at load: one writable location, a segment the messages carry, record paths, map needs outbound.mappings", async () => {
    expect(
      packErrors(
        LAKESIDE,
        [
          "outbound:",
          "  fields:",
          "    - { to: PID.13 | PID.14, from: patient.ssn }",
          "    - { to: FT1.4, from: patient.ssn }",
          "    - { to: PID.19, from: PID.19 }",
          "    - { to: PID.8, from: patient.sex, map: sex }",
          "    - { to: PID.20, expr: \"$field('PID.19')\" }",
        ].join("\n"),
      ),
    ).toEqual([
      "INVALID_FIELD_REFERENCE 'PID.13 | PID.14': a location is one place: '|' chooses among sources",
      "SEGMENT_NOT_IN_MESSAGE FT1 is not a segment of any outbound message (ADT_A05, ADT_A01, SIU_S12)",
      "INVALID_FIELD_REFERENCE 'PID.19' is not a record path: outbound rules read the event's records (patient.phones.mobile, appointment.type, policies.0.policyNumber, event.kind), not HL7",
      "OPTION_DEPENDENCY map: sex needs outbound.mappings.sex (the table that turns practice codes into the receiver's)",
      "INVALID_FIELD_REFERENCE $field('PID.19'): an outbound rule has no message to read; it reads the event's records (patient, appointment, policies, event)",
    ]);
  });
});

describe("IN2: what a policy holds for it (the insured's home phone, IN2-63)", () => {
  it("a policy whose insured has a phone is followed by IN2 with IN2-63; without one, no IN2", async () => {
    const e = event("patient-add");
    const policies = [
      {
        ...e.policies?.[0],
        sequence: 1,
        packageId: "501",
        insured: { lastName: "O'Brien", phone: "6175550101" },
      },
      { sequence: 2, packageId: "502", insured: { lastName: "O'Brien" } },
    ];
    const [r] = await send(lakeside, forLakeside({ ...e, policies }), await storeFor(LAKESIDE));
    expect(segmentNames(r).slice(-3)).toEqual(["IN1", "IN2", "IN1"]);
    expect(line(r, "IN2")).toBe(`IN2${"|".repeat(63)}6175550101^PRN^PH`);
  });
});

describe("pack.outbound: the section compiled once at load", () => {
  it("the per-event path reads the compiled options, not the pack's data", async () => {
    const stripped = { ...harbor, effective: undefined };
    const [r] = await send(stripped, event("appointment-schedule"));
    expect(r?.state).toBe("NEW");
    expect(value(r, "MSH", 10)).toBe("HOR00000000000000001");
  });

  it("a Table 7 name listed twice is INVALID_VALUE at load", async () => {
    expect(
      packErrors(
        HARBOR,
        "outbound:\n  filters:\n    patients: { by: provider, names: [Smith, SMITH] }\n",
      ),
    ).toEqual([
      "INVALID_VALUE 'SMITH' is already listed (names[0]); names are matched ignoring case",
    ]);
  });
});
