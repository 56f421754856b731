import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPROCESS_USAGE, reprocessCommand } from "../../engine/cli/reprocess-command.js";
import type { CompiledPack } from "../../engine/pack/compiled.js";
import { loadMasterData } from "../../engine/pack/master-data-load.js";
import {
  type ReprocessAttempt,
  type ReprocessOptions,
  reprocessMessages,
  type Selection,
  selectBlockedOn,
  selectByIds,
} from "../../engine/queue/reprocess.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { LocalStore as Store } from "../../engine/store/types.js";
import {
  ACME_PLAN,
  addMappingRow,
  adt,
  attemptSummary,
  cli,
  copyHarbor,
  dft,
  HARBOR_MASTER_DATA,
  harborStore,
  LATER,
  loadHarbor,
  receive,
  runCaptured,
  siu,
  sqliteQueue,
} from "./harbor-queue.js";

/**
 * Reprocessing (issue 8, the spec's Insurance Mapping: "map the foreign ID
 * ... only once", then the message goes through): messages waiting in the
 * queue are processed again against the current store and pack, in receipt
 * order, each followed by the patient's later messages that failed only
 * because of it.
 */

const ACME: [string, string, string] = ["ACME-9", "Acme Health", "1 Acme Way"];
const HARBOR_PPO: [string, string, string] = ["HMP-100", "Harbor Mutual PPO", "100 Main St"];
const OPTIONS: ReprocessOptions = { clock: () => LATER, actor: "amy", force: false };

/** Each attempt with its message type, as `rulepack reprocess` prints it. */
const lines = (attempts: readonly ReprocessAttempt[]): string[] =>
  attempts.map((a) => attemptSummary(a).replace(" ", ` ${a.messageType} `));

function selected(selection: Selection) {
  if (!selection.ok) throw new Error(selection.message);
  return selection.messages;
}

const states = async (store: Store) =>
  (await store.messages()).map((m) => `${m.messageId} ${m.state}`);

/** Harbor with the Acme plan mapped to Blue Cross Choice (00312), as the billing office decides. */
function harborMappingAcme(): CompiledPack {
  const copy = copyHarbor();
  addMappingRow(copy, "insurancePlan", ACME_PLAN, "00312");
  return loadHarbor(copy.pack);
}

describe("rulepack reprocess ID...", () => {
  it("a charge held for a procedure the practice did not list is PROCESSED once master data lists it; the attempt keeps its kind, clock and actor", async () => {
    const pack = loadHarbor();
    const store = await harborStore();
    await receive(pack, store, adt({ control: "A1", plan: HARBOR_PPO }));
    await receive(pack, store, dft("D1", "00331", "71045"), 1);
    expect(await states(store)).toEqual(["q-000001 PROCESSED", "q-000002 CBOERROR"]);
    const master = loadMasterData(HARBOR_MASTER_DATA);
    if (!master.ok) throw new Error("master data");
    await store.loadMasterData({
      ...master.data,
      procedures: [...master.data.procedures, { code: "71045" }],
    });

    const attempts = await reprocessMessages(
      pack,
      store,
      selected(await selectByIds(store, ["q-000002"])),
      OPTIONS,
    );

    expect(lines(attempts)).toEqual(["q-000002 DFT^P03 CBOERROR -> PROCESSED -"]);
    expect(
      (await store.attempts("q-000002")).map((a) => [
        a.number,
        a.kind,
        a.now,
        a.actor,
        a.note,
        a.state,
      ]),
    ).toEqual([
      [1, "receive", "2026-03-10T15:01:00.000Z", undefined, undefined, "CBOERROR"],
      [2, "reprocess", "2026-03-11T09:00:00.000Z", "amy", undefined, "PROCESSED"],
    ]);
    expect((await store.message("q-000002"))?.outcome?.actions.map((a) => a.type)).toEqual([
      "claim.create",
    ]);
  });

  it("each attempt reads the clock when it starts, and is kept with that now", async () => {
    const pack = loadHarbor();
    const store = await harborStore();
    await receive(pack, store, dft("D1", "00331"));
    await receive(pack, store, dft("D2", "00332"), 1);
    let tick = 0;
    const clock = () => new Date(LATER.getTime() + 60_000 * tick++);

    await reprocessMessages(
      pack,
      store,
      selected(await selectByIds(store, ["q-000001", "q-000002"])),
      {
        ...OPTIONS,
        clock,
      },
    );

    expect((await store.attempts("q-000001")).at(-1)?.now).toBe("2026-03-11T09:00:00.000Z");
    expect((await store.attempts("q-000002")).at(-1)?.now).toBe("2026-03-11T09:01:00.000Z");
  });

  it("takes the IDs in receipt order, each once", async () => {
    const pack = loadHarbor();
    const store = await harborStore();
    await receive(pack, store, dft("D1", "00331"));
    await receive(pack, store, dft("D2", "00332"), 1);

    const messages = selected(await selectByIds(store, ["q-000002", "q-000001", "q-000002"]));

    expect(messages.map((m) => m.messageId)).toEqual(["q-000001", "q-000002"]);
  });

  it("refuses an unknown ID and a message that is not waiting (PROCESSED), before anything is attempted", async () => {
    const pack = loadHarbor();
    const store = await harborStore();
    await receive(pack, store, adt({ control: "A1", plan: HARBOR_PPO }));
    await receive(pack, store, dft("D1", "00331", "71045"), 1);

    expect(await selectByIds(store, ["q-000002", "q-000009"])).toEqual({
      ok: false,
      message: "no message q-000009 in the store",
    });
    expect(await selectByIds(store, ["q-000002", "q-000001"])).toEqual({
      ok: false,
      message:
        "q-000001 is PROCESSED: only inbound messages waiting in ERROR, CBOERROR, ATHENAERROR are reprocessed",
    });
    expect(await store.attempts("q-000002")).toHaveLength(1);
  });
});

