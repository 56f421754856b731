/**
 * The SIU pipeline: `receiveBytes` (parse, store as NEW, the appointment
 * handler under Harbor Orthopedics' pack, complete in the store) against a
 * hand-written, synchronous pipeline doing the same for the same pack
 * (bench/baselines/hand-written-siu.ts), in the same run.
 *
 * Workload, one pass: a fresh memory store with Harbor's master data and 20
 * patients (MRN and a primary policy), then 100 SIU messages, five per
 * visit as a schedule sends them: S12 new (a future visit: f), S14 Arrived
 * (check-in), S13 reschedule (Harbor cancels and creates), S14 Complete
 * (check-out of the new appointment), S15 cancel. Both pipelines process
 * the same bytes. Before timing, one pass of each is compared message by
 * message (state and actions) and the agreement is printed.
 */
import { isDeepStrictEqual } from "node:util";
import type { MasterData } from "../../engine/model/master-data.js";
import { receiveBytes } from "../../engine/queue/intake.js";
import { createMemoryStore } from "../../engine/store/memory.js";
import type { LocalStore as Store } from "../../engine/store/types.js";
import { loadHarborSiu, receiveSiuBytes } from "../baselines/hand-written-siu.js";
import { HARBOR_PACK, loadHarbor } from "../harbor.js";
import { consume, type Goal, type Suite } from "../harness.js";
import { sqliteAgainstMemory } from "../sqlite-against-memory.js";

const PATIENTS = 20;
/** Issue 18's goal. */
const GOAL: Goal = {
  maxRatio: 1.5,
  minPerCpuSecond: 10_000,
  statement: "issue 18: <= 1.5x the hand-written pipeline, >= 10,000 SIU msg/cpu-s in memory",
};
const NOW = new Date("2026-03-10T15:00:00Z");

/** A segment from its fields by standard number. */
function field(name: string, fields: Readonly<Record<number, string>>): string {
  const last = Math.max(...Object.keys(fields).map(Number));
  return [name, ...Array.from({ length: last }, (_, i) => fields[i + 1] ?? "")].join("|");
}

function segments(...lines: string[]): Uint8Array {
  return new TextEncoder().encode(lines.join("\r"));
}

/** The five messages of visit `i`, as OrthoChart would send them (codes from Harbor's tables). */
function visitMessages(i: number): Uint8Array[] {
  const visit = `000${7000 + i}`; // OrthoChart pads; Harbor strips leading zeros to match
  const mrn = `0000${5000 + i}`;
  const day = String(11 + (i % 15)).padStart(2, "0");
  const msh = (trigger: string, n: number) =>
    `MSH|^~\\&|ORTHOCHART|HARBOR|PM|PRACTICE|20260310100000||SIU^${trigger}^SIU_S12|V${i}-${n}|P|2.5.1`;
  const pid = `PID|1||${mrn}^^^OC^MR||PATIENT${i}^TEST||19800101|F`;
  const pv1 = "PV1|1|O|055^^^HARBOR||||HHR^NGUYEN^SUSAN";
  const sch = (status: string, event = "") =>
    field("SCH", {
      1: visit,
      6: event,
      7: "OV15^Office visit 15",
      8: "Normal",
      9: "15",
      10: "min",
      11: `^^15^202603${day}0900`,
      25: status,
    });
  const tq1 = (hhmm: string) => field("TQ1", { 6: "15^min", 7: `202603${day}${hhmm}` });
  return [
    segments(msh("S12", 1), sch("Booked"), tq1("0900"), pid, pv1, "NTE|1||new knee pain"),
    segments(msh("S14", 2), sch("Arrived"), tq1("0900"), pid, pv1),
    segments(msh("S13", 3), sch("Booked"), tq1("1400"), pid, pv1, "NTE|1||moved to the afternoon"),
    segments(msh("S14", 4), sch("Complete"), tq1("1400"), pid, pv1),
    segments(msh("S15", 5), sch("Cancelled", "PT"), tq1("1400"), pid, pv1),
  ];
}

async function freshStore(masterData: MasterData): Promise<Store> {
  const store = createMemoryStore();
  await seed(store, masterData);
  return store;
}

