import Fastify, { type InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardRoutes } from "../../engine/web/app.js";
import {
  type MappingKind,
  personAllowed,
  ROLES,
  ROUTE_RULES,
  type RouteRule,
  tokenAllowed,
} from "../../engine/web/permissions.js";
import { ACME_PLAN, adt } from "../queue/harbor-queue.js";
import {
  eventBody,
  makeWorld,
  PEOPLE,
  type Signed,
  signIn,
  TOKEN_SETS,
  type World,
} from "./world.js";

/**
 * Table 20 enforced on the server, for every route: each rule of
 * ROUTE_RULES is tried with every person (one per role, none, all), every
 * API token, no credentials, and a change without the CSRF token; what
 * the table says decides the expected answer (allowed: anything but 401
 * and 403). A route without a rule cannot be registered, and a rule
 * without a sample request here fails the test.
 */

interface Sample {
  /** The request, without credentials. */
  readonly request: (w: World) => InjectOptions;
  /** For a rule with `mappingFor`: the mapping permissions this request needs. */
  readonly kinds?: readonly MappingKind[];
  /** Sent with a session opened for it (the request ends the session it is sent with). */
  readonly fresh?: boolean;
}

const HL7 = { "content-type": "application/hl7-v2" };

/** One request per rule: `METHOD URL` as ROUTE_RULES writes it. */
const SAMPLES: Readonly<Record<string, readonly Sample[]>> = {
  "POST /api/session": [
    {
      request: () => ({
        method: "POST",
        url: "/api/session",
        payload: { name: "x", password: "y" },
      }),
    },
  ],
  "GET /api/session": [{ request: () => ({ method: "GET", url: "/api/session" }) }],
  "DELETE /api/session": [
    { fresh: true, request: () => ({ method: "DELETE", url: "/api/session" }) },
  ],
  "GET /api/messages": [{ request: () => ({ method: "GET", url: "/api/messages?state=ERROR" }) }],
  "GET /api/messages/:id": [
    { request: (w) => ({ method: "GET", url: `/api/messages/${w.ids.insurance}` }) },
  ],
  "POST /api/messages/:id/explain": [
    {
      request: (w) => ({
        method: "POST",
        url: `/api/messages/${w.ids.other}/explain`,
        payload: {},
      }),
    },
  ],
  "GET /api/status": [{ request: () => ({ method: "GET", url: "/api/status" }) }],
  "GET /api/mappings/:table/codes": [
    { request: () => ({ method: "GET", url: "/api/mappings/insurancePlan/codes" }) },
  ],
  "POST /api/mappings": [
    {
      kinds: ["insurance"],
      request: () => ({
        method: "POST",
        url: "/api/mappings",
        payload: {
          table: "insurancePlan",
          foreign: "NOPE+Nope+1 Nowhere",
          practice: "no-such-package",
        },
      }),
    },
    {
      kinds: ["other"],
      request: () => ({
        method: "POST",
        url: "/api/mappings",
        payload: { table: "provider", foreign: "ZZZ", practice: "no-such-provider" },
      }),
    },
  ],
  "GET /api/reprocess": [
    {
      kinds: ["insurance"],
      request: () => ({
        method: "GET",
        url: `/api/reprocess?blockedOn=${encodeURIComponent(`UNMAPPED_INSURANCE:${ACME_PLAN}`)}`,
      }),
    },
    {
      kinds: ["other"],
      request: () => ({ method: "GET", url: "/api/reprocess?blockedOn=PATIENT_NOT_FOUND" }),
    },
  ],
  "POST /api/reprocess": [
    {
      kinds: ["insurance"],
      request: () => ({
        method: "POST",
        url: "/api/reprocess",
        payload: { blockedOn: "UNMAPPED_INSURANCE:NOTHING-WAITS" },
      }),
    },
    {
      kinds: ["other"],
      request: () => ({
        method: "POST",
        url: "/api/reprocess",
        payload: { blockedOn: "UNMAPPED_CODE:NOTHING-WAITS" },
      }),
    },
  ],
  "POST /api/messages/:id/review": [
    {
      kinds: ["other"],
      request: (w) => ({
        method: "POST",
        url: `/api/messages/${w.ids.other}/review`,
        payload: { decision: "createNew" },
      }),
    },
    {
      kinds: ["insurance"],
      request: (w) => ({
        method: "POST",
        url: `/api/messages/${w.ids.insurance}/review`,
        payload: { decision: "createNew" },
      }),
    },
  ],
  "POST /api/messages/:id/delete": [
    // PROCESSED messages: a note is required, so an empty one is refused (400) once allowed.
    {
      kinds: ["insurance"],
      request: (w) => ({
        method: "POST",
        url: `/api/messages/${w.ids.insurance}/delete`,
        payload: { note: "" },
      }),
    },
    {
      kinds: ["other"],
      request: (w) => ({
        method: "POST",
        url: `/api/messages/${w.ids.other}/delete`,
        payload: { note: "" },
      }),
    },
  ],
  "POST /api/uploads": [
    {
      request: () => ({
        method: "POST",
        url: "/api/uploads?name=a.hl7",
        headers: HL7,
        payload: adt({ control: "UP-1", mrn: "777" }),
      }),
    },
  ],
  "GET /api/users": [{ request: () => ({ method: "GET", url: "/api/users" }) }],
  "POST /api/users/:name/unlock": [
    { request: () => ({ method: "POST", url: "/api/users/viewer/unlock", payload: {} }) },
  ],
  "POST /api/events": [
    {
      request: () => ({
        method: "POST",
        url: "/api/events",
        payload: eventBody("patient-add") as object,
      }),
    },
  ],
  "POST /api/messages": [
    {
      request: () => ({
        method: "POST",
        url: "/api/messages",
        headers: HL7,
        payload: adt({ control: "HTTP-1", mrn: "888" }),
      }),
    },
  ],
  "GET /api/openapi.json": [{ request: () => ({ method: "GET", url: "/api/openapi.json" }) }],
  "GET /healthz": [{ request: () => ({ method: "GET", url: "/healthz" }) }],
  "GET /metrics": [{ request: () => ({ method: "GET", url: "/metrics" }) }],
  "GET /sign-in": [{ request: () => ({ method: "GET", url: "/sign-in" }) }],
  "GET /assets/page.js": [{ request: () => ({ method: "GET", url: "/assets/page.js" }) }],
  "GET /assets/page.css": [{ request: () => ({ method: "GET", url: "/assets/page.css" }) }],
  "GET /": [{ request: () => ({ method: "GET", url: "/" }) }],
  "GET /messages": [{ request: () => ({ method: "GET", url: "/messages" }) }],
  "GET /messages/:id": [{ request: (w) => ({ method: "GET", url: `/messages/${w.ids.other}` }) }],
  "GET /upload": [{ request: () => ({ method: "GET", url: "/upload" }) }],
  "GET /status": [{ request: () => ({ method: "GET", url: "/status" }) }],
};