describe("rulepack reprocess --blocked-on CODE[:VALUE]", () => {
  async function threeUnmappedPlans(pack: CompiledPack, store: Store): Promise<void> {
    await receive(pack, store, adt({ control: "A1", plan: ACME }));
    await receive(
      pack,
      store,
      adt({ control: "A2", plan: ["ZED-1", "Zed Care", "9 Zed Rd"], mrn: "777" }),
      1,
    );
    await receive(
      pack,
      store,
      adt({ control: "A3", plan: ACME, mrn: "888", name: "Okafor^Chidi", dob: "19700704" }),
      2,
    );
  }

  it("selects every waiting message with an error of that code and value, in receipt order", async () => {
    const pack = loadHarbor();
    const store = await harborStore();
    await threeUnmappedPlans(pack, store);

    const ids = (selection: Selection) => selected(selection).map((m) => m.messageId);
    expect(ids(await selectBlockedOn(store, "UNMAPPED_INSURANCE", ACME_PLAN))).toEqual([
      "q-000001",
      "q-000003",
    ]);
    expect(ids(await selectBlockedOn(store, "UNMAPPED_INSURANCE"))).toEqual([
      "q-000001",
      "q-000002",
      "q-000003",
    ]);
    expect(await selectBlockedOn(store, "UNMAPPED_INSURANCE", "NOPE+Nope+")).toEqual({
      ok: false,
      message: "no message in ERROR, CBOERROR, ATHENAERROR waits on UNMAPPED_INSURANCE:NOPE+Nope+",
    });
  });

  it("once the plan is mapped, the messages waiting on it are PROCESSED with the note; the other plan's message waits", async () => {
    const store = await harborStore();
    await threeUnmappedPlans(loadHarbor(), store);
    const pack = harborMappingAcme();

    const attempts = await reprocessMessages(
      pack,
      store,
      selected(await selectBlockedOn(store, "UNMAPPED_INSURANCE", ACME_PLAN)),
      { ...OPTIONS, note: `blocked-on UNMAPPED_INSURANCE:${ACME_PLAN}` },
    );

    expect(lines(attempts)).toEqual([
      "q-000001 ADT^A04 ERROR -> PROCESSED -",
      "q-000003 ADT^A04 ERROR -> PROCESSED -",
    ]);
    expect(await states(store)).toEqual([
      "q-000001 PROCESSED",
      "q-000002 ERROR",
      "q-000003 PROCESSED",
    ]);
    expect((await store.attempts("q-000003")).at(-1)?.note).toBe(
      "blocked-on UNMAPPED_INSURANCE:ACME-9+Acme Health+1 Acme Way",
    );
    expect(store.policiesOf("1001").map((p) => p.packageId)).toEqual(["00312"]);
  });
});

