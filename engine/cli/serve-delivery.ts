import { type RunningSender, startSender } from "../delivery/sender.js";
import type { CompiledPack } from "../pack/compiled.js";
import type { Store } from "../store/types.js";
import { formatSend } from "./deliver-command.js";
import { realDeliveryClock } from "./delivery-clock.js";

/**
 * `rulepack serve`'s sender: when the pack names a receiver
 * (outbound.delivery), the queued outbound messages are sent beside the
 * listener, each send logged (IDs and causes, no patient data).
 */
export function startServeSender(
  pack: CompiledPack,
  store: Store,
  log: (line: string) => void,
): RunningSender | undefined {
  const delivery = pack.delivery;
  const receiver = delivery?.receiver;
  if (!delivery || !receiver) return undefined;
  log(`delivering outbound messages to ${receiver.name}`);
  return startSender({
    store,
    delivery: { ...delivery, receiver },
    clock: realDeliveryClock,
    onSend: (r) => log(`deliver: ${formatSend(r)}`),
  });
}
