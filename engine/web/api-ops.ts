import type { FastifyInstance, FastifySchema } from "fastify";
import { thresholdAlerts } from "../queue/alerts.js";
import { REPROCESSABLE } from "../queue/reprocess.js";
import { API_ERROR_SCHEMA, apiError, type WebContext } from "./context.js";
import { senderOf } from "./list-query.js";
import { rolesFor } from "./users.js";

/**
 * What operators and their tools read: the status page's data (per sender
 * its last message and the errors waiting, outbound messages waiting to be
 * sent, the pack's alerts that hold now), `/healthz` (the store answers, the
 * listener listens when there is one), `/metrics` (Prometheus), and for an
 * admin the users and their lock-outs.
 */

const OBJECT = { type: "object", additionalProperties: true } as const;

export async function statusOf(context: WebContext) {
  const summary = await context.store.queueSummary();
  const waiting = await context.store.messages({ states: REPROCESSABLE, direction: "inbound" });
  const senders = new Map<string, { lastReceivedAt?: string; errorsWaiting: number }>();
  for (const [sender, at] of Object.entries(summary.lastReceivedBySender ?? {}))
    senders.set(sender, { lastReceivedAt: at, errorsWaiting: 0 });
  for (const m of waiting) {
    const entry = senders.get(senderOf(m)) ?? { errorsWaiting: 0 };
    entry.errorsWaiting += 1;
    senders.set(senderOf(m), entry);
  }
  const outbound = await context.store.messages({ direction: "outbound", state: "NEW" });
  return {
    practice: context.pack().id,
    counts: summary.counts,
    ...(summary.oldestWaitingSince !== undefined && {
      oldestWaitingSince: summary.oldestWaitingSince,
    }),
    ...(summary.lastReceivedAt !== undefined && { lastReceivedAt: summary.lastReceivedAt }),
    senders: [...senders]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([sender, s]) => ({ sender, ...s })),
    receivers: {
      waitingToSend: outbound.length,
      lastQueuedAt: outbound.at(-1)?.receivedAt ?? null,
    },
    alerts: thresholdAlerts(context.pack().queue.alerts, { summary, now: context.clock() }),
    ...(context.listener && { listener: context.listener() }),
  };
}

export function opsRoutes(app: FastifyInstance, context: WebContext): void {
  app.route({
    method: "GET",
    url: "/api/status",
    schema: {
      summary: "Per sender and receiver: last message, errors waiting, alerts firing",
      response: { 200: OBJECT },
    },
    handler: async () => statusOf(context),
  });

  app.route({
    method: "GET",
    url: "/healthz",
    schema: {
      summary:
        "200 when the store answers (and the listener listens and the sender runs, when there are ones)",
      response: { 200: OBJECT, 503: OBJECT },
    },
    handler: async (_request, reply) => {
      let store = true;
      try {
        await context.store.queueSummary();
      } catch {
        store = false;
      }
      const listener = context.listener ? context.listener() : undefined;
      const sender = context.sender ? context.sender() : undefined;
      const ok = store && listener !== false && sender !== false;
      return reply.code(ok ? 200 : 503).send({
        ok,
        store,
        ...(listener !== undefined && { listener }),
        ...(sender !== undefined && { sender }),
      });
    },
  });

  app.route({
    method: "GET",
    url: "/metrics",
    schema: { summary: "Prometheus text format" } as FastifySchema,
    handler: async (_request, reply) => {
      const text = await context.metrics.registry.metrics();
      return reply.type(context.metrics.registry.contentType).send(text);
    },
  });

  app.route({
    method: "GET",
    url: "/api/users",
    schema: {
      summary: "The users, their roles for this practice and lock-outs (admin)",
      response: { 200: OBJECT },
    },
    handler: async () => ({
      users: context.users().users.map((u) => {
        const until = context.sessions.lockedUntil(u.name);
        return {
          name: u.name,
          roles: [...rolesFor(u, context.pack().id)],
          ...(until !== undefined && { lockedUntil: new Date(until).toISOString() }),
        };
      }),
    }),
  });

  app.route({
    method: "POST",
    url: "/api/users/:name/unlock",
    schema: {
      summary: "End a user's sign-in lock-out (admin)",
      params: { type: "object", required: ["name"], properties: { name: { type: "string" } } },
      response: { 200: OBJECT, 404: API_ERROR_SCHEMA },
    },
    handler: async (request, reply) => {
      const { name } = request.params as { name: string };
      if (!context.users().users.some((u) => u.name === name))
        return reply.code(404).send(apiError("NO_USER", `no user ${name}`));
      context.sessions.unlock(name);
      return { name, locked: false };
    },
  });
}