describe("dependents: the patient's later messages that failed only because of it", () => {
  /**
   * Behind an A04 waiting on its plan (q1): the visit's S12 (q2) and DFT
   * (q4) did not find the patient, an S14 (q3) did not find the S12's
   * appointment, another patient's S12 (q5) waits on its own patient, and
   * an S12 of an unmapped type (q6) found no patient either.
   */
  async function behindTheA04(store: Store): Promise<void> {
    const pack = loadHarbor();
    await receive(pack, store, adt({ control: "A1", plan: ACME }));
    await receive(pack, store, siu({ control: "S1", visit: "00331" }), 1);
    await receive(pack, store, siu({ control: "S2", visit: "00331", trigger: "S14" }), 2);
    await receive(pack, store, dft("D1", "00331"), 3);
    await receive(pack, store, siu({ control: "S3", visit: "00444", mrn: "4444" }), 4);
    await receive(pack, store, siu({ control: "S4", visit: "00332", type: "NEWTYPE" }), 5);
  }

  it("follow it in receipt order, their own dependents too; one that now fails for another reason stays ERROR; another patient's is untouched", async () => {
    const store = await harborStore();
    await behindTheA04(store);
    expect(
      (await store.messages()).map((m) => `${m.messageId} ${m.outcome?.errors.map((e) => e.code)}`),
    ).toEqual([
      "q-000001 UNMAPPED_INSURANCE",
      "q-000002 PATIENT_NOT_FOUND",
      "q-000003 APPOINTMENT_NOT_FOUND",
      "q-000004 PATIENT_NOT_FOUND",
      "q-000005 PATIENT_NOT_FOUND",
      "q-000006 PATIENT_NOT_FOUND",
    ]);

    const attempts = await reprocessMessages(
      harborMappingAcme(),
      store,
      selected(await selectBlockedOn(store, "UNMAPPED_INSURANCE", ACME_PLAN)),
      OPTIONS,
    );

    expect(lines(attempts)).toEqual([
      "q-000001 ADT^A04 ERROR -> PROCESSED -",
      "q-000002 SIU^S12 ERROR -> PROCESSED - after q-000001",
      "q-000003 SIU^S14 ERROR -> PROCESSED - after q-000002",
      "q-000004 DFT^P03 ERROR -> PROCESSED - after q-000001",
      "q-000006 SIU^S12 ERROR -> ERROR UNMAPPED_CODE after q-000001",
    ]);
    expect(await states(store)).toEqual([
      "q-000001 PROCESSED",
      "q-000002 PROCESSED",
      "q-000003 PROCESSED",
      "q-000004 PROCESSED",
      "q-000005 ERROR",
      "q-000006 ERROR",
    ]);
    expect((await store.attempts("q-000003")).at(-1)).toMatchObject({
      kind: "reprocess",
      actor: "amy",
      note: "after q-000002",
    });
    expect(store.appointmentById("1001")).toMatchObject({ patientId: "1001" });
    expect(store.unbilledClaims("1001", "2026-03-09").map((c) => c.id)).toEqual(["1001"]);
  });

  it("a blocker that still fails lets none of them through", async () => {
    const store = await harborStore();
    await behindTheA04(store);

    const attempts = await reprocessMessages(
      loadHarbor(),
      store,
      selected(await selectByIds(store, ["q-000001"])),
      OPTIONS,
    );

    expect(lines(attempts)).toEqual(["q-000001 ADT^A04 ERROR -> ERROR UNMAPPED_INSURANCE"]);
    expect(await store.messages({ state: "ERROR" })).toHaveLength(6);
  });
});

