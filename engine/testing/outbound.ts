import { parseHl7 } from "../hl7/parse.js";
import type { Outcome } from "../model/outcome.js";
import { type OutboundResult, sendEvent } from "../outbound/send.js";
import type { CompiledPack } from "../pack/compiled.js";
import type { Store } from "../store/types.js";
import { matchValue, render } from "./match.js";
import type { LoadedEvent, MessageExpectation, OutcomeExpectation } from "./model.js";
import type { Failure, Observed } from "./run.js";

/**
 * Outbound cases (docs/rule-tests.md): a case's `events:` go through the
 * pack's outbound section (`sendEvent`, as `rulepack outbound`) against the
 * case's store and clock, each leg an outcome; `expect[].messages` compares
 * the message a leg built: the whole text, or MSH-9, the segments in order
 * and field values read back with our parser by field reference.
 */

/** A leg as an outcome: its queue state, the HL7 type (or the event kind when none is sent), its errors. */
function outcomeOf(result: OutboundResult): Outcome {
  return {
    messageId: result.messageId,
    controlId: result.controlId ?? "",
    messageType: result.messageType ?? result.event,
    state: result.state,
    actions: [],
    errors: result.errors,
    review: [],
    trace: result.trace ?? [],
  };
}

export async function observeEvent(
  pack: CompiledPack,
  store: Store,
  loaded: LoadedEvent,
  now: Date,
): Promise<Observed[]> {
  const results = await sendEvent(pack, store, loaded.event, { now, trace: true });
  return results.map((result) => {
    const tree = result.text ? parseHl7(result.text).messages[0] : undefined;
    return {
      outcome: outcomeOf(result),
      ...(tree && { message: tree }),
      ...(result.text !== undefined && { sent: result.text }),
      segments: new Set(tree?.segments.map((s) => s.name) ?? []),
    };
  });
}

const lines = (text: string): string[] => text.split("\r").filter((l) => l !== "");

/** `expect[].messages` against the message the outcome sent (none, or one). */
export function checkMessages(e: OutcomeExpectation, o: Observed, index: number): Failure[] {
  const expected = e.messages ?? [];
  const actual = o.sent === undefined ? [] : [o.sent];
  const where = `outcome ${index + 1}`;
  const fail = (line: number, title: string, detail: string[]): Failure => ({
    outcome: index,
    line,
    title: `${where}: ${title}`,
    detail,
    key: "messages",
  });
  if (expected.length !== actual.length)
    return [
      fail(
        e.line,
        `expected ${expected.length} message(s) sent, got ${actual.length}${expected.length === 0 ? " ([] means none)" : ""}`,
        actual.length > 0 ? lines(actual[0] as string) : [`state ${o.outcome.state}`],
      ),
    ];
  return expected.flatMap((m, k) => checkMessage(m, actual[k] as string, o, fail));
}

function checkMessage(
  m: MessageExpectation,
  text: string,
  o: Observed,
  fail: (line: number, title: string, detail: string[]) => Failure,
): Failure[] {
  const failures: Failure[] = [];
  const got = lines(text);
  if (m.text !== undefined) {
    const want = lines(m.text);
    if (want.join("\r") !== got.join("\r"))
      failures.push(fail(m.line, "the message differs", lineDiff(want, got)));
    return failures;
  }
  const type = got[0]?.split("|")[8];
  if (m.type !== undefined && m.type !== type)
    failures.push(fail(m.line, `MSH-9 expected ${m.type}, got ${type}`, []));
  if (m.segments) {
    const differs =
      m.segments.length !== got.length || m.segments.some((s, i) => !segmentMatches(s, got[i]));
    if (differs)
      failures.push(
        fail(
          m.line,
          "the segments differ (a name, or a whole segment line, each in order)",
          lineDiff(
            m.segments,
            got.map((l, i) => (m.segments?.[i]?.includes("|") ? l : l.slice(0, 3))),
          ),
        ),
      );
  }
  if (m.fields) {
    const actual: Record<string, unknown> = {};
    for (const [ref, compiled] of m.refs) {
      const read = o.message ? compiled.read({ message: o.message }) : { kind: "absent" as const };
      if (read.kind === "value") actual[ref] = read.value;
      else if (read.kind === "null") actual[ref] = null;
    }
    const mismatches = matchValue(m.fields, actual, "fields");
    if (mismatches.length > 0)
      failures.push(
        fail(
          m.line,
          "fields differ",
          mismatches.flatMap((x) => [
            `- ${x.path}: ${render(x.expected)}`,
            `+ ${x.path}: ${render(x.actual)}${x.note ? `   (${x.note})` : ""}`,
          ]),
        ),
      );
  }
  return failures;
}

/** A segment name matches a segment of that name; a line (with `|`) matches only itself. */
function segmentMatches(expected: string, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  return expected.includes("|")
    ? expected === actual
    : actual.startsWith(`${expected}|`) || actual === expected;
}

function lineDiff(want: readonly string[], got: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    if (want[i] === got[i]) out.push(`  ${want[i]}`);
    else {
      if (want[i] !== undefined) out.push(`- ${want[i]}`);
      if (got[i] !== undefined) out.push(`+ ${got[i]}`);
    }
  }
  return out;
}
