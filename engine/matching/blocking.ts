import type { Patient } from "../model/records.js";
import { soundex } from "./soundex.js";

/**
 * Blocking: the keys a store indexes patients by, so a demographic lookup
 * compares an incoming patient with a few stored ones instead of all.
 *
 * A pass is a list of components (`[lastNameSoundex, birthYear]`); its key
 * is the components' values joined, and exists only when every component
 * has a value. A candidate sharing the key of any pass is scored, once.
 * The stores index the keys of every pass in INDEXED_PASSES (a pack picks
 * its passes among them, docs/decisions/0018-blocking-passes-and-trained-weights.md).
 */
export const BLOCKING_COMPONENTS = [
  "lastNameSoundex",
  "firstNameSoundex",
  "firstInitial",
  "birthYear",
  "dob",
  "zip",
  "ssn",
  "phone",
  "streetSoundex",
  "citySoundex",
] as const;
export type BlockingComponent = (typeof BLOCKING_COMPONENTS)[number];
export type BlockingPass = readonly BlockingComponent[];

/**
 * Every pass the stores index. Each stays small at 10⁶ patients: a
 * surname sound with a birth year or a first initial, a first-name sound
 * with a date of birth, a date of birth alone (~35 per day), with a ZIP,
 * the identifiers alone, a street's sound with its ZIP or its city's sound
 * and the first initial (the neighbours of one street: they find a record
 * whose surname, date of birth and numbers were all mistyped,
 * docs/decisions/0043-location-fields-street-blocks-and-household-evidence.md).
 * Changing this list changes BLOCKING_INDEX_VERSION.
 */
export const INDEXED_PASSES: readonly BlockingPass[] = [
  ["lastNameSoundex", "firstInitial"],
  ["lastNameSoundex", "birthYear"],
  ["firstNameSoundex", "dob"],
  ["lastNameSoundex", "firstNameSoundex"],
  ["lastNameSoundex", "zip"],
  ["firstNameSoundex", "zip"],
  ["dob", "zip"],
  ["dob"],
  ["ssn"],
  ["phone"],
  ["streetSoundex", "zip", "firstInitial"],
  ["streetSoundex", "citySoundex", "firstInitial"],
];

/**
 * A pass key more patients than this share is not a block but a crowd (one
 * ZIP for a whole practice, a clinic's phone given as everyone's): a lookup
 * skips it, and the other passes find the candidate. Lookups stay small at
 * 10⁶ patients whatever the practice's data. The sender's patient ID
 * (`sender:`) is never skipped: every holder of a PID-3 must be found.
 */
export const MAX_BLOCK_SIZE = 500;

/** Whether a lookup skips the key when more than MAX_BLOCK_SIZE patients share it. */
export function isCappedKey(key: string): boolean {
  return !key.startsWith("sender:");
}

/**
 * The passes a pack blocks on unless it says otherwise: every indexed pass
 * but the two on a ZIP with a name sound. A practice's patients live in a
 * few ZIPs, so those blocks are crowds (at 10⁶ patients a first-name sound
 * and ZIP block holds ~800); on the corpus they found 3% of DS-Gen C's
 * true pairs alone, and moved its automatic links by 0.2%
 * (docs/decisions/0028-capped-blocks-and-practice-weights.md).
 */
export const DEFAULT_PASSES: readonly BlockingPass[] = INDEXED_PASSES.filter(
  (pass) =>
    !(
      pass.includes("zip") && pass.some((c) => c === "lastNameSoundex" || c === "firstNameSoundex")
    ),
);

/** The version of the index INDEXED_PASSES and the key format make; a store rebuilds keys of another. */
export const BLOCKING_INDEX_VERSION = 4;

/** A pass's name: its components in BLOCKING_COMPONENTS order, joined by `+`. */
export function passName(pass: BlockingPass): string {
  return [...new Set(pass)]
    .sort((a, b) => BLOCKING_COMPONENTS.indexOf(a) - BLOCKING_COMPONENTS.indexOf(b))
    .join("+");
}

const INDEXED_NAMES = new Set(INDEXED_PASSES.map(passName));

/** Whether the stores index the pass (in any order of its components). */
export function isIndexedPass(pass: BlockingPass): boolean {
  return INDEXED_NAMES.has(passName(pass));
}

/** Keys a lookup asks the store for. */
export interface BlockingKeys {
  /** One key per pass whose components all have a value: `dob+zip:19800214|02134`. */
  readonly passes?: readonly string[];
  /**
   * The sender's own patient identifier (`patient.senderPatientId`, trimmed).
   * Not a demographic key: looked up alone, so that a message with a stored
   * patient's PID-3 is never silently a second patient.
   */
  readonly senderId?: string;
}

