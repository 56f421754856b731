/**
 * The library API, for services that embed the interpreter (package.json
 * `exports`). The CLI is built on the same calls; `examples/` holds a typed
 * program that uses them (compiled and run by the tests):
 *
 *   const practice = loadPractice("rules/practices/harbor-ortho/pack.yaml");
 *   if (!practice.ok) throw new Error(formatPackErrors(practice.errors));
 *   const store = createMemoryStore();          // or openSqliteStore("queue.sqlite")
 *   if (practice.masterData) await store.loadMasterData(practice.masterData);
 *   const outcomes = await receiveBytes(practice.pack, store, bytes, { now, sender });
 *   const results = await sendEvent(practice.pack, store, event, { now });
 *
 * Everything returns values with codes; nothing here throws for bad input.
 * Every export carries its TSDoc (test/library/tsdoc.test.ts): where the
 * definition has none, it is written here, where an embedder reads it.
 */

import {
  formatPackError as formatPackErrorOf,
  type PackError as PackErrorOf,
} from "./documents/errors.js";
import * as access from "./hl7/access.js";
import type { AckInput as AckInputOf } from "./hl7/ack.js";
import { charsetFor as charsetForOf } from "./hl7/charset.js";
import { STANDARD_DELIMITERS as STANDARD_DELIMITERS_OF } from "./hl7/delimiters.js";
import { encodeFrame as encodeFrameOf, MllpDecoder as MllpDecoderOf } from "./hl7/mllp.js";
import {
  serializeField as serializeFieldOf,
  serializeSegment as serializeSegmentOf,
} from "./hl7/serialize.js";
import type * as tree from "./hl7/tree.js";
import {
  type ProcessOptions as ProcessOptionsOf,
  processMessage as processMessageOf,
} from "./inbound/process.js";
import type { TypedAction as TypedActionOf } from "./model/actions.js";
import type { MasterData as MasterDataOf } from "./model/master-data.js";
import type * as outcome from "./model/outcome.js";
import type * as records from "./model/records.js";
import type {
  EventKind as EventKindOf,
  PracticeEvent as PracticeEventOf,
} from "./outbound/events.js";
import type { SendOptions as SendOptionsOf } from "./outbound/send.js";
import type { CompiledPack as CompiledPackOf } from "./pack/compiled.js";
import { loadPack as loadPackOf, type PackLoad as PackLoadOf } from "./pack/load.js";
import { type LocatedPracticeLoad, loadLocatedPractice } from "./pack/practice-load.js";
import { receiveBytes as receiveBytesOf } from "./queue/intake.js";
import {
  processStored as processStoredOf,
  type StoredOutcome as StoredOutcomeOf,
} from "./queue/process-stored.js";
import type { ReprocessOptions as ReprocessOptionsOf } from "./queue/reprocess.js";
import { pruneCutoffs as pruneCutoffsOf } from "./queue/retention.js";
import { decideReview as decideReviewOf } from "./queue/review.js";
import {
  type MllpServer as MllpServerOf,
  startMllpServer as startMllpServerOf,
} from "./server/mllp-server.js";
import { createMemoryStore as createMemoryStoreOf } from "./store/memory.js";
import { openSqliteStore as openSqliteStoreOf } from "./store/sqlite.js";
import type { Attempt as AttemptOf, StoredMessage as StoredMessageOf } from "./store/types.js";

// --- Documented where they are defined ---------------------------------------------------

export { formatPackError } from "./documents/errors.js";
export { controlId, type Hl7Value, leafValue, messageTypeName, versionId } from "./hl7/access.js";
export { type AckCode, buildAck } from "./hl7/ack.js";
export { delimitersFrom, encodingCharacters } from "./hl7/delimiters.js";
export { escapeText, unescapeText } from "./hl7/escape.js";
export { parseHl7 } from "./hl7/parse.js";
export { serializeDocument, serializeMessage } from "./hl7/serialize.js";
export type {
  Hl7Component,
  Hl7Delimiters,
  Hl7Document,
  Hl7EnvelopeSegment,
  Hl7Field,
  Hl7Leaf,
  Hl7Repetition,
  ParseIssue,
} from "./hl7/tree.js";
export type { QueueState, ReviewDecision } from "./model/outcome.js";
export { loadEvent } from "./outbound/events.js";
export { type OutboundResult, sendEvent } from "./outbound/send.js";
export type { LoadPackOptions } from "./pack/load.js";
export { loadMasterData } from "./pack/master-data-load.js";
export type { IntakeOptions } from "./queue/intake.js";
export { reprocessMessages, selectBlockedOn, selectByIds } from "./queue/reprocess.js";
export { pruneQueue } from "./queue/retention.js";
export type { ReviewChoice } from "./queue/review.js";
export type { MllpServerOptions } from "./server/mllp-server.js";
export type { SqliteStoreOptions } from "./store/sqlite.js";
export type { MessageFilter, Store, StoreView } from "./store/types.js";

