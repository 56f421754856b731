import type { DeliveryOptions } from "../pack/delivery-options.js";
import type { ReceiverStatus } from "../store/delivery.js";
import type { Alert } from "./alerts.js";

/**
 * `unreachable` (queue.alerts, threshold outbound.delivery.unreachableAlertMinutes):
 * a receiver not connected for longer than the pack allows. Read by
 * `rulepack status --pack` and by the listener's periodic alert monitor.
 */
export function unreachableAlerts(
  delivery: DeliveryOptions | undefined,
  statuses: readonly ReceiverStatus[],
  now: Date,
): Alert[] {
  const threshold = delivery?.unreachableAlertMinutes ?? 0;
  if (threshold <= 0) return [];
  return statuses.flatMap((r) => {
    const minutes = (now.getTime() - Date.parse(r.since)) / 60_000;
    if (r.connected || !(minutes > threshold)) return [];
    return [
      {
        kind: "unreachable" as const,
        at: now.toISOString(),
        value: Math.round(minutes * 10) / 10,
        threshold,
        sender: r.receiver,
      },
    ];
  });
}
