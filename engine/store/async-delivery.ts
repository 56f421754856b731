import type { DeliveryOperations } from "./delivery.js";
import { settle } from "./settle.js";

type AsyncDelivery = {
  readonly [K in keyof DeliveryOperations]: (
    ...args: Parameters<DeliveryOperations[K]>
  ) => Promise<ReturnType<DeliveryOperations[K]>>;
};

/** An embedded store's delivery operations behind the asynchronous contract (async-store.ts). */
export function asyncDelivery(sync: DeliveryOperations): AsyncDelivery {
  return {
    claimDelivery: settle((request) => sync.claimDelivery(request)),
    finishDelivery: settle((messageId, send, result) =>
      sync.finishDelivery(messageId, send, result),
    ),
    scheduleDeliveries: settle((at, until) => sync.scheduleDeliveries(at, until)),
    resendDelivery: settle((messageId, at, by) => sync.resendDelivery(messageId, at, by)),
    deliveryEvents: settle((messageId) => sync.deliveryEvents(messageId)),
    setReceiverState: settle((state) => sync.setReceiverState(state)),
    receiverStatuses: settle(() => sync.receiverStatuses()),
  };
}
