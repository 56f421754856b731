import type { FastifyInstance } from "fastify";
import { formatPackError } from "../documents/errors.js";
import type { Outcome } from "../model/outcome.js";
import { loadEvent } from "../outbound/events.js";
import { sendEvent } from "../outbound/send.js";
import { receiveBytes } from "../queue/intake.js";
import { processFrame } from "../server/frame.js";
import { actorOf } from "./api-queue.js";
import { API_ERROR_SCHEMA, apiError, type WebContext } from "./context.js";

/**
 * Input over HTTP. A person with File Upload Interface uploads a file of
 * HL7 messages, processed as `rulepack run` processes a file (transport
 * duplicates found, the sender `upload:USER:NAME` naming who). Machine
 * clients with an API token post the practice system's events (built and
 * queued as `rulepack outbound` does) and inbound HL7 (processed as the
 * listener processes a frame, answered with the outcomes as JSON, or with
 * the HL7 ACK when `Accept` asks for HL7). No patient data is logged.
 */

/** Media types HL7 v2 travels under; the body is taken as bytes. */
export const HL7_TYPES = ["application/hl7-v2", "x-application/hl7-v2+er7", "text/plain"];

const OUTCOMES = {
  type: "object",
  required: ["outcomes", "counts"],
  properties: {
    outcomes: {
      type: "array",
      items: {
        type: "object",
        properties: {
          messageId: { type: "string" },
          controlId: { type: "string" },
          messageType: { type: "string" },
          state: { type: "string" },
          errors: {
            type: "array",
            items: {
              type: "object",
              properties: {
                code: { type: "string" },
                severity: { type: "string" },
                field: { type: "string" },
                message: { type: "string" },
              },
            },
          },
        },
      },
    },
    counts: { type: "object", additionalProperties: { type: "integer" } },
  },
} as const;

function outcomesBody(outcomes: readonly Outcome[]) {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o.state] = (counts[o.state] ?? 0) + 1;
  return { outcomes, counts };
}

const bytesOf = (body: unknown): Uint8Array =>
  body instanceof Uint8Array ? body : new TextEncoder().encode(String(body ?? ""));

/** A file name as the sender string shows it: no separators, no control characters. */
const safeName = (name: string): string =>
  name.replace(/[^\w.@+-]/g, "_").slice(0, 100) || "upload";

const wantsHl7 = (accept: string | undefined): boolean =>
  HL7_TYPES.slice(0, 2).some((t) => (accept ?? "").includes(t));

export function intakeRoutes(app: FastifyInstance, context: WebContext): void {
  app.route({
    method: "POST",
    url: "/api/uploads",
    schema: {
      summary: "Upload a file of HL7 messages, processed as `rulepack run` does",
      querystring: {
        type: "object",
        properties: { name: { type: "string", maxLength: 200 } },
      },
      consumes: HL7_TYPES,
      response: { 200: OUTCOMES, 400: API_ERROR_SCHEMA },
    },
    handler: async (request) => {
      const { name = "upload" } = request.query as { name?: string };
      const actor = actorOf(request);
      const bytes = bytesOf(request.body);
      const started = performance.now();
      const outcomes = await context.serially(() =>
        receiveBytes(context.pack(), context.store, bytes, {
          now: context.clock(),
          sender: `upload:${actor}:${safeName(name)}`,
          detectDuplicates: true,
        }),
      );
      context.metrics.observe("upload", (performance.now() - started) / 1000);
      request.log.info({ messages: outcomes.length, actor }, "upload processed");
      return outcomesBody(outcomes);
    },
  });

  app.route({
    method: "POST",
    url: "/api/messages",
    schema: {
      summary: "Inbound HL7 over HTTP (an API token), processed as the listener does",
      consumes: HL7_TYPES,
      response: { 200: OUTCOMES },
    },
    handler: async (request, reply) => {
      const token = request.identity?.kind === "token" ? request.identity.token : undefined;
      const started = performance.now();
      const now = context.clock();
      const result = await context.serially(() =>
        processFrame(
          context.pack(),
          context.store,
          bytesOf(request.body),
          `http:${token?.name ?? "-"}`,
          now,
        ),
      );
      context.metrics.observe("message", (performance.now() - started) / 1000);
      if (wantsHl7(request.headers.accept)) {
        const ack = result.replies.at(-1)?.ack ?? "";
        return reply.type("application/hl7-v2").send(ack);
      }
      return outcomesBody(result.outcomes);
    },
  });

  app.route({
    method: "POST",
    url: "/api/events",
    schema: {
      summary:
        "A practice-system event (an API token), built and queued as `rulepack outbound` does",
      body: { type: "object", additionalProperties: true },
      response: { 200: { type: "object", additionalProperties: true }, 422: API_ERROR_SCHEMA },
    },
    handler: async (request, reply) => {
      const read = loadEvent("request body", JSON.stringify(request.body));
      if (!read.ok)
        return reply
          .code(422)
          .send(apiError("INVALID_EVENT", read.errors.map(formatPackError).join("\n")));
      const started = performance.now();
      const results = await context.serially(() =>
        sendEvent(context.pack(), context.store, read.event, { now: context.clock() }),
      );
      context.metrics.observe("event", (performance.now() - started) / 1000);
      return {
        results: results.map((r) => ({
          event: r.event,
          state: r.state,
          messageId: r.messageId,
          ...(r.messageType !== undefined && { messageType: r.messageType }),
          ...(r.controlId !== undefined && { controlId: r.controlId }),
          errors: r.errors,
        })),
      };
    },
  });
}
