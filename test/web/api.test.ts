import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ACME_PLAN, adt, HARBOR_PACK, loadHarbor, receive } from "../queue/harbor-queue.js";
import { eventBody, makeWorld, passwordOf, type Signed, signIn, type World } from "./world.js";

/**
 * The JSON API as a person and a machine client use it, through
 * fastify.inject: each test gets a fresh world (Harbor's queue with an
 * unmapped plan, a patient not found and a processed message).
 */

let world: World;
beforeEach(async () => {
  world = await makeWorld();
});
afterEach(() => world.close());

const as = (s: Signed) => ({ cookie: s.cookie, "x-csrf-token": s.csrf });
const BLOCKED_ON = `UNMAPPED_INSURANCE:${ACME_PLAN}`;

describe("signing in", () => {
  it("sets an HttpOnly, SameSite=Strict session cookie (not Secure over plain HTTP) and answers the CSRF token", async () => {
    const r = await world.app.inject({
      method: "POST",
      url: "/api/session",
      payload: { name: "insurer", password: passwordOf("insurer") },
    });
    expect(r.statusCode).toBe(200);
    expect(String(r.headers["set-cookie"])).toMatch(
      /^rulepack_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    expect(r.json()).toEqual({
      user: "insurer",
      roles: ["view", "map-insurance"],
      csrf: expect.any(String),
    });
  });

  it("locks a name after 5 failures in a row, whatever password comes next, until the lock ends", async () => {
    const attempt = (password: string) =>
      world.app.inject({
        method: "POST",
        url: "/api/session",
        payload: { name: "viewer", password },
      });
    for (let i = 0; i < 5; i++)
      expect((await attempt("wrong")).json().error.code).toBe("SIGN_IN_FAILED");
    const locked = await attempt(passwordOf("viewer"));
    expect([locked.statusCode, locked.json().error.code]).toEqual([429, "LOCKED"]);
    world.clock.now = new Date(world.clock.now.getTime() + 15 * 60_000 + 1);
    expect((await attempt(passwordOf("viewer"))).statusCode).toBe(200);
  });

  it("an admin ends a lock-out", async () => {
    for (let i = 0; i < 5; i++)
      await world.app.inject({
        method: "POST",
        url: "/api/session",
        payload: { name: "viewer", password: "x" },
      });
    const admin = await signIn(world.app, "admin");
    const users = await world.app.inject({ url: "/api/users", headers: as(admin) });
    expect(
      users.json().users.find((u: { name: string }) => u.name === "viewer").lockedUntil,
    ).toBeDefined();
    const unlock = await world.app.inject({
      method: "POST",
      url: "/api/users/viewer/unlock",
      headers: as(admin),
      payload: {},
    });
    expect(unlock.json()).toEqual({ name: "viewer", locked: false });
    expect((await signIn(world.app, "viewer")).csrf).toBeTruthy();
  });

  it("sign-out ends the session: its cookie no longer opens anything", async () => {
    const s = await signIn(world.app, "viewer");
    const out = await world.app.inject({ method: "DELETE", url: "/api/session", headers: as(s) });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers["set-cookie"])).toContain("Max-Age=0");
    expect((await world.app.inject({ url: "/api/messages", headers: as(s) })).statusCode).toBe(401);
  });

  it("a session idle for 8 hours is over", async () => {
    const s = await signIn(world.app, "viewer");
    world.clock.now = new Date(world.clock.now.getTime() + 8 * 3_600_000 + 1);
    expect((await world.app.inject({ url: "/api/messages", headers: as(s) })).statusCode).toBe(401);
  });
});

