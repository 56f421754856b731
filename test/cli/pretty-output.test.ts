import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { colourWanted, painter, paintMarks } from "../../engine/cli/colour.js";
import {
  countMessages,
  PROGRESS_FROM_MESSAGES,
  progressLine,
  runCommand,
} from "../../engine/cli/run-command.js";
import { rulepack } from "../support/cli.js";
import { captureIo } from "../testing/helpers.js";

/**
 * Pretty output (issue 20): colour on a terminal, NO_COLOR and FORCE_COLOR
 * honoured; a long run's progress line counts messages, not files.
 */

const dir = mkdtempSync(join(tmpdir(), "rulepack-pretty-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PACK = "rules/practices/lakeside-family/pack.yaml";
const a04 = (n: number) =>
  `MSH|^~\\&|PRAIRIE|LAKESIDE|PS|PS|20260115120000||ADT^A04|P${n}|P|2.5.1\rEVN|A04|20260115120000\rPID|1||P-${n}^^^PRAIRIE^PI||Kim^Grace^S||19791102|F\rPV1|1|O\r`;

describe("colourWanted", () => {
  it("follows the terminal when neither variable is set", () => {
    expect(colourWanted(true, {})).toBe(true);
    expect(colourWanted(false, {})).toBe(false);
  });
  it("NO_COLOR (any non-empty value) turns it off, even with FORCE_COLOR", () => {
    expect(colourWanted(true, { NO_COLOR: "1" })).toBe(false);
    expect(colourWanted(true, { NO_COLOR: "1", FORCE_COLOR: "1" })).toBe(false);
    expect(colourWanted(true, { NO_COLOR: "" })).toBe(true);
  });
  it("FORCE_COLOR turns it on off a terminal; FORCE_COLOR=0 does not", () => {
    expect(colourWanted(false, { FORCE_COLOR: "1" })).toBe(true);
    expect(colourWanted(false, { FORCE_COLOR: "" })).toBe(true);
    expect(colourWanted(false, { FORCE_COLOR: "0" })).toBe(false);
  });
});

describe("run's text format with colour", () => {
  const file = join(dir, "one.hl7");
  writeFileSync(file, a04(1));
  const run = async (colour: boolean, format: "text" | "json" = "text") => {
    const io = captureIo();
    await runCommand(
      {
        pack: PACK,
        db: ":memory:",
        now: new Date("2026-01-15T18:00:00Z"),
        format,
        explain: false,
        showData: false,
        files: [file],
        progress: false,
        colour,
      },
      io,
    );
    return io;
  };

  it("paints the state (ERROR red) and the summary", async () => {
    const red = painter(true)("red", "ERROR");
    expect(red).not.toBe("ERROR");
    const { out } = await run(true);
    expect(out()).toContain(` ${red} actions=`);
    expect(out()).toContain(painter(true)("red", "1 ERROR"));
  });

  it("without colour, plain text", async () => {
    const { out } = await run(false);
    expect(out()).not.toContain("\u001b[");
  });

  it("never paints JSON", async () => {
    const { out, err } = await run(true, "json");
    expect(out() + err()).not.toContain("\u001b[");
  });
});

describe("run's progress line", () => {
  it("counts the messages of the input (MSH segments), not files", () => {
    expect(countMessages(new TextEncoder().encode(a04(1) + a04(2) + a04(3)))).toBe(3);
    expect(countMessages(new TextEncoder().encode("MSH|x\nPID|MSH\r\nMSH|y"))).toBe(2);
    expect(progressLine(1200, 2000)).toBe("\r1,200/2,000 messages");
  });

  it("one file of many messages shows the count rising, then the total", async () => {
    const many = join(dir, "many.hl7");
    const n = PROGRESS_FROM_MESSAGES;
    writeFileSync(many, Array.from({ length: n }, (_, i) => a04(i)).join(""));
    const io = captureIo();
    await runCommand(
      {
        pack: PACK,
        db: ":memory:",
        now: new Date("2026-01-15T18:00:00Z"),
        format: "text",
        explain: false,
        showData: false,
        files: [many],
        progress: true,
      },
      io,
    );
    expect(io.err()).toContain(progressLine(50, n));
    expect(io.err()).toContain(`${progressLine(n, n)}\n`);
  });

  it("a short input draws none", async () => {
    const io = captureIo();
    const file = join(dir, "short.hl7");
    writeFileSync(file, a04(1));
    await runCommand(
      {
        pack: PACK,
        db: ":memory:",
        now: new Date("2026-01-15T18:00:00Z"),
        format: "text",
        explain: false,
        showData: false,
        files: [file],
        progress: true,
      },
      io,
    );
    expect(io.err()).not.toContain("messages");
  });
});

describe("paintMarks (the pretty test report)", () => {
  it("paints ✓ green and ✗ red at a line's start, nothing else", () => {
    const paint = painter(true);
    expect(paintMarks("  ✓ a case ✗ (1 ms)\n  ✗ b\n", paint)).toBe(
      `  ${paint("green", "✓")} a case ✗ (1 ms)\n  ${paint("red", "✗")} b\n`,
    );
  });
});

describe("FORCE_COLOR and NO_COLOR through the command line", () => {
  const file = join(dir, "cli-one.hl7");
  writeFileSync(file, a04(1));
  const args = ["run", "--pack", PACK, "--db", ":memory:", "--now", "2026-01-15T18:00:00Z", file];

  it("FORCE_COLOR=1 colours run's text output off a terminal", async () => {
    const r = await rulepack(args, { FORCE_COLOR: "1", NO_COLOR: undefined });
    expect(r.stdout).toContain(painter(true)("red", "ERROR"));
  });

  it("NO_COLOR wins over FORCE_COLOR", async () => {
    const r = await rulepack(args, { FORCE_COLOR: "1", NO_COLOR: "1" });
    expect(r.stdout).not.toContain("\u001b[");
  });

  it("FORCE_COLOR=1 paints rulepack test's ✓", async () => {
    const r = await rulepack(
      ["test", "rules/practices/lakeside-family/tests/patients.test.yaml", "--bail"],
      { FORCE_COLOR: "1", NO_COLOR: undefined, CI: undefined },
    );
    expect(r.stdout).toContain(`  ${painter(true)("green", "✓")} `);
  });
});
