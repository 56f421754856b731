import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as api from "../../engine/index.js";

/**
 * The library API (package.json `exports` -> engine/index.ts): what a
 * service embedding the interpreter calls, used here as it would use it.
 */
const PACK = "rules/practices/harbor-ortho/pack.yaml";
const NOW = new Date("2026-03-01T15:00:00Z");

describe("the library API (engine/index.ts)", () => {
  it("package.json exports the built entry of engine/index.ts", async () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { exports: { ".": string } };
    expect(pkg.exports["."]).toBe("./dist/engine/index.js");
  });

  it("load a pack, receive HL7 into a store, read the queue, send an event", async () => {
    const load = api.loadPack(PACK);
    if (!load.ok) throw new Error(load.errors.map(api.formatPackError).join("\n"));
    const master = api.loadMasterData("rules/practices/harbor-ortho/master-data.yaml");
    if (!master.ok) throw new Error("master data");
    const store = api.createMemoryStore();
    await store.loadMasterData(master.data);

    const bytes = readFileSync("../shared/corpus/hl7/ADT_A04__mirth__1.hl7");
    const [outcome] = await api.receiveBytes(load.pack, store, bytes, {
      now: NOW,
      sender: "embedded",
    });
    expect(outcome?.state).toBe("PROCESSED");
    expect((await store.messages({ state: "PROCESSED" })).map((m) => m.messageId)).toEqual([
      outcome?.messageId,
    ]);
    expect(api.parseHl7(bytes).messages).toHaveLength(1);

    const event = api.loadEvent("test/fixtures/events/patient-add.json");
    if (!event.ok) throw new Error("event");
    const [sent] = await api.sendEvent(load.pack, store, event.event, { now: NOW });
    expect(sent?.state).toBe("NEW");
    expect(sent?.text?.startsWith("MSH|^~\\&|")).toBe(true);
    await store.close();
  });

  it("the built package resolves by its name, as a service imports it", async () => {
    const { execFileSync } = await import("node:child_process");
    const out = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        "const api = await import('rulepack'); console.log([typeof api.loadPack, typeof api.receiveBytes, typeof api.sendEvent, typeof api.openSqliteStore].join(' '))",
      ],
      { encoding: "utf8" },
    );
    expect(out.trim()).toBe("function function function function");
  });

  it("a pack that does not load is a value with located errors, not an exception", async () => {
    const load = api.loadPack("test/fixtures/packs/broken/missing-key/pack.yaml");
    expect(load.ok).toBe(false);
    if (load.ok) return;
    expect(load.errors.map(api.formatPackError)[0]).toMatch(/pack\.yaml:5:1: MISSING_KEY/);
  });
});