/** Harbor's master data and the workload's patients. */
async function seed(store: Store, masterData: MasterData): Promise<void> {
  await store.loadMasterData(masterData);
  const messageId = await store.receive({
    raw: new Uint8Array(),
    receivedAt: NOW.toISOString(),
    sender: "bench:seed",
    controlId: "SEED",
    messageType: "SEED",
    direction: "inbound",
  });
  await store.complete(
    {
      messageId,
      controlId: "SEED",
      messageType: "SEED",
      state: "PROCESSED",
      actions: Array.from({ length: PATIENTS }, (_, i) => [
        {
          type: "patient.create" as const,
          patient: {
            id: String(1001 + i),
            lastName: `PATIENT${i}`,
            firstName: "TEST",
            externalIds: { orthochartMrn: String(5000 + i) },
          },
        },
        {
          type: "insurance.add" as const,
          patientId: String(1001 + i),
          policy: { sequence: 1, packageId: "4471", policyNumber: `HM-${i}` },
        },
      ]).flat(),
      errors: [],
      review: [],
      trace: [],
    },
    { kind: "receive", now: NOW.toISOString() },
  );
}

export async function siuPipelineSuites(): Promise<Suite[]> {
  const practice = loadHarbor("siu pipeline");
  if (!practice) return [];
  const { pack, masterData } = practice;
  const harbor = loadHarborSiu(process.cwd(), masterData);
  const workload = Array.from({ length: PATIENTS }, (_, i) => visitMessages(i)).flat();
  const options = { now: NOW, sender: "bench" };

  // One pass of each, compared message by message.
  const engineStore = await freshStore(masterData);
  const baselineStore = await freshStore(masterData);
  let agree = 0;
  let processed = 0;
  const disagreements: string[] = [];
  for (const [n, bytes] of workload.entries()) {
    const [engine] = await receiveBytes(pack, engineStore, bytes, options);
    const [hand] = await receiveSiuBytes(harbor, baselineStore, bytes, options);
    if (engine?.state === "PROCESSED") processed++;
    const same =
      engine?.state === hand?.state &&
      isDeepStrictEqual(engine?.actions, hand?.actions) &&
      isDeepStrictEqual(
        engine?.errors.map((e) => e.code),
        hand?.errors.map((e) => e.code),
      );
    if (same) agree++;
    else if (disagreements.length < 3) {
      disagreements.push(
        `  message ${n + 1}: engine ${engine?.state} ${JSON.stringify(engine?.errors.map((e) => e.code))}, hand-written ${hand?.state} ${JSON.stringify(hand?.errors.map((e) => e.code))}`,
      );
    }
  }
  process.stdout.write(
    `siu pipeline: ${agree}/${workload.length} outcomes agree between the engine and the hand-written pipeline (${processed} PROCESSED)\n${disagreements.map((d) => `${d}\n`).join("")}`,
  );

  // A pass runs on the store its side's prepare() made just before (rounds never interleave).
  let store: Store = engineStore;
  return [
    {
      name: `SIU pipeline (${HARBOR_PACK}, ${workload.length} SIUs per pass on a fresh memory store)`,
      unit: "msg",
      unitsPerPass: workload.length,
      goal: GOAL,
      baseline: {
        name: "hand-written SIU pipeline (synchronous, configuration in code)",
        // The store is made (and seeded) before each pass, outside the timed region.
        async prepare() {
          store = await freshStore(masterData);
        },
        async run() {
          for (const bytes of workload) {
            consume((await receiveSiuBytes(harbor, store, bytes, options)).length);
          }
          return workload.length;
        },
      },
      subject: {
        name: "receiveBytes (appointment handler)",
        // The store is made (and seeded) before each pass, outside the timed region.
        async prepare() {
          store = await freshStore(masterData);
        },
        async run() {
          for (const bytes of workload) {
            consume((await receiveBytes(pack, store, bytes, options)).length);
          }
          return workload.length;
        },
      },
    },
    await sqliteAgainstMemory({
      name: `SIU pipeline (${HARBOR_PACK})`,
      messages: workload.length,
      seed: (s) => seed(s, masterData),
      async run(s) {
        let n = 0;
        for (const bytes of workload) n += (await receiveBytes(pack, s, bytes, options)).length;
        return n;
      },
    }),
  ];
}
