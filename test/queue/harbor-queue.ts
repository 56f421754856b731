import { appendFileSync, cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatPackError } from "../../engine/documents/errors.js";
import type { CliIo, CommandResult } from "../../engine/io/cli-io.js";
import type { Outcome } from "../../engine/model/outcome.js";
import type { CompiledPack } from "../../engine/pack/compiled.js";
import { loadPack } from "../../engine/pack/load.js";
import { loadMasterData } from "../../engine/pack/master-data-load.js";
import { receiveBytes } from "../../engine/queue/intake.js";
import type { ReprocessAttempt } from "../../engine/queue/reprocess.js";
import { createMemoryStore } from "../../engine/store/memory.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { LocalStore, Store } from "../../engine/store/types.js";
import { type CliRun, rulepack } from "../support/cli.js";
import { captureIo } from "../testing/helpers.js";

/**
 * The queue tests' world: the real Harbor Orthopedics pack and master data,
 * small OrthoChart messages (ADT, SIU, DFT for one MRN) and a queue filled
 * through the intake, as the listener and `rulepack run` fill it.
 */

export const HARBOR_PACK = "rules/practices/harbor-ortho/pack.yaml";
export const HARBOR_MASTER_DATA = "rules/practices/harbor-ortho/master-data.yaml";

/** The clock of the receipts; reprocessing and reviews run LATER. */
export const RECEIVED = new Date("2026-03-10T15:00:00Z");
export const LATER = new Date("2026-03-11T09:00:00Z");

/** `ID old -> new CODES[ after ID]`: what the commands print of an attempt, for comparing. */
export function attemptSummary(a: ReprocessAttempt): string {
  const codes = a.outcome?.errors.map((e) => e.code).join(",") || "-";
  return `${a.messageId} ${a.from} -> ${a.to} ${codes}${a.after ? ` after ${a.after}` : ""}`;
}

export function loadHarbor(path = HARBOR_PACK): CompiledPack {
  const load = loadPack(path);
  if (!load.ok) throw new Error(load.errors.map(formatPackError).join("\n"));
  return load.pack;
}

export async function harborStore(store: LocalStore = createMemoryStore()): Promise<LocalStore> {
  const master = loadMasterData(HARBOR_MASTER_DATA);
  if (!master.ok) throw new Error(master.errors.map(formatPackError).join("\n"));
  await store.loadMasterData(master.data);
  return store;
}

/** A copy of the Harbor pack with its base and mapping tables, whose files a test may change. */
export interface HarborCopy {
  readonly dir: string;
  readonly pack: string;
}

export function copyHarbor(): HarborCopy {
  const dir = mkdtempSync(join(tmpdir(), "rulepack-queue-"));
  for (const path of [
    "rules/base.yaml",
    "rules/practices/harbor-ortho/pack.yaml",
    HARBOR_MASTER_DATA,
    "mappings/standard",
    "mappings/harbor-ortho",
    "schemas", // the modelines point here
  ]) {
    cpSync(path, join(dir, path), { recursive: true });
  }
  return { dir, pack: join(dir, HARBOR_PACK) };
}

/** Add a row to one of the copy's Harbor mapping tables, as a person fixing the queue does. */
export function addMappingRow(
  copy: HarborCopy,
  table: string,
  foreign: string,
  practice: string,
): void {
  appendFileSync(
    join(copy.dir, "mappings/harbor-ortho", `${table}.yaml`),
    `  - foreign: ${JSON.stringify(foreign)}\n    practice: ${JSON.stringify(practice)}\n`,
  );
}

/** Receive one message `minutes` after RECEIVED (receipt order = call order). */
export async function receive(
  pack: CompiledPack,
  store: Store,
  text: string,
  minutes = 0,
): Promise<Outcome> {
  const now = new Date(RECEIVED.getTime() + minutes * 60_000);
  const [outcome] = await receiveBytes(pack, store, new TextEncoder().encode(text), {
    now,
    sender: "test",
  });
  if (!outcome) throw new Error("the intake returned no outcome");
  return outcome;
}

