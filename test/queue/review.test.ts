import { afterEach, describe, expect, it, vi } from "vitest";
import { REVIEW_USAGE, reviewCommand } from "../../engine/cli/review-command.js";
import { reprocessMessages } from "../../engine/queue/reprocess.js";
import { decideReview, type ReviewChoice, type ReviewOptions } from "../../engine/queue/review.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { LocalStore as Store } from "../../engine/store/types.js";
import {
  ACME_PLAN,
  addMappingRow,
  adt,
  attemptSummary,
  cli,
  copyHarbor,
  HARBOR_PACK,
  harborStore,
  LATER,
  loadHarbor,
  receive,
  runCaptured,
  siu,
  sqliteQueue,
} from "./harbor-queue.js";

/**
 * Review decisions (issue 8; the spec: "The Interface Message Queue Manager
 * (IMQM) page in athenaNet provides a manual review process for messages
 * that may create duplicate patient records or substantially change the
 * demographics for an existing patient record"). A decision is an input to
 * processing, like the clock; the attempt records who decided what.
 */

const OPTIONS: ReviewOptions = { clock: () => LATER, actor: "amy", force: false };
const pack = loadHarbor();

/** Linh (MRN 12345) is patient 1001; an A04 with MRN 99999, same name and birth date, waits for review (q2). */
async function possibleDuplicate(): Promise<Store> {
  const store = await harborStore();
  await receive(pack, store, adt({ control: "A1" }));
  await receive(pack, store, adt({ control: "A2", mrn: "99999" }), 1);
  return store;
}

/** Patient 1001, then an A08 for the same MRN with another birth date (q2), held as a substantial change. */
async function substantialChange(): Promise<Store> {
  const store = await harborStore();
  await receive(pack, store, adt({ control: "A1" }));
  await receive(pack, store, adt({ control: "A2", type: "A08", dob: "19860312" }), 1);
  return store;
}

async function decide(store: Store, choice: ReviewChoice, options = OPTIONS) {
  const result = await decideReview(pack, store, "q-000002", choice, options);
  if (!result.ok) throw new Error(result.message);
  return result.attempts.map(attemptSummary);
}

const lastAttempt = async (store: Store, id = "q-000002") => {
  const a = (await store.attempts(id)).at(-1);
  return a && { kind: a.kind, now: a.now, actor: a.actor, note: a.note, state: a.state };
};

afterEach(async () => {
  vi.unstubAllEnvs();
});

describe("the messages held for review", () => {
  it("a possible duplicate and a substantial change wait in ERROR with REVIEW_REQUIRED and their candidates", async () => {
    const duplicate = (await (await possibleDuplicate()).message("q-000002"))?.outcome;
    expect([
      duplicate?.state,
      duplicate?.review.map((r) => [r.reason, r.candidates.map((c) => c.patientId)]),
    ]).toEqual(["ERROR", [["possibleDuplicate", ["1001"]]]]);
    const change = (await (await substantialChange()).message("q-000002"))?.outcome;
    expect([
      change?.state,
      change?.review.map((r) => [r.reason, Object.keys(r.candidates[0]?.changes ?? {})]),
    ]).toEqual(["ERROR", [["substantialChange", ["dob"]]]]);
  });
});

