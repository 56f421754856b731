import type { Patient } from "../model/records.js";
import { soundex } from "./soundex.js";

/** Keys the store indexes patients by, so a demographic lookup never scans the table. */
export interface BlockingKeys {
  /** YYYY-MM-DD */
  readonly dob?: string;
  /** Digits only. */
  readonly ssn?: string;
  /** Last 10 digits. */
  readonly phone?: string;
  /** Soundex of the last name followed by the first name's initial (engine/matching/blocking.ts). */
  readonly lastNamePhonetic?: string;
  /**
   * The sender's own patient identifier (`patient.senderPatientId`, trimmed).
   * Not a demographic key: looked up alone, so that a message with a stored
   * patient's PID-3 is never silently a second patient.
   */
  readonly senderId?: string;
}

const digits = (text: string | null | undefined): string => (text ?? "").replace(/\D/g, "");

/**
 * The keys a patient is indexed and looked up by. A store indexes every
 * stored patient by these; a demographic match asks for patients sharing
 * any of them, so it never scans the whole table.
 */
export function blockingKeysOf(patient: Patient): BlockingKeys {
  const ssn = digits(patient.ssn);
  const phone = digits(
    patient.phones?.home ?? patient.phones?.mobile ?? patient.phones?.work,
  ).slice(-10);
  // Soundex alone puts ~1% of a practice in one block for a name like Smith;
  // with the first initial a block stays small in a store of a million.
  const lastName = patient.lastName
    ? `${soundex(patient.lastName)}${(patient.firstName ?? "").trim().charAt(0).toUpperCase()}`
    : "";
  const senderId = (patient.senderPatientId ?? "").trim();
  return {
    ...(patient.dob && { dob: patient.dob }),
    ...(ssn.length >= 9 && !/^0+$/.test(ssn) && { ssn }),
    ...(phone.length === 10 && { phone }),
    ...(lastName && { lastNamePhonetic: lastName }),
    ...(senderId && { senderId }),
  };
}
