import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifySchema,
} from "fastify";
import { countsByState } from "../store/message-counts.js";
import type { QueueSummary, Store } from "../store/types.js";
import { fixMappingKinds, fixRoutes } from "./api-fix.js";
import { HL7_TYPES, intakeRoutes } from "./api-intake.js";
import { opsRoutes } from "./api-ops.js";
import { queueRoutes } from "./api-queue.js";
import { sessionRoutes } from "./api-session.js";
import { authorize } from "./auth.js";
import type { WebContext, WebOptions } from "./context.js";
import { createMetrics } from "./metrics.js";
import { type DocumentedRoute, openApiDocument } from "./openapi.js";
import { pageRoutes } from "./pages.js";
import { type Access, type RouteRule, routeRule } from "./permissions.js";
import { createSessions } from "./sessions.js";
import { readUsers, type UsersFile } from "./users.js";

/**
 * The web app of `rulepack serve --http`: the JSON API under /api/, the
 * pages, /healthz and /metrics, on Fastify 5 (docs/decisions/0026). Every
 * route must have its rule in ROUTE_RULES (permissions.ts): registering one
 * without fails here, at start, and every request passes `authorize`
 * before its handler. Request bodies: JSON, the sign-in form, HL7 as bytes.
 */

/** Up to this many bytes of upload or message a request may carry. */
export const BODY_LIMIT = 32 * 1024 * 1024;

function describeAccess(access: Access): string {
  if (access.kind === "public") return "anyone";
  if (access.kind === "token") return `an API token with scope ${access.scope}`;
  const roles = access.all.length > 0 ? access.all.join(" + ") : "any signed-in user";
  return access.mappingFor
    ? `${roles}${access.all.length > 0 ? " + " : " with "}map-insurance or map-other as the ${access.mappingFor} needs`
    : roles;
}

/** How long the list's counts per state are reused. */
export const SUMMARY_TTL_MS = 5_000;

/**
 * The counts per state (one grouped, indexed query: store/message-counts.ts),
 * reused for SUMMARY_TTL_MS by `clock`, or until forgotten.
 */
function cachedSummary(store: Store, clock: () => Date) {
  let kept: { at: number; summary: Promise<QueueSummary> } | undefined;
  return {
    summary: (): Promise<QueueSummary> => {
      const now = clock().getTime();
      if (!kept || now - kept.at >= SUMMARY_TTL_MS || now < kept.at)
        kept = {
          at: now,
          summary: store.messageCounts().then((c) => ({ counts: countsByState(c) })),
        };
      return kept.summary;
    },
    forget: () => {
      kept = undefined;
    },
  };
}

/** One piece of work at a time, in the order asked. */
function serial(): <T>(work: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return (work) => {
    const next = last.then(work, work);
    last = next.catch(() => undefined);
    return next;
  };
}

/** The users file as of its last read; read again when it fails or changes. */
function usersReader(path: string): () => UsersFile {
  return () => {
    const read = readUsers(path);
    if (!read.ok) throw new Error(read.message);
    return read.file;
  };
}

type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

/**
 * Every route registered on `app` from now on gets `guardOf(its rule)`
 * before validation (the body is parsed, not yet checked); a route without
 * a rule in ROUTE_RULES throws at registration. Returns the routes as the
 * OpenAPI document describes them.
 */
export function guardRoutes(
  app: FastifyInstance,
  guardOf: (rule: RouteRule) => Guard,
): DocumentedRoute[] {
  const documented: DocumentedRoute[] = [];
  app.addHook("onRoute", (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const rule = routeRule(method, route.url);
      if (!rule)
        throw new Error(
          `${method} ${route.url} has no rule in ROUTE_RULES (engine/web/permissions.ts)`,
        );
      documented.push({
        method,
        url: route.url,
        ...(route.schema && { schema: route.schema as Record<string, unknown> }),
        access: describeAccess(rule.access),
      });
      const existing = route.preValidation;
      const guard = guardOf(rule);
      route.preValidation = existing
        ? [guard, ...(Array.isArray(existing) ? existing : [existing])]
        : guard;
    }
  });
  return documented;
}

export async function createWebApp(
  options: WebOptions,
  /** Serve over TLS with this certificate and key (PEM). */
  https?: { readonly cert: Buffer; readonly key: Buffer },
): Promise<FastifyInstance> {
  const app = (
    https
      ? Fastify({ logger: false, bodyLimit: BODY_LIMIT, exposeHeadRoutes: false, https })
      : Fastify({ logger: false, bodyLimit: BODY_LIMIT, exposeHeadRoutes: false })
  ) as FastifyInstance;
  const summaries = cachedSummary(options.store, options.clock);
  const queue = options.between ?? serial();
  const context: WebContext = {
    ...options,
    summary: summaries.summary,
    forgetSummary: summaries.forget,
    sessions: createSessions({ clock: options.clock, ...options.sessionOptions }),
    metrics: createMetrics({
      store: options.store,
      pack: options.pack,
      clock: options.clock,
      ...(options.listener && { listener: options.listener }),
    }),
    users: usersReader(options.usersFile),
    serially: async (work) => {
      try {
        return await queue(work);
      } finally {
        summaries.forget();
      }
    },
  };
  options.listenerTimings?.bind((seconds) => context.metrics.observe("mllp", seconds));
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string" },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  app.addContentTypeParser(HL7_TYPES, { parseAs: "buffer" }, (_request, body, done) =>
    done(null, body),
  );
  const documented = guardRoutes(app, (rule) => async (request, reply) => {
    const refused = await authorize(request, reply, rule, context, fixMappingKinds);
    if (refused) return refused;
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ code: error.code }, "internal error");
    const code = error.validation
      ? "INVALID_REQUEST"
      : status >= 500
        ? "INTERNAL_ERROR"
        : (error.code ?? "BAD_REQUEST");
    return reply
      .code(status)
      .send({ error: { code, message: status >= 500 ? "internal error" : error.message } });
  });
  sessionRoutes(app, context);
  queueRoutes(app, context);
  fixRoutes(app, context);
  intakeRoutes(app, context);
  opsRoutes(app, context);
  pageRoutes(app, context);
  app.route({
    method: "GET",
    url: "/api/openapi.json",
    schema: { summary: "This document" } as FastifySchema,
    handler: async () => openApiDocument(documented, options.version ?? "0.0.0"),
  });
  await app.ready();
  return app;
}
