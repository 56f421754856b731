import { describe, expect, it } from "vitest";
import { formatPackError } from "../../../engine/documents/errors.js";
import { loadPack } from "../../../engine/pack/load.js";
import { FIXTURES } from "./helpers.js";

/**
 * The `charges` keys as the loader sees them (docs/pack-language.md §18,
 * §21): the defaults base.yaml gives, the options that exclude each other
 * (OPTION_DEPENDENCY at the key the practice wrote), and the choices of the
 * two example practices, which between them take both sides of each.
 */

function problems(id: string): string[] {
  const load = loadPack(`${FIXTURES}/${id}/pack.yaml`);
  if (load.ok) return [];
  return load.errors.map(formatPackError);
}

const at = (id: string, position: string, code: string) =>
  `${FIXTURES}/${id}/pack.yaml:${position}: ${code}`;

describe("charges in base.yaml: the spec's defaults and recommendations", () => {
  it("CG only, practice appointment ID in PV1.19, unmatched error, all from the appointment, the spec's grouping, combining by the same service, 4 + 12 diagnoses, error, insurance required", () => {
    const load = loadPack("rules/base.yaml");
    if (!load.ok) throw new Error(load.errors.map(formatPackError).join("\n"));
    const { appointmentMatching, at: _at, ...rest } = load.pack.charges;
    expect(appointmentMatching.by).toBe("practiceId");
    expect(appointmentMatching.by !== "none" && appointmentMatching.from.source).toBe("PV1.19");
    expect(rest).toEqual({
      transactionTypes: ["CG"],
      unmatched: "error",
      derivation: { mode: "fromAppointment", supervisingProvider: "providerTable" },
      grouping: {
        enabled: true,
        keys: [
          "patient",
          "serviceDate",
          "renderingProvider",
          "supervisingProvider",
          "department",
          "primaryInsurance",
          "secondaryInsurance",
        ],
      },
      combining: { mode: "override", keys: ["patient", "procedure", "serviceDate", "modifiers"] },
      diagnoses: { pointersPerLine: 4, additionalHeaderCodes: 12, onTooMany: "error" },
      requireInsurance: true,
    });
    expect(load.pack.matching.order.charge).toEqual(["externalId", "patientId", "demographics"]);
  });
});

