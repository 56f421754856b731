import { describe, expect, inject, it } from "vitest";
import { runManyWorkers } from "../support/many-workers.js";
import { SERVE_PACK } from "./helpers.js";

/**
 * Many workers on one database, killed (decision 0023; test/support/many-workers.ts):
 * 3 real `rulepack serve --workers 1` processes on one throw-away PostgreSQL,
 * generated messages from 4 concurrent MLLP senders, 3 seeded kill -9s of
 * random processes (each replaced), at the issue's sizes: 1,000 messages over
 * 100 patients (about 55 s here on an otherwise quiet 2-core machine). `npm
 * run soak` runs 10,000 over 500 from 8 senders.
 */
describe("serve --workers: three processes on one PostgreSQL database, three killed", () => {
  it("loses no ACKed message, applies none twice, and decides each patient as one lane would", async () => {
    const url = new URL(inject("pgUrl"));
    url.searchParams.set("schema", `many_workers_${process.pid}`);
    const report = await runManyWorkers({
      url: url.toString(),
      pack: SERVE_PACK,
      processes: 3,
      workersPerProcess: 1,
      messages: 1000,
      patients: 100,
      senders: 4,
      killAt: [0.2, 0.45, 0.7],
      seed: 20_261_206,
      leaseSeconds: 2,
    });
    console.log(
      `many-workers: ${Object.entries(report.figures)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}`,
    );
    expect(report.problems).toEqual([]);
  }, 400_000);
});
