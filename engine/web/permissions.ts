/**
 * Who may do what in the browser and the API: the spec's Table 20 (the
 * Interface Message Queue Manager's four permissions) plus `admin`, and
 * machine tokens' scopes. Every route the web app serves has exactly one
 * rule in ROUTE_RULES; the app refuses to start with a route that has none
 * (app.ts), and test/web/permissions.test.ts tries every route with every
 * role and token against this table.
 */

/** Table 20: "View Message Queue", "Map Insurance Messages", "Map Messages except Insurances", "File Upload Interface"; and `admin` (users). */
export const ROLES = ["view", "map-insurance", "map-other", "file-upload", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** What an API token may be scoped to: the practice system's events, inbound HL7 over HTTP. */
export const TOKEN_SCOPES = ["events", "messages"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function isTokenScope(value: string): value is TokenScope {
  return (TOKEN_SCOPES as readonly string[]).includes(value);
}

/**
 * Which mapping permission a change needs, decided from what it touches:
 * `message` (the message's errors: an UNMAPPED_INSURANCE or other insurance
 * error needs map-insurance, anything else map-other), `table` (the mapping
 * table named in the body), `blocker` (the error code reprocessing is
 * blocked on).
 */
export type MappingSubject = "message" | "table" | "blocker";

export type Access =
  /** Anyone, signed in or not (sign-in, health, metrics, the OpenAPI document). */
  | { readonly kind: "public" }
  /** A signed-in person holding every role of `all` (none: any signed-in person). */
  | {
      readonly kind: "person";
      readonly all: readonly Role[];
      /** And the mapping permission that fits what the request touches. */
      readonly mappingFor?: MappingSubject;
    }
  /** A machine client with a token of this scope. */
  | { readonly kind: "token"; readonly scope: TokenScope };

export interface RouteRule {
  readonly method: "GET" | "POST" | "DELETE";
  /** Fastify's URL pattern (`/api/messages/:id`). */
  readonly url: string;
  readonly access: Access;
  /** A page (HTML): a request without a session is sent to the sign-in page, not answered 401. */
  readonly page?: boolean;
}

const person = (all: readonly Role[], mappingFor?: MappingSubject): Access => ({
  kind: "person",
  all,
  ...(mappingFor && { mappingFor }),
});

/** The one table of routes and who may call them. */
export const ROUTE_RULES: readonly RouteRule[] = [
  // Signing in and out, and who is signed in.
  { method: "POST", url: "/api/session", access: { kind: "public" } },
  { method: "GET", url: "/api/session", access: person([]) },
  { method: "DELETE", url: "/api/session", access: person([]) },
  // The queue (Table 20: View Message Queue).
  { method: "GET", url: "/api/messages", access: person(["view"]) },
  { method: "GET", url: "/api/messages/:id", access: person(["view"]) },
  { method: "POST", url: "/api/messages/:id/explain", access: person(["view"]) },
  { method: "GET", url: "/api/status", access: person(["view"]) },
  // Fixing (Map Insurance Messages / Map Messages except Insurances).
  { method: "GET", url: "/api/mappings/:table/codes", access: person(["view"]) },
  { method: "POST", url: "/api/mappings", access: person([], "table") },
  { method: "GET", url: "/api/reprocess", access: person(["view"], "blocker") },
  { method: "POST", url: "/api/reprocess", access: person(["view"], "blocker") },
  { method: "POST", url: "/api/messages/:id/review", access: person(["view"], "message") },
  { method: "POST", url: "/api/messages/:id/delete", access: person(["view"], "message") },
  // File Upload Interface.
  { method: "POST", url: "/api/uploads", access: person(["file-upload"]) },
  // Users (admin).
  { method: "GET", url: "/api/users", access: person(["admin"]) },
  { method: "POST", url: "/api/users/:name/unlock", access: person(["admin"]) },
  // Machine clients.
  { method: "POST", url: "/api/events", access: { kind: "token", scope: "events" } },
  { method: "POST", url: "/api/messages", access: { kind: "token", scope: "messages" } },
  // For monitoring and tools.
  { method: "GET", url: "/api/openapi.json", access: { kind: "public" } },
  { method: "GET", url: "/healthz", access: { kind: "public" } },
  { method: "GET", url: "/metrics", access: { kind: "public" } },
  // Pages.
  { method: "GET", url: "/sign-in", access: { kind: "public" }, page: true },
  { method: "GET", url: "/assets/page.js", access: { kind: "public" } },
  { method: "GET", url: "/assets/page.css", access: { kind: "public" } },
  { method: "GET", url: "/", access: person([]), page: true },
  { method: "GET", url: "/messages", access: person(["view"]), page: true },
  { method: "GET", url: "/messages/:id", access: person(["view"]), page: true },
  { method: "GET", url: "/upload", access: person(["file-upload"]), page: true },
  { method: "GET", url: "/status", access: person(["view"]), page: true },
];

export function routeRule(method: string, url: string): RouteRule | undefined {
  return ROUTE_RULES.find((r) => r.method === method && r.url === url);
}

/** The mapping permission a change needs: insurance or anything else. */
export type MappingKind = "insurance" | "other";

export const MAPPING_ROLE: Readonly<Record<MappingKind, Role>> = {
  insurance: "map-insurance",
  other: "map-other",
};

/**
 * Whether a person holding `roles` may call a route of `access`; `kind` is
 * the mapping permission the request needs (for a rule with `mappingFor`).
 */
export function personAllowed(
  access: Access,
  roles: ReadonlySet<Role>,
  kind?: MappingKind,
): boolean {
  if (access.kind === "public") return true;
  if (access.kind !== "person") return false;
  if (!access.all.every((r) => roles.has(r))) return false;
  if (access.mappingFor === undefined) return true;
  return kind !== undefined && roles.has(MAPPING_ROLE[kind]);
}

/** Whether a token of these scopes may call a route of `access`. */
export function tokenAllowed(access: Access, scopes: ReadonlySet<TokenScope>): boolean {
  if (access.kind === "public") return true;
  return access.kind === "token" && scopes.has(access.scope);
}
