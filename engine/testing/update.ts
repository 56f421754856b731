import { readFileSync, writeFileSync } from "node:fs";
import { type Document, isCollection, isNode, parseDocument } from "yaml";
import type { Outcome } from "../model/outcome.js";
import { TEST_TAGS } from "./absent.js";
import type { CaseResult } from "./run.js";

/**
 * `--update`: write what happened into the expectations of failing cases,
 * through yaml's Document API, so comments, key order and the untouched
 * expectations (deep-partial records, !absent) stay as they were written.
 * Only the keys that did not match are rewritten: state, controlId,
 * messageType, actions (whole actions), errors ({code, field}), review
 * ({reason}). A case without expect:, or with a different number of
 * outcomes, gets all of them. Failed assertions and store expectations are
 * left for a person.
 */
export interface UpdateResult {
  readonly file: string;
  readonly updated: readonly string[];
  /** Cases whose remaining failures an update cannot fix. */
  readonly manual: readonly string[];
}

export function golden(o: Outcome, key: "actions" | "errors" | "review"): unknown[] {
  if (key === "actions") return JSON.parse(JSON.stringify(o.actions));
  if (key === "errors")
    return o.errors.map((e) => ({
      code: e.code,
      ...(e.field !== undefined && { field: e.field }),
    }));
  return o.review.map((r) => ({ reason: r.reason }));
}

function goldenOutcome(o: Outcome): Record<string, unknown> {
  return {
    state: o.state,
    actions: golden(o, "actions"),
    errors: golden(o, "errors"),
    ...(o.review.length > 0 && { review: golden(o, "review") }),
  };
}

export function updateFile(file: string, results: readonly CaseResult[]): UpdateResult {
  const text = readFileSync(file, "utf8");
  const doc = parseDocument(text, { customTags: TEST_TAGS });
  const updated: string[] = [];
  const manual: string[] = [];
  for (const r of results) {
    if (r.status !== "failed") continue;
    const outcomes = r.observed.map((o) => o.outcome);
    const casePath = ["cases", r.case.index];
    const whole = r.failures.some((f) => f.key === "expect" || f.key === "count");
    let changed = false;
    if (whole) {
      const list = outcomes.map(goldenOutcome);
      replace(doc, [...casePath, "expect"], list.length === 1 ? list[0] : list);
      changed = true;
    } else {
      for (const f of r.failures) {
        if (f.outcome === undefined) continue;
        const e = r.case.expect?.[f.outcome];
        const o = outcomes[f.outcome];
        if (!e || !o) continue;
        if (f.key === "state" || f.key === "controlId" || f.key === "messageType") {
          doc.setIn([...e.path, f.key], o[f.key]);
          changed = true;
        } else if (f.key === "actions" || f.key === "errors" || f.key === "review") {
          replace(doc, [...e.path, f.key], golden(o, f.key));
          changed = true;
        }
      }
    }
    if (changed) updated.push(r.case.name);
    if (r.failures.some((f) => f.key === "assert" || f.key === "store")) manual.push(r.case.name);
  }
  if (updated.length > 0) {
    // A tag with an empty value is written `!absent ` (yaml puts a space after a tag): trim it.
    const next = doc.toString({ lineWidth: 0 }).replace(/ !absent (?=$| |,|\]|\})/gm, " !absent");
    if (next !== text) writeFileSync(file, next);
  }
  return { file, updated, manual };
}

/** Set the node at `path`, keeping the comments of the node it replaces. */
function replace(doc: Document, path: readonly (string | number)[], value: unknown): void {
  const before = doc.getIn(path, true);
  const node = doc.createNode(value);
  if (isNode(before)) {
    if (before.commentBefore) node.commentBefore = before.commentBefore;
    // A short list written in flow style (`errors: [] # none`) stays in flow style with its comment.
    const short = JSON.stringify(value).length <= 80;
    if (isCollection(before) && before.flow && isCollection(node) && short) node.flow = true;
    if (before.comment && (!isCollection(node) || node.flow)) node.comment = before.comment;
  }
  doc.setIn(path, node);
}
