import type { OpenedView } from "./types.js";

/**
 * A read a store's view could not answer from what it holds: the view
 * throws `ViewMiss` out of the decision, the caller fetches the reads
 * (`OpenedView.fill`) and decides again (docs/decisions/0022-postgres-view.md).
 * Every catch-all between the view and `decideAndComplete` rethrows it.
 */
export type ViewRead =
  | { readonly kind: "patientById"; readonly id: string }
  | { readonly kind: "patientsByExternalId"; readonly name: string; readonly key: string }
  | { readonly kind: "patientCandidates"; readonly keys: readonly string[] }
  | { readonly kind: "policies"; readonly patientId: string }
  | { readonly kind: "appointmentById"; readonly id: string }
  | { readonly kind: "appointmentsByExternalId"; readonly name: string; readonly key: string }
  | { readonly kind: "unbilledClaims"; readonly patientId: string; readonly serviceDate: string };

export class ViewMiss extends Error {
  override readonly name = "ViewMiss";
  constructor(readonly reads: readonly ViewRead[]) {
    super(`the store view has not read ${reads.map((r) => r.kind).join(", ")} yet`);
  }
}

/** The key a read is cached under. */
export function readKey(read: ViewRead): string {
  return JSON.stringify(read);
}

/** Fills a decision may ask for before it is given up (each fetches the reads of one miss). */
export const MAX_FILLS = 200;

/**
 * Run `decide` on the opened view until it needs nothing the view lacks:
 * each ViewMiss is filled and the decision runs again. A view without
 * `fill` (an embedded store's, which never misses) runs it once.
 */
export async function decideFilling<T>(opened: OpenedView, decide: () => Promise<T>): Promise<T> {
  for (let fills = 0; ; fills++) {
    try {
      return await decide();
    } catch (e) {
      if (!(e instanceof ViewMiss) || opened.fill === undefined || fills >= MAX_FILLS) throw e;
      await opened.fill(e.reads);
    }
  }
}
