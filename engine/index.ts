/**
 * The library API, for services that embed the interpreter (package.json
 * `exports`). The CLI is built on the same calls:
 *
 *   const load = loadPack("rules/practices/harbor-ortho/pack.yaml");
 *   const store = openSqliteStore("queue.sqlite");   // or createMemoryStore()
 *   const outcomes = await receiveBytes(load.pack, store, bytes, { now, sender });
 *   const results = await sendEvent(load.pack, store, event, { now });
 *
 * Everything returns values with codes; nothing here throws for bad input.
 */

export { formatPackError, type PackError } from "./documents/errors.js";
export { type AckCode, type AckInput, buildAck } from "./hl7/ack.js";
export * from "./hl7/index.js";
export { encodeFrame, MllpDecoder } from "./hl7/mllp.js";
export { type ProcessOptions, processMessage } from "./inbound/process.js";
export type { TypedAction } from "./model/actions.js";
export type { MasterData } from "./model/master-data.js";
export type {
  Action,
  ErrorCode,
  Outcome,
  OutcomeError,
  QueueState,
  ReviewDecision,
  ReviewItem,
  TraceEntry,
} from "./model/outcome.js";
export type { Appointment, Claim, Patient, Policy } from "./model/records.js";
export { type EventKind, loadEvent, type PracticeEvent } from "./outbound/events.js";
export { type OutboundResult, type SendOptions, sendEvent } from "./outbound/send.js";
export type { CompiledPack } from "./pack/compiled.js";
export { type LoadPackOptions, loadPack, type PackLoad } from "./pack/load.js";
export { loadMasterData } from "./pack/master-data-load.js";
export { type IntakeOptions, receiveBytes } from "./queue/intake.js";
export { processStored, type StoredOutcome } from "./queue/process-stored.js";
export {
  type ReprocessOptions,
  reprocessMessages,
  selectBlockedOn,
  selectByIds,
} from "./queue/reprocess.js";
export { pruneCutoffs, pruneQueue } from "./queue/retention.js";
export { decideReview, type ReviewChoice } from "./queue/review.js";
export { type MllpServer, type MllpServerOptions, startMllpServer } from "./server/mllp-server.js";
export { createMemoryStore } from "./store/memory.js";
export { openSqliteStore, type SqliteStoreOptions } from "./store/sqlite.js";
export type {
  Attempt,
  MessageFilter,
  Store,
  StoredMessage,
  StoreView,
} from "./store/types.js";
