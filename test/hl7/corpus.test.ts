import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { messageType, parseHl7, serializeDocument } from "../../engine/hl7/index.js";
import {
  CORPUS_DIR,
  CORPUS_FILES,
  corpusBytes,
  expectedText,
  isDeeplyFrozen,
  MALFORMED_FILE,
} from "./helpers.js";

/** The issues each corpus file is known to raise; every other file raises none. */
const EXPECTED_ISSUES: Readonly<Record<string, readonly string[]>> = {
  [MALFORMED_FILE]: ["INVALID_SEGMENT_NAME"],
  "ORM_O01__hl7v2fhir__1.hl7": ["INVALID_BYTES"],
  "BATCH_FHS__mirth__1.hl7": ["BATCH_TRAILER_MISSING", "BATCH_TRAILER_MISSING"],
};

describe("Corpus: every file parses and round-trips", () => {
  it("reads the whole corpus (90 files, one marked MALFORMED)", () => {
    expect(CORPUS_FILES).toHaveLength(90);
    const sources = readFileSync(`${CORPUS_DIR}SOURCES.md`, "utf8");
    // Each file's entry runs from its bold name to the next one.
    const entries = sources.split("\n- **`").slice(1);
    const malformed = entries
      .filter((entry) => entry.includes("MALFORMED"))
      .map((entry) => entry.slice(0, entry.indexOf("`")));
    expect(malformed).toStrictEqual([MALFORMED_FILE]);
  });

  it.each(CORPUS_FILES)("parses %s with only its known issues", (name) => {
    const doc = parseHl7(corpusBytes(name));
    expect(doc.messages.length).toBeGreaterThanOrEqual(1);
    expect(doc.issues.map((i) => i.code)).toStrictEqual(EXPECTED_ISSUES[name] ?? []);
    expect(doc.issues.filter((i) => i.severity === "error")).toStrictEqual([]);
    expect(isDeeplyFrozen(doc)).toBe(true);
  });

  it.each(CORPUS_FILES)("round-trips %s byte for byte through serializeDocument", (name) => {
    const bytes = corpusBytes(name);
    expect(serializeDocument(parseHl7(bytes))).toBe(expectedText(bytes));
    // A string input gives the same document, bar the BOM flag.
    expect(serializeDocument(parseHl7(expectedText(bytes)))).toBe(expectedText(bytes));
  });

  it.each(CORPUS_FILES.filter((f) => !f.startsWith("BATCH_")))(
    "reads MSH-9 of %s as its file name says",
    (name) => {
      const [code, trigger] = name.split("__")[0]?.split("_") ?? [];
      const type = messageType(parseHl7(corpusBytes(name)).messages[0] ?? fail(name));
      expect(type.code).toBe(code);
      expect(type.trigger).toBe(trigger === "NA" ? "" : trigger);
    },
  );

  it("gives the MALFORMED file an issue, never a crash", () => {
    const doc = parseHl7(corpusBytes(MALFORMED_FILE));
    expect(doc.issues.map((i) => [i.code, i.line])).toStrictEqual([["INVALID_SEGMENT_NAME", 7]]);
  });
});

function fail(name: string): never {
  throw new Error(`${name} holds no message`);
}
