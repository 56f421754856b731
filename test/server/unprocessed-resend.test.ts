import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadPractice } from "../../engine/pack/practice-load.js";
import { startMllpServer } from "../../engine/server/mllp-server.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import { failingStore } from "./faults.js";
import { framed, mllpExchange, SERVE_PACK } from "./helpers.js";
import { patientMessages } from "./patients.js";

/**
 * A resend of a message still NEW (the store failed after its NEW row, the
 * sender got AR 207 and resent) is not answered with an ACK of nothing: the
 * original is processed first and the resend gets its real ACK. A resend of
 * a message with an outcome keeps the original's stored ACK
 * (docs/decisions/0005).
 */

const root = mkdtempSync(join(tmpdir(), "rulepack-resend-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const msa = (ack: string | undefined) => /\rMSA\|([A-Z]{2})\|([^|\r]*)/.exec(ack ?? "")?.slice(1);
const errCodes = (ack: string | undefined) =>
  [...(ack ?? "").matchAll(/\rERR\|[^\r]*?\|([0-9]{3})\^/g)].map((m) => m[1]);

describe("a resend of a message whose NEW row is committed but not processed", () => {
  it("processes the original, answers the resend with the original's real ACK and records the resend DUPLICATE", async () => {
    const load = loadPractice(SERVE_PACK);
    if (!load.ok) throw new Error(load.errors.join("\n"));
    const sqlite = openSqliteStore(join(root, "resend.sqlite"));
    if (load.masterData) await sqlite.loadMasterData(load.masterData);
    const { store, failing } = failingStore(sqlite);
    const server = await startMllpServer({ pack: load.pack, store, port: 0 });
    const { a04 } = patientMessages(1);

    failing.complete = true;
    const refused = await mllpExchange(server.port, [framed(a04)], 1);
    expect(msa(refused.acks[0])).toEqual(["AR", "P00001A04"]);
    expect((await sqlite.messages()).map((m) => m.state)).toEqual(["NEW"]);

    failing.complete = false;
    const resent = await mllpExchange(server.port, [framed(a04)], 1);
    const again = await mllpExchange(server.port, [framed(a04)], 1);
    await server.close();

    const [original, resend, third] = await sqlite.messages();
    expect(original?.state).toBe("PROCESSED");
    expect(original?.outcome?.actions.map((a) => a.type)).toContain("patient.create");
    expect(resent.acks).toEqual([original?.ack]);
    expect(msa(resent.acks[0])).toEqual(["AA", "P00001A04"]);
    expect(errCodes(resent.acks[0])).toEqual([]);
    expect(resend).toMatchObject({ state: "PROCESSED", duplicateOf: original?.messageId });
    expect(resend?.outcome?.errors.map((e) => e.code)).toEqual(["DUPLICATE"]);
    // A resend of a message with an outcome: the original's stored ACK, byte for byte.
    expect(again.acks).toEqual([original?.ack]);
    expect(third?.duplicateOf).toBe(original?.messageId);
    expect(await sqlite.messages({ state: "NEW" })).toEqual([]);
    await sqlite.close();
  });
});
