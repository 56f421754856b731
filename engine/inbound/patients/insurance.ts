import type {
  InsuranceAdd,
  InsuranceReplace,
  InsuranceSelfPay,
  InsuranceUpdate,
} from "../../model/actions.js";
import type { Policy } from "../../model/records.js";
import type { CompiledRequiredRule } from "../../pack/compiled.js";
import type { MessageContext } from "../context.js";
import { type ExtractedRecord, extractRecord, withoutNulls } from "../extract.js";
import { groupsOf } from "../groups.js";
import { checkRequired } from "../required.js";
import { invertRelationship } from "./relationships.js";

export type InsuranceAction = InsuranceAdd | InsuranceUpdate | InsuranceReplace | InsuranceSelfPay;

/**
 * Insurance Processing – Patient Only, per IN1 group of a patient message:
 * no stored policy at the sequence -> add; same sequence and package ->
 * update; same sequence, other package -> replace (the old one cancelled);
 * no IN1 at all -> self-pay in `always` mode (Table 12), nothing in
 * `whenPresent` mode. A sequence-1 policy whose package is a case policy is
 * stored at sequence 0.
 */
export async function insuranceActions(
  ctx: MessageContext,
  patientId: string,
  isNewPatient: boolean,
  event: string,
): Promise<InsuranceAction[]> {
  const options = ctx.pack.insurance;
  if (!options.receive) return [];
  const groups = groupsOf(ctx.message, "policy");
  if (groups.length === 0) {
    return options.mode === "always" ? [{ type: "insurance.selfPay", patientId }] : [];
  }
  const stored = isNewPatient ? [] : ctx.view.policiesOf(patientId);
  const keyPart = foreignKeyPart(ctx);
  const otherRules = (rule: CompiledRequiredRule) => !keyPart(rule);
  /** Beside a failed extraction, only what would block the policy too (no warnings). */
  const blockingRules = (rule: CompiledRequiredRule) =>
    otherRules(rule) && rule.severity === "error";
  const actions: InsuranceAction[] = [];
  // Sequences taken by this message's policies: a second policy at one is an error, not a second add.
  const sequences = new Set<number>();
  for (const group of groups) {
    const read = { message: ctx.message, group: group.segments, groupMembers: group.members };
    // A foreign key with a required part missing (Table 11: IN1.2, IN1.4) is
    // reported as missing, not looked up as a new, unmapped key.
    if (!(await checkRequired(ctx, NO_POLICY, "create", read, event, keyPart))) continue;
    const scope = { group: group.segments, groupMembers: group.members };
    const extracted = await extractRecord(ctx, "policy", scope);
    if (!extracted.complete) {
      // An unmapped plan does not hide the policy's other errors (a missing
      // IN1.36): they are found in the same pass, judged as for a new policy
      // when none is stored at its sequence. Nothing is applied.
      if (!stored.some((p) => p.sequence === sequenceOf(extracted, group.index)))
        await checkRequired(ctx, extracted, "create", read, event, blockingRules);
      continue;
    }
    const fields = extracted.fields;
    const packageValue = fields.get("policy.packageId");
    if (packageValue?.kind !== "value") {
      // The required rules name what is missing.
      await checkRequired(ctx, extracted, "create", read, event, otherRules);
      continue;
    }
    const packageId = String(packageValue.value);
    const sequenceValue = fields.get("policy.sequence");
    let sequence = sequenceValue?.kind === "value" ? Number(sequenceValue.value) : group.index;
    if (sequence < 0) {
      ctx.found.errors.push({
        code: "INVALID_VALUE",
        severity: "error",
        message: `policy.sequence ${sequence} is not a sequence number (IN1.1): 1 primary, 2 secondary, 3 tertiary`,
        field: "IN1.1",
        value: String(sequence),
      });
      continue;
    }
    const casePackage = ctx.view.masterData.insurancePackages.find(
      (p) => p.id === packageId,
    )?.casePolicy;
    if (sequence === 1 && casePackage && options.casePolicies === "toSequenceZero") {
      sequence = 0;
      ctx.found.trace.push({
        step: "decide",
        detail: `package ${packageId} is a case policy: sequence 1 stored as 0`,
        options: [{ path: "insurance.casePolicies", value: options.casePolicies }],
      });
    }
    if (sequences.has(sequence)) {
      ctx.found.errors.push({
        code: "INVALID_VALUE",
        severity: "error",
        message: `two policies of this message have sequence ${sequence} (IN1.1); each policy needs its own`,
        field: "IN1.1",
        value: String(sequence),
      });
      continue;
    }
    sequences.add(sequence);
    const record = { ...extracted.record } as Record<string, unknown>;
    if (
      options.relationshipDirection === "insuredToPatient" &&
      typeof record.relationshipToInsured === "string"
    ) {
      const inverse = invertRelationship(ctx, record.relationshipToInsured, "IN1.17");
      if (inverse === undefined) continue;
      record.relationshipToInsured = inverse;
    }
    const policy = {
      ...record,
      sequence,
      packageId,
      ...(packageValue.foreign !== undefined && { foreignKey: packageValue.foreign }),
    } as Policy;
    const current = stored.find((p) => p.sequence === sequence);
    const operation = current?.packageId === packageId ? "update" : "create";
    if (!(await checkRequired(ctx, extracted, operation, read, event, otherRules))) continue;
    if (!current) actions.push({ type: "insurance.add", patientId, policy: withoutNulls(policy) });
    else if (current.packageId === packageId)
      actions.push({ type: "insurance.update", patientId, policy });
    else
      actions.push({
        type: "insurance.replace",
        patientId,
        policy: withoutNulls(policy),
        replacedPackageId: current.packageId,
      });
  }
  return actions;
}

/** IN1.1 as extracted, else the group's position. */
function sequenceOf(extracted: ExtractedRecord, index: number): number {
  const value = extracted.fields.get("policy.sequence");
  return value?.kind === "value" ? Number(value.value) : index;
}

const NO_POLICY: ExtractedRecord = {
  kind: "policy",
  fields: new Map(),
  record: {},
  complete: true,
};

/**
 * The required `ref` rules (errors, on create) on a part of the foreign
 * insurance key, the `from:` of the unconditional `policy.packageId` rule:
 * IN1.2 and IN1.4 of `IN1.2+IN1.4+IN1.5`. They are judged before the key is
 * mapped, as for a create: without its key a policy matches no stored one.
 */
function foreignKeyPart(ctx: MessageContext): (rule: CompiledRequiredRule) => boolean {
  const from = ctx.pack.fields.find((r) => r.field === "policy.packageId" && !r.when)?.from;
  const parts = new Set((from?.source ?? "").split(/[+|]/).map((p) => p.trim()));
  return (rule) =>
    rule.ref !== undefined &&
    rule.severity === "error" &&
    rule.on.includes("create") &&
    parts.has(rule.ref.source);
}
