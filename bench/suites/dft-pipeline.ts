/**
 * The DFT pipeline: `receiveBytes` (parse, store as NEW, the charge handler
 * under Harbor Orthopedics' pack, complete in the store) against a
 * hand-written, synchronous pipeline doing the same for the same pack
 * (bench/baselines/hand-written-dft.ts), in the same run.
 *
 * Workload, one pass: a fresh memory store with Harbor's master data and 20
 * patients (MRN, a primary policy) each with a checked-in appointment (an
 * OrthoChart visit ID), then 100 DFT^P03 messages, five per patient as an
 * EHR sends them: the visit's charge (matched by the padded visit ID in
 * PV1.19, all from the appointment, the appointment to 4), two x-rays (RT,
 * LT) grouped onto that claim, a corrected visit charge (combining:
 * charge.replace), a surgery without an appointment (a free-standing claim
 * from the DFT, mapped providers and department, a PY line skipped), and an
 * imaging charge Harbor does not bill (CBOERROR). Both pipelines process the
 * same bytes. Before timing, one pass of each is compared message by
 * message (state, actions and error codes) and the agreement is printed.
 */
import { isDeepStrictEqual } from "node:util";
import type { TypedAction } from "../../engine/model/actions.js";
import type { MasterData } from "../../engine/model/master-data.js";
import { receiveBytes } from "../../engine/queue/intake.js";
import { createMemoryStore } from "../../engine/store/memory.js";
import type { LocalStore as Store } from "../../engine/store/types.js";
import { loadHarborDft, receiveDftBytes } from "../baselines/hand-written-dft.js";
import { HARBOR_PACK, loadHarbor } from "../harbor.js";
import { consume, type Goal, type Suite } from "../harness.js";
import { sqliteAgainstMemory } from "../sqlite-against-memory.js";

const PATIENTS = 20;
/** Issue 18's goal. */
const GOAL: Goal = {
  maxRatio: 1.5,
  minPerCpuSecond: 10_000,
  statement: "issue 18: <= 1.5x the hand-written pipeline, >= 10,000 DFT msg/cpu-s in memory",
};
const NOW = new Date("2026-03-12T15:00:00Z");

/** A segment from its fields by standard number. */
function field(name: string, fields: Readonly<Record<number, string>>): string {
  const last = Math.max(...Object.keys(fields).map(Number));
  return [name, ...Array.from({ length: last }, (_, i) => fields[i + 1] ?? "")].join("|");
}

function segments(...lines: string[]): Uint8Array {
  return new TextEncoder().encode(lines.join("\r"));
}

