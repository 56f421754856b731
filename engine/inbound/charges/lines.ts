import type { ReadContext } from "../../paths/types.js";
import type { MessageContext } from "../context.js";
import { type ExtractedRecord, type ExtractScope, extractRecord } from "../extract.js";
import { groupsOf } from "../groups.js";
import { checkRequired } from "../required.js";
import { checkUnknownProcedure } from "./procedures.js";

/**
 * The charge lines of a DFT^P03 (docs/pack-language.md §18 "Only charges"):
 * one per FT1 group (an FT1 with its PR1), built by the `charge.*` field
 * rules. Only FT1.6 types in `charges.transactionTypes` are charges; any
 * other line gets the warning TRANSACTION_SKIPPED and nothing else: its
 * fields are neither required nor reported.
 */
export interface ChargeLineInput {
  /** 1-based position of the FT1 group in the message. */
  readonly number: number;
  /** Where the line's rules read: its FT1 group, the rest of the message. */
  readonly scope: ExtractScope;
  readonly read: ReadContext;
  readonly record: ExtractedRecord;
  /** False when the line has an error of its own (its claim fields are still derived and checked). */
  readonly ok: boolean;
  /** "" when missing (then `ok` is false). */
  readonly procedure: string;
  readonly modifiers: readonly string[];
  readonly units: number;
  /** As sent, in pointer order (FT1.19[*] | DG1[*].3). */
  readonly diagnoses: readonly string[];
}

/** Findings of one line, kept apart until the line is known to be a charge. */
export function lineContext(ctx: MessageContext): MessageContext {
  return { ...ctx, found: { errors: [], review: [], trace: ctx.found.trace } };
}

/** A line's errors into the message's, each saying which FT1 it is about. */
export function reportLine(ctx: MessageContext, line: MessageContext, number: number): void {
  for (const e of line.found.errors) {
    ctx.found.errors.push({ ...e, message: `charge line ${number} (FT1): ${e.message}` });
  }
}

/**
 * Every charge line of the message, checked (required fields, procedure
 * code). A line that fails is reported and marked, not dropped, so that its
 * claim fields are checked too and the queue shows every problem at once.
 */
export async function chargeLines(ctx: MessageContext): Promise<ChargeLineInput[]> {
  const lines: ChargeLineInput[] = [];
  const types = ctx.pack.charges.transactionTypes;
  for (const group of groupsOf(ctx.message, "chargeLine")) {
    const number = group.index;
    const scope: ExtractScope = { group: group.segments, groupMembers: group.members };
    const read: ReadContext = { message: ctx.message, ...scope };
    const quiet = lineContext(ctx);
    const record = await extractRecord(quiet, "charge", scope);
    const type = record.fields.get("charge.transactionType");
    if (type?.kind === "invalid") {
      reportLine(ctx, quiet, number);
      continue;
    }
    const code = type?.kind === "value" ? String(type.value) : undefined;
    if (code === undefined || !types.includes(code)) {
      ctx.found.errors.push({
        code: "TRANSACTION_SKIPPED",
        severity: "warning",
        message: `charge line ${number} (FT1) is ${code === undefined ? "without a transaction type" : `a ${code} transaction`}, not a charge (charges.transactionTypes: ${types.join(", ")}): skipped`,
        field: type?.hl7Field ?? "FT1.6",
        ...(code !== undefined && { value: code }),
      });
      ctx.found.trace.push({
        step: "decide",
        rule: "charges.transactionTypes",
        detail: "skipped",
        options: [{ path: "charges.transactionTypes", value: [...types] }],
      });
      continue;
    }
    const required = await checkRequired(quiet, record, "create", read, "charge");
    const procedure = textOf(record, "charge.procedure");
    if (procedure !== undefined) checkUnknownProcedure(quiet, procedure, fieldOf(record));
    reportLine(ctx, quiet, number);
    lines.push({
      number,
      scope,
      read,
      record,
      ok: required && record.complete && !quiet.found.errors.some((e) => e.severity === "error"),
      procedure: procedure ?? "",
      modifiers: listOf(record, "charge.modifiers"),
      units: unitsOf(record),
      diagnoses: listOf(record, "charge.diagnoses"),
    });
  }
  return lines;
}

function textOf(record: ExtractedRecord, field: string): string | undefined {
  const value = record.fields.get(field);
  return value?.kind === "value" ? String(value.value) : undefined;
}

function fieldOf(record: ExtractedRecord): string {
  return record.fields.get("charge.procedure")?.hl7Field ?? "FT1.25";
}

function listOf(record: ExtractedRecord, field: string): string[] {
  const value = record.fields.get(field);
  if (value?.kind !== "value") return [];
  return (Array.isArray(value.value) ? value.value : [value.value]).map(String);
}

/** FT1.10 (`default: 1`); a rule that yields no number leaves one unit. */
function unitsOf(record: ExtractedRecord): number {
  const value = record.fields.get("charge.units");
  return value?.kind === "value" && typeof value.value === "number" ? value.value : 1;
}
