import type { QueueState } from "../model/outcome.js";

/**
 * Why a message in this state cannot be deleted (`queue delete`, the
 * browser's delete): one being processed, or one already gone.
 */
export const UNDELETABLE: Readonly<Partial<Record<QueueState, string>>> = {
  NEW: "is NEW (being processed or waiting to be)",
  DELETED: "is already DELETED",
};
