import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import type { MasterData } from "../model/master-data.js";
import type { Outcome } from "../model/outcome.js";
import { type OutboundResult, sendEvent } from "../outbound/send.js";
import type { CompiledPack } from "../pack/compiled.js";
import { receiveBytes } from "../queue/intake.js";
import { createMemoryStore } from "../store/memory.js";
import { openSqliteStore } from "../store/sqlite.js";
import type { MessageFilter, RecordIdKind, Store } from "../store/types.js";
import type { ReplayInput } from "./inputs.js";

/**
 * Every store call of `rulepack diff`, in one module: reading the queue's
 * messages, making each run's starting store, and replaying the inputs
 * into it. Each call is awaited, so the module reads the same when the
 * store's methods return promises.
 *
 * The live store is only read: the queue through `messages` and
 * `attempts`, a snapshot by SQLite's `VACUUM INTO` from a read-only
 * connection into a temporary file that each run opens as its own copy.
 */

/** One message's outcome in one run, with the input it came from. */
export interface ReplayedMessage {
  readonly source: string;
  readonly outcome: Outcome;
  /** An outbound leg's built message (segments ended by CR), when one was built. */
  readonly text?: string;
}

export interface Run {
  /**
   * The ID the starting store would have given the first record of each
   * kind: IDs from there on were assigned during the run (renamed for
   * comparison), IDs below are the snapshot's own records.
   */
  readonly firstIds: Readonly<Record<RecordIdKind, string>>;
  readonly messages: readonly ReplayedMessage[];
}

/** A pack as a run takes it: compiled, with the master data beside it. */
export interface RunPack {
  readonly pack: CompiledPack;
  readonly masterData?: MasterData;
}

/** Where each run starts: an empty in-memory store, or a fresh copy of a snapshot. */
export interface StartingStore {
  open(): Promise<Store>;
  /** Remove what was made for the runs (the snapshot's copies). */
  dispose(): void;
}

export function emptyStart(): StartingStore {
  return { open: async () => createMemoryStore(), dispose: () => {} };
}

/**
 * A snapshot store (a SQLite file), copied once per run with `VACUUM INTO`
 * from a read-only connection: the snapshot is never written.
 */
export function snapshotStart(file: string): StartingStore {
  const dir = mkdtempSync(join(tmpdir(), "rulepack-diff-"));
  let copies = 0;
  return {
    async open() {
      const copy = join(dir, `run-${++copies}.sqlite`);
      const source = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
      try {
        source.prepare("VACUUM INTO ?").run(copy);
      } finally {
        source.close();
      }
      return openSqliteStore(copy);
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The queue's inbound messages in receipt order, each with the `now` of
 * its first attempt (the receipt's; its receipt time when it has none).
 * Transport duplicates (`duplicateOf`) are left out: they were never
 * processed, only answered with their original's ACK.
 */
export async function queueInputs(
  file: string,
  filter: Pick<MessageFilter, "since" | "type">,
): Promise<ReplayInput[]> {
  // Read from a copy: opening a SQLite store migrates it, which must not write the live file.
  const copy = snapshotStart(file);
  const store = await copy.open();
  try {
    const messages = await store.messages({ ...filter, direction: "inbound" });
    const inputs: ReplayInput[] = [];
    for (const m of [...messages].sort((a, b) => a.sequence - b.sequence)) {
      if (m.duplicateOf !== undefined) continue;
      const attempts = await store.attempts(m.messageId);
      inputs.push({
        source: m.messageId,
        bytes: m.raw,
        now: new Date(attempts[0]?.now ?? m.receivedAt),
        receivedAt: m.receivedAt,
        sender: m.sender,
      });
    }
    return inputs;
  } finally {
    await store.close();
    copy.dispose();
  }
}

/** The inputs through one pack, from a fresh starting store; nothing else is touched. */
export async function replay(
  pack: RunPack,
  start: StartingStore,
  inputs: readonly ReplayInput[],
): Promise<Run> {
  const store = await start.open();
  try {
    if (pack.masterData) await store.loadMasterData(pack.masterData);
    const { view } = await store.openView();
    const firstIds = {
      patient: view.nextId("patient"),
      appointment: view.nextId("appointment"),
      claim: view.nextId("claim"),
    };
    const messages: ReplayedMessage[] = [];
    for (const input of inputs) {
      if (input.event) {
        const legs = await sendEvent(pack.pack, store, input.event, { now: input.now });
        for (const leg of legs) messages.push(outboundLeg(input.source, leg));
        continue;
      }
      const outcomes = await receiveBytes(pack.pack, store, input.bytes, {
        now: input.now,
        receivedAt: input.receivedAt,
        sender: input.sender,
      });
      for (const outcome of outcomes) messages.push({ source: input.source, outcome });
    }
    return { firstIds, messages };
  } finally {
    await store.close();
  }
}

/** An outbound leg as the comparison takes it: its state and errors, its built text beside. */
function outboundLeg(source: string, leg: OutboundResult): ReplayedMessage {
  return {
    source,
    outcome: {
      messageId: leg.messageId,
      controlId: leg.controlId ?? "",
      messageType: leg.messageType ?? leg.event,
      state: leg.state,
      actions: [],
      errors: leg.errors,
      review: [],
      trace: [],
    },
    ...(leg.text !== undefined && { text: leg.text }),
  };
}
