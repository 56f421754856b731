import { asyncDelivery } from "./async-delivery.js";
import { recordingOpen } from "./embedded-basis.js";
import { settle } from "./settle.js";
import type { LocalStore, SyncStore } from "./types.js";

/**
 * An embedded store behind the asynchronous contract. Its operations run
 * at once and settle their promise with the result (or reject with the
 * error they threw); its view is itself, live, so a decision on it needs
 * no prepared reads.
 */
export function asyncStore(sync: SyncStore): LocalStore {
  return {
    patientById: (id) => sync.patientById(id),
    patientsByExternalId: (name, key) => sync.patientsByExternalId(name, key),
    patientCandidates: (block) => sync.patientCandidates(block),
    policiesOf: (patientId) => sync.policiesOf(patientId),
    appointmentById: (id) => sync.appointmentById(id),
    appointmentsByExternalId: (name, key) => sync.appointmentsByExternalId(name, key),
    unbilledClaims: (patientId, serviceDate) => sync.unbilledClaims(patientId, serviceDate),
    nextId: (kind) => sync.nextId(kind),
    insuranceHistory: (patientId) => sync.insuranceHistory(patientId),
    // Read live, as if a view were opened for each read (SQLite checks once per view).
    get masterData() {
      sync.viewVersion();
      return sync.masterData;
    },
    openView: settle((options) =>
      options?.lazy ? recordingOpen(sync) : { view: sync, version: sync.viewVersion() },
    ),
    receive: settle((message, options) => sync.receive(message, options)),
    receiveMany: settle((receipts) => sync.receiveMany(receipts)),
    complete: settle((outcome, completion, basedOn) => sync.complete(outcome, completion, basedOn)),
    record: settle((message, outcomeFor, completion) =>
      sync.record(message, outcomeFor, completion),
    ),
    setState: settle((messageId, state, completion) => sync.setState(messageId, state, completion)),
    attempts: settle((messageId) => sync.attempts(messageId)),
    findDuplicate: settle((key, since) => sync.findDuplicate(key, since)),
    prune: settle((cutoffs) => sync.prune(cutoffs)),
    queueSummary: settle(() => sync.queueSummary()),
    queueOutbound: settle((packId, build) => sync.queueOutbound(packId, build)),
    outboundEvent: settle((messageId) => sync.outboundEvent(messageId)),
    message: settle((messageId) => sync.message(messageId)),
    messages: settle((filter) => sync.messages(filter)),
    messagePage: settle((query) => sync.messagePage(query)),
    messageCounts: settle(() => sync.messageCounts()),
    claimById: settle((id) => sync.claimById(id)),
    appointmentsMissingSlips: settle(() => sync.appointmentsMissingSlips()),
    loadMasterData: settle((data) => sync.loadMasterData(data)),
    close: settle(() => sync.close()),
    beginAttempt: settle((messageId, at) => sync.beginAttempt(messageId, at)),
    reachStep: settle((messageId, step) => sync.reachStep(messageId, step)),
    patientPage: settle((after, limit) => sync.patientPage(after, limit)),
    appointmentPage: settle((after, limit) => sync.appointmentPage(after, limit)),
    ...asyncDelivery(sync),
    claimNext: settle((request) => sync.claimNext(request)),
    renewClaim: settle((messageId, worker, until) => sync.renewClaim(messageId, worker, until)),
    finishedAmong: settle((messageIds) => sync.finishedAmong(messageIds)),
  };
}
