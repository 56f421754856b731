/**
 * HL7 parsing: parseHl7 (a full, lossless, frozen tree) against a lean full
 * split written here (bench/baselines/lean-full-split.ts: every level, split
 * only where its separator occurs, plain arrays), against @medplum/core's
 * parser on the files it reads, and against the split-only floor. Before
 * timing, every corpus file is checked to round-trip byte for byte through
 * serializeDocument and to come out deeply frozen.
 */
import { Hl7Message } from "@medplum/core";
import { parseHl7, serializeDocument } from "../../engine/hl7/index.js";
import { leanFullSplit } from "../baselines/lean-full-split.js";
import { splitOnly, splitOnlyBytes } from "../baselines/split-only-parser.js";
import type { Corpus } from "../corpus.js";
import { consume, type Goal, type Suite } from "../harness.js";

const GOAL: Goal = {
  maxRatio: 3,
  statement: "parser issue: a full tree within 3x of the split-only parser (decision 0003)",
};
const LEAN_GOAL: Goal = {
  maxRatio: 1.2,
  statement: "issue 18: within 1.2x of a lean full split",
};
const MEDPLUM_GOAL: Goal = {
  maxRatio: 1 / 1.5,
  statement: "issue 18: 1.5x faster than @medplum/core",
};

function deeplyFrozen(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return true;
  if (ArrayBuffer.isView(value)) return true; // bytes: cannot be frozen, never handed to packs
  return Object.isFrozen(value) && Object.values(value).every(deeplyFrozen);
}

/** The files @medplum/core parses (one message each; it refuses batches). */
function medplumReadable(files: Corpus["files"]): Corpus["files"] {
  return files.filter((f) => {
    try {
      Hl7Message.parse(f.text);
      return parseHl7(f.text).messages.length === 1;
    } catch {
      return false;
    }
  });
}

/**
 * A suite timing parseHl7 on the text of `files` against a baseline parser
 * on the same texts; `units` is what one pass counts (messages, or files).
 */
function fromStrings(
  name: string,
  goal: Goal,
  files: Corpus["files"],
  units: number,
  baselineName: string,
  baseline: (text: string) => number,
): Suite {
  return {
    name,
    unit: "msg",
    unitsPerPass: units,
    goal,
    baseline: {
      name: baselineName,
      run() {
        for (const f of files) consume(baseline(f.text));
        return units;
      },
    },
    subject: {
      name: "parseHl7(string)",
      run() {
        for (const f of files) consume(parseHl7(f.text).messages.length);
        return units;
      },
    },
  };
}

export function parseSuites(corpus: Corpus): Suite[] {
  const { files, messages } = corpus;
  const text = (b: Buffer) => b.toString("utf8").replace(/^\uFEFF/, "");
  const lossless = files.filter((f) => serializeDocument(parseHl7(f.bytes)) === text(f.bytes));
  const frozen = files.filter((f) => deeplyFrozen(parseHl7(f.bytes)));
  const medplum = medplumReadable(files);
  process.stdout.write(
    `parse: ${lossless.length}/${files.length} files round-trip byte for byte, ${frozen.length}/${files.length} trees deeply frozen; ` +
      `@medplum/core reads ${medplum.length} single-message files\n`,
  );
  return [
    fromStrings(
      "parse HL7 from strings (whole corpus), against a lean full split",
      LEAN_GOAL,
      files,
      messages,
      "lean full split (every level, where its separator occurs; plain arrays)",
      (t) => leanFullSplit(t).length,
    ),
    fromStrings(
      `parse HL7 from strings (${medplum.length} files @medplum/core reads), against @medplum/core`,
      MEDPLUM_GOAL,
      medplum,
      medplum.length,
      "@medplum/core Hl7Message.parse",
      (t) => Hl7Message.parse(t).segments.length,
    ),
    fromStrings(
      "parse HL7 from strings (whole corpus)",
      GOAL,
      files,
      messages,
      "split-only",
      (t) => splitOnly(t).length,
    ),
    {
      name: "parse HL7 from Buffers (whole corpus)",
      unit: "msg",
      unitsPerPass: messages,
      goal: GOAL,
      baseline: {
        name: "split-only (utf8 decode + split)",
        run() {
          for (const f of files) consume(splitOnlyBytes(f.bytes).length);
          return messages;
        },
      },
      subject: {
        name: "parseHl7(Buffer)",
        run() {
          for (const f of files) consume(parseHl7(f.bytes).messages.length);
          return messages;
        },
      },
    },
  ];
}
