import type { FastifyInstance } from "fastify";
import { parseHl7 } from "../hl7/parse.js";
import type { QueueState } from "../model/outcome.js";
import { UNDELETABLE } from "../queue/delete.js";
import { QUEUE_STATES } from "../queue/format.js";
import { decide } from "../queue/intake.js";
import { standingDecision } from "../queue/review-notes.js";
import { API_ERROR_SCHEMA, apiError, type WebContext } from "./context.js";
import { type ListQuery, listMessages, PAGE_SIZE } from "./list-query.js";
import { messageView } from "./message-view.js";

/**
 * The queue for people with View Message Queue: the list with its filters,
 * one message, its explain trace computed on demand (nothing written), and
 * deleting a message with a note (View plus the mapping permission that
 * fits the message; the attempt records who).
 */

const STATES = [...QUEUE_STATES];
const OBJECT = { type: "object", additionalProperties: true } as const;
const ID_PARAMS = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", maxLength: 100 } },
} as const;

export const LIST_QUERY_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    state: { type: "string", enum: STATES },
    direction: { type: "string", enum: ["inbound", "outbound"] },
    type: { type: "string", pattern: "^[A-Z0-9]{3}(\\^[A-Z0-9]{3})?(\\^[A-Z0-9_]+)?$" },
    code: { type: "string", pattern: "^[A-Z][A-Z0-9_]*(:.*)?$" },
    from: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}(T.+)?$" },
    to: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}(T.+)?$" },
    patient: { type: "string", minLength: 1, maxLength: 200 },
    sender: { type: "string", minLength: 1, maxLength: 200 },
    order: { type: "string", enum: ["newest", "oldest"] },
    page: { type: "integer", minimum: 1 },
  },
} as const;

const LIST_RESPONSE = {
  type: "object",
  required: ["total", "page", "pageSize", "pages", "counts", "messages"],
  properties: {
    total: { type: "integer" },
    page: { type: "integer" },
    pageSize: { type: "integer", const: PAGE_SIZE },
    pages: { type: "integer" },
    counts: { type: "object", additionalProperties: { type: "integer" } },
    messages: {
      type: "array",
      items: {
        type: "object",
        properties: {
          messageId: { type: "string" },
          receivedAt: { type: "string" },
          state: { type: "string", enum: STATES },
          direction: { type: "string" },
          messageType: { type: "string" },
          controlId: { type: "string" },
          sender: { type: "string" },
          errors: {
            type: "array",
            items: {
              type: "object",
              properties: { code: { type: "string" }, field: { type: "string" } },
            },
          },
        },
      },
    },
  },
} as const;

const SHOW_RESPONSE = {
  type: "object",
  properties: {
    message: OBJECT,
    errors: { type: "array", items: OBJECT },
    actions: { type: "array", items: OBJECT },
    review: { type: "array", items: OBJECT },
    received: { type: "object", additionalProperties: { type: "string" } },
    attempts: { type: "array", items: OBJECT },
    segments: { type: "array", items: OBJECT },
    fieldNames: { type: "object", additionalProperties: { type: "string" } },
    fixes: { type: "array", items: OBJECT },
    canReview: { type: "boolean" },
    canReprocess: { type: "boolean" },
    canDelete: { type: "boolean" },
  },
} as const;

/** The actor every change records: the signed-in person. */
export function actorOf(request: { identity?: { kind: string; user?: string } }): string {
  const identity = request.identity;
  if (identity?.kind !== "person" || identity.user === undefined)
    throw new Error("unreachable: a change by a person without a session");
  return identity.user;
}

export function queueRoutes(app: FastifyInstance, context: WebContext): void {
  app.route({
    method: "GET",
    url: "/api/messages",
    schema: {
      summary: "List the queue: filters, counts per state, 50 a page",
      querystring: LIST_QUERY_SCHEMA,
      response: { 200: LIST_RESPONSE },
    },
    handler: async (request) =>
      listMessages(context.store, request.query as ListQuery, context.summary),
  });

  app.route({
    method: "GET",
    url: "/api/messages/:id",
    schema: {
      summary: "One message: attempts, errors, raw segments, actions, fixes",
      params: ID_PARAMS,
      response: { 200: SHOW_RESPONSE, 404: API_ERROR_SCHEMA },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const m = await context.store.message(id);
      if (!m) return reply.code(404).send(apiError("NO_MESSAGE", `no message ${id}`));
      return messageView(context.pack(), context.store, m);
    },
  });

  app.route({
    method: "POST",
    url: "/api/messages/:id/explain",
    schema: {
      summary: "The message decided again now with its trace; nothing is written",
      params: ID_PARAMS,
      response: { 200: OBJECT, 404: API_ERROR_SCHEMA, 422: API_ERROR_SCHEMA },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const m = await context.store.message(id);
      if (!m) return reply.code(404).send(apiError("NO_MESSAGE", `no message ${id}`));
      const doc = parseHl7(m.raw);
      const tree = doc.messages[0];
      if (!tree || m.direction !== "inbound")
        return reply
          .code(422)
          .send(apiError("NOT_EXPLAINABLE", `${id} holds no inbound message to decide`));
      const review = await standingDecision(context.store, id);
      const { view } = await context.store.openView();
      const outcome = await decide(
        context.pack(),
        view,
        tree,
        id,
        doc.issues.filter((i) => i.messageIndex === tree.index),
        { now: context.clock(), trace: true, ...(review && { review }) },
      );
      return {
        state: outcome.state,
        errors: outcome.errors,
        actions: outcome.actions,
        trace: outcome.trace,
      };
    },
  });

  app.route({
    method: "POST",
    url: "/api/messages/:id/delete",
    schema: {
      summary: "Delete a message with a note (recorded with who deleted it)",
      params: ID_PARAMS,
      body: {
        type: "object",
        required: ["note"],
        properties: {
          note: { type: "string", minLength: 1, maxLength: 2000 },
          _csrf: { type: "string" },
        },
      },
      response: { 200: OBJECT, 404: API_ERROR_SCHEMA, 409: API_ERROR_SCHEMA },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const { note } = request.body as { note: string };
      const m = await context.store.message(id);
      if (!m) return reply.code(404).send(apiError("NO_MESSAGE", `no message ${id}`));
      const why = UNDELETABLE[m.state];
      if (why) return reply.code(409).send(apiError("NOT_DELETABLE", `${id} ${why}: not deleted`));
      const at = context.clock().toISOString();
      const actor = actorOf(request);
      await context.store.setState(id, "DELETED", { kind: "delete", now: at, at, actor, note });
      context.forgetSummary();
      const from: QueueState = m.state;
      return { messageId: id, from, state: "DELETED", actor, at };
    },
  });
}
