import type { RecordIdKind } from "../store/types.js";

/**
 * Store-assigned IDs made comparable: two runs that create the same
 * patients in a different order, or one run that creates one more, give
 * them different numbers. Within one run, every ID the run assigned (at or
 * past the starting store's next ID) is renamed by its first appearance:
 * the position of the message it first appears in, `new patient (#12)`
 * (`(#12.2)` for the second of a kind first seen there). Named by the
 * message rather than counted, a record one run does not create leaves
 * every later name as it was. IDs of records the starting store already
 * held (a snapshot's) keep their own.
 */

/** Keys that hold an ID of a record kind wherever they appear. */
const ID_KEYS: Readonly<Record<string, RecordIdKind>> = {
  patientId: "patient",
  appointmentId: "appointment",
  claimId: "claim",
};
/** Objects whose `id` is that kind's (`patient.create`'s patient). */
const RECORD_KEYS: Readonly<Record<string, RecordIdKind>> = {
  patient: "patient",
  appointment: "appointment",
  claim: "claim",
};

const isKind = (v: unknown): v is RecordIdKind =>
  v === "patient" || v === "appointment" || v === "claim";

export class IdRenaming {
  private readonly names = new Map<string, string>();
  /** How many IDs of each kind first appeared in the message being renamed. */
  private seen: Record<RecordIdKind, number> = { patient: 0, appointment: 0, claim: 0 };
  private position = 0;

  constructor(private readonly firstIds: Readonly<Record<RecordIdKind, string>>) {}

  /**
   * The value (of the message at this 1-based position) with every
   * store-assigned ID in it renamed: a copy, the input is not changed.
   */
  rename<T>(value: T, position: number): T {
    if (position !== this.position) {
      this.position = position;
      this.seen = { patient: 0, appointment: 0, claim: 0 };
    }
    return this.walk(value, undefined) as T;
  }

  private id(kind: RecordIdKind, id: unknown): unknown {
    if (typeof id !== "string" || !this.assigned(kind, id)) return id;
    const key = `${kind}\u0000${id}`;
    let name = this.names.get(key);
    if (name === undefined) {
      this.seen[kind] += 1;
      const nth = this.seen[kind] > 1 ? `.${this.seen[kind]}` : "";
      name = `new ${kind} (#${this.position}${nth})`;
      this.names.set(key, name);
    }
    return name;
  }

  private assigned(kind: RecordIdKind, id: string): boolean {
    const first = this.firstIds[kind];
    if (!/^\d{1,15}$/.test(id) || !/^\d{1,15}$/.test(first)) return false;
    return Number(id) >= Number(first);
  }

  private walk(value: unknown, recordKind: RecordIdKind | undefined): unknown {
    if (Array.isArray(value)) return value.map((v) => this.walk(v, undefined));
    if (value === null || typeof value !== "object") return value;
    const object = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(object)) {
      const idKind = ID_KEYS[key];
      if (idKind) out[key] = this.id(idKind, v);
      else if (key === "id" && recordKind) out[key] = this.id(recordKind, v);
      else if (key === "recordId" && isKind(object.record)) out[key] = this.id(object.record, v);
      else out[key] = this.walk(v, RECORD_KEYS[key]);
    }
    return out;
  }
}
