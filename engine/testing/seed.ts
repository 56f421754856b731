import { matchingKey } from "../inbound/external-ids.js";
import type { TypedAction } from "../model/actions.js";
import type { Appointment, Claim, Patient, Policy } from "../model/records.js";
import type { CompiledPack } from "../pack/compiled.js";
import type { Store } from "../store/types.js";
import type { SeedRecords } from "./model.js";

/**
 * A case's `given:` into the store the way any state gets there: create
 * actions in one synthetic PROCESSED message (`store.receive` +
 * `store.complete`), so seeding follows every rule of the store (indexes,
 * ID counters, policies by sequence). An external ID's matching key follows
 * the pack's leading-zeros policy, as if the ID had been received.
 */
export async function seedStore(
  store: Store,
  pack: CompiledPack,
  records: SeedRecords,
  now: Date,
): Promise<void> {
  const actions: TypedAction[] = [];
  for (const raw of records.patients) {
    const patient = raw as unknown as Patient & { id: string };
    actions.push({ type: "patient.create", patient });
    actions.push(...keyActions("patient", patient.id, patient.externalIds, pack));
  }
  for (const raw of records.policies) {
    const { patientId, ...policy } = raw as unknown as Policy & { patientId: string };
    actions.push({ type: "insurance.add", patientId, policy });
  }
  for (const raw of records.appointments) {
    const appointment = raw as unknown as Appointment & { id: string };
    actions.push({ type: "appointment.create", appointment });
    actions.push(...keyActions("appointment", appointment.id, appointment.externalIds, pack));
  }
  for (const raw of records.claims) {
    const claim = { status: "unbilled", diagnoses: [], lines: [], ...raw } as unknown as Claim & {
      id: string;
    };
    actions.push({ type: "claim.create", claim });
  }
  if (actions.length === 0) return;
  const messageId = await store.receive({
    raw: new Uint8Array(),
    receivedAt: now.toISOString(),
    sender: "rulepack-test:given",
    controlId: "",
    messageType: "",
    direction: "inbound",
  });
  await store.complete(
    {
      messageId,
      controlId: "",
      messageType: "",
      state: "PROCESSED",
      actions,
      errors: [],
      review: [],
      trace: [],
    },
    { kind: "receive", now: now.toISOString() },
  );
}

/** externalId.set for each ID whose matching key differs from its value (leadingZeros: strip). */
function keyActions(
  record: "patient" | "appointment",
  recordId: string,
  ids: Readonly<Record<string, string>> | undefined,
  pack: CompiledPack,
): TypedAction[] {
  const out: TypedAction[] = [];
  for (const [name, value] of Object.entries(ids ?? {})) {
    if (typeof value !== "string") continue;
    const config = pack.externalIds[record].find((id) => id.name === name);
    const key = matchingKey(value, config?.leadingZeros ?? "keep");
    if (key !== value) out.push({ type: "externalId.set", record, recordId, name, value, key });
  }
  return out;
}
