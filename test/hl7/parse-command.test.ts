import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type ParseCommandOptions, parseCommand } from "../../engine/cli/parse-command.js";
import type { CliIo } from "../../engine/io/cli-io.js";
import { corpusBytes, corpusPath, expectedText, MALFORMED_FILE } from "./helpers.js";

function fakeIo(): CliIo & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    stdout: (text: string) => {
      io.out += text;
    },
    stderr: (text: string) => {
      io.err += text;
    },
  };
  return io;
}

function run(files: string[], format: ParseCommandOptions["format"] = "json", pretty = false) {
  const io = fakeIo();
  const { exitCode } = parseCommand({ files, format, pretty }, io);
  return { exitCode, out: io.out, err: io.err };
}

const scratch = mkdtempSync(join(tmpdir(), "rulepack-parse-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const ACK = corpusPath("ACK_S12__redox__1.hl7");

describe("CLI parse command (parseCommand with a fake io)", () => {
  it("prints each file's document as one JSON line and exits 0", () => {
    const { exitCode, out, err } = run([ACK]);
    expect(exitCode).toBe(0);
    expect(err).toBe("");
    expect(out.endsWith("\n")).toBe(true);
    expect(out.trimEnd().split("\n")).toHaveLength(1);
    const json = JSON.parse(out);
    expect(json.file).toBe(ACK);
    expect(json.messages).toHaveLength(1);
    expect(json.messages[0].segments.map((s: { name: string }) => s.name)).toStrictEqual([
      "MSH",
      "MSA",
    ]);
    expect(json.messages[0].segments[0].fields[8]).toStrictEqual([
      [[{ raw: "ACK", value: "ACK" }], [{ raw: "S12", value: "S12" }]],
    ]);
    expect(json.issues).toStrictEqual([]);
  });

  it("indents the JSON with pretty", () => {
    const { exitCode, out } = run([ACK], "json", true);
    expect(exitCode).toBe(0);
    expect(out.startsWith('{\n  "file": ')).toBe(true);
    expect(JSON.parse(out).file).toBe(ACK);
  });

  it("writes the message back byte for byte with --format hl7", () => {
    const name = "ORM_O01__efferent__1.hl7";
    const { exitCode, out, err } = run([corpusPath(name)], "hl7");
    expect(exitCode).toBe(0);
    expect(err).toBe("");
    expect(out).toBe(expectedText(corpusBytes(name)));
  });

  it("reports warnings on stderr as FILE:LINE: CODE message and still exits 0", () => {
    const file = corpusPath(MALFORMED_FILE);
    const { exitCode, out, err } = run([file]);
    expect(exitCode).toBe(0);
    expect(err).toBe(
      `${file}:7: INVALID_SEGMENT_NAME line 7 does not start with a segment ID ('8866'); a line break inside a field? Kept as a segment\n`,
    );
    expect(JSON.parse(out).messages[0].segments).toHaveLength(8);
  });

  it("exits 2 for an unreadable file", () => {
    const missing = join(scratch, "missing.hl7");
    const { exitCode, out, err } = run([missing]);
    expect(exitCode).toBe(2);
    expect(out).toBe("");
    expect(err).toBe(`cannot read ${missing} (ENOENT)\n`);
    const dir = run([scratch]);
    expect(dir.exitCode).toBe(2);
    expect(dir.err).toBe(`cannot read ${scratch} (EISDIR)\n`);
  });

  it("exits 1 on a parse error, still printing the best-effort tree", () => {
    const file = join(scratch, "no-msh.hl7");
    writeFileSync(file, "PID|1||X\r");
    const { exitCode, out, err } = run([file]);
    expect(exitCode).toBe(1);
    expect(err).toBe(
      `${file}:1: TEXT_OUTSIDE_MESSAGE line 1 is outside any message (no MSH segment before it)\n` +
        `${file}:1: PARSE_ERROR no MSH segment found: this is not an HL7 v2 message\n`,
    );
    const json = JSON.parse(out);
    expect(json.messages).toStrictEqual([]);
    expect(json.issues.map((i: { code: string }) => i.code)).toStrictEqual([
      "TEXT_OUTSIDE_MESSAGE",
      "PARSE_ERROR",
    ]);
  });

  it("goes on after a bad file and keeps the worst exit code", () => {
    const bad = join(scratch, "truncated.hl7");
    writeFileSync(bad, "MSH|^~\\&|A");
    const missing = join(scratch, "gone.hl7");
    const { exitCode, out, err } = run([bad, ACK, missing]);
    expect(exitCode).toBe(2);
    expect(
      out
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line).file),
    ).toStrictEqual([bad, ACK]);
    expect(err).toBe(
      `${bad}:1: PARSE_ERROR message type (MSH-9) is empty or the MSH segment is truncated\n` +
        `cannot read ${missing} (ENOENT)\n`,
    );
    expect(run([bad, ACK]).exitCode).toBe(1);
  });
});
