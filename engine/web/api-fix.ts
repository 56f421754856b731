import type { FastifyInstance, FastifyRequest } from "fastify";
import { masterDataBeside } from "../pack/practice-load.js";
import { addMappingRow } from "../queue/mapping-add.js";
import { practiceCodeChoices } from "../queue/master-codes.js";
import {
  type ReprocessAttempt,
  reprocessMessages,
  type Selection,
  selectBlockedOn,
  selectByIds,
} from "../queue/reprocess.js";
import { decideReview, type ReviewChoice } from "../queue/review.js";
import { actorOf } from "./api-queue.js";
import { kindOfTable, kindsOfCodes, kindsOfMessage, type MappingKinds } from "./auth.js";
import { API_ERROR_SCHEMA, apiError, type WebContext } from "./context.js";
import { senderOf } from "./list-query.js";
import type { MappingKind } from "./permissions.js";

/**
 * Fixing from the error: map a code (the `mapping add` rules: a key mapped
 * elsewhere is refused; the pack is reloaded afterwards), see which
 * messages wait on an error and reprocess them, decide a review. Each
 * needs the mapping permission that fits what it touches (permissions.ts)
 * and records the signed-in person as the actor.
 */

const OBJECT = { type: "object", additionalProperties: true } as const;
const BLOCKED_ON = { type: "string", pattern: "^[A-Z][A-Z0-9_]*(:.*)?$", maxLength: 1000 } as const;

function splitCode(text: string): { code: string; value?: string } {
  const colon = text.indexOf(":");
  return colon < 0 ? { code: text } : { code: text.slice(0, colon), value: text.slice(colon + 1) };
}

/** The mapping kinds each fixing route needs, from what its request names. */
export const fixMappingKinds: MappingKinds = async (request: FastifyRequest, context) => {
  const url = request.routeOptions.url;
  const body = (request.body ?? {}) as Record<string, unknown>;
  const query = (request.query ?? {}) as Record<string, unknown>;
  const params = (request.params ?? {}) as Record<string, string>;
  if (url === "/api/mappings")
    return typeof body.table === "string" ? [kindOfTable(context, body.table)] : undefined;
  if (url === "/api/messages/:id/review" || url === "/api/messages/:id/delete")
    return params.id === undefined ? undefined : kindsOfMessage(context, params.id);
  if (url === "/api/reprocess") {
    const blockedOn = request.method === "GET" ? query.blockedOn : body.blockedOn;
    if (typeof blockedOn === "string") return kindsOfCodes([splitCode(blockedOn).code]);
    const ids = Array.isArray(body.ids) ? body.ids.map(String) : [];
    const kinds = new Set<MappingKind>();
    for (const id of ids) {
      const of = await kindsOfMessage(context, id);
      if (!of) return undefined;
      for (const k of of) kinds.add(k);
    }
    return kinds.size > 0 ? [...kinds] : undefined;
  }
  return undefined;
};

function attemptRow(a: ReprocessAttempt) {
  return {
    messageId: a.messageId,
    controlId: a.controlId,
    messageType: a.messageType,
    from: a.from,
    to: a.to,
    errors: (a.outcome?.errors ?? []).filter((e) => e.severity === "error").map((e) => e.code),
    ...(a.after !== undefined && { after: a.after }),
  };
}

const ATTEMPTS_RESPONSE = {
  type: "object",
  required: ["attempts"],
  properties: { attempts: { type: "array", items: OBJECT } },
} as const;

