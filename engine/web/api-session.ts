import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { API_ERROR_SCHEMA, apiError, type WebContext } from "./context.js";
import { ROLES } from "./permissions.js";
import { sessionCookie } from "./sessions.js";
import { hashPassword, rolesFor, verifyPassword } from "./users.js";

/**
 * Signing in and out. `POST /api/session` with a name and password (JSON, or
 * the sign-in page's form, which is sent back to where it came from) opens
 * a session: the cookie (HttpOnly, SameSite=Strict, Secure over TLS) and the
 * CSRF token changes must carry. A wrong name or password is one failure of
 * that name; too many in a row lock it (sessions.ts), and a locked name is
 * refused whatever the password, without saying whether it exists.
 */

/** Compared against when the name is unknown, so both cases cost one scrypt. */
const NOBODY = hashPassword("not a password: the user does not exist");

const SESSION_SCHEMA = {
  type: "object",
  required: ["user", "roles", "csrf"],
  properties: {
    user: { type: "string" },
    roles: { type: "array", items: { type: "string", enum: [...ROLES] } },
    csrf: { type: "string" },
  },
} as const;

/** A local path to go back to after signing in (never another site). */
export function localPath(next: unknown): string {
  return typeof next === "string" && /^\/(?![/\\])/.test(next) ? next : "/messages";
}

const isForm = (request: FastifyRequest): boolean =>
  (request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded");

export function sessionRoutes(app: FastifyInstance, context: WebContext): void {
  app.route({
    method: "POST",
    url: "/api/session",
    schema: {
      summary: "Sign in",
      body: {
        type: "object",
        required: ["name", "password"],
        properties: {
          name: { type: "string", minLength: 1, maxLength: 200 },
          password: { type: "string", maxLength: 1000 },
          next: { type: "string" },
        },
      },
      response: {
        200: SESSION_SCHEMA,
        303: { type: "null" },
        401: API_ERROR_SCHEMA,
        429: API_ERROR_SCHEMA,
      },
    },
    handler: async (request, reply) => {
      const body = request.body as { name: string; password: string; next?: string };
      const failed = (status: 401 | 429, code: string, message: string): FastifyReply =>
        isForm(request)
          ? reply
              .code(303)
              .header(
                "location",
                `/sign-in?failed=${code}&next=${encodeURIComponent(localPath(body.next))}`,
              )
              .send()
          : reply.code(status).send(apiError(code, message));
      if (context.sessions.lockedUntil(body.name) !== undefined)
        return failed(429, "LOCKED", "too many failed sign-ins: this name is locked for a while");
      const user = context.users().users.find((u) => u.name === body.name);
      const good = verifyPassword(body.password, user?.password ?? NOBODY) && user !== undefined;
      if (!good || !user) {
        context.sessions.failed(body.name);
        return failed(401, "SIGN_IN_FAILED", "the name or the password is wrong");
      }
      context.sessions.succeeded(user.name);
      const session = context.sessions.open(user.name);
      reply.header("set-cookie", sessionCookie(session.id, context.secure === true));
      if (isForm(request)) return reply.code(303).header("location", localPath(body.next)).send();
      return {
        user: user.name,
        roles: [...rolesFor(user, context.pack().id)],
        csrf: session.csrf,
      };
    },
  });

  app.route({
    method: "GET",
    url: "/api/session",
    schema: { summary: "Who is signed in", response: { 200: SESSION_SCHEMA } },
    handler: async (request) => {
      const identity = request.identity;
      if (identity?.kind !== "person") throw new Error("unreachable: the route is for people");
      return { user: identity.user, roles: [...identity.roles], csrf: identity.session.csrf };
    },
  });

  app.route({
    method: "DELETE",
    url: "/api/session",
    schema: { summary: "Sign out", response: { 204: { type: "null" } } },
    handler: async (request, reply) => {
      if (request.identity?.kind === "person") context.sessions.close(request.identity.session.id);
      reply.header("set-cookie", sessionCookie("", context.secure === true));
      return reply.code(204).send();
    },
  });
}