describe("the queue list", () => {
  it("filters by state, error code, type, patient identifier, sender and dates; counts per state; newest first", async () => {
    const s = await signIn(world.app, "viewer");
    const ids = async (query: string) =>
      (await world.app.inject({ url: `/api/messages?${query}`, headers: as(s) }))
        .json()
        .messages.map((m: { messageId: string }) => m.messageId);
    const { insurance, other, processed } = world.ids;
    expect(await ids("")).toEqual([processed, other, insurance]);
    expect(await ids("order=oldest")).toEqual([insurance, other, processed]);
    expect(await ids("state=ERROR")).toEqual([other, insurance]);
    expect(await ids(`code=${encodeURIComponent(BLOCKED_ON)}`)).toEqual([insurance]);
    expect(await ids("code=PATIENT_NOT_FOUND")).toEqual([other]);
    expect(await ids("type=SIU")).toEqual([other]);
    expect(await ids("patient=55555")).toEqual([processed]);
    expect(await ids("sender=ORTHOCHART")).toEqual([processed, other, insurance]);
    expect(await ids("sender=NOBODY")).toEqual([]);
    expect(await ids("from=2026-03-10T15:01:00Z&to=2026-03-10")).toEqual([processed, other]);
    expect(await ids("to=2026-03-09")).toEqual([]);
    const page = (await world.app.inject({ url: "/api/messages", headers: as(s) })).json();
    expect([page.total, page.page, page.pageSize, page.pages, page.counts]).toEqual([
      3,
      1,
      50,
      1,
      { ERROR: 2, PROCESSED: 1 },
    ]);
  });

  it("pages 50 rows at a time", async () => {
    const up = await signIn(world.app, "uploader");
    const file = Array.from({ length: 60 }, (_, i) =>
      adt({ control: `BULK-${i}`, mrn: `9${i}` }),
    ).join("");
    await world.app.inject({
      method: "POST",
      url: "/api/uploads?name=bulk.hl7",
      headers: { ...as(up), "content-type": "application/hl7-v2" },
      payload: file,
    });
    const s = await signIn(world.app, "viewer");
    const second = (
      await world.app.inject({ url: "/api/messages?page=2&order=oldest", headers: as(s) })
    ).json();
    expect([
      second.total,
      second.pages,
      second.messages.length,
      second.messages[0].controlId,
    ]).toEqual([63, 2, 13, "BULK-47"]);
  });

  it("counts per state are kept 5 seconds by the server's clock, and forgotten after a change made here", async () => {
    const s = await signIn(world.app, "viewer");
    const counts = async () =>
      (await world.app.inject({ url: "/api/messages", headers: as(s) })).json().counts;
    expect(await counts()).toEqual({ ERROR: 2, PROCESSED: 1 });
    await receive(
      loadHarbor(join(world.dir, HARBOR_PACK)),
      world.store,
      adt({ control: "OUTSIDE", mrn: "611" }),
      9,
    );
    expect(await counts()).toEqual({ ERROR: 2, PROCESSED: 1 });
    world.clock.now = new Date(world.clock.now.getTime() + 5_000);
    expect(await counts()).toEqual({ ERROR: 2, PROCESSED: 2 });
    const m = await signIn(world.app, "mapper");
    await world.app.inject({
      method: "POST",
      url: `/api/messages/${world.ids.other}/delete`,
      headers: as(m),
      payload: { note: "x" },
    });
    expect(await counts()).toEqual({ ERROR: 1, PROCESSED: 2, DELETED: 1 });
  });

  it("refuses a filter it does not know (400, the schema's message)", async () => {
    const s = await signIn(world.app, "viewer");
    const r = await world.app.inject({ url: "/api/messages?state=LOST", headers: as(s) });
    expect([r.statusCode, r.json().error.code]).toEqual([400, "INVALID_REQUEST"]);
  });
});

