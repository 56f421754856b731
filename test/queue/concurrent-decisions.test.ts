import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseHl7 } from "../../engine/hl7/parse.js";
import { processMessage } from "../../engine/inbound/process.js";
import { receiveBytes } from "../../engine/queue/intake.js";
import { StaleViewError } from "../../engine/store/errors.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { Completion, LocalStore as Store } from "../../engine/store/types.js";
import { fixturePack, JANE, MASTER_DATA, message, NOW } from "../inbound/helpers.js";

const RECEIVED: Completion = { kind: "receive", now: NOW.toISOString() };

/**
 * Two processes on one SQLite file (a listener and `rulepack reprocess`):
 * a decision read from the store is completed only if nobody committed in
 * between; otherwise it is taken again on fresh records.
 */
const root = mkdtempSync(join(tmpdir(), "rulepack-race-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const pack = fixturePack("inbound-basic");
const bytes = (text: string) => new TextEncoder().encode(text);

async function twoConnections(): Promise<[Store, Store]> {
  const file = join(root, `race-${++n}.db`);
  const a = openSqliteStore(file);
  await a.loadMasterData(MASTER_DATA);
  return [a, openSqliteStore(file)];
}

describe("decisions and other processes' commits", () => {
  it("complete refuses a decision based on a view another connection has changed since", async () => {
    const [a, b] = await twoConnections();
    const id = await a.receive({
      raw: bytes("MSH|^~\\&|X\r"),
      receivedAt: NOW.toISOString(),
      sender: "t",
      controlId: "C1",
      messageType: "ADT^A04",
      direction: "inbound",
    });
    const { version: basedOn } = await a.openView();
    await b.receive({
      raw: bytes("MSH|^~\\&|Y\r"),
      receivedAt: NOW.toISOString(),
      sender: "other process",
      controlId: "C2",
      messageType: "ADT^A04",
      direction: "inbound",
    });
    const outcome = {
      messageId: id,
      controlId: "C1",
      messageType: "ADT^A04",
      state: "PROCESSED" as const,
      actions: [],
      errors: [],
      review: [],
      trace: [],
    };
    await expect(async () => await a.complete(outcome, RECEIVED, basedOn)).rejects.toThrow(
      StaleViewError,
    );
    expect((await a.message(id))?.state).toBe("NEW");
    await a.complete(outcome, RECEIVED, (await a.openView()).version);
    expect((await a.message(id))?.state).toBe("PROCESSED");
    await a.close();
    await b.close();
  });

  it("the same patient registered by another process meanwhile: decided again, one patient, updated", async () => {
    const [a, b] = await twoConnections();
    const a04 = message({ type: "ADT^A04", pid: JANE });
    // What the other process decided for the same A04 (it commits while A is deciding).
    const [other] = parseHl7(bytes(a04)).messages;
    if (!other) throw new Error("no message");
    const otherId = await b.receive({
      raw: bytes(a04),
      receivedAt: NOW.toISOString(),
      sender: "other",
      controlId: "X",
      messageType: "ADT^A04",
      direction: "inbound",
    });
    const otherOutcome = await processMessage(pack, other, b, NOW, otherId);
    expect(otherOutcome.actions[0]?.type).toBe("patient.create");

    let interleaved = false;
    const racing: Store = Object.create(a, {
      complete: {
        value: async (...args: Parameters<Store["complete"]>) => {
          if (!interleaved) {
            interleaved = true;
            await b.complete(otherOutcome, RECEIVED);
          }
          await a.complete(...args);
        },
      },
    });
    const [outcome] = await receiveBytes(pack, racing, bytes(a04), { now: NOW, sender: "a" });
    expect(interleaved).toBe(true);
    expect(outcome?.state).toBe("PROCESSED");
    expect(outcome?.actions.map((x) => x.type)).not.toContain("patient.create");
    expect(a.patientById("1001")?.lastName).toBe("Doe");
    expect(a.nextId("patient")).toBe("1002");
    expect(await a.attempts(outcome?.messageId ?? "")).toHaveLength(1);
    await a.close();
    await b.close();
  });
});
