import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { type ChangeContext, queueCommand } from "../../engine/cli/queue-command.js";
import { loadMasterData } from "../../engine/pack/master-data-load.js";
import { showText } from "../../engine/queue/format.js";
import { receiveBytes } from "../../engine/queue/intake.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { Attempt, StoredMessage } from "../../engine/store/types.js";
import { rulepack } from "../support/cli.js";
import { fixturePackLoader } from "../support/fixture-packs.js";
import { captureIo } from "../testing/helpers.js";

/**
 * `rulepack queue list|show|delete` (issue 8, "The queue"): a SQLite queue
 * in a temp dir holding four corpus messages received a day apart (read in
 * place), a NEW inbound message and a NEW outbound one.
 */

const CORPUS = "../shared/corpus/hl7";
const FILES = ["ADT_A04__mirth__1", "ADT_A04__msfhir__3", "ADT_A13__redox__1", "DFT_P03__redox__1"];
const AETNA = "31572+aetna (60054 0131)+PO Box 14080";
const pack = fixturePackLoader("rules/practices")("harbor-ortho");
const master = loadMasterData("rules/practices/harbor-ortho/master-data.yaml");
const root = mkdtempSync(join(tmpdir(), "rulepack-queue-commands-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let queues = 0;

const LINE = {
  1: "q-000001 2026-01-10T09:00:00.000Z PROCESSED ADT^A04 603266 errors=-",
  2: "q-000002 2026-01-11T09:00:00.000Z ERROR ADT^A04 1270326314 errors=UNMAPPED_INSURANCE(IN1.2+IN1.4+IN1.5),REQUIRED_FIELD_MISSING(IN1.17)",
  3: "q-000003 2026-01-12T09:00:00.000Z ERROR ADT^A13 17715 errors=MESSAGE_TYPE_NOT_SUPPORTED(MSH.9)",
  4: "q-000004 2026-01-13T09:00:00.000Z ERROR DFT^P03 152210 errors=PATIENT_NOT_FOUND",
  5: "q-000005 2026-01-14T09:00:00.000Z NEW ADT^A08 NEW1 errors=-",
  6: "q-000006 2026-01-14T10:00:00.000Z NEW SIU^S12 OUT1 errors=-",
} as const;

const listed = (...ids: (keyof typeof LINE)[]) =>
  `${ids.map((id) => LINE[id]).join("\n")}${ids.length > 0 ? "\n" : ""}${ids.length} message${ids.length === 1 ? "" : "s"}\n`;

async function freshQueue(): Promise<string> {
  if (!master.ok) throw new Error("harbor-ortho master data does not load");
  const db = join(root, `queue-${++queues}.sqlite`);
  const store = openSqliteStore(db);
  try {
    await store.loadMasterData(master.data);
    for (const [i, name] of FILES.entries()) {
      await receiveBytes(pack, store, readFileSync(`${CORPUS}/${name}.hl7`), {
        now: new Date(Date.UTC(2026, 0, 10 + i, 9)),
        sender: `file:${name}`,
        // As the listener and `rulepack run` store them: with the content hash.
        detectDuplicates: true,
      });
    }
    const bytes = (text: string) => new TextEncoder().encode(text);
    await store.receive({
      raw: bytes("MSH|^~\\&|EHR|CLINIC|||20260114090000||ADT^A08|NEW1|P|2.5.1\rEVN|A08\r"),
      receivedAt: "2026-01-14T09:00:00.000Z",
      sender: "mllp:127.0.0.1:50000",
      controlId: "NEW1",
      messageType: "ADT^A08",
      direction: "inbound",
    });
    await store.receive({
      raw: bytes("MSH|^~\\&|PM|PRACTICE|||20260114100000||SIU^S12|OUT1|P|2.5.1\r"),
      receivedAt: "2026-01-14T10:00:00.000Z",
      sender: "outbound:harbor-ortho",
      controlId: "OUT1",
      messageType: "SIU^S12",
      direction: "outbound",
    });
  } finally {
    await store.close();
  }
  return db;
}

const NOW = new Date("2026-02-01T12:00:00.000Z");
const NOBODY: ChangeContext = { env: {}, clock: () => NOW };

async function queue(args: string[], context: ChangeContext = NOBODY) {
  const io = captureIo();
  const { exitCode } = await queueCommand(args, io, context);
  return { exitCode, stdout: io.out(), stderr: io.err() };
}

async function attemptsOf(db: string, id: string): Promise<readonly Attempt[]> {
  const store = openSqliteStore(db);
  try {
    return await store.attempts(id);
  } finally {
    await store.close();
  }
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const usageOf = (message: string) => ({
  exitCode: 2,
  stdout: "",
  stderr: expect.stringMatching(
    new RegExp(`^rulepack: ${escaped(message)}\nusage: rulepack queue list`),
  ),
});

let db: string;
beforeEach(async () => {
  db = await freshQueue();
});

describe("rulepack queue list", () => {
  it("prints one line per message in receipt order (ID, received, state, type, control ID, error codes), then the count", async () => {
    expect(await queue(["list", "--db", db])).toEqual({
      exitCode: 0,
      stdout: listed(1, 2, 3, 4, 5, 6),
      stderr: "",
    });
  });

  it("exits 1 without creating a store that does not exist", async () => {
    const missing = join(root, "missing.sqlite");
    expect(await queue(["list", "--db", missing])).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: `rulepack: no store at ${missing} (rulepack run or serve --db FILE creates one)\n`,
    });
    expect(() => readFileSync(missing)).toThrow();
  });

  it("refuses an unknown verb or argument with exit 2", async () => {
    expect(await queue(["purge", "--db", db])).toMatchObject(
      usageOf("unknown queue command 'purge' (list, show or delete)"),
    );
    expect(await queue(["list", "q-000001", "--db", db])).toMatchObject(
      usageOf("unexpected argument 'q-000001'"),
    );
  });
});

describe("rulepack queue list --state", () => {
  it("lists the messages in that state", async () => {
    expect((await queue(["list", "--db", db, "--state", "ERROR"])).stdout).toBe(listed(2, 3, 4));
    expect((await queue(["list", "--db", db, "--state", "CBOERROR"])).stdout).toBe(listed());
  });

  it("refuses a state that is not a queue state", async () => {
    expect(await queue(["list", "--db", db, "--state", "error"])).toMatchObject(
      usageOf(
        "--state 'error' is not a queue state (SCHEDULED, NEW, DISTRIBUTED, PENDING, PROCESSED, ERROR, CBOERROR, ATHENAERROR, DELETED)",
      ),
    );
  });
});

describe("rulepack queue list --code", () => {
  it("lists the messages with an error of that code, and of that value after a colon", async () => {
    expect((await queue(["list", "--db", db, "--code", "UNMAPPED_INSURANCE"])).stdout).toBe(
      listed(2),
    );
    expect(
      (await queue(["list", "--db", db, "--code", `UNMAPPED_INSURANCE:${AETNA}`])).stdout,
    ).toBe(listed(2));
    expect(
      (await queue(["list", "--db", db, "--code", "UNMAPPED_INSURANCE:HMP-100+Harbor Mutual PPO+"]))
        .stdout,
    ).toBe(listed());
    expect((await queue(["list", "--db", db, "--code", "PATIENT_NOT_FOUND"])).stdout).toBe(
      listed(4),
    );
  });

  it("refuses what is not CODE or CODE:VALUE", async () => {
    expect(await queue(["list", "--db", db, "--code", "unmapped:x"])).toMatchObject(
      usageOf("--code 'unmapped:x' is not CODE or CODE:VALUE"),
    );
  });
});

describe("rulepack queue list --type", () => {
  it("matches a message code, or a code and trigger", async () => {
    expect((await queue(["list", "--db", db, "--type", "ADT"])).stdout).toBe(listed(1, 2, 3, 5));
    expect((await queue(["list", "--db", db, "--type", "ADT^A04"])).stdout).toBe(listed(1, 2));
  });
});

describe("rulepack queue list --since", () => {
  it("takes a date (from midnight UTC) or a date-time", async () => {
    expect((await queue(["list", "--db", db, "--since", "2026-01-12"])).stdout).toBe(
      listed(3, 4, 5, 6),
    );
    expect((await queue(["list", "--db", db, "--since", "2026-01-12T09:30:00Z"])).stdout).toBe(
      listed(4, 5, 6),
    );
    expect((await queue(["list", "--db", db, "--since", "2026-01-14T10:00:00+01:00"])).stdout).toBe(
      listed(5, 6),
    );
  });

  it("refuses anything else", async () => {
    for (const since of ["yesterday", "2026-13-45", "20260112", "2026-01-12T25:00:00Z"]) {
      expect(await queue(["list", "--db", db, "--since", since])).toMatchObject(
        usageOf(`--since '${since}' is not a date (YYYY-MM-DD) or ISO-8601 date-time`),
      );
    }
  });
});

describe("rulepack queue list --direction", () => {
  it("lists inbound or outbound messages", async () => {
    expect((await queue(["list", "--db", db, "--direction", "outbound"])).stdout).toBe(listed(6));
    expect(
      (await queue(["list", "--db", db, "--direction", "inbound", "--state", "NEW"])).stdout,
    ).toBe(listed(5));
  });

  it("refuses another direction", async () => {
    expect(await queue(["list", "--db", db, "--direction", "both"])).toMatchObject(
      usageOf("--direction 'both' is not inbound or outbound"),
    );
  });
});

describe("rulepack queue list --format json", () => {
  it("prints one message per line without its bytes, with its errors; the count on stderr", async () => {
    const r = await queue([
      "list",
      "--db",
      db,
      "--format",
      "json",
      "--state",
      "ERROR",
      "--type",
      "ADT",
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe("2 messages\n");
    const lines = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((m) => m.messageId)).toEqual(["q-000002", "q-000003"]);
    expect(lines[0]).toEqual({
      messageId: "q-000002",
      sequence: 2,
      receivedAt: "2026-01-11T09:00:00.000Z",
      sender: "file:ADT_A04__msfhir__3",
      controlId: "1270326314",
      messageType: "ADT^A04",
      direction: "inbound",
      state: "ERROR",
      stateAt: "2026-01-11T09:00:00.000Z",
      sendingApplication: "REDOX",
      sendingFacility: "RDX",
      contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      patientKey: "0000000001^^^MR",
      errors: [
        {
          code: "UNMAPPED_INSURANCE",
          severity: "error",
          message: `'${AETNA}' has no row in mapping table insurancePlan (IN1.2+IN1.4+IN1.5); add one and reprocess`,
          field: "IN1.2+IN1.4+IN1.5",
          table: "insurancePlan",
          value: AETNA,
        },
        // Found in the same pass: mapping the plan alone would not let it through.
        {
          code: "REQUIRED_FIELD_MISSING",
          severity: "error",
          message: "relationship to insured (IN1.17) is required to create an insurance policy",
          field: "IN1.17",
        },
      ],
      review: [],
    });
  });

  it("refuses another format", async () => {
    expect(await queue(["list", "--db", db, "--format", "xml"])).toMatchObject(
      usageOf("unknown --format 'xml'"),
    );
  });
});

describe("rulepack queue show", () => {
  const file = `${CORPUS}/ADT_A04__msfhir__3.hl7`;
  const segments = readFileSync(file, "utf8")
    .replace(/^\uFEFF/, "")
    .split("\r")
    .filter((s) => s !== "");

  it("prints the message, its errors with field, table and value, every attempt, and the raw message one segment a line", async () => {
    expect(await queue(["show", "q-000002", "--db", db])).toEqual({
      exitCode: 0,
      stderr: "",
      stdout: [
        "message q-000002",
        "  received     2026-01-11T09:00:00.000Z from file:ADT_A04__msfhir__3",
        "  direction    inbound",
        "  type         ADT^A04",
        "  control ID   1270326314",
        "  sender       REDOX RDX",
        "  state        ERROR since 2026-01-11T09:00:00.000Z",
        "errors (2)",
        `  error UNMAPPED_INSURANCE field=IN1.2+IN1.4+IN1.5 table=insurancePlan value="${AETNA}": '${AETNA}' has no row in mapping table insurancePlan (IN1.2+IN1.4+IN1.5); add one and reprocess`,
        "  error REQUIRED_FIELD_MISSING field=IN1.17: relationship to insured (IN1.17) is required to create an insurance policy",
        "attempts (1)",
        "  #1 receive at=2026-01-11T09:00:00.000Z now=2026-01-11T09:00:00.000Z actor=- ERROR errors=UNMAPPED_INSURANCE(IN1.2+IN1.4+IN1.5),REQUIRED_FIELD_MISSING(IN1.17)",
        "raw",
        ...segments.map((s) => `  ${s}`),
        "",
      ].join("\n"),
    });
    expect(segments[0]).toMatch(/^MSH\|/);
    expect(segments.map((s) => s.slice(0, 3))).toEqual([
      "MSH",
      "EVN",
      "PID",
      "PD1",
      "NK1",
      "PV1",
      "GT1",
      "IN1",
    ]);
  });

  it("says a NEW message has no outcome yet", async () => {
    expect((await queue(["show", "q-000005", "--db", db])).stdout).toBe(
      [
        "message q-000005",
        "  received     2026-01-14T09:00:00.000Z from mllp:127.0.0.1:50000",
        "  direction    inbound",
        "  type         ADT^A08",
        "  control ID   NEW1",
        "  state        NEW since 2026-01-14T09:00:00.000Z",
        "outcome: none yet",
        "attempts (0)",
        "raw",
        "  MSH|^~\\&|EHR|CLINIC|||20260114090000||ADT^A08|NEW1|P|2.5.1",
        "  EVN|A08",
        "",
      ].join("\n"),
    );
  });

  it("--raw prints the message alone, as received", async () => {
    expect(await queue(["show", "q-000002", "--db", db, "--raw"])).toEqual({
      exitCode: 0,
      stdout: readFileSync(file, "utf8"),
      stderr: "",
    });
  });

  it("--format json prints the message with its outcome, its raw text and its attempts", async () => {
    const r = await queue(["show", "q-000002", "--db", db, "--format", "json"]);
    expect(r.exitCode).toBe(0);
    const shown = JSON.parse(r.stdout);
    expect(shown).toMatchObject({
      messageId: "q-000002",
      state: "ERROR",
      raw: readFileSync(file, "utf8"),
      outcome: {
        state: "ERROR",
        errors: [
          { code: "UNMAPPED_INSURANCE", value: AETNA },
          { code: "REQUIRED_FIELD_MISSING", field: "IN1.17" },
        ],
        review: [],
      },
      attempts: [{ number: 1, kind: "receive", state: "ERROR", now: "2026-01-11T09:00:00.000Z" }],
    });
  });

  it("exits 1 for an unknown ID and 2 without exactly one ID", async () => {
    expect(await queue(["show", "q-000099", "--db", db])).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: "rulepack: no message q-000099\n",
    });
    expect(await queue(["show", "--db", db])).toMatchObject(usageOf("give exactly one message ID"));
    expect(await queue(["show", "q-000001", "q-000002", "--db", db])).toMatchObject(
      usageOf("give exactly one message ID"),
    );
  });
});

