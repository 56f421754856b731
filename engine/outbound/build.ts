import type { MasterData } from "../model/master-data.js";
import type { OutcomeError } from "../model/outcome.js";
import type {
  Address,
  Appointment,
  Guarantor,
  NextOfKin,
  Patient,
  Person,
  Policy,
} from "../model/records.js";
import { offsetAt, zoneOffset } from "../model/time.js";
import type { CompiledExternalId, CompiledPack } from "../pack/compiled.js";
import type { OutboundEvent } from "../pack/enablement.js";
import { lookupRow } from "../pack/mapping-tables.js";
import type { AppointmentEvent } from "../pack/outbound-options.js";
import { CodeTranslator } from "./codes.js";
import { parseLocation, writeAt } from "./location.js";
import { Segment } from "./segments.js";
import { structureOf } from "./structures.js";

/**
 * Builders of the outbound messages (docs/pack-language.md §19): ADT^A28 /
 * ADT^A31 (ADT_A05) for patients, SIU^S12 / S14 / S15 (SIU_S12) for
 * appointments. A builder returns the segments without MSH-10, which the
 * control number fills in when the message is queued, or the errors that
 * stop the message.
 */

export interface BuildInput {
  readonly pack: CompiledPack;
  readonly masterData: MasterData;
  readonly event: OutboundEvent;
  /** The message type sent (`SIU^S12`). */
  readonly messageType: string;
  /** MSH-7: when the message is built. */
  readonly now: Date;
  /** EVN-2: when the event happened. */
  readonly occurredAt: Date;
  readonly patient: Patient & { readonly id: string };
  readonly policies?: readonly Policy[];
  readonly appointment?: Appointment & { readonly id: string };
}

export type Built =
  | { readonly ok: true; readonly segments: readonly Segment[] }
  | { readonly ok: false; readonly errors: readonly OutcomeError[] };

/** An instant as an HL7 TS in the zone, with its offset (`20260302143000-0500`). */
export function hl7Instant(instant: Date, timeZone: string): string {
  const ms = instant.getTime();
  const offset = zoneOffset(ms, timeZone);
  const sign = offset.startsWith("-") ? -1 : 1;
  const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const local = new Date(ms + minutes * 60_000).toISOString();
  return `${local.slice(0, 19).replace(/[-T:]/g, "")}${offset.replace(":", "")}`;
}

/** A record time (local wall time, or with an offset) as an HL7 TS in the practice's zone. */
export function hl7Time(text: string, timeZone: string): string {
  const local = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2})?$/.exec(text);
  if (local) {
    const wall = `${local[1]}${local[2] ?? ":00"}`;
    return `${wall.replace(/[-T:]/g, "")}${offsetAt(wall, timeZone).replace(":", "")}`;
  }
  return hl7Instant(new Date(text), timeZone);
}

const hl7Date = (iso: string | null | undefined): string | undefined =>
  iso ? iso.replace(/-/g, "") : undefined;

