import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadTestFile } from "../../engine/testing/load.js";

const dir = mkdtempSync(join(tmpdir(), "rp-event-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const event = relative(dir, "test/fixtures/events/patient-add.json");
const pack = relative(dir, "test/fixtures/packs/valid/pack.yaml");

/** A test file whose `count` cases each send the event file. */
function suiteNaming(name: string, count: number): string {
  const file = join(dir, name);
  const cases = Array.from(
    { length: count },
    (_, i) =>
      `  - name: case ${i}\n    pack: ${pack}\n    events: [{ file: ${event} }]\n    expect: {}\n`,
  ).join("");
  writeFileSync(file, `cases:\n${cases}`);
  return file;
}

const eventsOf = (file: string) => {
  const load = loadTestFile(file);
  if (!load.ok) throw new Error(JSON.stringify(load.errors));
  return load.suite.cases.map((c) => c.events[0]?.event);
};

describe("event files: read and checked once per text (decision 0036)", () => {
  it("the cases that name the same event file get one frozen event", () => {
    const [first, second] = eventsOf(suiteNaming("two.test.yaml", 2));
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it("an event file whose text changed is read again", () => {
    const copy = join(dir, "copy.json");
    writeFileSync(copy, JSON.stringify({ event: "patient.add" }));
    const file = join(dir, "copy.test.yaml");
    writeFileSync(
      file,
      `cases:\n  - name: broken event\n    pack: ${pack}\n    events: [{ file: copy.json }]\n    expect: {}\n`,
    );
    const broken = loadTestFile(file);
    expect(broken.ok).toBe(false);
    writeFileSync(copy, JSON.stringify(eventsOf(suiteNaming("one.test.yaml", 1))[0]));
    expect(loadTestFile(file).ok).toBe(true);
  });
});
