import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { formatPackError } from "../../engine/documents/errors.js";
import { loadMasterData } from "../../engine/pack/master-data-load.js";
import { StaleViewError } from "../../engine/store/errors.js";
import { openPostgresStore } from "../../engine/store/postgres.js";
import type { Completion, Store } from "../../engine/store/types.js";
import { adt, HARBOR_MASTER_DATA, loadHarbor, receive } from "../queue/harbor-queue.js";
import { outcomeOf, received } from "./contract.js";

/**
 * Two stores on one PostgreSQL schema (two worker processes): a decision is
 * completed only if no commit changed the records since its view was
 * opened; otherwise it is refused and, in the intake, decided again.
 */

let made = 0;
function twoWorkers(): { a: Store; b: Store; schema: string } {
  const url = new URL(inject("pgUrl"));
  const schema = `workers_${process.pid}_${++made}`;
  url.searchParams.set("schema", schema);
  return { a: openPostgresStore(url.toString()), b: openPostgresStore(url.toString()), schema };
}

const RECEIVED: Completion = { kind: "receive", now: "2026-01-01T12:00:00.000Z" };

async function count(schema: string, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: inject("pgUrl") });
  await client.connect();
  try {
    return Number((await client.query(`SELECT count(*) AS n FROM "${schema}".${table}`)).rows[0].n);
  } finally {
    await client.end();
  }
}

describe("complete(basedOn) across two PostgreSQL stores", () => {
  it("refuses a decision whose records another store changed since its view was opened", async () => {
    const { a, b } = twoWorkers();
    try {
      const mine = await a.receive(received({ controlId: "C1" }));
      const { version } = await a.openView({ lazy: true });
      const theirs = await b.receive(received({ controlId: "C2" }));
      await b.complete(
        outcomeOf(theirs, [{ type: "patient.create", patient: { id: "1001", lastName: "Doe" } }]),
        RECEIVED,
      );
      await expect(
        a.complete(
          outcomeOf(mine, [{ type: "patient.create", patient: { id: "1001", lastName: "Roe" } }]),
          RECEIVED,
          version,
        ),
      ).rejects.toBeInstanceOf(StaleViewError);
      expect((await a.message(mine))?.state).toBe("NEW");
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("accepts it when the other store only received messages (the queue is not in the view)", async () => {
    const { a, b } = twoWorkers();
    try {
      const mine = await a.receive(received({ controlId: "C1" }));
      const { version } = await a.openView({ lazy: true });
      await b.receive(received({ controlId: "C2" }));
      await a.complete(outcomeOf(mine, []), RECEIVED, version);
      expect((await a.message(mine))?.state).toBe("PROCESSED");
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("two workers receiving the same new patient at once create one patient", async () => {
    const { a, b, schema } = twoWorkers();
    try {
      const master = loadMasterData(HARBOR_MASTER_DATA);
      if (!master.ok) throw new Error(master.errors.map(formatPackError).join("\n"));
      await a.loadMasterData(master.data);
      const pack = loadHarbor();
      const outcomes = await Promise.all([
        receive(pack, a, adt({ control: "A1" })),
        receive(pack, b, adt({ control: "A2" })),
      ]);
      expect(outcomes.map((o) => o.state)).toEqual(["PROCESSED", "PROCESSED"]);
      expect(await count(schema, "patients")).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
