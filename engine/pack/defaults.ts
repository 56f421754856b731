import { DEFAULT_BUDGET } from "../expressions/runtime.js";

/**
 * What the engine assumes for an option no pack in the chain sets. A pack
 * engineer reads these in rules/base.yaml, which states each of them;
 * test/pack/defaults.test.ts fails when the two disagree (or when base.yaml
 * leaves one out that it can state). The section compilers read only this.
 */
export const PACK_DEFAULTS = {
  limits: {
    expressions: { ...DEFAULT_BUDGET, maxLength: 4000 },
  },
  matching: {
    order: {
      patient: ["externalId", "patientId", "demographics"],
      appointment: ["appointment", "patientId", "externalId"],
      charge: ["externalId", "patientId", "demographics"],
    },
    patientId: { from: "PID.2", unknown: "error" },
    substantialChange: ["dob", "lastName", "firstName", "sex", "ssn"],
  },
  insurance: {
    receive: true,
    mode: "always",
    casePolicies: "toSequenceZero",
    relationshipDirection: "patientToInsured",
  },
  privacy: { autoCheck: true },
  acks: { held: "AA", enhanced: [] },
  queue: {
    duplicates: { windowHours: 24 },
    retentionDays: { PROCESSED: 90, DELETED: 90 },
    alerts: { errorCount: 25, oldestErrorHours: 24, athenaError: true, idleMinutes: 0 },
    listener: { maxMessagesPerFrame: 1000 },
  },
  guarantor: { receive: true, send: true, relationshipDirection: "patientToGuarantor" },
  appointments: {
    matching: { by: "practiceId", from: "SCH.2" },
    reschedule: "update",
    updateEvents: { "2": "appointmentCheckIn", "3": "appointmentCheckOut", x: "appointmentCancel" },
    noShow: { status: "x" },
    statusOnCreate: { future: "f", pastOrPresent: "2" },
    requireInsurance: true,
  },
  charges: {
    transactionTypes: ["CG"],
    /** Table 17 names no field; PV1.19 (visit number) is chosen (§23 open question 1). */
    appointmentMatching: { by: "practiceId", from: "PV1.19" },
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
  },
  outbound: {
    appointmentStatuses: {
      appointmentSchedule: "BOOKED",
      appointmentCheckIn: "ARRIVED",
      appointmentCheckOut: "COMPLETED",
      appointmentUpdate: "UPDATE",
      appointmentCancel: "CANCELLED",
    },
    providerId: { use: "npi" },
    codeSystems: { race: "CDCREC", ethnicity: "CDCREC", language: "ISO6392" },
    msh: {
      sendingApplication: "RULEPACK",
      version: "2.5.1",
      processingId: "P",
      controlIdPrefix: "",
    },
    delivery: {
      connectTimeoutSeconds: 10,
      ackTimeoutSeconds: 30,
      retry: { initialSeconds: 5, factor: 2, maxSeconds: 300 },
      maxAttempts: 10,
      ackMode: "original",
      ordering: "queue",
      connections: 1,
      unreachableAlertMinutes: 30,
    },
  },
} as const;