describe("rulepack queue delete", () => {
  it("moves each message to DELETED and records the actor and the time as an attempt", async () => {
    expect(await queue(["delete", "q-000002", "q-000001", "--db", db, "--actor", "alice"])).toEqual(
      {
        exitCode: 0,
        stdout:
          "q-000002 ERROR -> DELETED actor=alice at=2026-02-01T12:00:00.000Z\n" +
          "q-000001 PROCESSED -> DELETED actor=alice at=2026-02-01T12:00:00.000Z\n",
        stderr: "",
      },
    );
    expect(await attemptsOf(db, "q-000002")).toEqual([
      expect.objectContaining({ number: 1, kind: "receive", state: "ERROR" }),
      {
        number: 2,
        kind: "delete",
        at: "2026-02-01T12:00:00.000Z",
        now: "2026-02-01T12:00:00.000Z",
        actor: "alice",
        state: "DELETED",
      },
    ]);
    expect((await queue(["list", "--db", db, "--state", "DELETED"])).stdout).toBe(
      "q-000001 2026-01-10T09:00:00.000Z DELETED ADT^A04 603266 errors=-\n" +
        "q-000002 2026-01-11T09:00:00.000Z DELETED ADT^A04 1270326314 errors=UNMAPPED_INSURANCE(IN1.2+IN1.4+IN1.5),REQUIRED_FIELD_MISSING(IN1.17)\n" +
        "2 messages\n",
    );
    expect((await queue(["show", "q-000002", "--db", db])).stdout).toContain(
      "  state        DELETED since 2026-02-01T12:00:00.000Z\n",
    );
  });

  it("refuses a NEW message, one already DELETED and an unknown ID, deleting none of those given", async () => {
    expect(
      await queue(["delete", "q-000005", "q-000003", "q-000042", "--db", db, "--actor", "alice"]),
    ).toEqual({
      exitCode: 1,
      stdout: "",
      stderr:
        "rulepack: q-000005 is NEW (being processed or waiting to be): not deleted\n" +
        "rulepack: no message q-000042\n" +
        "rulepack: nothing was deleted\n",
    });
    expect((await attemptsOf(db, "q-000003")).map((a) => a.kind)).toEqual(["receive"]);
    expect((await queue(["delete", "q-000003", "--db", db, "--actor", "alice"])).exitCode).toBe(0);
    expect(await queue(["delete", "q-000003", "--db", db, "--actor", "bob"])).toEqual({
      exitCode: 1,
      stdout: "",
      stderr: "rulepack: q-000003 is already DELETED: not deleted\n",
    });
  });

  it("needs at least one ID", async () => {
    expect(await queue(["delete", "--db", db, "--actor", "alice"])).toMatchObject(
      usageOf("give the ID of at least one message"),
    );
  });
});

