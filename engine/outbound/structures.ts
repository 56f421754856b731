/** The outbound message types and structures, known at load (pack/outbound-messages.ts). */
export { OUTBOUND_STRUCTURES, structureOf } from "../pack/outbound-messages.js";