describe("STALE_REPROCESS: a message older than what the store applied to its patient", () => {
  /**
   * Linh registered with Harbor Mutual at 1 Old Rd (q1); an A08 moving her
   * to 2 Middle St with an Acme plan waits on the plan (q2); a later A08
   * moves her to 3 New Ave (q3) and is applied.
   */
  async function newerAddressApplied(store: Store): Promise<void> {
    const pack = loadHarbor();
    await receive(
      pack,
      store,
      adt({ control: "A1", plan: HARBOR_PPO, address: "1 Old Rd^^Salem^MA^01970" }),
    );
    await receive(
      pack,
      store,
      adt({
        control: "A2",
        type: "A08",
        name: "Nguyen^Linh^T",
        plan: ACME,
        address: "2 Middle St^^Salem^MA^01970",
      }),
      1,
    );
    await receive(
      pack,
      store,
      adt({ control: "A3", type: "A08", address: "3 New Ave^^Salem^MA^01970" }),
      2,
    );
  }

  it("without --force: warns, keeps the values the store holds (address, the primary policy) and fills only gaps (middle name)", async () => {
    const store = await harborStore();
    await newerAddressApplied(store);
    expect(await states(store)).toEqual([
      "q-000001 PROCESSED",
      "q-000002 ERROR",
      "q-000003 PROCESSED",
    ]);

    const attempts = await reprocessMessages(
      harborMappingAcme(),
      store,
      selected(await selectByIds(store, ["q-000002"])),
      OPTIONS,
    );

    expect(lines(attempts)).toEqual(["q-000002 ADT^A08 ERROR -> PROCESSED STALE_REPROCESS"]);
    expect(attempts[0]?.outcome?.errors).toEqual([
      {
        code: "STALE_REPROCESS",
        severity: "warning",
        message:
          "this message was received before q-000003, already applied to patient 1001: values the store holds for the patient were kept; only gaps were filled (--force applies it whole)",
      },
    ]);
    expect(attempts[0]?.outcome?.actions).toEqual([
      { type: "patient.update", patientId: "1001", patient: { middleName: "T" } },
    ]);
    const patient = store.patientById("1001");
    expect([patient?.middleName, patient?.address?.line1]).toEqual(["T", "3 New Ave"]);
    expect(store.policiesOf("1001").map((p) => p.packageId)).toEqual(["4471"]);
  });

  it("with --force: warns and applies the actions as decided, over the newer values", async () => {
    const store = await harborStore();
    await newerAddressApplied(store);

    const attempts = await reprocessMessages(
      harborMappingAcme(),
      store,
      selected(await selectByIds(store, ["q-000002"])),
      { ...OPTIONS, force: true },
    );

    expect(lines(attempts)).toEqual(["q-000002 ADT^A08 ERROR -> PROCESSED STALE_REPROCESS"]);
    expect(attempts[0]?.outcome?.errors[0]?.message).toBe(
      "this message was received before q-000003, already applied to patient 1001: its actions applied as decided (--force), over newer values",
    );
    const patient = store.patientById("1001");
    expect([patient?.middleName, patient?.address?.line1]).toEqual(["T", "2 Middle St"]);
    expect(store.policiesOf("1001").map((p) => p.packageId)).toEqual(["00312"]);
  });

  it("a message newer than everything applied to its patient is not stale", async () => {
    const store = await harborStore();
    const pack = loadHarbor();
    await receive(pack, store, adt({ control: "A1", plan: HARBOR_PPO }));
    await receive(pack, store, adt({ control: "A2", type: "A08", plan: ACME }), 1);

    const attempts = await reprocessMessages(
      harborMappingAcme(),
      store,
      selected(await selectByIds(store, ["q-000002"])),
      OPTIONS,
    );

    expect(lines(attempts)).toEqual(["q-000002 ADT^A08 ERROR -> PROCESSED -"]);
  });
});

