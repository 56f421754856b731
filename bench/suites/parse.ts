/** HL7 parsing: parseHl7 (full frozen tree) against the split-only baseline. */
import { parseHl7 } from "../../engine/hl7/index.js";
import { splitOnly, splitOnlyBytes } from "../baselines/split-only-parser.js";
import type { Corpus } from "../corpus.js";
import { consume, type Goal, type Suite } from "../harness.js";

const GOAL: Goal = {
  maxRatio: 3,
  statement: "a full tree within 3x of the split-only parser",
};

export function parseSuites(corpus: Corpus): Suite[] {
  const { files, messages } = corpus;
  return [
    {
      name: "parse HL7 from strings (whole corpus)",
      unit: "msg",
      unitsPerPass: messages,
      goal: GOAL,
      baseline: {
        name: "split-only",
        run() {
          for (const f of files) consume(splitOnly(f.text).length);
          return messages;
        },
      },
      subject: {
        name: "parseHl7(string)",
        run() {
          for (const f of files) consume(parseHl7(f.text).messages.length);
          return messages;
        },
      },
    },
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
