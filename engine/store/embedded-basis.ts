import { type RecordingBasis, recordingView, recordKeys } from "./read-keys.js";
import type { OpenedView, SyncStore } from "./types.js";

/**
 * An embedded store's view for a decision that is completed with its basis
 * (decision 0037): the store itself, live, recording each key read at the
 * stamp of the opening (key-stamps.ts).
 */
export function recordingOpen(sync: SyncStore): OpenedView {
  const stamp = sync.keyStamp();
  const basis: RecordingBasis = { reads: new Map() };
  return {
    view: recordingView(sync, (keys) => recordKeys(basis, keys, () => stamp)),
    version: sync.viewVersion(),
    basis,
  };
}