describe("rulepack queue delete --actor", () => {
  const actorOf = async (args: string[], env: ChangeContext["env"]) => {
    expect(
      (await queue(["delete", "q-000004", "--db", db, ...args], { env, clock: () => NOW }))
        .exitCode,
    ).toBe(0);
    return (await attemptsOf(db, "q-000004")).at(-1)?.actor;
  };

  it("is --actor, else $RULEPACK_ACTOR, else $USER", async () => {
    expect(await actorOf(["--actor", "alice"], { RULEPACK_ACTOR: "bob", USER: "carol" })).toBe(
      "alice",
    );
  });

  it("defaults to $RULEPACK_ACTOR before $USER", async () => {
    expect(await actorOf([], { RULEPACK_ACTOR: "bob", USER: "carol" })).toBe("bob");
  });

  it("defaults to $USER", async () => {
    expect(await actorOf([], { USER: "carol" })).toBe("carol");
  });

  it("is required: without any, exit 2 and nothing changes", async () => {
    expect(
      await queue(["delete", "q-000004", "--db", db], { env: { USER: " " }, clock: () => NOW }),
    ).toMatchObject(usageOf("--actor NAME is required (or set RULEPACK_ACTOR or USER)"));
    expect((await attemptsOf(db, "q-000004")).map((a) => a.kind)).toEqual(["receive"]);
  });
});

