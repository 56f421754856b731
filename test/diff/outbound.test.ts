import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { diffPacks, type PackDiff } from "../../engine/diff/diff.js";
import { fileInputs } from "../../engine/diff/inputs.js";
import { textReport } from "../../engine/diff/report-text.js";
import { loadEvent } from "../../engine/outbound/events.js";
import { rulepack } from "../support/cli.js";
import { changedMessages, HARBOR, NOW, practice, VARIANTS } from "./corpus.js";

/**
 * Practice events replayed through Harbor and through a variant of it
 * (test/fixtures/diff/harbor-ortho/): each event's legs go through the
 * pack's outbound path into the run's store, in the given order under one
 * clock, and are compared like inbound messages — state, errors, and the
 * built HL7 line by line. Harbor sends appointments of Harbor Main and
 * Harbor Surgery Center; check-out is not enabled outbound.
 */

const EVENTS = "test/fixtures/events";
const EVENT_FILES = [
  "patient-add.json",
  "patient-update.json",
  "appointment-schedule.json", // department 1, Harbor Main
  "appointment-update.json", // Harbor Main
  "appointment-reschedule.json", // from Harbor Main to department 2, Harbor East: two legs
  "appointment-checkin.json", // Harbor Main, sent as SIU^S14
  "appointment-checkout.json", // not enabled: not sent under either pack
  "appointment-cancel.json", // Harbor Main
].map((name) => join(EVENTS, name));

const inputs = fileInputs(
  EVENT_FILES.map((path) => {
    const load = loadEvent(path);
    if (!load.ok) throw new Error(`${path} does not load`);
    return { path, bytes: readFileSync(path), event: load.event };
  }),
  NOW,
);
const harbor = practice(HARBOR);
const against = (variant: string): Promise<PackDiff> =>
  diffPacks(harbor, practice(join(VARIANTS, variant)), inputs);

describe("identical packs", () => {
  it("give zero changes for the events' nine legs", async () => {
    const diff = await against("same.yaml");
    expect(diff.changes).toEqual([]);
    expect(diff.summary).toEqual({
      messages: 9,
      stateChanged: [],
      actionsOrErrorsChanged: 0,
      unchanged: 9,
    });
  });
});

describe("an outbound filter (outbound.filters.appointments: Harbor East only)", () => {
  let diff: PackDiff;
  beforeAll(async () => {
    diff = await against("outbound-filter.yaml");
  });

  it("filters exactly the Harbor Main appointments' legs; the reschedule into Harbor East still goes out", () => {
    expect(changedMessages(diff)).toEqual([
      "appointment-schedule.json HOR00000000000000003 SIU^S12 NEW -> PROCESSED",
      "appointment-update.json HOR00000000000000004 SIU^S14 NEW -> PROCESSED",
      "appointment-checkin.json HOR00000000000000007 SIU^S14 NEW -> PROCESSED",
      "appointment-cancel.json HOR00000000000000008 SIU^S15 NEW -> PROCESSED",
    ]);
    expect(diff.summary).toEqual({
      messages: 9,
      stateChanged: [{ from: "NEW", to: "PROCESSED", messages: 4 }],
      actionsOrErrorsChanged: 0,
      unchanged: 5,
    });
  });

  it("names FILTERED as the new error and the built message as removed", () => {
    const schedule = diff.changes[0];
    expect(schedule?.errors).toEqual([
      { change: "added", error: expect.objectContaining({ code: "FILTERED", severity: "info" }) },
    ]);
    expect(schedule?.message?.map((l) => `${l.change} ${l.line.slice(0, 3)}`)).toEqual([
      "removed MSH",
      "removed SCH",
      "removed TQ1",
      "removed PID",
      "removed PV1",
      "removed RGS",
      "removed AIS",
      "removed AIG",
      "removed AIL",
      "removed AIP",
    ]);
  });

  it("swapped the filter the other way round, the same legs go NEW again", async () => {
    const back = await diffPacks(practice(join(VARIANTS, "outbound-filter.yaml")), harbor, inputs);
    expect(changedMessages(back)).toEqual([
      "appointment-schedule.json HOR00000000000000003 SIU^S12 PROCESSED -> NEW",
      "appointment-update.json HOR00000000000000004 SIU^S14 PROCESSED -> NEW",
      "appointment-checkin.json HOR00000000000000007 SIU^S14 PROCESSED -> NEW",
      "appointment-cancel.json HOR00000000000000008 SIU^S15 PROCESSED -> NEW",
    ]);
  });
});

describe("a changed built field (outbound.msh.receivingFacility)", () => {
  it("shows each built message's MSH line old and new, nothing else", async () => {
    const diff = await against("outbound-facility.yaml");
    expect(diff.summary).toEqual({
      messages: 9,
      stateChanged: [],
      actionsOrErrorsChanged: 8,
      unchanged: 1,
    });
    const [first] = diff.changes;
    expect(first?.message?.map((l) => l.change)).toEqual(["removed", "added"]);
    expect(first?.message?.[0]?.line).toContain("|ORTHOCHART|HARBOR|");
    expect(first?.message?.[1]?.line).toContain("|ORTHOCHART|HARBORNEW|");
    expect(textReport(diff)).toContain("  message:\n    - MSH|");
  });
});

describe("rulepack diff with event FILEs", () => {
  it("replays them through both packs' outbound path", async () => {
    const run = await rulepack([
      "diff",
      "--pack",
      join(VARIANTS, "outbound-filter.yaml"),
      "--against",
      HARBOR,
      "--now",
      NOW.toISOString(),
      "--format",
      "json",
      ...EVENT_FILES,
    ]);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).summary.stateChanged).toEqual([
      { from: "NEW", to: "PROCESSED", messages: 4 },
    ]);
  });

  it("rejects an event FILE that is not a practice event, at its location", async () => {
    const run = await rulepack(["diff", "--pack", HARBOR, "--against", HARBOR, "package.json"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^package\.json:\d+:\d+/);
  });
});