describe("fixing an unmapped insurance plan", () => {
  it("show offers 'map this code'; the mapping is written, the waiting message shown, then reprocessed PROCESSED with the actor", async () => {
    const s = await signIn(world.app, "insurer");
    const show = (
      await world.app.inject({ url: `/api/messages/${world.ids.insurance}`, headers: as(s) })
    ).json();
    expect(show.fixes).toEqual([
      {
        kind: "map",
        code: "UNMAPPED_INSURANCE",
        table: "insurancePlan",
        value: ACME_PLAN,
        role: "map-insurance",
        blockedOn: BLOCKED_ON,
      },
    ]);
    expect(show.segments[0].fields.slice(0, 4)).toEqual(["MSH", "|", "^~\\&", "ORTHOCHART"]);
    const codes = (
      await world.app.inject({ url: "/api/mappings/insurancePlan/codes", headers: as(s) })
    ).json();
    expect(codes.choices[0]).toEqual({ code: "4471", label: "4471 Harbor Mutual PPO" });

    const refused = await world.app.inject({
      method: "POST",
      url: "/api/mappings",
      headers: as(s),
      payload: { table: "insurancePlan", foreign: ACME_PLAN, practice: "9999" },
    });
    expect([refused.statusCode, refused.json().error.code]).toEqual([409, "MAPPING_REFUSED"]);

    const mapped = await world.app.inject({
      method: "POST",
      url: "/api/mappings",
      headers: as(s),
      payload: { table: "insurancePlan", foreign: ACME_PLAN, practice: "4471" },
    });
    expect(mapped.json()).toEqual({
      written: true,
      at: expect.stringMatching(/mappings\/harbor-ortho\/insurancePlan\.yaml:\d+$/),
      table: "insurancePlan",
      blockedOn: BLOCKED_ON,
    });
    expect(
      readFileSync(join(world.dir, "mappings/harbor-ortho/insurancePlan.yaml"), "utf8"),
    ).toContain(ACME_PLAN);

    const again = await world.app.inject({
      method: "POST",
      url: "/api/mappings",
      headers: as(s),
      payload: { table: "insurancePlan", foreign: ACME_PLAN, practice: "5120" },
    });
    expect(again.json().error.message).toContain(`is already mapped to '4471'`);

    const preview = (
      await world.app.inject({
        url: `/api/reprocess?blockedOn=${encodeURIComponent(BLOCKED_ON)}`,
        headers: as(s),
      })
    ).json();
    expect(preview.messages.map((m: { messageId: string }) => m.messageId)).toEqual([
      world.ids.insurance,
    ]);

    const run = await world.app.inject({
      method: "POST",
      url: "/api/reprocess",
      headers: as(s),
      payload: { blockedOn: BLOCKED_ON },
    });
    expect(run.json().attempts).toEqual([
      {
        messageId: world.ids.insurance,
        controlId: "INS-1",
        messageType: "ADT^A04",
        from: "ERROR",
        to: "PROCESSED",
        errors: [],
      },
    ]);
    const after = (
      await world.app.inject({ url: `/api/messages/${world.ids.insurance}`, headers: as(s) })
    ).json();
    expect(after.message.state).toBe("PROCESSED");
    expect(after.attempts.at(-1)).toMatchObject({
      kind: "reprocess",
      actor: "insurer",
      note: `blocked-on ${BLOCKED_ON}`,
      state: "PROCESSED",
    });
  });

  it("a person with map-other only cannot map the insurance table (403), whatever they send", async () => {
    const s = await signIn(world.app, "mapper");
    const r = await world.app.inject({
      method: "POST",
      url: "/api/mappings",
      headers: as(s),
      payload: { table: "insurancePlan", foreign: ACME_PLAN, practice: "4471" },
    });
    expect([r.statusCode, r.json().error.message]).toEqual([
      403,
      "mapper may not POST /api/mappings (needs map-insurance)",
    ]);
    const run = await world.app.inject({
      method: "POST",
      url: "/api/reprocess",
      headers: as(s),
      payload: { ids: [world.ids.insurance] },
    });
    expect(run.statusCode).toBe(403);
  });
});

describe("explain, delete", () => {
  it("explain decides the message again with its trace and writes nothing", async () => {
    const s = await signIn(world.app, "viewer");
    const before = await world.store.attempts(world.ids.other);
    const r = (
      await world.app.inject({
        method: "POST",
        url: `/api/messages/${world.ids.other}/explain`,
        headers: as(s),
        payload: {},
      })
    ).json();
    expect(r.state).toBe("ERROR");
    expect(r.trace.length).toBeGreaterThan(0);
    expect(await world.store.attempts(world.ids.other)).toEqual(before);
  });

  it("delete needs a note, records who deleted and why", async () => {
    const s = await signIn(world.app, "mapper");
    const none = await world.app.inject({
      method: "POST",
      url: `/api/messages/${world.ids.other}/delete`,
      headers: as(s),
      payload: {},
    });
    expect(none.statusCode).toBe(400);
    const r = await world.app.inject({
      method: "POST",
      url: `/api/messages/${world.ids.other}/delete`,
      headers: as(s),
      payload: { note: "test message from the vendor" },
    });
    expect(r.json()).toMatchObject({
      messageId: world.ids.other,
      from: "ERROR",
      state: "DELETED",
      actor: "mapper",
    });
    const attempts = await world.store.attempts(world.ids.other);
    expect(attempts.at(-1)).toMatchObject({
      kind: "delete",
      actor: "mapper",
      note: "test message from the vendor",
      state: "DELETED",
    });
    const twice = await world.app.inject({
      method: "POST",
      url: `/api/messages/${world.ids.other}/delete`,
      headers: as(s),
      payload: { note: "again" },
    });
    expect([twice.statusCode, twice.json().error.code]).toEqual([409, "NOT_DELETABLE"]);
  });
});