describe("rulepack reprocess (the command)", () => {
  /** Two charges held for procedure 71045 (CBOERROR) behind a registered patient, in a SQLite queue. */
  async function heldCharges(): Promise<string> {
    const { db, store } = await sqliteQueue();
    const pack = loadHarbor();
    await receive(pack, store, adt({ control: "A1", plan: HARBOR_PPO }));
    await receive(pack, store, dft("D1", "00331", "71045"), 1);
    await receive(pack, store, dft("D2", "00332", "71045"), 2);
    await store.close();
    return db;
  }

  const reprocess = (args: readonly string[]) => runCaptured(reprocessCommand, args);

  const common = (db: string) => ["--pack", "rules/practices/harbor-ortho/pack.yaml", "--db", db];

  it("prints one line per attempt (ID, control ID, type, old -> new state, codes) and the count; exit 0", async () => {
    const db = await heldCharges();

    const r = await reprocess([
      "q-000003",
      "q-000002",
      ...common(db),
      "--now",
      "2026-03-11T09:00:00Z",
      "--actor",
      "amy",
    ]);

    expect(r).toEqual({
      exitCode: 0,
      stdout:
        "q-000002 D1 DFT^P03 CBOERROR -> CBOERROR codes=UNKNOWN_PROCEDURE\n" +
        "q-000003 D2 DFT^P03 CBOERROR -> CBOERROR codes=UNKNOWN_PROCEDURE\n" +
        "2 attempts: 2 CBOERROR\n",
      stderr: "",
    });
    const store = openSqliteStore(db);
    expect((await store.attempts("q-000003")).map((a) => [a.kind, a.now, a.actor])).toEqual([
      ["receive", "2026-03-10T15:02:00.000Z", undefined],
      ["reprocess", "2026-03-11T09:00:00.000Z", "amy"],
    ]);
    await store.close();
  });

  it("--format json: one attempt with its outcome per line, the count on stderr", async () => {
    const db = await heldCharges();

    const r = await reprocess([
      "--blocked-on",
      "UNKNOWN_PROCEDURE:71045",
      ...common(db),
      "--format",
      "json",
    ]);

    expect(r.exitCode).toBe(0);
    const attempts = r.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(attempts.map((a) => [a.messageId, a.from, a.to, a.outcome.errors[0].value])).toEqual([
      ["q-000002", "CBOERROR", "CBOERROR", "71045"],
      ["q-000003", "CBOERROR", "CBOERROR", "71045"],
    ]);
    expect(r.stderr).toBe("2 attempts: 2 CBOERROR\n");
  });

  it("exit 1 with the reason when nothing can be attempted: an unknown ID, a processed message, nothing blocked on the code, no store", async () => {
    const db = await heldCharges();

    expect(await reprocess(["q-000009", ...common(db)])).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: "rulepack: no message q-000009 in the store\n",
    });
    expect((await reprocess(["q-000001", ...common(db)])).stderr).toBe(
      "rulepack: q-000001 is PROCESSED: only inbound messages waiting in ERROR, CBOERROR, ATHENAERROR are reprocessed\n",
    );
    expect(await reprocess(["--blocked-on", "UNMAPPED_INSURANCE", ...common(db)])).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: `rulepack: no message waits on UNMAPPED_INSURANCE in ${db} (2 messages in CBOERROR, none with that code)\n`,
    });
    const missing = join(db, "..", "nowhere.sqlite");
    expect(await reprocess(["q-000002", ...common(missing)])).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: `rulepack: no store at ${missing} (rulepack run or serve --db FILE creates one)\n`,
    });
  });

  it("exit 2 with the usage for malformed arguments", async () => {
    for (const [args, message] of [
      [["q-000001"], "--pack is required"],
      [["--pack", "p.yaml"], "give message IDs or --blocked-on CODE[:VALUE], not both"],
      [
        ["q-000001", "--blocked-on", "PATIENT_NOT_FOUND", "--pack", "p.yaml"],
        "give message IDs or --blocked-on CODE[:VALUE], not both",
      ],
      [
        ["--blocked-on", "unmapped:x", "--pack", "p.yaml"],
        "--blocked-on 'unmapped:x' is not CODE or CODE:VALUE",
      ],
      [
        ["q-000001", "--pack", "p.yaml", "--now", "yesterday"],
        "--now 'yesterday' is not an ISO-8601 date-time",
      ],
      [["q-000001", "--pack", "p.yaml", "--format", "xml"], "unknown --format 'xml'"],
    ] as const) {
      const r = await reprocess(args);
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toBe(`rulepack: ${message}\nusage: ${REPROCESS_USAGE}\n`);
    }
  });
});

