import { parseArgs } from "node:util";
import { type SendReport, startSender } from "../delivery/sender.js";
import { type CliIo, type CommandResult, EXIT } from "../io/cli-io.js";
import type { DeliveryReceiver } from "../pack/delivery-options.js";
import { NotResendableError } from "../store/delivery.js";
import { UnknownMessageError } from "../store/errors.js";
import { usageError } from "./args.js";
import { realDeliveryClock } from "./delivery-clock.js";
import { openPractice } from "./practice.js";

export const DELIVER_USAGE =
  "rulepack deliver --pack PACK [--db FILE] [--once] [--resend ID]... [--actor NAME]";

/** One line per send, no patient data: `q-000003 HOR3 SIU^S12 send 2: acknowledged (MSA-1 AA)`. */
export function formatSend(r: SendReport): string {
  return `${r.messageId} ${r.controlId} ${r.messageType} send ${r.send}: ${r.result} (${r.detail})${r.moved ? "" : " [a newer send had taken over]"}`;
}

/**
 * `rulepack deliver`: send the queued outbound messages to the pack's
 * receiver (outbound.delivery) until stopped (SIGTERM, SIGINT), or with
 * `--once` until nothing can be sent now (a batch run, a cron job).
 * `--resend ID` first puts an ERROR or PROCESSED outbound message back to
 * NEW, to be sent again as stored (same bytes, same MSH-10). One line per
 * send on stdout; the counts on stderr. Exit 1 when a message ended in
 * ERROR in this run.
 */
export async function deliverCommandArgs(args: string[], io: CliIo): Promise<CommandResult> {
  const usage = DELIVER_USAGE;
  let values: {
    pack?: string;
    db: string;
    once?: boolean;
    resend?: string[];
    actor?: string;
  };
  try {
    values = parseArgs({
      args,
      options: {
        pack: { type: "string" },
        db: { type: "string", default: "rulepack.sqlite" },
        once: { type: "boolean" },
        resend: { type: "string", multiple: true },
        actor: { type: "string" },
      },
    }).values;
  } catch (e) {
    return usageError(io, usage, (e as Error).message);
  }
  if (!values.pack) return usageError(io, usage, "--pack is required");
  const opened = await openPractice(values.pack, values.db, io, { existing: false });
  if (!opened.ok) return { exitCode: opened.exitCode };
  const { pack, store } = opened;
  try {
    const delivery = pack.delivery;
    const receiver = delivery?.receiver;
    if (!delivery || !receiver) {
      io.stderr(
        `rulepack: ${pack.id} names no receiver (outbound.delivery.receiver: host and port): nothing to send to\n`,
      );
      return { exitCode: EXIT.usage };
    }
    const actor = values.actor ?? process.env.RULEPACK_ACTOR ?? process.env.USER ?? "unknown";
    for (const id of values.resend ?? []) {
      try {
        await store.resendDelivery(id, new Date().toISOString(), actor);
        io.stdout(`${id} resent as stored: NEW\n`);
      } catch (e) {
        if (e instanceof NotResendableError || e instanceof UnknownMessageError) {
          io.stderr(`rulepack: ${e.message}\n`);
          return { exitCode: EXIT.failed };
        }
        throw e;
      }
    }
    return await deliver(store, { ...delivery, receiver }, values.once === true, io);
  } finally {
    await store.close();
  }
}

async function deliver(
  store: Parameters<typeof startSender>[0]["store"],
  delivery: Parameters<typeof startSender>[0]["delivery"] & { receiver: DeliveryReceiver },
  once: boolean,
  io: CliIo,
): Promise<CommandResult> {
  io.stderr(`rulepack deliver: sending to ${delivery.receiver.name}${once ? " (once)" : ""}\n`);
  const sender = startSender({
    store,
    delivery,
    clock: realDeliveryClock,
    once,
    onSend: (r) => io.stdout(`${formatSend(r)}\n`),
  });
  const stop = () => void sender.stop();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  try {
    const s = await sender.done;
    io.stderr(
      `rulepack deliver: sent ${s.sent}, acknowledged ${s.acknowledged}, retried ${s.retried}, failed ${s.failed}, resent with the same MSH-10 ${s.resent}\n`,
    );
    return { exitCode: s.failed > 0 ? EXIT.failed : EXIT.ok };
  } finally {
    process.off("SIGTERM", stop);
    process.off("SIGINT", stop);
  }
}
