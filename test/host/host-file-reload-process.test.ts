import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { framed, mllpExchange } from "../server/helpers.js";
import { startCliChild } from "../support/child-exit.js";
import { ackCode, addressedAdt, HARBOR, hostFile, LAKESIDE } from "./helpers.js";

/**
 * `rulepack serve --host-config` as its own process: the real SIGHUP reads
 * the host file again (decision 0038), so a practice added to the file
 * starts listening (its `ready` line on stdout) without a restart, and a
 * SIGTERM then drains both.
 */

const harbor = `  - name: harbor\n    pack: ${HARBOR}\n    inbound: { port: 0 }\n`;
const lakeside = `  - name: lakeside\n    pack: ${LAKESIDE}\n    inbound: { port: 0 }\n`;
const text = (practices: string) => `stores:\n  sqlite: stores\npractices:\n${practices}`;

describe("rulepack serve --host-config (process), SIGHUP after the host file changed", () => {
  it("starts the practice added to the file and serves it, then drains both on SIGTERM", async () => {
    const file = hostFile(text(harbor));
    const { child, exit, port, stderr } = await startCliChild(["serve", "--host-config", file], {
      what: "the host",
      ms: 60_000,
      ready: /ready port=(\d+) practices=harbor\n[\s\S]*ready host practices=1/,
    });
    let stdout = "";
    child.stdout?.on("data", (d) => {
      stdout += String(d);
    });
    try {
      writeFileSync(file, text(harbor + lakeside));
      child.kill("SIGHUP");
      for (let i = 0; i < 1200 && !stderr().includes("reload done"); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(stderr()).toContain("reload done reloaded=0 kept=0 unchanged=1 started=1");
      const added = Number(/ready port=(\d+) practices=lakeside\n/.exec(stdout)?.[1]);
      expect(added).toBeGreaterThan(0);
      const reply = await mllpExchange(added, [framed(addressedAdt("L1", "PS", "PS"))], 1);
      expect(reply.acks.map(ackCode)).toEqual(["AA"]);
      const still = await mllpExchange(port, [framed(addressedAdt("H1", "PS", "PS"))], 1);
      expect(still.acks.map(ackCode)).toEqual(["AA"]);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exit).toBe(0);
    expect(stderr()).toContain("practice=harbor drained");
    expect(stderr()).toContain("practice=lakeside drained");
  });
});