// --- A practice, as the CLI opens it ---------------------------------------------------

/**
 * A practice as `rulepack run` and `serve` open it: the pack with its
 * `extends` chain and mapping tables, and the `master-data.yaml` beside it
 * (load it into the store with `store.loadMasterData`). An abstract pack
 * (`rules/base.yaml`) is refused. Every problem of the pack and of the
 * master data comes back at once, located; `formatPackErrors` prints them.
 */
export function loadPractice(packFile: string): PracticeLoad {
  return loadLocatedPractice(packFile);
}

/** What `loadPractice` answers: the practice, or every located problem (`abstract` for a base pack). */
export type PracticeLoad = LocatedPracticeLoad;

/** Problems one per line as `FILE:LINE:COL: CODE message`, the way `rulepack validate` prints them. */
export function formatPackErrors(errors: readonly PackError[]): string {
  return errors.map(formatPackErrorOf).join("\n");
}

// --- Documented here (their definitions carry no TSDoc) -------------------------------------

/** A problem found loading a pack, master data or mapping table: a code at `FILE:LINE:COL`. */
export type PackError = PackErrorOf;

/** What `buildAck` needs: the received MSH's delimiters, applications, facilities and trigger, the ACK's control ID and time. */
export type AckInput = AckInputOf;

/** Wrap a message in an MLLP frame (VT, the bytes, FS, CR). */
export const encodeFrame: typeof encodeFrameOf = encodeFrameOf;

/** Split a TCP stream into MLLP frames (push bytes, get whole frames, oversize and junk reported). */
export const MllpDecoder: typeof MllpDecoderOf = MllpDecoderOf;
/** Split a TCP stream into MLLP frames (push bytes, get whole frames, oversize and junk reported). */
export type MllpDecoder = MllpDecoderOf;

/** How `processMessage` runs: keep the trace, a person's review decision, a stale reprocess. */
export type ProcessOptions = ProcessOptionsOf;

/**
 * Decide one parsed message against a pack and a store view, without
 * storing it: the outcome (state, actions, errors, trace). Services that
 * store and acknowledge use `receiveBytes`.
 */
export const processMessage: typeof processMessageOf = processMessageOf;

/** An action with its payload typed by its `type` (`patient.create`, `insurance.add`, ...). */
export type TypedAction = TypedActionOf;

/** The practice's providers, departments, insurance packages, appointment types and procedures. */
export type MasterData = MasterDataOf;

/** One thing the engine did or would do for a message (`patient.create` with its record). */
export type Action = outcome.Action;
/** An error or info code of an outcome (`UNMAPPED_INSURANCE`, `REQUIRED_FIELD_MISSING`, ...). */
export type ErrorCode = outcome.ErrorCode;
/** How one message ended: its queue state, actions, errors, review items and trace. */
export type Outcome = outcome.Outcome;
/** One error of an outcome: code, severity, the HL7 field (`PID.19`) and the value it was about. */
export type OutcomeError = outcome.OutcomeError;
/** A decision left to a person (`REVIEW_REQUIRED`): the candidates and what may be chosen. */
export type ReviewItem = outcome.ReviewItem;
/** One step of `--explain`: the rule that fired, the source that supplied a value, a score. */
export type TraceEntry = outcome.TraceEntry;

/** A patient record as the engine keeps it. */
export type Patient = records.Patient;
/** A patient's insurance policy. */
export type Policy = records.Policy;
/** An appointment record. */
export type Appointment = records.Appointment;
/** A claim built from charge messages. */
export type Claim = records.Claim;