export function fixRoutes(app: FastifyInstance, context: WebContext): void {
  app.route({
    method: "GET",
    url: "/api/mappings/:table/codes",
    schema: {
      summary: "The practice's codes (master data) a row of the table may map to",
      params: { type: "object", properties: { table: { type: "string", maxLength: 100 } } },
      response: { 200: OBJECT, 404: API_ERROR_SCHEMA },
    },
    handler: async (request, reply) => {
      const { table } = request.params as { table: string };
      const pack = context.pack();
      if (!pack.tables.has(table))
        return reply
          .code(404)
          .send(apiError("NO_TABLE", `pack ${pack.id} reads no table '${table}'`));
      const master = masterDataBeside(context.packFile);
      return {
        table,
        choices: practiceCodeChoices(pack, table, master.ok ? master.data : undefined),
      };
    },
  });

  app.route({
    method: "POST",
    url: "/api/mappings",
    schema: {
      summary: "Add a mapping row to the practice's table (refused when the key maps elsewhere)",
      body: {
        type: "object",
        required: ["table", "foreign", "practice"],
        properties: {
          table: { type: "string", minLength: 1, maxLength: 100 },
          foreign: { type: "string", minLength: 1, maxLength: 1000 },
          practice: { type: "string", minLength: 1, maxLength: 200, pattern: "\\S" },
          description: { type: "string", maxLength: 1000 },
          _csrf: { type: "string" },
        },
      },
      response: { 200: OBJECT, 409: API_ERROR_SCHEMA, 422: API_ERROR_SCHEMA },
    },
    handler: async (request, reply) => {
      const body = request.body as {
        table: string;
        foreign: string;
        practice: string;
        description?: string;
      };
      const result = await context.serially(async () => {
        const added = addMappingRow(context.packFile, body.table, {
          foreign: body.foreign,
          practice: body.practice,
          ...(body.description !== undefined && { description: body.description }),
        });
        return added;
      });
      // Outside the queue of work: the listener's reload waits for its frames itself.
      if (result.ok && result.written) await context.reload();
      if (!result.ok) {
        const message = [result.message, ...result.errors].join("\n");
        return reply
          .code(result.kind === "pack" ? 422 : 409)
          .send(apiError(result.kind === "pack" ? "PACK_INVALID" : "MAPPING_REFUSED", message));
      }
      request.log.info({ table: result.table, actor: actorOf(request) }, "mapping row added");
      return {
        written: result.written,
        at: result.at,
        table: result.table,
        ...(result.blocker && { blockedOn: `${result.blocker.code}:${result.blocker.value}` }),
      };
    },
  });

  const selection = async (blockedOn?: string, ids?: readonly string[]): Promise<Selection> => {
    if (blockedOn !== undefined) {
      const { code, value } = splitCode(blockedOn);
      return selectBlockedOn(context.store, code, value);
    }
    return selectByIds(context.store, ids ?? []);
  };

  app.route({
    method: "GET",
    url: "/api/reprocess",
    schema: {
      summary: "The messages waiting on an error, before they are reprocessed",
      querystring: {
        type: "object",
        required: ["blockedOn"],
        properties: { blockedOn: BLOCKED_ON },
      },
      response: { 200: OBJECT },
    },
    handler: async (request) => {
      const { blockedOn } = request.query as { blockedOn: string };
      const selected = await selection(blockedOn);
      return {
        blockedOn,
        messages: selected.ok
          ? selected.messages.map((m) => ({
              messageId: m.messageId,
              receivedAt: m.receivedAt,
              state: m.state,
              messageType: m.messageType,
              controlId: m.controlId,
              sender: senderOf(m),
            }))
          : [],
      };
    },
  });

  app.route({
    method: "POST",
    url: "/api/reprocess",
    schema: {
      summary:
        "Reprocess the messages waiting on an error (or the named ones), then their dependents",
      body: {
        type: "object",
        properties: {
          blockedOn: BLOCKED_ON,
          ids: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 1000 },
          force: { type: "boolean" },
          _csrf: { type: "string" },
        },
        oneOf: [{ required: ["blockedOn"] }, { required: ["ids"] }],
      },
      response: { 200: ATTEMPTS_RESPONSE, 409: API_ERROR_SCHEMA },
    },
    handler: async (request, reply) => {
      const body = request.body as { blockedOn?: string; ids?: string[]; force?: boolean };
      const actor = actorOf(request);
      const started = performance.now();
      const result = await context.serially(async () => {
        const selected = await selection(body.blockedOn, body.ids);
        if (!selected.ok) return selected;
        const attempts = await reprocessMessages(context.pack(), context.store, selected.messages, {
          clock: context.clock,
          force: body.force === true,
          actor,
          ...(body.blockedOn !== undefined && { note: `blocked-on ${body.blockedOn}` }),
        });
        return { ok: true as const, attempts };
      });
      context.metrics.observe("reprocess", (performance.now() - started) / 1000);
      if (!result.ok) return reply.code(409).send(apiError("NOTHING_TO_REPROCESS", result.message));
      return { attempts: result.attempts.map(attemptRow) };
    },
  });

  app.route({
    method: "POST",
    url: "/api/messages/:id/review",
    schema: {
      summary: "A person's decision on a REVIEW_REQUIRED message",
      params: { type: "object", required: ["id"], properties: { id: { type: "string" } } },
      body: {
        type: "object",
        required: ["decision"],
        properties: {
          decision: { type: "string", enum: ["mergeWith", "createNew", "acceptUpdate", "reject"] },
          patientId: { type: "string", minLength: 1 },
          _csrf: { type: "string" },
        },
      },
      response: { 200: ATTEMPTS_RESPONSE, 404: API_ERROR_SCHEMA, 409: API_ERROR_SCHEMA },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const body = request.body as { decision: ReviewChoice["kind"]; patientId?: string };
      if (!(await context.store.message(id)))
        return reply.code(404).send(apiError("NO_MESSAGE", `no message ${id}`));
      let choice: ReviewChoice;
      if (body.decision === "mergeWith") {
        if (body.patientId === undefined)
          return reply
            .code(409)
            .send(apiError("REVIEW_REFUSED", "merging needs the patient to merge with"));
        choice = { kind: "mergeWith", patientId: body.patientId };
      } else choice = { kind: body.decision };
      const actor = actorOf(request);
      const result = await context.serially(() =>
        decideReview(context.pack(), context.store, id, choice, {
          clock: context.clock,
          actor,
          force: false,
        }),
      );
      if (!result.ok) return reply.code(409).send(apiError("REVIEW_REFUSED", result.message));
      return { attempts: result.attempts.map(attemptRow) };
    },
  });
}
