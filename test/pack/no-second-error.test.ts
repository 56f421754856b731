import { describe, expect, it } from "vitest";
import { formatPackError } from "../../engine/documents/errors.js";
import { layerOf } from "../../engine/documents/merge.js";
import { readYaml } from "../../engine/documents/source.js";
import { loadPack } from "../../engine/pack/load.js";

/**
 * An entry whose own reference is invalid is reported once, at the entry:
 * the options that depend on it (appointments.matching, charges.
 * appointmentMatching) do not add OPTION_DEPENDENCY "is not an entry" for
 * an entry the pack does have.
 */
function load(text: string): string[] {
  const read = readYaml("overrides.yaml", text);
  if (!read.ok) throw new Error(read.errors.map(formatPackError).join("\n"));
  const result = loadPack("test/fixtures/appointments/appt-basic/pack.yaml", {
    overrides: layerOf(read.source),
  });
  return result.ok ? [] : result.errors.map(formatPackError);
}

const BAD_FROM =
  'overrides.yaml:3:53: INVALID_FIELD_REFERENCE \'SCH.1x\': unexpected "x"; expected "+", ".", "[", "|" or the end of the reference';

describe("an invalid field reference in externalIds.appointment", () => {
  it("is the only error when appointments.matching uses the entry through useForMatching", () => {
    expect(
      load(
        'externalIds:\n  appointment:\n    - { name: visit, customFieldId: "7", from: SCH.1x, useForMatching: true }\nappointments:\n  matching: { by: externalId }\n',
      ),
    ).toEqual([BAD_FROM]);
  });

  it("is the only error when appointments.matching and charges.appointmentMatching name the entry", () => {
    expect(
      load(
        'externalIds:\n  appointment:\n    - { name: visit, customFieldId: "7", from: SCH.1x }\nappointments:\n  matching: { by: externalId, externalId: visit }\ncharges:\n  appointmentMatching: { by: externalId, externalId: visit }\n',
      ),
    ).toEqual([BAD_FROM]);
  });

  it("still lets a name the pack does not have be reported", () => {
    expect(
      load(
        'externalIds:\n  appointment:\n    - { name: visit, customFieldId: "7", from: SCH.1x }\nappointments:\n  matching: { by: externalId, externalId: visitId }\n',
      ),
    ).toEqual([
      BAD_FROM,
      "overrides.yaml:5:43: OPTION_DEPENDENCY appointments.matching.externalId 'visitId' is not an inbound externalIds.appointment entry (Table 6 – Appointment-level custom fields)",
    ]);
  });
});