/** The practice events outbound messages are built from (`patientAdd`, `appointmentSchedule`, ...). */
export type EventKind = EventKindOf;
/** A practice event (schemas/practice-event.schema.json), as `loadEvent` reads it. */
export type PracticeEvent = PracticeEventOf;
/** How `sendEvent` runs: the time (MSH-7), and whether to keep each leg's trace. */
export type SendOptions = SendOptionsOf;

/** A loaded, checked pack: what every processing call takes. */
export type CompiledPack = CompiledPackOf;

/**
 * Load one pack file with its `extends` chain and mapping tables, checked
 * and compiled; problems come back located. It reads neither the master
 * data beside the pack nor refuses an abstract base: a practice is opened
 * with `loadPractice`.
 */
export const loadPack: typeof loadPackOf = loadPackOf;
/** What `loadPack` answers: the compiled pack, or located errors. */
export type PackLoad = PackLoadOf;

/** Store, process and complete one received frame (one message, many, or a batch): one outcome per message. */
export const receiveBytes: typeof receiveBytesOf = receiveBytesOf;

/** Process a message already in the store (left NEW, or waiting) and complete it. */
export const processStored: typeof processStoredOf = processStoredOf;
/** What `processStored` answers: the outcome, or why the message could not be processed. */
export type StoredOutcome = StoredOutcomeOf;

/** How `reprocessMessages` runs: the clock, the actor, `force`, the note kept with each attempt. */
export type ReprocessOptions = ReprocessOptionsOf;

/** The receipt time before which each prunable state's messages may go (`queue.retentionDays`). */
export const pruneCutoffs: typeof pruneCutoffsOf = pruneCutoffsOf;

/** Decide a message held for review (merge, create new, accept update, reject) and process it again. */
export const decideReview: typeof decideReviewOf = decideReviewOf;

/** A running MLLP listener: its port and host, the pack in use, what it holds, `reload` and `close`. */
export type MllpServer = MllpServerOf;
/** Listen for MLLP frames and store, process and acknowledge each (what `rulepack serve` runs). */
export const startMllpServer: typeof startMllpServerOf = startMllpServerOf;

/** A store kept in memory (tests, short-lived services). */
export const createMemoryStore: typeof createMemoryStoreOf = createMemoryStoreOf;
/** The embedded SQLite store in `file`, created and migrated at open. */
export const openSqliteStore: typeof openSqliteStoreOf = openSqliteStoreOf;

/** One processing attempt of a stored message: its number, when, the state it ended in and its outcome. */
export type Attempt = AttemptOf;
/** A message as the store keeps it: its bytes, header, state, outcome and attempts. */
export type StoredMessage = StoredMessageOf;

/** How to decode the character set a message declares in MSH-18 (UTF-8 when empty; `known` false for one not supported). */
export const charsetFor: typeof charsetForOf = charsetForOf;
/** The standard delimiters `|^~\&`. */
export const STANDARD_DELIMITERS: typeof STANDARD_DELIMITERS_OF = STANDARD_DELIMITERS_OF;
/** One field serialized back to HL7 text with the message's delimiters. */
export const serializeField: typeof serializeFieldOf = serializeFieldOf;
/** One segment serialized back to HL7 text with the message's delimiters. */
export const serializeSegment: typeof serializeSegmentOf = serializeSegmentOf;

/** The segments of a message with this name, in order. */
export const segmentsNamed: typeof access.segmentsNamed = access.segmentsNamed;
/** Field `n` of a segment (HL7 numbering), if present. */
export const fieldOf: typeof access.fieldOf = access.fieldOf;
/** A message's MSH-9: code, trigger and structure. */
export const messageType: typeof access.messageType = access.messageType;
/** A message's MSH-9: code, trigger and structure. */
export type MessageType = access.MessageType;

/** One segment of a parsed message: its name and fields. */
export type Hl7Segment = tree.Hl7Segment;
/** One parsed message: its segments and delimiters. */
export type Hl7Message = tree.Hl7Message;
/** Whether a parse issue stops the message (`error`) or not (`warning`). */
export type ParseSeverity = tree.ParseSeverity;
/** The code of a parse issue. */
export type ParseIssueCode = tree.ParseIssueCode;