const hl7 = (...segments: string[]): string => `${segments.join("\r")}\r`;

const msh = (type: string, control: string): string =>
  `MSH|^~\\&|ORTHOCHART|HARBOR|PS|PS|20260310120000||${type}|${control}|P|2.5.1`;

/** An unmapped OrthoChart plan (no row in mappings/harbor-ortho/insurancePlan.yaml). */
export const ACME_PLAN = "ACME-9+Acme Health+1 Acme Way";

export interface PatientParts {
  readonly control: string;
  readonly mrn?: string;
  readonly name?: string;
  readonly dob?: string;
  readonly address?: string;
  /** IN1.2^IN1.4^IN1.5 as `ID|NAME|ADDRESS` fields; none: no IN1. */
  readonly plan?: readonly [string, string, string];
  readonly type?: string;
}

/** An ADT (A04 by default) for Linh Nguyen, MRN 12345, with the plan given. */
export function adt(p: PatientParts): string {
  const [id, name, address] = p.plan ?? [];
  return hl7(
    msh(`ADT^${p.type ?? "A04"}`, p.control),
    `EVN||20260310120000`,
    `PID|1||${p.mrn ?? "12345"}^^^OC^MR||${p.name ?? "Nguyen^Linh"}||${p.dob ?? "19850312"}||||${p.address ?? ""}`,
    `ZPI||||F`,
    ...(p.plan
      ? [
          `IN1|1|${id}||${name}|${address}|||||||||||${p.name ?? "Nguyen^Linh"}|SEL|${p.dob ?? "19850312"}||||||||||||||||||POL-1`,
        ]
      : []),
  );
}

export interface AppointmentParts {
  readonly control: string;
  /** OrthoChart's visit ID, SCH.1. */
  readonly visit: string;
  readonly trigger?: string;
  readonly mrn?: string;
  /** SCH.7, an OrthoChart appointment type (POSTOP is mapped). */
  readonly type?: string;
}

/** An SIU (S12 by default) booking OrthoChart visit `visit` for the MRN. */
export function siu({
  control,
  visit,
  trigger = "S12",
  mrn = "12345",
  type = "POSTOP",
}: AppointmentParts): string {
  return hl7(
    msh(`SIU^${trigger}^SIU_S12`, control),
    `SCH|${visit}||||||${type}`,
    `TQ1||||||15^min|202603110900`,
    `PID|1||${mrn}^^^OC^MR||Nguyen^Linh||19850312`,
    `PV1|1|O|HUH AE OMU||||HHR^Hughes^Harold`,
  );
}

/** A DFT^P03 for the visit (PV1.19) with one charge line of `procedure`. */
export function dft(control: string, visit: string, procedure = "29881", mrn = "12345"): string {
  return hl7(
    msh("DFT^P03", control),
    `PID|1||${mrn}^^^OC^MR||Nguyen^Linh||19850312`,
    `PV1|1|O|PREOP|||||||||||||||||${visit}`,
    `FT1|1|||20260309||CG||||1|||PREOP|||PREOP|||M17.11|97^Jones^Mary|1^Adams^Douglas||||${procedure}`,
  );
}

/** Run a command in-process; what it printed and its exit code. */
export async function runCaptured(
  command: (args: readonly string[], io: CliIo) => Promise<CommandResult>,
  args: readonly string[],
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const io = captureIo();
  const { exitCode } = await command(args, io);
  return { exitCode, stdout: io.out(), stderr: io.err() };
}

/** A fresh SQLite queue file under a temp dir, with Harbor's master data. */
export async function sqliteQueue(): Promise<{ db: string; store: LocalStore }> {
  const db = join(mkdtempSync(join(tmpdir(), "rulepack-queue-db-")), "rulepack.sqlite");
  return { db, store: await harborStore(openSqliteStore(db)) };
}

/** The real CLI (`rulepack ARGS`: its main, in this process): exit status, stdout, stderr. */
export function cli(args: readonly string[]): Promise<CliRun> {
  return rulepack(args);
}