describe("--merge-with PATIENT", () => {
  it("takes the named candidate as the match and updates it; the attempt records who decided what, and when", async () => {
    const store = await possibleDuplicate();

    expect(await decide(store, { kind: "mergeWith", patientId: "1001" })).toEqual([
      "q-000002 ERROR -> PROCESSED -",
    ]);
    // The MRN patients are matched by is non-changing (Table 5): merged, 1001 keeps 12345.
    expect((await store.message("q-000002"))?.outcome?.actions.map((a) => a.type)).toEqual([
      "patient.update",
    ]);
    expect(store.patientById("1001")?.externalIds).toEqual({ orthochartMrn: "12345" });
    expect(store.patientById("1002")).toBeUndefined();
    expect(await lastAttempt(store)).toEqual({
      kind: "review",
      now: "2026-03-11T09:00:00.000Z",
      actor: "amy",
      note: "merge-with 1001",
      state: "PROCESSED",
    });
  });

  it("refuses a patient that is not one of the review's candidates; --force takes it", async () => {
    const store = await possibleDuplicate();
    await receive(
      pack,
      store,
      adt({ control: "A3", mrn: "555", name: "Okafor^Chidi", dob: "19700704" }),
      2,
    );
    expect(store.patientById("1002")?.lastName).toBe("Okafor");

    expect(
      await decideReview(
        pack,
        store,
        "q-000002",
        { kind: "mergeWith", patientId: "1002" },
        OPTIONS,
      ),
    ).toEqual({
      ok: false,
      message:
        "patient 1002 is not a candidate of q-000002's review (1001); --force merges with another patient",
    });
    expect(await store.attempts("q-000002")).toHaveLength(1);
    // 1002 was registered after this message arrived: merging into it is stale, applied as decided.
    expect(
      await decide(store, { kind: "mergeWith", patientId: "1002" }, { ...OPTIONS, force: true }),
    ).toEqual(["q-000002 ERROR -> PROCESSED STALE_REPROCESS"]);
    expect((await lastAttempt(store))?.note).toBe("merge-with 1002");
  });

  it("refuses a patient the store does not hold, even with --force", async () => {
    const store = await possibleDuplicate();

    expect(
      await decideReview(
        pack,
        store,
        "q-000002",
        { kind: "mergeWith", patientId: "4040" },
        { ...OPTIONS, force: true },
      ),
    ).toEqual({ ok: false, message: "no patient 4040 in the store" });
  });
});

describe("--create-new", () => {
  it("registers a new patient, and the patient's messages that waited on it follow", async () => {
    // The A04 waiting for review carries the patient's plan: an SIU create
    // needs a policy or self-pay (NO_INSURANCE otherwise), and this case is
    // about the appointment following the decision, not about insurance.
    const store = await harborStore();
    await receive(pack, store, adt({ control: "A1" }));
    await receive(
      pack,
      store,
      adt({ control: "A2", mrn: "99999", plan: ["HMP-100", "Harbor Mutual PPO", "100 Main St"] }),
      1,
    );
    expect((await store.message("q-000002"))?.outcome?.review.map((r) => r.reason)).toEqual([
      "possibleDuplicate",
    ]);
    await receive(pack, store, siu({ control: "S1", visit: "00331", mrn: "99999" }), 2);
    expect((await store.message("q-000003"))?.outcome?.errors.map((e) => e.code)).toEqual([
      "PATIENT_NOT_FOUND",
    ]);

    expect(await decide(store, { kind: "createNew" })).toEqual([
      "q-000002 ERROR -> PROCESSED -",
      "q-000003 ERROR -> PROCESSED - after q-000002",
    ]);
    expect(store.patientById("1002")?.externalIds).toEqual({ orthochartMrn: "99999" });
    expect(store.patientById("1001")?.externalIds).toEqual({ orthochartMrn: "12345" });
    expect(await lastAttempt(store)).toMatchObject({ kind: "review", note: "create-new" });
    expect(await lastAttempt(store, "q-000003")).toMatchObject({
      kind: "reprocess",
      actor: "amy",
      note: "after q-000002",
    });
  });
});

describe("--accept-update", () => {
  it("applies the substantial change to the matched patient", async () => {
    const store = await substantialChange();

    expect(await decide(store, { kind: "acceptUpdate" })).toEqual([
      "q-000002 ERROR -> PROCESSED -",
    ]);
    expect(store.patientById("1001")?.dob).toBe("1986-03-12");
    expect(await lastAttempt(store)).toMatchObject({
      kind: "review",
      actor: "amy",
      note: "accept-update",
    });
  });

  it("does not fit a possible duplicate", async () => {
    const store = await possibleDuplicate();

    expect(await decideReview(pack, store, "q-000002", { kind: "acceptUpdate" }, OPTIONS)).toEqual({
      ok: false,
      message:
        "--accept-update does not fit q-000002's review (possibleDuplicate): decide with --merge-with, --create-new, --reject",
    });
  });

  it("nor does --create-new fit a substantial change", async () => {
    const store = await substantialChange();

    expect(await decideReview(pack, store, "q-000002", { kind: "createNew" }, OPTIONS)).toEqual({
      ok: false,
      message:
        "--create-new does not fit q-000002's review (substantialChange): decide with --accept-update, --reject",
    });
  });
});