describe("the spec's insurance-mapping workflow, end to end (rulepack run, a mapping row, rulepack reprocess --blocked-on)", () => {
  it("the A04 waits on its unmapped plan, the S12 and DFT behind it on the patient; once the row is added, all three go through in receipt order", async () => {
    const copy = copyHarbor();
    const db = join(copy.dir, "rulepack.sqlite");
    const files = [
      ["a04.hl7", adt({ control: "A1", plan: ACME })],
      ["s12.hl7", siu({ control: "S1", visit: "00331" })],
      ["dft.hl7", dft("D1", "00331")],
    ].map(([name, text]) => {
      const file = join(copy.dir, name ?? "");
      writeFileSync(file, text ?? "");
      return file;
    });

    const received = await cli([
      "run",
      "--pack",
      copy.pack,
      "--db",
      db,
      "--now",
      "2026-03-10T15:00:00Z",
      ...files,
    ]);
    expect(received.status).toBe(0);
    expect(
      received.stdout.split("\n").map((line) => line.split(" ").slice(0, 6).join(" ")),
    ).toEqual([
      "q-000001 A1 ADT^A04 ERROR actions=- errors=UNMAPPED_INSURANCE(IN1.2+IN1.4+IN1.5)",
      "q-000002 S1 SIU^S12 ERROR actions=- errors=PATIENT_NOT_FOUND",
      "q-000003 D1 DFT^P03 ERROR actions=- errors=PATIENT_NOT_FOUND",
      "3 ERROR",
      "",
    ]);

    // The billing office maps the plan once, in the practice's mapping file.
    addMappingRow(copy, "insurancePlan", ACME_PLAN, "00312");
    const reprocessed = await cli([
      "reprocess",
      "--blocked-on",
      `UNMAPPED_INSURANCE:${ACME_PLAN}`,
      "--pack",
      copy.pack,
      "--db",
      db,
      "--now",
      "2026-03-11T09:00:00Z",
      "--actor",
      "billing",
    ]);

    expect([reprocessed.status, reprocessed.stderr]).toEqual([0, ""]);
    expect(reprocessed.stdout).toBe(
      "q-000001 A1 ADT^A04 ERROR -> PROCESSED codes=-\n" +
        "q-000002 S1 SIU^S12 ERROR -> PROCESSED codes=- after=q-000001\n" +
        "q-000003 D1 DFT^P03 ERROR -> PROCESSED codes=- after=q-000001\n" +
        "3 attempts: 3 PROCESSED\n",
    );
    const store = openSqliteStore(db);
    try {
      expect(
        await Promise.all(
          ["q-000001", "q-000002", "q-000003"].map(async (id) =>
            (await store.attempts(id)).map((a) => [a.kind, a.now, a.actor, a.note, a.state]),
          ),
        ),
      ).toEqual([
        [
          ["receive", "2026-03-10T15:00:00.000Z", undefined, undefined, "ERROR"],
          [
            "reprocess",
            "2026-03-11T09:00:00.000Z",
            "billing",
            `blocked-on UNMAPPED_INSURANCE:${ACME_PLAN}`,
            "PROCESSED",
          ],
        ],
        [
          ["receive", "2026-03-10T15:00:00.000Z", undefined, undefined, "ERROR"],
          ["reprocess", "2026-03-11T09:00:00.000Z", "billing", "after q-000001", "PROCESSED"],
        ],
        [
          ["receive", "2026-03-10T15:00:00.000Z", undefined, undefined, "ERROR"],
          ["reprocess", "2026-03-11T09:00:00.000Z", "billing", "after q-000001", "PROCESSED"],
        ],
      ]);
      expect(store.policiesOf("1001").map((p) => [p.packageId, p.foreignKey])).toEqual([
        ["00312", ACME_PLAN],
      ]);
      expect(store.appointmentById("1001")?.patientId).toBe("1001");
      expect(store.unbilledClaims("1001", "2026-03-09")).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});
