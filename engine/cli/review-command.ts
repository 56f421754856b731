import { parseArgs } from "node:util";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import { decideReview, type ReviewChoice } from "../queue/review.js";
import { clockOf, resolveActor, usageError } from "./args.js";
import { openPractice } from "./practice.js";
import { printAttempts, QUEUE_CHANGE_OPTIONS } from "./reprocess-command.js";

export const REVIEW_USAGE =
  "rulepack review ID (--merge-with PATIENT | --create-new | --accept-update | --reject) --pack PACK [--actor NAME] [--db FILE] [--now ISO-8601] [--force] [--format text|json]";

/**
 * `rulepack review`: a person's decision on a message held with
 * REVIEW_REQUIRED. The message is processed again with it (`--reject`:
 * DELETED, not processed), the attempt records the actor and the decision,
 * and the patient's messages that waited on it follow. Prints what
 * `rulepack reprocess` prints.
 */
export async function reviewCommand(args: readonly string[], io: CliIo): Promise<CommandResult> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      ...QUEUE_CHANGE_OPTIONS,
      "merge-with": { type: "string" },
      "create-new": { type: "boolean" },
      "accept-update": { type: "boolean" },
      reject: { type: "boolean" },
    },
  });
  const usage = (message: string) => usageError(io, REVIEW_USAGE, message);
  const [id, ...extra] = positionals;
  if (!id || extra.length > 0) return usage("give exactly one message ID");
  if (!values.pack) return usage("--pack is required");
  const actor = resolveActor(values.actor, process.env);
  if (!actor)
    return usage(
      "--actor is required (or set RULEPACK_ACTOR or USER): a review records who decided",
    );
  if (values.format !== "text" && values.format !== "json")
    return usage(`unknown --format '${values.format}'`);
  const clock = clockOf(values.now);
  if (!clock) return usage(`--now '${values.now}' is not an ISO-8601 date-time`);
  const choices: ReviewChoice[] = [
    ...(values["merge-with"] !== undefined
      ? [{ kind: "mergeWith" as const, patientId: values["merge-with"] }]
      : []),
    ...(values["create-new"] ? [{ kind: "createNew" as const }] : []),
    ...(values["accept-update"] ? [{ kind: "acceptUpdate" as const }] : []),
    ...(values.reject ? [{ kind: "reject" as const }] : []),
  ];
  const [choice, ...more] = choices;
  if (!choice || more.length > 0)
    return usage(
      "give one decision: --merge-with PATIENT, --create-new, --accept-update or --reject",
    );

  const opened = await openPractice(values.pack, values.db, io, { existing: true });
  if (!opened.ok) return { exitCode: opened.exitCode };
  try {
    const result = await decideReview(opened.pack, opened.store, id, choice, {
      clock,
      actor,
      force: values.force === true,
    });
    if (!result.ok) {
      io.stderr(`rulepack: ${result.message}\n`);
      return { exitCode: EXIT.failed };
    }
    printAttempts(result.attempts, values.format, io);
    return { exitCode: EXIT.ok };
  } finally {
    await opened.store.close();
  }
}
