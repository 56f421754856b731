import { openSqliteStore } from "../../engine/store/sqlite.js";

/**
 * A second process writing to the same SQLite file (test/store/shared-file.test.ts):
 * receives and completes COUNT messages as fast as it can, as a listener does
 * while `rulepack queue` commands write beside it.
 */
const [file, tag, count] = process.argv.slice(2);
const store = openSqliteStore(file ?? "", { busyTimeoutMs: 10_000 });
const raw = new TextEncoder().encode("MSH|^~\\&|A|B|C|D|20260101||ADT^A04|X|P|2.5.1\r");
for (let i = 0; i < Number(count); i++) {
  const messageId = await store.receive({
    raw,
    receivedAt: new Date().toISOString(),
    sender: `writer:${tag}`,
    controlId: `${tag}-${i}`,
    messageType: "ADT^A04",
    direction: "inbound",
  });
  await store.complete(
    {
      messageId,
      controlId: `${tag}-${i}`,
      messageType: "ADT^A04",
      state: "PROCESSED",
      actions: [],
      errors: [],
      review: [],
      trace: [],
    },
    { kind: "receive", now: new Date().toISOString() },
  );
}
await store.close();