/** The five DFTs of patient `i` (codes from Harbor's tables). */
function patientMessages(i: number): Uint8Array[] {
  const msh = (n: number) =>
    `MSH|^~\\&|ORTHOCHART|HARBOR|PM|PRACTICE|20260312100000||DFT^P03^DFT_P03|C${i}-${n}|P|2.5.1`;
  const evn = "EVN|P03|20260312100000";
  const pid = `PID|1||0000${5000 + i}^^^OC^MR||PATIENT${i}^TEST||19800101|F`;
  const pv1 = `PV1|1|O|055^^^HARBOR||||97^JONES^MARY|||||||||||||000${7000 + i}`;
  const ft1 = (n: number, fields: Readonly<Record<number, string>>) =>
    field("FT1", {
      1: String(n),
      4: "20260311",
      6: "CG",
      10: "1",
      13: "MED",
      19: "M17.11^^I10~M25.561^^I10",
      20: "97^JONES^MARY",
      21: "HHR^NGUYEN^SUSAN",
      25: "99213^Office visit^CPT",
      ...fields,
    });
  return [
    segments(msh(1), evn, pid, pv1, ft1(1, {})),
    segments(
      msh(2),
      evn,
      pid,
      pv1,
      ft1(1, { 25: "73630^X-ray foot^CPT", 26: "RT", 19: "S92.301A^^I10" }),
      ft1(2, { 25: "73630^X-ray foot^CPT", 26: "LT", 19: "S92.302A^^I10" }),
    ),
    segments(msh(3), evn, pid, pv1, ft1(1, { 10: "2" })),
    segments(
      msh(4),
      evn,
      pid,
      "PV1|1|O|SURG^^^HARBOR",
      ft1(1, {
        4: "20260312",
        25: "29881^Knee arthroscopy^CPT",
        21: "1^ADAMS^DOUGLAS",
        19: "M23.221^^I10~M17.11^^I10~M25.561^^I10~M25.461^^I10~Z96.651^^I10~E11.9^^I10",
      }),
      ft1(2, { 4: "20260312", 6: "PY", 25: "" }),
    ),
    segments(msh(5), evn, pid, "PV1|1|O|IMG^^^HARBOR", ft1(1, { 25: "71045^X-ray chest^CPT" })),
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
  const actions: TypedAction[] = Array.from({ length: PATIENTS }, (_, i): TypedAction[] => {
    const patientId = String(1001 + i);
    const policy = { sequence: 1, packageId: "4471", policyNumber: `HM-${i}` };
    return [
      {
        type: "patient.create",
        patient: {
          id: patientId,
          lastName: `PATIENT${i}`,
          firstName: "TEST",
          externalIds: { orthochartMrn: String(5000 + i) },
        },
      },
      { type: "insurance.add", patientId, policy },
      {
        type: "appointment.create",
        appointment: {
          id: String(2001 + i),
          patientId,
          externalIds: { orthochartVisit: String(7000 + i) },
          start: "2026-03-11T09:00:00-04:00",
          durationMinutes: 15,
          providerId: "104",
          departmentId: "2",
          type: "12",
          status: "2",
          primaryPolicy: policy,
        },
      },
    ];
  }).flat();
  await store.complete(
    {
      messageId,
      controlId: "SEED",
      messageType: "SEED",
      state: "PROCESSED",
      actions,
      errors: [],
      review: [],
      trace: [],
    },
    { kind: "receive", now: NOW.toISOString() },
  );
}

export async function dftPipelineSuites(): Promise<Suite[]> {
  const practice = loadHarbor("dft pipeline");
  if (!practice) return [];
  const { pack, masterData } = practice;
  const harbor = loadHarborDft(process.cwd(), masterData);
  const workload = Array.from({ length: PATIENTS }, (_, i) => patientMessages(i)).flat();
  const options = { now: NOW, sender: "bench" };

  // One pass of each, compared message by message.
  const engineStore = await freshStore(masterData);
  const baselineStore = await freshStore(masterData);
  let agree = 0;
  const states = new Map<string, number>();
  const disagreements: string[] = [];
  for (const [n, bytes] of workload.entries()) {
    const [engine] = await receiveBytes(pack, engineStore, bytes, options);
    const [hand] = await receiveDftBytes(harbor, baselineStore, bytes, options);
    states.set(engine?.state ?? "-", (states.get(engine?.state ?? "-") ?? 0) + 1);
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
        `  message ${n + 1}: engine ${engine?.state} ${JSON.stringify(engine?.errors.map((e) => e.code))} ${JSON.stringify(engine?.actions.map((a) => a.type))}, hand-written ${hand?.state} ${JSON.stringify(hand?.errors.map((e) => e.code))} ${JSON.stringify(hand?.actions.map((a) => a.type))}`,
      );
    }
  }
  process.stdout.write(
    `dft pipeline: ${agree}/${workload.length} outcomes agree between the engine and the hand-written pipeline (${[...states].map(([s, k]) => `${k} ${s}`).join(", ")})\n${disagreements.map((d) => `${d}\n`).join("")}`,
  );

  // A pass runs on the store its side's prepare() made just before (rounds never interleave).
  let store: Store = engineStore;
  return [
    {
      name: `DFT pipeline (${HARBOR_PACK}, ${workload.length} DFTs per pass on a fresh memory store)`,
      unit: "msg",
      unitsPerPass: workload.length,
      goal: GOAL,
      baseline: {
        name: "hand-written DFT pipeline (synchronous, configuration in code)",
        // The store is made (and seeded) before each pass, outside the timed region.
        async prepare() {
          store = await freshStore(masterData);
        },
        async run() {
          for (const bytes of workload) {
            consume((await receiveDftBytes(harbor, store, bytes, options)).length);
          }
          return workload.length;
        },
      },
      subject: {
        name: "receiveBytes (charge handler)",
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
      name: `DFT pipeline (${HARBOR_PACK})`,
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
