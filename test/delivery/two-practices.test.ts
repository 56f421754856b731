import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { StoredMessage } from "../../engine/store/types.js";
import { type Served, serve } from "../server/helpers.js";
import { apply, createPatient } from "../store/contract.js";
import { rulepack } from "../support/cli.js";
import { makeTestPki, type TestPki } from "../support/tls-certs.js";

/**
 * Two practices end to end, outbound of one the inbound of the other:
 * practice A (Harbor's pack, its receiver named in outbound.delivery)
 * queues messages and `rulepack deliver --once` sends them to practice B's
 * `rulepack serve` listener, over plain MLLP and over TLS with client
 * certificates. A's messages end PROCESSED holding B's ACK; B's store holds
 * the patient. B reads Harbor's outbound as Harbor reads OrthoChart, its
 * codes already the practice system's (no provider, department or
 * appointment-type mapping) and insurance not received (the outbound IN1
 * names no insurance company).
 */

const HARBOR = "rules/practices/harbor-ortho/pack.yaml";
const EVENTS = [
  "test/fixtures/events/patient-add.json",
  "test/fixtures/events/patient-update.json",
];
const NOW = "2026-03-01T14:06:00Z";

let root: string;
let pki: TestPki;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "rulepack-two-practices-"));
  pki = makeTestPki(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
let made = 0;

/** A practice pack over Harbor's at `<root>/<n>/harbor-ortho/pack.yaml`, with Harbor's master data. */
function writePack(lines: readonly string[]): string {
  const pack = join(root, String(++made), "harbor-ortho", "pack.yaml");
  mkdirSync(dirname(pack), { recursive: true });
  const up = (to: string) => relative(dirname(pack), resolve(to));
  writeFileSync(
    pack,
    [
      `# yaml-language-server: $schema=${up("schemas/rulepack.schema.json")}`,
      "pack:",
      "  id: harbor-ortho",
      `  extends: ${up(HARBOR)}`,
      ...lines,
      "",
    ].join("\n"),
  );
  symlinkSync(
    resolve("rules/practices/harbor-ortho/master-data.yaml"),
    join(dirname(pack), "master-data.yaml"),
  );
  return pack;
}

/** Practice B: takes Harbor's outbound as it comes. */
const receivingPack = () =>
  writePack([
    "mappings:",
    "  provider: { mappingRequired: false }",
    "  department: { mappingRequired: false }",
    "  appointmentType: { mappingRequired: false }",
    "insurance:",
    "  receive: false",
  ]);

/** Practice A: Harbor, sending to B's port (`tls`: with the test CA and A's client certificate). */
const sendingPack = (port: number, tls: boolean) =>
  writePack([
    "outbound:",
    "  delivery:",
    tls
      ? `    receiver: { host: 127.0.0.1, port: ${port}, tls: { ca: ${pki.ca}, cert: ${pki.clientCert}, key: ${pki.clientKey}, servername: localhost } }`
      : `    receiver: { host: 127.0.0.1, port: ${port} }`,
    "    connectTimeoutSeconds: 5",
    "    ackTimeoutSeconds: 30",
    "    retry: { initialSeconds: 0.1, factor: 2, maxSeconds: 0.5 }",
    "    maxAttempts: 3",
  ]);

async function messages(db: string): Promise<StoredMessage[]> {
  const store = openSqliteStore(db);
  try {
    return [...(await store.messages())];
  } finally {
    await store.close();
  }
}

/** The ACK A recorded for each of its messages (the `acknowledged` delivery event). */
async function acksRecorded(db: string): Promise<(string | undefined)[]> {
  const store = openSqliteStore(db);
  try {
    const out: (string | undefined)[] = [];
    for (const m of await store.messages({ direction: "outbound" })) {
      const events = await store.deliveryEvents(m.messageId);
      out.push(events.find((e) => e.kind === "acknowledged")?.ack);
    }
    return out;
  } finally {
    await store.close();
  }
}

async function patientIn(db: string, id: string) {
  const store = openSqliteStore(db);
  try {
    return store.patientById(id);
  } finally {
    await store.close();
  }
}

const segments = (ack: string | undefined) =>
  (ack ?? "").replace(/\r?\n/g, "\r").split("\r").filter(Boolean);

/** B listening, A's events queued and delivered once; what each side stored. */
async function exchange(tls: boolean, queue: (pack: string, db: string) => Promise<void>) {
  const dbB = join(root, `b-${++made}.sqlite`);
  const b: Served = await serve(dbB, undefined, {
    pack: receivingPack(),
    ...(tls && {
      tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.ca, requireClientCert: true },
    }),
  });
  const dbA = join(root, `a-${++made}.sqlite`);
  const packA = sendingPack(b.port, tls);
  try {
    await queue(packA, dbA);
    const delivered = await rulepack(["deliver", "--pack", packA, "--db", dbA, "--once"]);
    return { delivered, dbA, dbB, b };
  } finally {
    expect(await b.stop()).toBe(0);
  }
}

