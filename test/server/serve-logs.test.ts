import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger, parseLogLine } from "../../engine/io/logger.js";
import { rulepack } from "../support/cli.js";
import { framed, mllpExchange, serve } from "./helpers.js";
import { patientMessages } from "./patients.js";

/**
 * `rulepack serve --log-format json|pretty --log-level LEVEL` (issue 20):
 * each log entry has a time, a level, an event, a message and the message
 * and control IDs, never patient data (docs/decisions/0033).
 */

const root = mkdtempSync(join(tmpdir(), "rulepack-serve-logs-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dbs = 0;
const newDb = () => join(root, `logs-${++dbs}.sqlite`);

/** Every value of the PID segment long enough to be telling: name, DOB, address, SSN, phone, MRN. */
function pidValues(message: string): string[] {
  const pid = message.split(/\r\n?|\n/).find((s) => s.startsWith("PID|")) as string;
  return [
    ...new Set(
      pid
        .split(/[|^~&]/)
        .slice(1)
        .filter((v) => v.length >= 4),
    ),
  ];
}

async function served(extra: Parameters<typeof serve>[2]) {
  const server = await serve(newDb(), undefined, extra);
  const { a04 } = patientMessages(3);
  const exchange = await mllpExchange(server.port, [framed(a04)], 1);
  expect(exchange.acks).toHaveLength(1);
  expect(await server.stop()).toBe(0);
  return { stderr: server.stderr.join(""), a04 };
}

describe("--log-format json", () => {
  it("writes one JSON object per line: time, level, event, message, and the IDs as fields", async () => {
    const { stderr } = await served({ log: { format: "json", level: "info" } });
    const entries = stderr
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const e of entries) {
      expect(Object.keys(e).slice(0, 4)).toEqual(["time", "level", "event", "message"]);
      expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(["info", "warn", "error"]).toContain(e.level);
    }
    expect(entries.map((e) => e.event)).toEqual(
      expect.arrayContaining(["recovery", "listening", "message", "drained"]),
    );
    const message = entries.find((e) => e.event === "message");
    expect(message).toMatchObject({
      level: "info",
      connection: 1,
      messageId: "q-000001",
      controlId: "P00003A04",
      type: "ADT^A04",
      state: "PROCESSED",
      errors: "-",
      ack: "AA",
    });
    expect(message?.message).toBe(
      "connection=1 messageId=q-000001 controlId=P00003A04 type=ADT^A04 state=PROCESSED errors=- ack=AA",
    );
  });

  it("holds no value of the message's PID segment", async () => {
    const { stderr, a04 } = await served({ log: { format: "json", level: "debug" } });
    const values = pidValues(a04);
    expect(values.length).toBeGreaterThan(8);
    for (const value of values) expect(stderr, value).not.toContain(value);
  });
});

describe("--log-format pretty (the default)", () => {
  it("writes the listener's lines as before, without connection open/close at info", async () => {
    const { stderr } = await served({});
    expect(stderr).toContain(
      "rulepack serve: connection=1 messageId=q-000001 controlId=P00003A04 type=ADT^A04 state=PROCESSED errors=- ack=AA\n",
    );
    expect(stderr).not.toContain("connection=1 opened");
  });
});

describe("--log-level", () => {
  it("debug adds a connection's opening and closing", async () => {
    const { stderr } = await served({ log: { format: "pretty", level: "debug" } });
    expect(stderr).toContain("rulepack serve: connection=1 opened\n");
  });

  it("warn drops the info entries", async () => {
    const { stderr } = await served({ log: { format: "json", level: "warn" } });
    expect(stderr).toBe("");
  });
});

describe("rulepack serve's log options on the command line", () => {
  it.each([
    [["--log-format", "xml"], "--log-format 'xml': expected json or pretty"],
    [["--log-level", "trace"], "--log-level 'trace': expected debug, info, warn, error"],
  ])("%j is a usage error (exit 2)", async (flags, message) => {
    const r = await rulepack([
      ...["serve", "--pack", "rules/practices/harbor-ortho/pack.yaml", "--mllp", "0"],
      ...flags,
    ]);
    expect(r.status).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe(`rulepack: ${message}`);
  });
});

describe("parseLogLine: the old log(line) text as an entry", () => {
  it.each([
    ["connection=1 opened", "debug", "connection.opened", { connection: 1 }],
    ["connection=2 idle timeout", "warn", "connection.idle.timeout", { connection: 2 }],
    [
      "recovery recovered=2 failed=0 states=PROCESSED:2",
      "info",
      "recovery",
      { recovered: 2, failed: 0, states: "PROCESSED:2" },
    ],
    [
      "recovery failed messageId=q-000004 STORE_FAILED",
      "error",
      "recovery.failed",
      { messageId: "q-000004" },
    ],
    [
      "reload failed: keeping pack=harbor-ortho",
      "error",
      "reload.failed",
      { pack: "harbor-ortho" },
    ],
    ["alert kind=errorCount value=3 threshold=1", "warn", "alert", { kind: "errorCount" }],
    [
      "recovered messageId=q-000007 controlId=0042 state=PROCESSED",
      "info",
      "recovered",
      { controlId: "0042" },
    ],
  ])("%s", (line, level, event, fields) => {
    const parsed = parseLogLine(line);
    expect([parsed.level, parsed.event]).toEqual([level, event]);
    expect(parsed.fields).toMatchObject(fields);
  });
});

describe("Logger", () => {
  it("info(event, fields) writes the entry with the clock's time; fields keep the reserved keys", () => {
    const lines: string[] = [];
    const logger = createLogger({
      format: "json",
      level: "info",
      write: (t) => lines.push(t),
      clock: () => new Date("2026-03-01T12:00:00Z"),
      name: "rulepack serve",
    });
    logger.debug("connection.opened", { connection: 1 });
    logger.info("delivery.sent", { messageId: "q-000002", controlId: "HOR1", level: "x" });
    expect(lines).toEqual([
      '{"time":"2026-03-01T12:00:00.000Z","level":"info","event":"delivery.sent","message":"delivery.sent messageId=q-000002 controlId=HOR1 level=x","messageId":"q-000002","controlId":"HOR1"}\n',
    ]);
  });
});
