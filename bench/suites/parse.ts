/**
 * HL7 parsing: parseHl7 (a full, lossless, frozen tree) against a lean full
 * split written here (bench/baselines/lean-full-split.ts: every level, split
 * only where its separator occurs, plain arrays), against @medplum/core's
 * parser on the files it reads, and against the split-only floor. Before
 * timing, every corpus file is checked to round-trip byte for byte through
 * serializeDocument and to come out deeply frozen.
 *
 * parseHl7 splits a segment's fields when they are first read (decision
 * 0041), so "parse" times what a reader pays before it reads anything; the
 * "read every leaf" suites time parse and a read of every leaf on both
 * sides (the tree's decoded values, the baseline's strings), the most a
 * reader can ask of it.
 */
import { Hl7Message } from "@medplum/core";
import { type Hl7Document, parseHl7, serializeDocument } from "../../engine/hl7/index.js";
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
const LEAN_READ_GOAL: Goal = {
  maxRatio: 1.2,
  statement: "issue 18's 1.2x of a lean full split, every leaf read (decision 0041)",
};
const MEDPLUM_READ_GOAL: Goal = {
  maxRatio: 1 / 1.5,
  statement: "issue 18's 1.5x faster than @medplum/core, every leaf read (decision 0041)",
};

/** Every leaf's decoded value read, as a reader of the whole tree reads it. */
function readEveryLeaf(doc: Hl7Document): number {
  let n = 0;
  for (const message of doc.messages)
    for (const segment of message.segments)
      for (const field of segment.fields)
        for (const repetition of field)
          for (const component of repetition)
            for (const leaf of component) n += leafCount(leaf.value);
  return n;
}

/** What a read of a leaf yields to the checksum: its length (the null counts as 0). */
function leafCount(value: string | null): number {
  return value === null ? 0 : value.length;
}

type Split = string | Split[];

/** Every string of the lean split read. */
function readEverySplit(node: Split): number {
  if (typeof node === "string") return leafCount(node);
  let n = 0;
  for (const child of node) n += readEverySplit(child);
  return n;
}

/** Every subcomponent of @medplum/core's message read (it splits subcomponents when asked). */
function readEveryMedplumLeaf(message: Hl7Message): number {
  const sub = message.context.subcomponentSeparator;
  let n = 0;
  for (const segment of message.segments)
    for (const field of segment.fields)
      for (const repetition of field.components)
        for (const component of repetition)
          for (const leaf of component.split(sub)) n += leafCount(leaf);
  return n;
}

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
  subjectName = "parseHl7(string)",
  subject: (text: string) => number = (t) => parseHl7(t).messages.length,
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
      name: subjectName,
      run() {
        for (const f of files) consume(subject(f.text));
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
      "parse HL7 from strings and read every leaf (whole corpus), against a lean full split",
      LEAN_READ_GOAL,
      files,
      messages,
      "lean full split, every string read",
      (t) => readEverySplit(leanFullSplit(t)),
      "parseHl7(string), every leaf's value read",
      (t) => readEveryLeaf(parseHl7(t)),
    ),
    fromStrings(
      `parse HL7 from strings and read every leaf (${medplum.length} files @medplum/core reads), against @medplum/core`,
      MEDPLUM_READ_GOAL,
      medplum,
      medplum.length,
      "@medplum/core Hl7Message.parse, every subcomponent read",
      (t) => readEveryMedplumLeaf(Hl7Message.parse(t)),
      "parseHl7(string), every leaf's value read",
      (t) => readEveryLeaf(parseHl7(t)),
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
