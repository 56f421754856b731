import type { MessageContext } from "./context.js";

/**
 * "Your organization can't schedule appointments or complete charge entry
 * for patients without insurance" (docs/pack-language.md §17, §18). With
 * `insurance.mode: whenPresent`, or insurance not received, a patient can
 * hold no policy at all; booking or billing one is NO_INSURANCE (ERROR)
 * unless the pack's option allows it. Any active policy counts (a case
 * policy too), and so does self-pay: a patient registered as paying for
 * themselves has an answer to "who pays".
 *
 * `value` is the patient ID, so `reprocess --blocked-on NO_INSURANCE:<id>`
 * retries the patient's messages once a policy (or self-pay) is recorded.
 */
export function checkInsured(
  ctx: MessageContext,
  patientId: string,
  option: "appointments.requireInsurance" | "charges.requireInsurance",
  required: boolean,
  what: string,
): boolean {
  const policies = ctx.view.policiesOf(patientId).length;
  const selfPay = policies === 0 && ctx.view.insuranceHistory(patientId).selfPay;
  const insured = policies > 0 || selfPay;
  ctx.found.trace.push({
    step: "decide",
    rule: option,
    detail: `patient ${patientId}: ${policies > 0 ? `${policies} active polic${policies === 1 ? "y" : "ies"}` : selfPay ? "self-pay" : "no policy, not self-pay"}${insured ? "" : required ? ": refused" : ": allowed (requireInsurance: false)"}`,
  });
  if (insured || !required) return true;
  ctx.found.errors.push({
    code: "NO_INSURANCE",
    severity: "error",
    message: `patient ${patientId} holds no insurance policy and is not self-pay; ${what} for a patient without insurance is refused (${option}: true): record a policy or self-pay for the patient and reprocess`,
    value: patientId,
  });
  return false;
}