describe("input over HTTP", () => {
  it("an upload is processed as rulepack run processes a file, its sender naming who uploaded", async () => {
    const s = await signIn(world.app, "uploader");
    const r = await world.app.inject({
      method: "POST",
      url: "/api/uploads?name=new patients.hl7",
      headers: { ...as(s), "content-type": "application/hl7-v2" },
      payload: adt({ control: "UP-9", mrn: "4242" }),
    });
    expect(r.json().counts).toEqual({ PROCESSED: 1 });
    const id = r.json().outcomes[0].messageId;
    expect((await world.store.message(id))?.sender).toBe("upload:uploader:new_patients.hl7");
    const again = await world.app.inject({
      method: "POST",
      url: "/api/uploads?name=same.hl7",
      headers: { ...as(s), "content-type": "application/hl7-v2" },
      payload: adt({ control: "UP-9", mrn: "4242" }),
    });
    expect(again.json().outcomes[0].errors.map((e: { code: string }) => e.code)).toEqual([
      "DUPLICATE",
    ]);
  });

  it("POST /api/messages answers the outcomes as JSON, or the HL7 ACK when Accept asks for HL7", async () => {
    const auth = {
      authorization: `Bearer ${world.tokens.messages}`,
      "content-type": "application/hl7-v2",
    };
    const json = await world.app.inject({
      method: "POST",
      url: "/api/messages",
      headers: auth,
      payload: adt({ control: "H-1", mrn: "31" }),
    });
    expect(json.json().outcomes.map((o: { state: string }) => o.state)).toEqual(["PROCESSED"]);
    const ack = await world.app.inject({
      method: "POST",
      url: "/api/messages",
      headers: { ...auth, accept: "application/hl7-v2" },
      payload: adt({ control: "H-2", mrn: "32" }),
    });
    expect(ack.headers["content-type"]).toContain("application/hl7-v2");
    expect(ack.body).toMatch(/^MSH\|.*\rMSA\|AA\|H-2/);
  });

  it("POST /api/events builds and queues the event's messages as rulepack outbound does", async () => {
    const r = await world.app.inject({
      method: "POST",
      url: "/api/events",
      headers: { authorization: `Bearer ${world.tokens.events}` },
      payload: eventBody("appointment-schedule") as object,
    });
    expect(r.statusCode).toBe(200);
    expect(
      r
        .json()
        .results.map((x: { state: string; messageType?: string }) => [x.state, x.messageType]),
    ).toEqual([["NEW", "SIU^S12"]]);
    const bad = await world.app.inject({
      method: "POST",
      url: "/api/events",
      headers: { authorization: `Bearer ${world.tokens.events}` },
      payload: { kind: "nothing" },
    });
    expect([bad.statusCode, bad.json().error.code]).toEqual([422, "INVALID_EVENT"]);
  });
});

describe("for operators", () => {
  it("/metrics: messages by state and type, queue depth, processing time, alerts (no patient data)", async () => {
    await world.app.inject({
      method: "POST",
      url: "/api/messages",
      headers: {
        authorization: `Bearer ${world.tokens.messages}`,
        "content-type": "application/hl7-v2",
      },
      payload: adt({ control: "M-1", mrn: "77", name: "Secretname^Ann" }),
    });
    const text = (await world.app.inject({ url: "/metrics" })).body;
    expect(text).toContain('rulepack_messages{state="ERROR",type="SIU^S12"} 1');
    expect(text).toContain('rulepack_queue_depth{state="PROCESSED"} 2');
    expect(text).toContain('rulepack_processing_seconds_count{kind="message"} 1');
    expect(text).toContain("# TYPE rulepack_alerts_firing gauge");
    expect(text).not.toContain("Secretname");
  });

  it("/metrics: whether the sender is connected to each receiver", async () => {
    await world.store.setReceiverState({
      receiver: "athena",
      connected: true,
      since: "2026-03-10T12:00:00.000Z",
    });
    await world.store.setReceiverState({
      receiver: "billing",
      connected: false,
      since: "2026-03-10T12:05:00.000Z",
    });
    const text = (await world.app.inject({ url: "/metrics" })).body;
    expect(text).toContain('rulepack_receiver_connected{receiver="athena"} 1');
    expect(text).toContain('rulepack_receiver_connected{receiver="billing"} 0');
  });

  it("/api/openapi.json describes every API route with the schemas the server validates with", async () => {
    const doc = (await world.app.inject({ url: "/api/openapi.json" })).json();
    expect(doc.openapi).toBe("3.0.3");
    const list = doc.paths["/api/messages"].get;
    expect(list.parameters.find((p: { name: string }) => p.name === "state").schema.enum).toContain(
      "CBOERROR",
    );
    expect(list.description).toBe("Access: view.");
    expect(
      doc.paths["/api/messages/{id}/review"].post.requestBody.content["application/json"].schema
        .properties.decision.enum,
    ).toEqual(["mergeWith", "createNew", "acceptUpdate", "reject"]);
    expect(Object.keys(doc.paths["/api/messages"].post.requestBody.content)).toContain(
      "application/hl7-v2",
    );
  });

  it("/api/status: per sender its last message and errors waiting", async () => {
    const s = await signIn(world.app, "viewer");
    const status = (await world.app.inject({ url: "/api/status", headers: as(s) })).json();
    expect(status.senders).toEqual([
      { sender: "ORTHOCHART^HARBOR", lastReceivedAt: "2026-03-10T15:02:00.000Z", errorsWaiting: 2 },
    ]);
    expect(status.counts).toEqual({ ERROR: 2, PROCESSED: 1 });
  });
});
