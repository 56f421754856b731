import { fieldOf, segmentsNamed } from "../../hl7/access.js";
import type { Hl7Repetition } from "../../hl7/tree.js";
import type { Patient } from "../../model/records.js";
import type { MessageContext } from "../context.js";

/**
 * A phone sent but read by no rule must not vanish without a word: every
 * repetition of PID-13 and PID-14 (XTN) that holds data, none of which
 * reached the patient's phones or email, is a DATA_NOT_READ warning naming
 * the field, the repetition and the components that hold the data. A
 * repetition reached the record when its number (XTN-1, XTN-6+7 or XTN-12,
 * compared by digits, the way the matcher compares phones) is one of the
 * record's phones, or its XTN-4 is the email. The use and equipment codes
 * (XTN-2, XTN-3) alone are not data.
 */
const PHONE_FIELDS: readonly { readonly field: number; readonly name: string }[] = [
  { field: 13, name: "PID.13" },
  { field: 14, name: "PID.14" },
];

const CODES_ONLY: ReadonlySet<number> = new Set([2, 3]);

const digits = (text: string | undefined): string => (text ?? "").replace(/\D/g, "");

function component(rep: Hl7Repetition, n: number): string | undefined {
  const text = (rep[n - 1] ?? [])
    .map((leaf) => leaf.value ?? "")
    .join("")
    .trim();
  return text === "" ? undefined : text;
}

export function warnUnreadPhones(ctx: MessageContext, patient: Patient): void {
  const pid = segmentsNamed(ctx.message, "PID")[0];
  if (!pid) return;
  const phones = [patient.phones?.home, patient.phones?.mobile, patient.phones?.work]
    .map((p) => digits(p ?? undefined))
    .filter((d) => d !== "");
  const email = patient.email ?? undefined;
  for (const { field, name } of PHONE_FIELDS) {
    (fieldOf(pid, field) ?? []).forEach((rep, i) => {
      const held = rep
        .map((_, c) => c + 1)
        .filter((c) => !CODES_ONLY.has(c) && component(rep, c) !== undefined);
      if (held.length === 0 || reached(rep, phones, email)) return;
      ctx.found.errors.push({
        code: "DATA_NOT_READ",
        severity: "warning",
        message: `${name} repetition ${i + 1} holds data in component(s) ${held.join(", ")} that no field rule read into the patient's phones or email`,
        field: name,
      });
    });
  }
}

function reached(
  rep: Hl7Repetition,
  phones: readonly string[],
  email: string | undefined,
): boolean {
  const numbers = [
    digits(component(rep, 1)),
    digits(`${component(rep, 6) ?? ""}${component(rep, 7) ?? ""}`),
    digits(component(rep, 12)),
  ].filter((d) => d.length > 0);
  const isPhone = numbers.some((n) => phones.some((p) => p.endsWith(n) || n.endsWith(p)));
  const mail = component(rep, 4);
  return isPhone || (mail !== undefined && mail === email);
}
