/**
 * Normalizers: the form a value is compared in. Every one is case-blind, so
 * a case change is never a difference. An empty result means "no value".
 */
export type NormalizerName = "text" | "name" | "digits" | "last10" | "initial" | "code" | "zip";

const MARKS = /[\u0300-\u036f]/g;

/** Upper case without diacritics: "Zoë" -> "ZOE". */
function fold(value: string): string {
  const upper = value.toUpperCase();
  // Only decompose when there is something to decompose (the common case is ASCII).
  return /[^\u0000-\u007f]/.test(upper) ? upper.normalize("NFD").replace(MARKS, "") : upper;
}

/** Words: letters and digits, any run of other characters becomes one space. */
export function normalizeText(value: string): string {
  return fold(value)
    .replace(/[^A-Z0-9]+/g, " ")
    .trim();
}

/** A name: its letters only, so "O'Brien", "O BRIEN" and "obrien" are equal. */
export function normalizeName(value: string): string {
  return fold(value).replace(/[^A-Z]/g, "");
}

/** Digits only; all zeros (a placeholder such as 000-00-0000) is no value. */
export function normalizeDigits(value: string): string {
  const digits = value.replace(/\D/g, "");
  return /^0*$/.test(digits) ? "" : digits;
}

export const NORMALIZERS: Readonly<Record<NormalizerName, (value: string) => string>> = {
  text: normalizeText,
  name: normalizeName,
  digits: normalizeDigits,
  last10: (value) => normalizeDigits(value).slice(-10),
  initial: (value) => normalizeName(value).slice(0, 1),
  code: (value) => value.trim().toUpperCase(),
  zip: normalizeZip,
};

/** A postal code: letters and digits; a US ZIP+4 is its five-digit ZIP. */
export function normalizeZip(value: string): string {
  const code = fold(value).replace(/[^A-Z0-9]/g, "");
  return /^\d{9}$/.test(code) ? code.slice(0, 5) : code;
}

export function isNormalizerName(value: unknown): value is NormalizerName {
  return typeof value === "string" && Object.hasOwn(NORMALIZERS, value);
}
