import { readFileSync } from "node:fs";

const SURNAMES = ["ADAMS", "BAKER", "CLARK", "DAVIS", "EVANS", "FOSTER", "GARCIA", "HUGHES"];
const GIVEN = ["ALICE", "BRUNO", "CARLA", "DMITRI", "ELENA", "FELIX", "GRETA", "HUGO"];

/**
 * Patient `k`'s registration (A04) and a later edit (A08) for the same
 * patient, from the corpus's AccMgr A04 with every identifying field made
 * distinct, so that no two patients match each other. Harbor creates a
 * patient only from the A04: an A08 processed before it is EVENT_NOT_ENABLED.
 * The SSN and phone are scrambled (a bijection of `k`), not `k` itself:
 * patients 1 and 9 share a given name and a surname stem, and SSNs one digit
 * apart would rightly look like a typo of the same person to the matcher.
 */
export function patientMessages(k: number): { readonly a04: string; readonly a08: string } {
  const n = String(k).padStart(5, "0");
  const scrambled = (multiplier: number) => String((k * multiplier) % 100_000).padStart(5, "0");
  const a04 = readFileSync("../shared/corpus/hl7/ADT_A04__mirth__1.hl7", "latin1")
    .replace("|603266|", `|P${n}A04|`)
    .replace("800866^", `8${n}^`)
    .replace("999965423^", `7770${scrambled(7919)}^`)
    .replace(
      "TEST^PATIENT LB",
      `${SURNAMES[k % SURNAMES.length]}${String.fromCharCode(65 + (Math.floor(k / 8) % 26))}^${GIVEN[k % GIVEN.length]}`,
    )
    .replace("19570219", `19${50 + (k % 40)}0${1 + (k % 9)}1${k % 10}`)
    .replace("14 VOLLEY WAY", `${k} ELM ST`)
    .replace("9415248956", `94155${scrambled(30011)}`)
    .replace("|000453212|", `|1234${n}|`)
    .replace("6635095^", `66${n}^`);
  const a08 = a04
    .replace(`ADT^A04|P${n}A04|`, `ADT^A08|P${n}A08|`)
    .replace("EVN|A04", "EVN|A08")
    .replace(`${k} ELM ST`, `${k} OAK ST`);
  return { a04, a08 };
}
