import { describe, expect, it } from "vitest";
import { formatPackError } from "../../../engine/documents/errors.js";
import { layerOf } from "../../../engine/documents/merge.js";
import { readYaml } from "../../../engine/documents/source.js";
import { loadPack } from "../../../engine/pack/load.js";

/**
 * The appointment keys' load errors (docs/pack-language.md §12, §13, §17,
 * §21): each case lays a few lines over the appt-basic fixture pack (as a
 * rule test's `overrides:` do) and must report exactly this
 * `FILE:LINE:COL: CODE message`.
 */
function load(text: string): string[] {
  const read = readYaml("overrides.yaml", text);
  if (!read.ok) throw new Error(read.errors.map(formatPackError).join("\n"));
  const result = loadPack("test/fixtures/appointments/appt-basic/pack.yaml", {
    overrides: layerOf(read.source),
  });
  return result.ok ? [] : result.errors.map(formatPackError);
}

const CASES: readonly (readonly [title: string, yaml: string, error: string])[] = [
  [
    "appointments.matching.by externalId without a Table 6 entry used for matching",
    "appointments:\n  matching: { by: externalId }\n",
    "overrides.yaml:2:19: OPTION_DEPENDENCY appointments.matching.by externalId needs an inbound externalIds.appointment entry with useForMatching: true, or appointments.matching.externalId naming one (Table 6 \u2013 Appointment-level custom fields)",
  ],
  [
    "...naming an entry Table 6 does not have",
    'externalIds:\n  appointment:\n    - { name: visit, customFieldId: "7", from: SCH.1 }\nappointments:\n  matching: { by: externalId, externalId: visitId }\n',
    "overrides.yaml:5:43: OPTION_DEPENDENCY appointments.matching.externalId 'visitId' is not an inbound externalIds.appointment entry (Table 6 \u2013 Appointment-level custom fields); the entries are visit",
  ],
  [
    "...whose only entry used for matching is outbound",
    'externalIds:\n  appointment:\n    - { name: visit, customFieldId: "7", from: SCH.1, useForMatching: true, direction: outbound }\nappointments:\n  matching: { by: externalId }\n',
    "overrides.yaml:5:19: OPTION_DEPENDENCY appointments.matching.by externalId needs an inbound externalIds.appointment entry with useForMatching: true, or appointments.matching.externalId naming one (Table 6 \u2013 Appointment-level custom fields)",
  ],
  [
    "appointments.matching.from with by externalId (read where the entry reads it)",
    'externalIds:\n  appointment:\n    - { name: visit, customFieldId: "7", from: SCH.1, useForMatching: true }\nappointments:\n  matching: { by: externalId, from: SCH.1 }\n',
    "overrides.yaml:5:31: OPTION_DEPENDENCY appointments.matching.from is not allowed here (with by externalId the ID is read where the externalIds.appointment entry reads it (its from), so the stored and the matched keys agree)",
  ],
  [
    "appointments.matching.externalId with by practiceId",
    "appointments:\n  matching: { by: practiceId, externalId: visit }\n",
    "overrides.yaml:2:31: OPTION_DEPENDENCY appointments.matching.externalId is not allowed here (externalId names the Table 6 entry matched with by externalId)",
  ],
  [
    "appointments.matching.from outside the SIU structure",
    "appointments:\n  matching: { from: FT1.23 }\n",
    "overrides.yaml:2:21: SEGMENT_NOT_IN_MESSAGE FT1 is not a segment of the messages a appointment comes from (SIU_S12)",
  ],
  [
    "Table 6: two appointment external IDs used for matching",
    'externalIds:\n  appointment:\n    - { name: visit, customFieldId: "7", from: SCH.1, useForMatching: true }\n    - { name: other, customFieldId: "8", from: SCH.2, useForMatching: true }\n',
    "overrides.yaml:3:5: OPTION_DEPENDENCY you can match only one external ID per record number category: useForMatching is set on visit and other",
  ],
  [
    "appointments.reschedule outside its choices",
    "appointments:\n  reschedule: cancel\n",
    'overrides.yaml:2:15: INVALID_ENUM appointments.reschedule "cancel": expected update, cancelAndCreate',
  ],
  [
    "appointments.updateEvents: a status that is no practice code",
    'appointments:\n  updateEvents: { "5": appointmentCheckIn }\n',
    'overrides.yaml:2:19: UNKNOWN_KEY "5" is not a key of appointments.updateEvents (did you mean 2?)',
  ],
  [
    "appointments.updateEvents: an event an existing appointment cannot decide",
    'appointments:\n  updateEvents: { "2": appointmentSchedule }\n',
    'overrides.yaml:2:24: INVALID_ENUM appointments.updateEvents.2 "appointmentSchedule": expected appointmentUpdate, appointmentCancel, appointmentCheckIn, appointmentCheckOut',
  ],
  [
    "appointments.statusOnCreate: a status an appointment is not created in",
    'appointments:\n  statusOnCreate: { future: "x" }\n',
    'overrides.yaml:2:29: INVALID_ENUM appointments.statusOnCreate.future "x": expected f, 2, 3',
  ],
  [
    "appointments.noShow.cancelReason: codes are strings",
    "appointments:\n  noShow: { cancelReason: 12 }\n",
    'overrides.yaml:2:27: CODE_NOT_STRING appointments.noShow.cancelReason is the number 12 (written 12); codes are text, so quote it: "12"',
  ],
  [
    "matching.order.appointment: never demographics",
    "matching:\n  order:\n    appointment: [appointment, demographics]\n",
    'overrides.yaml:3:32: INVALID_ENUM matching.order.appointment[1] "demographics": expected appointment, patientId, externalId',
  ],
];

describe("appointment keys the loader refuses (OPTION_DEPENDENCY, INVALID_ENUM, UNKNOWN_KEY, ...)", () => {
  for (const [title, yaml, error] of CASES) {
    it(title, () => {
      expect(load(yaml)).toEqual([error]);
    });
  }

  it("the fixture itself loads", () => {
    expect(load("{}\n")).toEqual([]);
  });
});