describe("rulepack queue delete --note", () => {
  it("records the note with the attempt and shows it", async () => {
    expect(
      (
        await queue([
          "delete",
          "q-000003",
          "--db",
          db,
          "--actor",
          "alice",
          "--note",
          "A13 not used here",
        ])
      ).exitCode,
    ).toBe(0);
    expect((await attemptsOf(db, "q-000003")).at(-1)?.note).toBe("A13 not used here");
    expect((await queue(["show", "q-000003", "--db", db])).stdout).toContain(
      '  #2 delete at=2026-02-01T12:00:00.000Z now=2026-02-01T12:00:00.000Z actor=alice DELETED errors=- note="A13 not used here"\n',
    );
  });
});

describe("rulepack queue delete --now", () => {
  it("records the deletion at that time", async () => {
    expect(
      (
        await queue([
          "delete",
          "q-000003",
          "--db",
          db,
          "--actor",
          "alice",
          "--now",
          "2026-03-01T08:00:00Z",
        ])
      ).stdout,
    ).toBe("q-000003 ERROR -> DELETED actor=alice at=2026-03-01T08:00:00.000Z\n");
    expect((await attemptsOf(db, "q-000003")).at(-1)).toMatchObject({
      at: "2026-03-01T08:00:00.000Z",
    });
    expect(
      await queue(["delete", "q-000004", "--db", db, "--actor", "alice", "--now", "soon"]),
    ).toMatchObject(usageOf("--now 'soon' is not an ISO-8601 date-time"));
  });
});

