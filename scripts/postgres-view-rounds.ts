/**
 * How many times the PostgreSQL store's lazy view sends a decision back for
 * reads (docs/decisions/0022-postgres-view.md): the corpus through both
 * example packs into a PostgreSQL store on a throw-away cluster and into an
 * in-memory store; prints the fills per message and exits 1 when any
 * outcome (trace aside) differs between the two.
 *
 *   node --import tsx scripts/postgres-view-rounds.ts
 */
import { receiveBytes } from "../engine/queue/intake.js";
import { createMemoryStore } from "../engine/store/memory.js";
import { openPostgresStore } from "../engine/store/postgres.js";
import type { Store } from "../engine/store/types.js";
import { corpusSeeds, examplePractices, FUZZ_NOW } from "../test/fuzz/harness.js";
import { startCluster } from "../test/support/pg-cluster.js";

const cluster = await startCluster();
let differences = 0;
try {
  const seeds = corpusSeeds();
  for (const practice of examplePractices()) {
    const url = new URL(cluster.url);
    url.pathname = `/rounds_${practice.name.replaceAll("-", "_")}`;
    const postgres = openPostgresStore(url.toString());
    let fills = 0;
    const counted: Store = {
      ...postgres,
      async openView(options) {
        const opened = await postgres.openView(options);
        const { fill } = opened;
        if (fill === undefined) return opened;
        return {
          ...opened,
          fill: (reads) => {
            fills++;
            return fill(reads);
          },
        };
      },
    };
    const memory = createMemoryStore();
    if (practice.masterData) {
      await memory.loadMasterData(practice.masterData);
      await postgres.loadMasterData(practice.masterData);
    }
    const perMessage: number[] = [];
    const started = performance.now();
    for (const seed of seeds) {
      const options = { now: FUZZ_NOW, sender: "rounds", detectDuplicates: true };
      const expected = await receiveBytes(practice.pack, memory, seed.bytes, options);
      const before = fills;
      const actual = await receiveBytes(practice.pack, counted, seed.bytes, options);
      perMessage.push(fills - before);
      const strip = (o: readonly { trace?: unknown }[]) => o.map(({ trace: _, ...rest }) => rest);
      if (JSON.stringify(strip(actual)) !== JSON.stringify(strip(expected))) {
        differences++;
        console.error(`${practice.name} ${seed.name}: outcomes differ`);
      }
    }
    const ms = performance.now() - started;
    const sorted = [...perMessage].sort((a, b) => a - b);
    const mean = perMessage.reduce((a, b) => a + b, 0) / perMessage.length;
    console.log(
      `${practice.name}: ${seeds.length} files, fills per file mean ${mean.toFixed(2)}, ` +
        `median ${sorted[Math.floor(sorted.length / 2)]}, max ${sorted.at(-1)}; ` +
        `${(ms / seeds.length).toFixed(1)} ms per file (both stores)`,
    );
    await postgres.close();
    await memory.close();
  }
} finally {
  await cluster.stop();
}
if (differences > 0) process.exit(1);
