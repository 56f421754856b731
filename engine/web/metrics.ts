import { Gauge, Histogram, Registry } from "prom-client";
import type { CompiledPack } from "../pack/compiled.js";
import { thresholdAlerts } from "../queue/alerts.js";
import { countsByState, type MessageCount } from "../store/message-counts.js";
import type { Store } from "../store/types.js";

/**
 * `/metrics` in the Prometheus text format (prom-client, a registry of the
 * app's own, not the process-global one): messages by state and type and
 * queue depth per state from the store's grouped counts at each scrape (one
 * indexed query, not a read of every message), whether the sender is
 * connected to each receiver, the processing
 * time of what the web app processes (uploads, HTTP messages, reprocessing)
 * and of each message the MLLP listener beside it committed (kind "mllp",
 * the listener's time from the frame's receipt: listener-timings.ts)
 * as a histogram, whether the MLLP listener is up, and the pack's threshold
 * alerts that hold now. Labels are states, types and alert kinds: no
 * patient data.
 */
export interface WebMetrics {
  readonly registry: Registry;
  /** Record how long processing one piece of input took. */
  observe(kind: "upload" | "message" | "event" | "reprocess" | "mllp", seconds: number): void;
}

export interface MetricsSources {
  readonly store: Store;
  readonly pack: () => CompiledPack;
  readonly clock: () => Date;
  readonly listener?: () => boolean;
}

export function createMetrics(sources: MetricsSources): WebMetrics {
  const registry = new Registry();
  // One grouped query per scrape: the gauges collect at once and share it.
  let counting: Promise<readonly MessageCount[]> | undefined;
  const messageCounts = (): Promise<readonly MessageCount[]> => {
    if (!counting) {
      counting = sources.store.messageCounts();
      const done = () => {
        counting = undefined;
      };
      counting.then(done, done);
    }
    return counting;
  };
  const histogram = new Histogram({
    name: "rulepack_processing_seconds",
    help: "Time to store and process one piece of input (over HTTP, or kind mllp: one message over the MLLP listener), by kind",
    labelNames: ["kind"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: "rulepack_messages",
    help: "Messages in the queue by state and message type",
    labelNames: ["state", "type"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const c of await messageCounts())
        this.inc({ state: c.state, type: c.messageType || "-" }, c.n);
    },
  });
  new Gauge({
    name: "rulepack_queue_depth",
    help: "Messages per queue state",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      this.reset();
      const counts = countsByState(await messageCounts());
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n ?? 0);
    },
  });
  new Gauge({
    name: "rulepack_alerts_firing",
    help: "The pack's threshold alerts whose condition holds now, by kind",
    labelNames: ["kind"],
    registers: [registry],
    async collect() {
      this.reset();
      const summary = await sources.store.queueSummary();
      const alerts = thresholdAlerts(sources.pack().queue.alerts, {
        summary,
        now: sources.clock(),
      });
      for (const a of alerts) this.inc({ kind: a.kind });
    },
  });
  new Gauge({
    name: "rulepack_receiver_connected",
    help: "1 while the sender is connected to the receiver, 0 when not (outbound delivery)",
    labelNames: ["receiver"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await sources.store.receiverStatuses())
        this.set({ receiver: r.receiver }, r.connected ? 1 : 0);
    },
  });
  if (sources.listener) {
    const listener = sources.listener;
    new Gauge({
      name: "rulepack_listener_up",
      help: "1 while the MLLP listener accepts connections",
      registers: [registry],
      collect() {
        this.set(listener() ? 1 : 0);
      },
    });
  }
  return {
    registry,
    observe(kind, seconds) {
      histogram.observe({ kind }, seconds);
    },
  };
}
