import type {
  InsuranceAdd,
  InsuranceReplace,
  InsuranceSelfPay,
  InsuranceUpdate,
} from "../model/actions.js";
import type { Policy } from "../model/records.js";
import type { MessageContext } from "./context.js";
import { extractRecord } from "./extract.js";
import { groupsOf } from "./groups.js";
import { invertRelationship } from "./relationships.js";
import { checkRequired } from "./required.js";

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
  const actions: InsuranceAction[] = [];
  for (const group of groups) {
    const scope = { group: group.segments, groupMembers: group.members };
    const extracted = await extractRecord(ctx, "policy", scope);
    if (!extracted.complete) continue;
    const read = { message: ctx.message, group: group.segments, groupMembers: group.members };
    const fields = extracted.fields;
    const packageValue = fields.get("policy.packageId");
    if (packageValue?.kind !== "value") {
      // The required rules name what is missing (Table 11: IN1.2, IN1.4 are required).
      await checkRequired(ctx, extracted, "create", read, event);
      continue;
    }
    const packageId = String(packageValue.value);
    const sequenceValue = fields.get("policy.sequence");
    let sequence = sequenceValue?.kind === "value" ? Number(sequenceValue.value) : group.index;
    const casePackage = ctx.view.masterData.insurancePackages.find(
      (p) => p.id === packageId,
    )?.casePolicy;
    if (sequence === 1 && casePackage && options.casePolicies === "toSequenceZero") {
      sequence = 0;
      ctx.found.trace.push({
        step: "decide",
        detail: `package ${packageId} is a case policy: sequence 1 stored as 0`,
      });
    }
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
    if (!(await checkRequired(ctx, extracted, operation, read, event))) continue;
    if (!current) actions.push({ type: "insurance.add", patientId, policy });
    else if (current.packageId === packageId)
      actions.push({ type: "insurance.update", patientId, policy });
    else
      actions.push({
        type: "insurance.replace",
        patientId,
        policy,
        replacedPackageId: current.packageId,
      });
  }
  return actions;
}
