/**
 * Embedding Rulepack in a service: open a practice as `rulepack run` does
 * (pack, mapping tables, the master data beside it), receive HL7 files
 * into a store, and print one line per message without patient data.
 *
 *   node --import tsx examples/embed-a-practice.ts PACK FILE...
 *
 * Type-checked by `npm run typecheck` (tsconfig.json includes examples/)
 * and run by test/library/examples.test.ts.
 * A service imports `rulepack`; here examples/tsconfig.json maps that
 * name to the source.
 */
import { readFileSync } from "node:fs";
import {
  createMemoryStore,
  formatPackErrors,
  loadPractice,
  type Outcome,
  receiveBytes,
} from "rulepack";

const [packFile, ...files] = process.argv.slice(2);
if (packFile === undefined || files.length === 0) {
  console.error("usage: embed-a-practice.ts PACK FILE...");
  process.exit(2);
}

const practice = loadPractice(packFile);
if (!practice.ok) {
  // FILE:LINE:COL: CODE message, one per line: the pack's and the master data's problems.
  console.error(formatPackErrors(practice.errors));
  process.exit(2);
}

const store = createMemoryStore();
if (practice.masterData) await store.loadMasterData(practice.masterData);

const line = (o: Outcome): string =>
  `${o.messageId} ${o.controlId || "-"} ${o.messageType || "-"} ${o.state} ${o.errors.map((e) => e.code).join(",") || "-"}`;

for (const file of files) {
  const outcomes = await receiveBytes(practice.pack, store, readFileSync(file), {
    now: new Date(),
    sender: "embed-a-practice",
  });
  for (const outcome of outcomes) console.log(line(outcome));
}
await store.close();
