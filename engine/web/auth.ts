import type { FastifyReply, FastifyRequest } from "fastify";
import { QUEUE_STATES } from "../queue/format.js";
import { type ApiError, apiError, type Identity, type WebContext } from "./context.js";
import { html, layout } from "./html.js";
import {
  MAPPING_ROLE,
  type MappingKind,
  personAllowed,
  type RouteRule,
  tokenAllowed,
} from "./permissions.js";
import { cookieValue, csrfMatches, SESSION_COOKIE } from "./sessions.js";
import { findToken, rolesFor } from "./users.js";

/**
 * Enforcing ROUTE_RULES on every request, before its handler: who sent it
 * (a session cookie, or `Authorization: Bearer` with an API token), whether
 * the rule lets them, and for a person's change (anything but GET) the
 * CSRF token of their session in `x-csrf-token` (or a form's `_csrf`).
 * Refusals: 401 NOT_SIGNED_IN (a page: 303 to the sign-in page), 403
 * FORBIDDEN, 403 CSRF.
 */

declare module "fastify" {
  interface FastifyRequest {
    identity?: Identity;
  }
}

/** Which mapping permissions a request needs, for a rule with `mappingFor`; undefined: refuse. */
export type MappingKinds = (
  request: FastifyRequest,
  context: WebContext,
) => Promise<readonly MappingKind[] | undefined>;

/** Insurance errors: a person with Map Insurance Messages fixes them. */
const INSURANCE_CODES: ReadonlySet<string> = new Set(["UNMAPPED_INSURANCE", "NO_INSURANCE"]);

/** The mapping kinds a message's errors need (none: other). */
export function kindsOfCodes(codes: readonly string[]): MappingKind[] {
  const kinds = new Set<MappingKind>();
  for (const c of codes) kinds.add(INSURANCE_CODES.has(c) ? "insurance" : "other");
  return kinds.size === 0 ? ["other"] : [...kinds];
}

export async function kindsOfMessage(
  context: WebContext,
  id: string,
): Promise<MappingKind[] | undefined> {
  const message = await context.store.message(id);
  if (!message) return undefined;
  return kindsOfCodes(
    (message.outcome?.errors ?? []).filter((e) => e.severity === "error").map((e) => e.code),
  );
}

/** The mapping kind of a table: the insurance-plan table, or any other. */
export function kindOfTable(context: WebContext, table: string): MappingKind {
  return context.pack().mappings.insurancePlan?.table === table ? "insurance" : "other";
}

function identify(request: FastifyRequest, context: WebContext): Identity | undefined {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const token = match?.[1] && findToken(context.users(), match[1]);
    return token && token.practice === context.pack().id ? { kind: "token", token } : undefined;
  }
  const session = context.sessions.find(cookieValue(request.headers.cookie, SESSION_COOKIE));
  if (!session) return undefined;
  const user = context.users().users.find((u) => u.name === session.user);
  if (!user) {
    context.sessions.closeUser(session.user);
    return undefined;
  }
  return { kind: "person", user: user.name, roles: rolesFor(user, context.pack().id), session };
}

function refuse(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  const body: ApiError = apiError(code, message);
  return reply.code(status).send(body);
}

/** The check run before every handler; sends the refusal, or lets the request through. */
export async function authorize(
  request: FastifyRequest,
  reply: FastifyReply,
  rule: RouteRule,
  context: WebContext,
  mappingKinds: MappingKinds,
): Promise<FastifyReply | undefined> {
  const { access } = rule;
  const identity = identify(request, context);
  if (identity) request.identity = identity;
  if (access.kind === "public") return undefined;
  if (!identity) {
    if (rule.page) {
      const next = encodeURIComponent(request.url);
      return reply.code(303).header("location", `/sign-in?next=${next}`).send();
    }
    return refuse(reply, 401, "NOT_SIGNED_IN", "sign in (a session cookie) or send an API token");
  }
  if (identity.kind === "token") {
    if (tokenAllowed(access, new Set(identity.token.scopes))) return undefined;
    return refuse(
      reply,
      403,
      "FORBIDDEN",
      `token ${identity.token.name} may not ${rule.method} ${rule.url}`,
    );
  }
  if (access.kind !== "person")
    return refuse(reply, 403, "FORBIDDEN", `${rule.method} ${rule.url} is for API tokens`);
  if (request.method !== "GET" && !csrfMatches(identity.session, csrfOf(request)))
    return refuse(reply, 403, "CSRF", "the request lacks this session's CSRF token (x-csrf-token)");
  let kinds: readonly MappingKind[] | undefined;
  let allowed: boolean;
  if (access.mappingFor === undefined) allowed = personAllowed(access, identity.roles);
  else {
    kinds = await mappingKinds(request, context);
    // What the request names does not exist: any mapping permission lets the handler say so (404).
    allowed =
      kinds === undefined
        ? personAllowed(access, identity.roles, "insurance") ||
          personAllowed(access, identity.roles, "other")
        : kinds.every((k) => personAllowed(access, identity.roles, k));
  }
  if (allowed) return undefined;
  if (rule.page)
    return reply
      .code(403)
      .type("text/html; charset=utf-8")
      .send(
        layout(
          "Not allowed",
          { name: identity.user, roles: identity.roles, csrf: identity.session.csrf },
          html`<p role="alert">${identity.user} may not open this page: it needs the ${access.all.join(" and ")} permission.</p><p><a href="/">Home</a></p>`,
        ),
      );
  return refuse(
    reply,
    403,
    "FORBIDDEN",
    `${identity.user} may not ${rule.method} ${rule.url}${kinds ? ` (needs ${kinds.map((k) => MAPPING_ROLE[k]).join(" and ")})` : ""}`,
  );
}

function csrfOf(request: FastifyRequest): unknown {
  const header = request.headers["x-csrf-token"];
  if (typeof header === "string") return header;
  const body = request.body as Record<string, unknown> | undefined;
  return body && typeof body === "object" ? body._csrf : undefined;
}

/** States as the API's enum (every queue state). */
export const STATE_ENUM = [...QUEUE_STATES];