const keyOf = (rule: RouteRule) => `${rule.method} ${rule.url}`;
const REFUSED = [401, 403];
/** What the guard answers when it refuses (a handler's own 401, a wrong password, is not a refusal). */
const GUARD_CODES = ["NOT_SIGNED_IN", "FORBIDDEN", "CSRF"];

function outcome(response: { statusCode: number; body: string }): string {
  if (!REFUSED.includes(response.statusCode)) return "allowed";
  // A page refuses with a page of its own.
  if (response.statusCode === 403 && response.body.startsWith("<!doctype html>")) return "403";
  let code: unknown;
  try {
    code = (JSON.parse(response.body) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  return GUARD_CODES.includes(String(code)) ? String(response.statusCode) : "allowed";
}

let world: World;
const sessions: Record<string, Signed> = {};

beforeAll(async () => {
  world = await makeWorld();
  for (const name of Object.keys(PEOPLE)) sessions[name] = await signIn(world.app, name);
});
afterAll(() => world.close());

function withHeaders(request: InjectOptions, headers: Record<string, string>): InjectOptions {
  return { ...request, headers: { ...(request.headers as Record<string, string>), ...headers } };
}

describe("the permission table", () => {
  it("has a sample request here for every rule", () => {
    expect(ROUTE_RULES.map(keyOf).filter((k) => !SAMPLES[k])).toEqual([]);
  });

  it("has a route for every rule, and every route a rule (the app refuses to start without one)", () => {
    for (const rule of ROUTE_RULES)
      expect(world.app.hasRoute({ method: rule.method, url: rule.url }), keyOf(rule)).toBe(true);
  });

  it("refuses to register a route that has no rule", async () => {
    const app = Fastify();
    guardRoutes(app, () => async () => undefined);
    expect(() => app.get("/api/secret", async () => "no rule")).toThrow(
      "GET /api/secret has no rule in ROUTE_RULES (engine/web/permissions.ts)",
    );
    await app.close();
  });
});

describe("every route × every role", () => {
  for (const rule of ROUTE_RULES) {
    for (const [i, sample] of (SAMPLES[keyOf(rule)] ?? []).entries()) {
      const label = `${keyOf(rule)}${sample.kinds ? ` (${sample.kinds.join("+")})` : ` #${i + 1}`}`;
      it(`${label}: people`, async () => {
        const got: Record<string, string> = {};
        const want: Record<string, string> = {};
        for (const [name, roles] of Object.entries(PEOPLE)) {
          // Signing out ends the session: that sample gets a session of its own.
          const session = sample.fresh ? await signIn(world.app, name) : (sessions[name] as Signed);
          const response = await world.app.inject(
            withHeaders(sample.request(world), {
              cookie: session.cookie,
              "x-csrf-token": session.csrf,
            }),
          );
          const set = new Set(roles);
          const allowed = sample.kinds
            ? sample.kinds.every((k) => personAllowed(rule.access, set, k))
            : personAllowed(rule.access, set);
          want[name] = allowed ? "allowed" : "403";
          got[name] = outcome(response);
        }
        expect(got).toEqual(want);
      });
      it(`${label}: API tokens`, async () => {
        const got: Record<string, string> = {};
        const want: Record<string, string> = {};
        for (const [name, scopes] of Object.entries(TOKEN_SETS)) {
          const response = await world.app.inject(
            withHeaders(sample.request(world), { authorization: `Bearer ${world.tokens[name]}` }),
          );
          want[name] = tokenAllowed(rule.access, new Set(scopes)) ? "allowed" : "403";
          got[name] = outcome(response);
        }
        expect(got).toEqual(want);
      });
      it(`${label}: no credentials, another practice's token, no CSRF token`, async () => {
        const bare = await world.app.inject(sample.request(world));
        const other = await world.app.inject(
          withHeaders(sample.request(world), {
            authorization: `Bearer ${world.tokens.otherPractice}`,
          }),
        );
        if (rule.access.kind === "public") {
          expect(outcome(bare)).toBe("allowed");
          return;
        }
        expect(bare.statusCode).toBe(rule.page ? 303 : 401);
        expect(other.statusCode).toBe(rule.page ? 303 : 401);
        if (rule.page) expect(bare.headers.location).toMatch(/^\/sign-in\?next=/);
        if (rule.access.kind === "person" && rule.method !== "GET") {
          const everything = sessions.everything as Signed;
          const noCsrf = await world.app.inject(
            withHeaders(sample.request(world), { cookie: everything.cookie }),
          );
          expect([noCsrf.statusCode, noCsrf.json().error.code]).toEqual([403, "CSRF"]);
          const wrongCsrf = await world.app.inject(
            withHeaders(sample.request(world), {
              cookie: everything.cookie,
              "x-csrf-token": sessions.viewer?.csrf ?? "",
            }),
          );
          expect([wrongCsrf.statusCode, wrongCsrf.json().error.code]).toEqual([403, "CSRF"]);
        }
      });
    }
  }
});

describe("the roles", () => {
  it("are Table 20's four permissions and admin", () => {
    expect(ROLES).toEqual(["view", "map-insurance", "map-other", "file-upload", "admin"]);
  });
});
