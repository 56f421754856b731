import { describe, expect, it } from "vitest";
import type { DeliveryOptions } from "../../engine/pack/delivery-options.js";
import { loadPack } from "../../engine/pack/load.js";
import { createAlertMonitor } from "../../engine/server/alert-monitor.js";
import { createMemoryStore } from "../../engine/store/memory.js";

/**
 * The unreachable alert (queue.alerts, outbound.delivery.unreachableAlertMinutes)
 * raised by the listener's periodic alert monitor, as `rulepack serve` runs
 * it, on an injected clock: a receiver the sender has not reached for longer
 * than the pack allows is reported once, and again only after it was reached.
 */

const base = loadPack("rules/practices/harbor-ortho/pack.yaml");
if (!base.ok) throw new Error("the example pack does not load");
const DELIVERY = base.pack.delivery as DeliveryOptions;
const ALERTS = { ...base.pack.queue.alerts, idleMinutes: 0 };
const DOWN_AT = Date.parse("2026-03-02T10:00:00.000Z");
const at = (minutes: number) => new Date(DOWN_AT + minutes * 60_000);

async function monitored(delivery: DeliveryOptions | undefined) {
  const store = createMemoryStore();
  const lines: string[] = [];
  let clock = at(0);
  const monitor = createAlertMonitor({
    options: () => ALERTS,
    delivery: () => delivery,
    store,
    log: (l) => lines.push(l),
    now: () => clock,
  });
  const receiver = async (connected: boolean) =>
    await store.setReceiverState({
      receiver: "10.1.1.9:2575",
      connected,
      since: clock.toISOString(),
    });
  const checkAt = async (minutes: number) => {
    clock = at(minutes);
    await monitor.check();
  };
  return { lines, receiver, checkAt, setClock: (minutes: number) => (clock = at(minutes)) };
}

describe("outbound.delivery.unreachableAlertMinutes in serve's alert monitor", () => {
  it("fires once when the receiver has been unreachable longer than the minutes, again after it was reached", async () => {
    expect(DELIVERY.unreachableAlertMinutes).toBe(30);
    const m = await monitored(DELIVERY);
    await m.receiver(false);
    await m.checkAt(30);
    expect(m.lines).toEqual([]);
    await m.checkAt(31);
    await m.checkAt(45);
    expect(m.lines).toEqual(["alert kind=unreachable sender=10.1.1.9:2575 value=31 threshold=30"]);
    m.setClock(50);
    await m.receiver(true);
    await m.checkAt(60);
    m.setClock(61);
    await m.receiver(false);
    await m.checkAt(80);
    expect(m.lines).toHaveLength(1);
    await m.checkAt(92);
    expect(m.lines).toEqual([
      "alert kind=unreachable sender=10.1.1.9:2575 value=31 threshold=30",
      "alert kind=unreachable sender=10.1.1.9:2575 value=31 threshold=30",
    ]);
  });

  it("is off at 0 minutes, and without outbound.delivery", async () => {
    for (const delivery of [{ ...DELIVERY, unreachableAlertMinutes: 0 }, undefined]) {
      const m = await monitored(delivery);
      await m.receiver(false);
      await m.checkAt(600);
      expect(m.lines).toEqual([]);
    }
  });
});