describe("rulepack queue delete --format json", () => {
  it("prints one change per line", async () => {
    const r = await queue([
      "delete",
      "q-000003",
      "q-000004",
      "--db",
      db,
      "--actor",
      "alice",
      "--format",
      "json",
    ]);
    expect(r.exitCode).toBe(0);
    expect(
      r.stdout
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual([
      {
        messageId: "q-000003",
        from: "ERROR",
        state: "DELETED",
        actor: "alice",
        at: "2026-02-01T12:00:00.000Z",
      },
      {
        messageId: "q-000004",
        from: "ERROR",
        state: "DELETED",
        actor: "alice",
        at: "2026-02-01T12:00:00.000Z",
      },
    ]);
  });
});

describe("rulepack queue (the real CLI)", () => {
  it("lists, deletes with the actor from the environment, and shows the attempt", async () => {
    const cli = (...args: string[]) => rulepack(args, { RULEPACK_ACTOR: "dana" });
    const list = await cli("queue", "list", "--db", db, "--state", "ERROR");
    expect([list.status, list.stdout, list.stderr]).toEqual([0, listed(2, 3, 4), ""]);
    const del = await cli("queue", "delete", "q-000004", "--db", db);
    expect(del.status).toBe(0);
    expect(del.stdout).toMatch(
      /^q-000004 ERROR -> DELETED actor=dana at=\d{4}-\d\d-\d\dT[\d:.]+Z\n$/,
    );
    expect((await cli("queue", "show", "q-000004", "--db", db)).stdout).toMatch(
      /\n {2}#2 delete at=\S+ now=\S+ actor=dana DELETED errors=-\n/,
    );
    const usage = await cli("queue", "list", "--db", db, "--state", "LOST");
    expect([usage.status, usage.stderr.split("\n")[1]]).toEqual([
      2,
      `usage: ${"rulepack queue list [--state S] [--code CODE[:VALUE]] [--type T] [--since DATE] [--direction inbound|outbound] [--db FILE] [--format text|json]"}`,
    ]);
  });
});

describe("rulepack queue show (review items, patient, duplicate)", () => {
  it("lists each review item with its candidates, and the patient and original a message names", async () => {
    const message: StoredMessage = {
      messageId: "q-000009",
      sequence: 9,
      raw: new TextEncoder().encode(
        "\uFEFFMSH|^~\\&|EHR|CLINIC|||20260114||ADT^A08|C9|P|2.5.1\r\nEVN|A08\n",
      ),
      receivedAt: "2026-01-14T09:00:00.000Z",
      sender: "mllp:127.0.0.1:50000",
      controlId: "C9",
      messageType: "ADT^A08",
      direction: "inbound",
      state: "ERROR",
      stateAt: "2026-01-14T09:00:01.000Z",
      patientId: "1001",
      duplicateOf: "q-000002",
      outcome: {
        messageId: "q-000009",
        controlId: "C9",
        messageType: "ADT^A08",
        state: "ERROR",
        actions: [],
        errors: [{ code: "REVIEW_REQUIRED", severity: "error", message: "a person must decide" }],
        review: [
          {
            reason: "substantialChange",
            detail: "the date of birth changed",
            candidates: [
              {
                patientId: "1001",
                total: 0.97,
                scores: {},
                changes: { dob: { stored: "1980-01-01", received: "1981-01-01" } },
              },
            ],
          },
        ],
        trace: [],
      },
    };
    expect(showText(message, [])).toBe(
      [
        "message q-000009",
        "  received     2026-01-14T09:00:00.000Z from mllp:127.0.0.1:50000",
        "  direction    inbound",
        "  type         ADT^A08",
        "  control ID   C9",
        "  state        ERROR since 2026-01-14T09:00:01.000Z",
        "  patient      1001",
        "  duplicate of q-000002",
        "errors (1)",
        "  error REVIEW_REQUIRED: a person must decide",
        "review (1)",
        "  substantialChange: the date of birth changed",
        "    candidate 1001 total=0.97 changes=dob",
        "attempts (0)",
        "raw",
        "  MSH|^~\\&|EHR|CLINIC|||20260114||ADT^A08|C9|P|2.5.1",
        "  EVN|A08",
        "",
      ].join("\n"),
    );
  });
});