describe("--reject", () => {
  it("ends the message in DELETED without processing it, recording who rejected it and when", async () => {
    const store = await substantialChange();

    expect(await decide(store, { kind: "reject" })).toEqual(["q-000002 ERROR -> DELETED -"]);
    expect((await store.message("q-000002"))?.state).toBe("DELETED");
    expect(store.patientById("1001")?.dob).toBe("1985-03-12");
    expect(await lastAttempt(store)).toEqual({
      kind: "review",
      now: "2026-03-11T09:00:00.000Z",
      actor: "amy",
      note: "reject",
      state: "DELETED",
    });
  });
});

describe("a message that is not waiting for review", () => {
  it("is refused: unknown, in ERROR for another reason, or already decided", async () => {
    const store = await possibleDuplicate();
    await receive(
      pack,
      store,
      adt({
        control: "A3",
        mrn: "555",
        name: "Okafor^Chidi",
        dob: "19700704",
        plan: ["ACME-9", "Acme Health", "1 Acme Way"],
      }),
      2,
    );
    const refusal = async (id: string) =>
      decideReview(pack, store, id, { kind: "createNew" }, OPTIONS);

    expect(await refusal("q-000009")).toEqual({
      ok: false,
      message: "no message q-000009 in the store",
    });
    expect(await refusal("q-000003")).toEqual({
      ok: false,
      message:
        "q-000003 is not waiting for review (state ERROR, no REVIEW_REQUIRED): only a message in ERROR with REVIEW_REQUIRED takes a review decision",
    });
    await decide(store, { kind: "createNew" });
    expect(await refusal("q-000002")).toEqual({
      ok: false,
      message:
        "q-000002 is not waiting for review (state PROCESSED, no REVIEW_REQUIRED): only a message in ERROR with REVIEW_REQUIRED takes a review decision",
    });
  });
});