describe("charges: options that require or exclude each other (OPTION_DEPENDENCY)", () => {
  it("derivation.mode freeStanding requires appointmentMatching.by none (reported on mode)", () => {
    const id = "broken-free-standing-matching";
    expect(problems(id)).toEqual([
      `${at(id, "14:23", "OPTION_DEPENDENCY")} charges.derivation.mode "freeStanding": expected fromAppointment, insuranceFromAppointment (freeStanding claims match no appointment: it requires charges.appointmentMatching.by none)`,
    ]);
  });

  it("appointmentMatching.by none requires derivation.mode freeStanding and unmatched freeStandingClaim (reported on by)", () => {
    const id = "broken-none-alone";
    expect(problems(id)).toEqual([
      `${at(id, "13:30", "OPTION_DEPENDENCY")} charges.appointmentMatching.by "none": expected practiceId, externalId (by none makes every claim free-standing: it requires charges.derivation.mode freeStanding)`,
      `${at(id, "13:30", "OPTION_DEPENDENCY")} charges.appointmentMatching.by "none": expected practiceId, externalId (by none makes every claim free-standing: it requires charges.unmatched freeStandingClaim)`,
    ]);
  });

  it("appointmentMatching.by none takes no from", () => {
    const id = "broken-none-with-from";
    expect(problems(id)).toEqual([
      `${at(id, "13:36", "OPTION_DEPENDENCY")} charges.appointmentMatching.from is not allowed here (by none does not attempt to match the charges to an appointment, so no field holds an appointment ID)`,
    ]);
  });

  it("derivation.supervisingProvider is rejected with fromAppointment and unmatched error (it would do nothing)", () => {
    const id = "broken-supervising-unused";
    expect(problems(id)).toEqual([
      `${at(id, "13:17", "OPTION_DEPENDENCY")} charges.derivation.supervisingProvider is not allowed here (with fromAppointment every claim has an appointment when unmatched is error, and its supervising provider comes from the provider table)`,
    ]);
  });

  it("grouping keys need patient and serviceDate; combining keys patient, procedure, serviceDate and modifiers", () => {
    const id = "broken-keys";
    expect(problems(id)).toEqual([
      `${at(id, "13:21", "OPTION_DEPENDENCY")} charges.grouping.keys must include patient and serviceDate: a claim has one patient and one service date, so charges are only grouped onto a claim of the same patient and service date`,
      `${at(id, "14:22", "OPTION_DEPENDENCY")} charges.combining.keys must include patient and serviceDate: Charge Combining overrides only the same service (patient, procedure, modifiers, service date; the line's pointed diagnoses and the rendering provider are compared too)`,
    ]);
  });

  it("combining keys without modifiers are refused: an RT and an LT line would be one charge", () => {
    const id = "broken-combining-without-modifiers";
    expect(problems(id)).toEqual([
      `${at(id, "14:22", "OPTION_DEPENDENCY")} charges.combining.keys must include modifiers: Charge Combining overrides only the same service (patient, procedure, modifiers, service date; the line's pointed diagnoses and the rendering provider are compared too)`,
    ]);
  });

  it("by externalId needs an appointment external ID (Table 6): none flagged for matching", () => {
    const id = "broken-external-id";
    expect(problems(id)).toEqual([
      `${at(id, "13:30", "OPTION_DEPENDENCY")} charges.appointmentMatching.by externalId needs an appointment external ID: name one with charges.appointmentMatching.externalId, or set useForMatching on one in externalIds.appointment (Table 6)`,
    ]);
  });

  it("by externalId naming no entry of externalIds.appointment", () => {
    const id = "broken-external-id-name";
    expect(problems(id)).toEqual([
      `${at(id, "18:54", "OPTION_DEPENDENCY")} charges.appointmentMatching.externalId 'vist' is not an entry of externalIds.appointment (Table 6 – Appointment-level custom fields); the pack has visit`,
    ]);
  });

  it("appointmentMatching.externalId belongs to by externalId only", () => {
    const id = "broken-external-id-with-practice-id";
    expect(problems(id)).toEqual([
      `${at(id, "18:42", "OPTION_DEPENDENCY")} charges.appointmentMatching.externalId is not allowed here (externalId names the appointment external ID of by externalId only)`,
    ]);
  });
});

describe("the example practices take both sides of each charge choice between them", () => {
  const charges = (practice: string) => {
    const load = loadPack(`rules/practices/${practice}/pack.yaml`);
    if (!load.ok) throw new Error(load.errors.map(formatPackError).join("\n"));
    const c = load.pack.charges;
    return {
      appointmentMatching: c.appointmentMatching.by,
      from: c.appointmentMatching.by === "none" ? undefined : c.appointmentMatching.from.source,
      unmatched: c.unmatched,
      mode: c.derivation.mode,
      supervisingProvider: c.derivation.supervisingProvider,
      combining: c.combining.keys,
      onTooMany: c.diagnoses.onTooMany,
    };
  };

  it("harbor-ortho: its OrthoChart visit ID, free-standing claims, FT1.21 supervising, modifiers, truncate", () => {
    expect(charges("harbor-ortho")).toEqual({
      appointmentMatching: "externalId",
      from: "PV1.19",
      unmatched: "freeStandingClaim",
      mode: "fromAppointment",
      supervisingProvider: "message",
      combining: ["patient", "procedure", "serviceDate", "modifiers"],
      onTooMany: "truncate",
    });
  });

  it("lakeside-family: the practice ID in PV1.19, unmatched error, insurance from the appointment, the provider table, error", () => {
    expect(charges("lakeside-family")).toEqual({
      appointmentMatching: "practiceId",
      from: "PV1.19",
      unmatched: "error",
      mode: "insuranceFromAppointment",
      supervisingProvider: "providerTable",
      combining: ["patient", "procedure", "serviceDate", "modifiers"],
      onTooMany: "error",
    });
  });
});