const digits = (text: string | null | undefined): string => (text ?? "").replace(/\D/g, "");
const letters = (text: string | null | undefined): string =>
  (text ?? "").toUpperCase().replace(/[^A-Z]/g, "");

/** The value of each component a patient has (none for an empty or placeholder value). */
export function blockingComponentsOf(patient: Patient): Partial<Record<BlockingComponent, string>> {
  const out: Partial<Record<BlockingComponent, string>> = {};
  const last = letters(patient.lastName);
  const first = letters(patient.firstName);
  if (last) out.lastNameSoundex = soundex(last);
  if (first) {
    out.firstNameSoundex = soundex(first);
    out.firstInitial = first.charAt(0);
  }
  const dob = digits(patient.dob);
  if (dob.length === 8 && !/^0+$/.test(dob)) {
    out.dob = dob;
    out.birthYear = dob.slice(0, 4);
  }
  const zip = (patient.address?.zip ?? "").trim().toUpperCase().replace(/\s+/g, "");
  if (zip) out.zip = zip.length > 5 && /^\d{5}-?\d{4}$/.test(zip) ? zip.slice(0, 5) : zip;
  // Seven digits and more: a US SSN has nine, other national numbers fewer.
  const ssn = digits(patient.ssn);
  if (ssn.length >= 7 && !/^0+$/.test(ssn)) out.ssn = ssn;
  const phone = digits(
    patient.phones?.home ?? patient.phones?.mobile ?? patient.phones?.work,
  ).slice(-10);
  if (phone.length === 10 && !/^0+$/.test(phone)) out.phone = phone;
  const street = streetNameOf(patient.address?.line1);
  if (street) out.streetSoundex = soundex(street);
  const city = letters(patient.address?.city);
  if (city) out.citySoundex = soundex(city);
  return out;
}

/**
 * The street's name in an address line: its first word of two letters or
 * more, house numbers and unit letters left out ("12B Main St" -> MAIN).
 */
export function streetNameOf(line1: string | null | undefined): string {
  for (const word of (line1 ?? "")
    .toUpperCase()
    .replace(/['’]/g, "")
    .split(/[^A-Z0-9]+/)) {
    const name = word.replace(/[^A-Z]/g, "");
    if (name.length >= 2 && !/\d/.test(word)) return name;
  }
  return "";
}

const COMPONENTS_OF = new WeakMap<
  BlockingPass,
  { name: string; components: BlockingComponent[] }
>();

/** A pass's name and its components in name order, computed once per pass. */
function normalized(pass: BlockingPass): { name: string; components: BlockingComponent[] } {
  let found = COMPONENTS_OF.get(pass);
  if (found === undefined) {
    const name = passName(pass);
    found = { name, components: name.split("+") as BlockingComponent[] };
    COMPONENTS_OF.set(pass, found);
  }
  return found;
}

/** The key of each pass whose components all have a value, in pass order, without repeats. */
export function passKeysOf(patient: Patient, passes: readonly BlockingPass[]): string[] {
  const components = blockingComponentsOf(patient);
  const keys: string[] = [];
  for (const pass of passes) {
    const { name, components: wanted } = normalized(pass);
    let key = `${name}:`;
    let complete = true;
    for (let i = 0; i < wanted.length; i++) {
      const value = components[wanted[i] as BlockingComponent];
      if (value === undefined) {
        complete = false;
        break;
      }
      key += i === 0 ? value : `|${value}`;
    }
    if (complete && !keys.includes(key)) keys.push(key);
  }
  return keys;
}

/**
 * The keys a patient is indexed by: every indexed pass's key, and the
 * sender's patient ID. A demographic match asks for patients sharing any
 * key of its pack's passes, so it never scans the whole table.
 */
export function blockingKeysOf(
  patient: Patient,
  passes: readonly BlockingPass[] = INDEXED_PASSES,
): BlockingKeys {
  const keys = passKeysOf(patient, passes);
  const senderId = (patient.senderPatientId ?? "").trim();
  return {
    ...(keys.length > 0 && { passes: keys }),
    ...(senderId && { senderId }),
  };
}

/**
 * The patients (their indexes in `patients`) that share each key of any
 * pass: the blocks whose pairs are compared.
 */
export function blocksOf(
  patients: readonly Patient[],
  passes: readonly BlockingPass[],
): Map<string, number[]> {
  const blocks = new Map<string, number[]>();
  patients.forEach((patient, i) => {
    for (const key of passKeysOf(patient, passes)) {
      const list = blocks.get(key);
      if (list === undefined) blocks.set(key, [i]);
      else list.push(i);
    }
  });
  return blocks;
}