describe("rulepack review (the command)", () => {
  /** The possible duplicate (q2) in a SQLite queue. */
  async function duplicateInSqlite(): Promise<string> {
    const { db, store } = await sqliteQueue();
    await receive(pack, store, adt({ control: "A1" }));
    await receive(pack, store, adt({ control: "A2", mrn: "99999" }), 1);
    await store.close();
    return db;
  }

  const review = (args: readonly string[]) => runCaptured(reviewCommand, args);

  const common = (db: string) => ["--pack", HARBOR_PACK, "--db", db, "--actor", "amy"];

  it("prints the attempt line and the count; exit 0", async () => {
    const db = await duplicateInSqlite();

    expect(
      await review([
        "q-000002",
        "--merge-with",
        "1001",
        ...common(db),
        "--now",
        "2026-03-11T09:00:00Z",
      ]),
    ).toEqual({
      exitCode: 0,
      stdout: "q-000002 A2 ADT^A04 ERROR -> PROCESSED codes=-\n1 attempt: 1 PROCESSED\n",
      stderr: "",
    });
  });

  it("exit 1 with the reason for a decision that does not fit, and for a message not waiting for review", async () => {
    const db = await duplicateInSqlite();

    expect(await review(["q-000002", "--accept-update", ...common(db)])).toEqual({
      exitCode: 1,
      stdout: "",
      stderr:
        "rulepack: --accept-update does not fit q-000002's review (possibleDuplicate): decide with --merge-with, --create-new, --reject\n",
    });
    expect(await review(["q-000001", "--create-new", ...common(db)])).toEqual({
      exitCode: 1,
      stdout: "",
      stderr:
        "rulepack: q-000001 is not waiting for review (state PROCESSED, no REVIEW_REQUIRED): only a message in ERROR with REVIEW_REQUIRED takes a review decision\n",
    });
  });

  it("exit 2 with the usage: one message, one decision, --pack and --actor required", async () => {
    vi.stubEnv("USER", "");
    vi.stubEnv("RULEPACK_ACTOR", "");
    for (const [args, message] of [
      [["--reject", "--pack", "p", "--actor", "amy"], "give exactly one message ID"],
      [["q-1", "q-2", "--reject", "--pack", "p", "--actor", "amy"], "give exactly one message ID"],
      [["q-1", "--reject", "--actor", "amy"], "--pack is required"],
      [
        ["q-1", "--reject", "--pack", "p"],
        "--actor is required (or set RULEPACK_ACTOR or USER): a review records who decided",
      ],
      [
        ["q-1", "--pack", "p", "--actor", "amy"],
        "give one decision: --merge-with PATIENT, --create-new, --accept-update or --reject",
      ],
      [
        ["q-1", "--reject", "--create-new", "--pack", "p", "--actor", "amy"],
        "give one decision: --merge-with PATIENT, --create-new, --accept-update or --reject",
      ],
    ] as const) {
      expect(await review(args)).toEqual({
        exitCode: 2,
        stdout: "",
        stderr: `rulepack: ${message}\nusage: ${REVIEW_USAGE}\n`,
      });
    }
  });

  it("through the real CLI: --reject leaves the message DELETED with the reviewer recorded", async () => {
    const db = await duplicateInSqlite();

    const r = await cli([
      "review",
      "q-000002",
      "--reject",
      ...common(db),
      "--now",
      "2026-03-11T09:00:00Z",
    ]);

    expect([r.status, r.stdout, r.stderr]).toEqual([
      0,
      "q-000002 A2 ADT^A04 ERROR -> DELETED codes=-\n1 attempt: 1 DELETED\n",
      "",
    ]);
    const store = openSqliteStore(db);
    try {
      expect(
        (await store.attempts("q-000002")).map((a) => [a.kind, a.actor, a.note, a.state]),
      ).toEqual([
        ["receive", undefined, undefined, "ERROR"],
        ["review", "amy", "reject", "DELETED"],
      ]);
    } finally {
      await store.close();
    }
  });
});

describe("a decision stands until the message is processed", () => {
  it("accept-update, then ERROR for an unmapped plan; once mapped, reprocess applies the change without a second review", async () => {
    const copy = copyHarbor();
    const before = loadHarbor(copy.pack);
    const store = await harborStore();
    const plan = ACME_PLAN.split("+") as [string, string, string];
    await receive(before, store, adt({ control: "A1" }));
    const held = await receive(
      before,
      store,
      adt({ control: "A2", type: "A08", dob: "19860312", plan }),
      1,
    );
    expect(held.errors.map((e) => e.code)).toContain("REVIEW_REQUIRED");

    const reviewed = await decideReview(
      before,
      store,
      "q-000002",
      { kind: "acceptUpdate" },
      OPTIONS,
    );
    expect(reviewed.ok).toBe(true);
    expect((await store.message("q-000002"))?.outcome?.errors.map((e) => e.code)).toEqual([
      "UNMAPPED_INSURANCE",
    ]);

    addMappingRow(copy, "insurancePlan", ACME_PLAN, "00312");
    const after = loadHarbor(copy.pack);
    const waiting = await store.message("q-000002");
    if (!waiting) throw new Error("q-000002 is gone");
    const again = await reprocessMessages(after, store, [waiting], {
      clock: () => LATER,
      force: false,
    });
    expect(again.map((a) => [a.to, a.outcome?.errors.map((e) => e.code)])).toEqual([
      ["PROCESSED", []],
    ]);
    expect(store.patientById("1001")?.dob).toBe("1986-03-12");
    expect((await store.attempts("q-000002")).map((a) => [a.kind, a.note])).toEqual([
      ["receive", undefined],
      ["review", "accept-update"],
      ["reprocess", undefined],
    ]);
  });
});