function versionAtLeast(version: string, min: string): boolean {
  const a = version.split(".").map(Number);
  const b = min.split(".").map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

/** MSH without MSH-10; `withControlId` sets it. */
export function header(input: BuildInput): Segment {
  const { msh } = input.pack.outbound;
  const [type = "", trigger = ""] = input.messageType.split("^");
  const tz = input.pack.practice?.timeZone ?? "UTC";
  const s = new Segment("MSH");
  s.set(3, 1, msh.sendingApplication)
    .set(4, 1, msh.sendingFacility)
    .set(5, 1, msh.receivingApplication)
    .set(6, 1, msh.receivingFacility)
    .set(7, 1, hl7Instant(input.now, tz))
    .comps(9, type, trigger, structureOf(input.messageType))
    .set(11, 1, msh.processingId)
    .set(12, 1, msh.version)
    .set(15, 1, msh.acceptAckType)
    .set(16, 1, msh.applicationAckType)
    .set(18, 1, msh.charset);
  return s;
}

/** MSH-10: the prefix and the pack's sequence, zero-padded to 20 characters. */
export function controlIdOf(prefix: string, sequence: number): string {
  return prefix + String(sequence).padStart(20 - prefix.length, "0");
}

/** The errors that stop a message: UNKNOWN_PROVIDER here, UNMAPPED_CODE from the code translator. */
class Problems extends CodeTranslator {
  add(e: OutcomeError): undefined {
    this.errors.push(e);
    return undefined;
  }
}

/** Table 9: the provider as an XCN (ID, assigning authority in .9, identifier type in .13). */
function providerXcn(
  input: BuildInput,
  providerId: string | null | undefined,
  field: string,
  problems: Problems,
): { id: string; name?: string } | undefined {
  if (!providerId) return undefined;
  const provider = input.masterData.providers.find((p) => p.id === providerId);
  const use = input.pack.outbound.providerId.use;
  if (!provider)
    return problems.add({
      code: "UNKNOWN_PROVIDER",
      severity: "error",
      message: `provider ${providerId} is not in the practice's master data (${field})`,
      field,
      value: providerId,
    });
  if (use === "npi" && !provider.npi)
    return problems.add({
      code: "UNKNOWN_PROVIDER",
      severity: "error",
      message: `provider ${providerId}${provider.name ? ` (${provider.name})` : ""} has no NPI, and the pack sends NPIs (outbound.providerId.use); nothing is sent (${field})`,
      field,
      value: providerId,
    });
  return {
    id: use === "npi" ? (provider.npi as string) : provider.id,
    ...(provider.name !== undefined && { name: provider.name }),
  };
}

function writeXcn(s: Segment, field: number, input: BuildInput, id: string): void {
  const { providerId } = input.pack.outbound;
  s.set(field, 1, id)
    .set(field, 9, providerId.assigningAuthority)
    .set(field, 13, providerId.identifierType);
}

function writeName(s: Segment, field: number, p: Person | Patient): void {
  s.set(field, 1, p.lastName).set(field, 2, p.firstName);
  if ("middleName" in p) s.set(field, 3, p.middleName);
}

function writeAddress(s: Segment, field: number, a: Address | undefined, problems: Problems): void {
  if (!a) return;
  const country = problems.code("country", a.country, `${s.name}.${field}.6`);
  s.comps(field, a.line1, a.line2, a.city, a.state, a.zip, country);
}

/** External IDs go out verbatim, every one the store holds, where the pack reads them. */
function writeExternalIds(
  segments: readonly Segment[],
  ids: readonly CompiledExternalId[],
  values: Readonly<Record<string, string>> | undefined,
): void {
  for (const id of ids) {
    const value = values?.[id.name];
    if (id.direction === "inbound" || value === undefined || value === "") continue;
    const parsed = parseLocation(id.from.source);
    if (!parsed.ok) continue;
    const segment = segments.find((s) => s.name === parsed.location.segment);
    if (segment) writeAt(segment, parsed.location, value);
  }
}

/** A coded value as CE/CWE: the (receiver's) code in component 1, the coding system in 3. */
function writeCoded(s: Segment, field: number, code: string | undefined, system: string): void {
  if (code) s.comps(field, code, undefined, system);
}

function pid(input: BuildInput, problems: Problems): Segment {
  const p = input.patient;
  const { codeSystems } = input.pack.outbound;
  const s = new Segment("PID").set(1, 1, "1");
  s.addRep(3, p.id, undefined, undefined, undefined, "PI");
  writeName(s, 5, p);
  s.set(7, 1, hl7Date(p.dob)).set(8, 1, problems.code("sex", p.sex, "PID.8"));
  writeCoded(s, 10, problems.code("race", p.race, "PID.10"), codeSystems.race);
  writeAddress(s, 11, p.address, problems);
  if (p.phones?.home) s.addRep(13, p.phones.home, "PRN", "PH");
  if (p.phones?.mobile) s.addRep(13, p.phones.mobile, "PRN", "CP");
  if (p.phones?.work) s.addRep(14, p.phones.work, "WPN", "PH");
  writeCoded(s, 15, problems.code("language", p.language, "PID.15"), codeSystems.language);
  s.set(16, 1, problems.code("maritalStatus", p.maritalStatus, "PID.16")).set(19, 1, p.ssn);
  writeCoded(s, 22, problems.code("ethnicity", p.ethnicity, "PID.22"), codeSystems.ethnicity);
  return s;
}

/** The relationship elements and where each goes out. */
type RelationshipElement =
  | "relationshipToInsured"
  | "guarantorRelationship"
  | "nextOfKinRelationship";

/**
 * A relationship in the direction the receiver uses (the inbound setting,
 * turned around through relationshipInverse), then in the receiver's codes.
 */
function relationshipOut(
  input: BuildInput,
  element: RelationshipElement,
  code: string | null | undefined,
  inverted: boolean,
  field: string,
  problems: Problems,
): string | undefined {
  if (!code) return undefined;
  if (!inverted) return problems.code(element, code, field);
  const table = input.pack.relationshipInverse;
  const row = table ? lookupRow(table, code) : undefined;
  if (!row)
    return problems.add({
      code: "UNMAPPED_CODE",
      severity: "error",
      message: `relationship '${code}' has no inverse in mapping table relationshipInverse (${field})`,
      field,
      table: "relationshipInverse",
      value: code,
    });
  return problems.code(element, row.practice, field);
}

function nk1(input: BuildInput, kin: NextOfKin, problems: Problems): Segment {
  const s = new Segment("NK1").set(1, 1, "1");
  writeName(s, 2, kin);
  s.set(
    3,
    1,
    relationshipOut(input, "nextOfKinRelationship", kin.relationship, false, "NK1.3", problems),
  );
  writeAddress(s, 4, kin.address, problems);
  return s.set(5, 1, kin.phone);
}

function gt1(input: BuildInput, g: Guarantor, problems: Problems): Segment {
  const s = new Segment("GT1").set(1, 1, "1");
  writeName(s, 3, g);
  writeAddress(s, 5, g.address, problems);
  s.set(6, 1, g.phone)
    .set(8, 1, hl7Date(g.dob))
    .set(9, 1, problems.code("sex", g.sex, "GT1.9"));
  const inverted = input.pack.guarantor.relationshipDirection === "guarantorToPatient";
  return s.set(
    11,
    1,
    relationshipOut(input, "guarantorRelationship", g.relationship, inverted, "GT1.11", problems),
  );
}

/** IN1 (and IN2 when the insured has a phone, IN2-63: the only IN2 datum a policy holds). */
function insurance(
  input: BuildInput,
  policy: Policy,
  setId: number,
  problems: Problems,
): Segment[] {
  const in1 = new Segment("IN1").set(1, 1, String(setId));
  in1.set(2, 1, policy.foreignKey ?? problems.code("insurancePlan", policy.packageId, "IN1.2"));
  const insured = policy.insured;
  if (insured) {
    writeName(in1, 16, insured);
    in1.set(18, 1, hl7Date(insured.dob));
    writeAddress(in1, 19, insured.address, problems);
  }
  const inverted = input.pack.insurance.relationshipDirection === "insuredToPatient";
  in1.set(
    17,
    1,
    relationshipOut(
      input,
      "relationshipToInsured",
      policy.relationshipToInsured,
      inverted,
      "IN1.17",
      problems,
    ),
  );
  in1.set(36, 1, policy.policyNumber);
  if (insured) in1.set(43, 1, problems.code("sex", insured.sex, "IN1.43"));
  if (!insured?.phone) return [in1];
  return [in1, new Segment("IN2").comps(63, insured.phone, "PRN", "PH")];
}

export function buildPatientMessage(input: BuildInput): Built {
  const problems = new Problems(input.pack.outbound.mappings);
  const p = input.patient;
  const tz = input.pack.practice?.timeZone ?? "UTC";
  const trigger = input.messageType.split("^")[1] ?? "";
  const segments: Segment[] = [header(input)];
  segments.push(new Segment("EVN").set(1, 1, trigger).set(2, 1, hl7Instant(input.occurredAt, tz)));
  segments.push(pid(input, problems));
  const primary = providerXcn(input, p.primaryProviderId, "PD1.4", problems);
  if (primary) {
    const pd1 = new Segment("PD1");
    writeXcn(pd1, 4, input, primary.id);
    segments.push(pd1);
  }
  if (p.nextOfKin) segments.push(nk1(input, p.nextOfKin, problems));
  segments.push(new Segment("PV1").set(1, 1, "1").set(2, 1, "N"));
  if (p.guarantor && input.pack.guarantor.send) segments.push(gt1(input, p.guarantor, problems));
  const policies = [...(input.policies ?? [])].sort((a, b) => a.sequence - b.sequence);
  policies.forEach((policy, i) => {
    segments.push(...insurance(input, policy, i + 1, problems));
  });
  writeExternalIds(segments, input.pack.externalIds.patient, p.externalIds);
  if (problems.errors.length > 0) return { ok: false, errors: problems.errors };
  return { ok: true, segments };
}

export function buildAppointmentMessage(input: BuildInput): Built {
  const problems = new Problems(input.pack.outbound.mappings);
  const a = input.appointment;
  if (!a) throw new Error("an appointment message needs an appointment");
  const options = input.pack.outbound;
  const tz = input.pack.practice?.timeZone ?? "UTC";
  const start = a.start ? hl7Time(a.start, tz) : undefined;
  const duration = a.durationMinutes ?? undefined;
  const event = input.event as AppointmentEvent;
  const type = problems.code("appointmentType", a.type, "SCH.8");
  const segments: Segment[] = [header(input)];

  const sch = new Segment("SCH").set(2, 1, a.id);
  const reason =
    event === "appointmentCancel"
      ? problems.code("cancelReason", a.cancelReason, "SCH.6")
      : undefined;
  sch.set(6, 1, reason ?? options.appointmentDefaults.eventReason);
  sch.set(7, 1, a.notes).set(8, 1, type);
  if (duration !== undefined) sch.set(9, 1, String(duration)).set(10, 1, "min");
  sch.set(11, 3, duration !== undefined ? `M${duration}` : undefined).set(11, 4, start);
  sch.set(16, 1, options.appointmentDefaults.fillerContactPerson);
  sch.set(20, 1, options.appointmentDefaults.enteredByPerson);
  sch.set(25, 1, options.appointmentStatuses[event]);
  segments.push(sch);
  if (versionAtLeast(options.msh.version, "2.5")) {
    const tq1 = new Segment("TQ1").set(1, 1, "1").set(7, 1, start);
    if (duration !== undefined) tq1.comps(13, String(duration), "min");
    segments.push(tq1);
  }
  segments.push(pid(input, problems));
  const provider = providerXcn(input, a.providerId, "PV1.7", problems);
  const pv1 = new Segment("PV1").set(1, 1, "1").set(2, 1, "O");
  if (provider) writeXcn(pv1, 7, input, provider.id);
  segments.push(pv1);
  segments.push(new Segment("RGS").set(1, 1, "1"));
  const ais = new Segment("AIS").set(1, 1, "1").set(3, 1, type).set(4, 1, start);
  if (duration !== undefined) ais.set(7, 1, String(duration)).set(8, 1, "min");
  segments.push(ais);
  if (provider && options.appointmentDefaults.resourceType) {
    segments.push(
      new Segment("AIG")
        .set(1, 1, "1")
        .comps(3, provider.id, provider.name, options.providerId.identifierType)
        .set(4, 1, options.appointmentDefaults.resourceType),
    );
  }
  if (a.departmentId) segments.push(new Segment("AIL").set(1, 1, "1").set(3, 1, a.departmentId));
  if (provider) {
    const aip = new Segment("AIP").set(1, 1, "1");
    writeXcn(aip, 3, input, provider.id);
    segments.push(aip);
  }
  writeExternalIds(segments, input.pack.externalIds.patient, input.patient.externalIds);
  writeExternalIds(segments, input.pack.externalIds.appointment, a.externalIds);
  if (problems.errors.length > 0) return { ok: false, errors: problems.errors };
  return { ok: true, segments };
}