const outboundEvents = async (pack: string, db: string) => {
  const built = await rulepack(["outbound", "--pack", pack, "--db", db, "--now", NOW, ...EVENTS]);
  expect(built.status).toBe(0);
};

describe("practice A's outbound is practice B's inbound (rulepack deliver to rulepack serve)", () => {
  it("over MLLP: A's A28 and A31 end PROCESSED holding B's ACKs; B's store holds the patient, updated", async () => {
    const { delivered, dbA, dbB } = await exchange(false, outboundEvents);
    expect(delivered.stdout).toBe(
      [
        "q-000001 HOR00000000000000001 ADT^A28 send 1: acknowledged (MSA-1 AA)",
        "q-000002 HOR00000000000000002 ADT^A31 send 1: acknowledged (MSA-1 AA)",
        "",
      ].join("\n"),
    );
    expect(delivered.status).toBe(0);
    const sent = await messages(dbA);
    expect(sent.map((m) => [m.direction, m.state, m.controlId])).toEqual([
      ["outbound", "PROCESSED", "HOR00000000000000001"],
      ["outbound", "PROCESSED", "HOR00000000000000002"],
    ]);
    const received = await messages(dbB);
    expect(received.map((m) => [m.direction, m.state, m.controlId, m.messageType])).toEqual([
      ["inbound", "PROCESSED", "HOR00000000000000001", "ADT^A28"],
      ["inbound", "PROCESSED", "HOR00000000000000002", "ADT^A31"],
    ]);
    // The ACK A holds for each message is the one B stored and sent for it.
    const acks = await acksRecorded(dbA);
    expect(acks.map(segments)).toEqual(received.map((m) => segments(m.ack)));
    expect(segments(acks[0]).find((s) => s.startsWith("MSA|"))).toBe("MSA|AA|HOR00000000000000001");
    const patient = await patientIn(dbB, "1001");
    expect(patient).toMatchObject({ lastName: "O'Brien", firstName: "Ann", dob: "1980-02-14" });
    expect(patient?.phones?.home).toBe("6175550000"); // the A31's new home phone
  }, 60_000);

  it("over TLS, B requiring A's client certificate: the same story", async () => {
    const { delivered, dbA, dbB, b } = await exchange(true, outboundEvents);
    expect(delivered.status).toBe(0);
    expect(delivered.stdout).toContain(
      "q-000002 HOR00000000000000002 ADT^A31 send 1: acknowledged (MSA-1 AA)",
    );
    expect((await messages(dbA)).map((m) => m.state)).toEqual(["PROCESSED", "PROCESSED"]);
    expect((await messages(dbB)).map((m) => m.state)).toEqual(["PROCESSED", "PROCESSED"]);
    expect(await patientIn(dbB, "1001")).toMatchObject({ lastName: "O'Brien" });
    expect(b.stderr.join("")).not.toContain("TLS handshake failed");
  }, 60_000);

  it("a backfill of A's store reaches B: every patient A holds is then in B's store", async () => {
    const { delivered, dbA, dbB } = await exchange(false, async (pack, db) => {
      const store = openSqliteStore(db);
      try {
        const ann = JSON.parse(readFileSync(EVENTS[0] as string, "utf8")).patient;
        await apply(store, [createPatient({ ...ann, id: "1001" })]);
        await apply(store, [
          createPatient({
            ...ann,
            id: "1002",
            firstName: "Ben",
            middleName: undefined,
            sex: "M",
            dob: "1985-06-01",
            ssn: "987-65-4321",
            externalIds: { orthochartMrn: "00045679" },
          }),
        ]);
      } finally {
        await store.close();
      }
      const backfilled = await rulepack([
        "outbound",
        "backfill",
        "--pack",
        pack,
        "--db",
        db,
        "--now",
        NOW,
      ]);
      expect(backfilled.stdout).toContain("patients: 2 read, 2 queued (ADT^A28 2)");
    });
    expect(delivered.status).toBe(0);
    expect(
      (await messages(dbA)).filter((m) => m.direction === "outbound").map((m) => m.state),
    ).toEqual(["PROCESSED", "PROCESSED"]);
    expect((await messages(dbB)).map((m) => [m.state, m.messageType])).toEqual([
      ["PROCESSED", "ADT^A28"],
      ["PROCESSED", "ADT^A28"],
    ]);
    expect((await patientIn(dbB, "1001"))?.firstName).toBe("Ann");
    expect((await patientIn(dbB, "1002"))?.firstName).toBe("Ben");
  }, 60_000);
});
