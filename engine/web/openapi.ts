/**
 * The OpenAPI 3.0 document of the JSON API, built from the routes' own
 * Fastify schemas (the ones ajv validates requests with and responses are
 * serialized by), so the document cannot drift from what the server does.
 * Pages (HTML) are left out; who may call each operation is said in its
 * description, from ROUTE_RULES.
 */

export interface DocumentedRoute {
  readonly method: string;
  readonly url: string;
  readonly schema?: Readonly<Record<string, unknown>>;
  /** Who may call it, in words. */
  readonly access: string;
}

type Json = Record<string, unknown>;

/** `/api/messages/:id` -> `/api/messages/{id}`. */
const openApiPath = (url: string): string => url.replace(/:(\w+)/g, "{$1}");

function parameters(schema: Json | undefined, where: "query" | "path"): Json[] {
  const properties = (schema?.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema?.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, s]) => ({
    name,
    in: where,
    required: where === "path" || required.has(name),
    schema: s,
  }));
}

/** The body schema without the form field pages send the CSRF token in. */
function bodySchema(body: Json): Json {
  const { _csrf: _unused, ...properties } = (body.properties ?? {}) as Json;
  return { ...body, properties };
}

function operation(route: DocumentedRoute): Json {
  const schema = (route.schema ?? {}) as Json;
  const responses: Json = {};
  for (const [status, s] of Object.entries((schema.response ?? {}) as Json)) {
    responses[status] = {
      description: `${status}`,
      content: { "application/json": { schema: s } },
    };
  }
  if (Object.keys(responses).length === 0) responses["200"] = { description: "200" };
  const consumes = schema.consumes as string[] | undefined;
  const body = schema.body as Json | undefined;
  return {
    summary: schema.summary ?? `${route.method} ${route.url}`,
    description: `Access: ${route.access}.`,
    parameters: [
      ...parameters(schema.params as Json | undefined, "path"),
      ...parameters(schema.querystring as Json | undefined, "query"),
    ],
    ...(body && {
      requestBody: {
        required: true,
        content: { "application/json": { schema: bodySchema(body) } },
      },
    }),
    ...(consumes && {
      requestBody: {
        required: true,
        content: Object.fromEntries(consumes.map((t) => [t, { schema: { type: "string" } }])),
      },
    }),
    responses,
  };
}

export function openApiDocument(routes: readonly DocumentedRoute[], version: string): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    if (!route.url.startsWith("/api/") && route.url !== "/healthz" && route.url !== "/metrics")
      continue;
    const path = openApiPath(route.url);
    paths[path] = { ...(paths[path] ?? {}), [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: "3.0.3",
    info: {
      title: "Rulepack queue API",
      version,
      description:
        "The message queue of one practice: people sign in (POST /api/session; a cookie and a CSRF token for changes, sent as x-csrf-token), machine clients send `Authorization: Bearer TOKEN`.",
    },
    paths,
  };
}
