import { describe, expect, it } from "vitest";
import type { HostPractice } from "../../engine/host/host-file.js";
import { createRouter } from "../../engine/host/route.js";
import { addressedAdt } from "./helpers.js";

/** The shared port's choice: MSH-5/MSH-6 against each practice's routes, the most specific route first. */

const practice = (name: string, routes: HostPractice["inbound"]): HostPractice => ({
  name,
  pack: "p.yaml",
  store: ":memory:",
  inbound: routes,
});

const router = createRouter([
  practice("both", { routes: [{ receivingApplication: "PS", receivingFacility: "HARBOR" }] }),
  practice("app", { routes: [{ receivingApplication: "PS" }] }),
  practice("facility", { routes: [{ receivingFacility: "LAKE" }, { receivingFacility: "SHORE" }] }),
  practice("own-port", { port: 2576 }),
]);
const route = (application: string, facility: string) =>
  router.route(new TextEncoder().encode(addressedAdt("C1", application, facility)));

describe("routing by MSH-5 and MSH-6", () => {
  it("takes the route naming both values over one naming one", () => {
    expect(route("PS", "HARBOR")).toMatchObject({ ok: true, practice: "both" });
    expect(route("PS", "ELSEWHERE")).toMatchObject({ ok: true, practice: "app" });
  });

  it("matches any of a practice's routes", () => {
    expect(route("X", "LAKE")).toMatchObject({ ok: true, practice: "facility" });
    expect(route("X", "SHORE")).toMatchObject({ ok: true, practice: "facility" });
  });

  it("leaves a frame no route matches unroutable, saying what it addressed", () => {
    expect(route("X", "Y")).toMatchObject({
      ok: false,
      addressed: "X^Y",
      candidates: [],
      message: "no practice on this port receives MSH-5^MSH-6 'X^Y'",
    });
  });

  it("leaves a frame two practices match equally unroutable, naming them for the log only", () => {
    const found = route("PS", "LAKE");
    expect(found).toMatchObject({
      ok: false,
      addressed: "PS^LAKE",
      candidates: ["app", "facility"],
    });
    expect(found.ok === false && found.message).not.toContain("facility");
  });

  it("leaves bytes without an MSH unroutable", () => {
    expect(router.route(new TextEncoder().encode("not hl7"))).toMatchObject({
      ok: false,
      addressed: "^",
    });
  });
});
