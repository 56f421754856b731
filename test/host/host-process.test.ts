import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { framed, mllpExchange } from "../server/helpers.js";
import { startCliChild } from "../support/child-exit.js";
import { rulepack } from "../support/cli.js";
import { ackCode, addressedAdt, HARBOR, hostFile, LAKESIDE } from "./helpers.js";

/**
 * `rulepack serve --host-config` as its own process, so that the real
 * signals reach it: SIGHUP reloads, SIGTERM drains every listener and
 * exits 0. Options the host file gives are refused before anything starts.
 */

const TWO_PRACTICES = () =>
  hostFile(`stores:
  sqlite: stores
practices:
  - name: harbor
    pack: ${HARBOR}
    inbound: { port: 0 }
  - name: lakeside
    pack: ${LAKESIDE}
    inbound: { port: 0 }
`);

describe("rulepack serve --host-config (process)", () => {
  it("serves, reloads on SIGHUP and drains on SIGTERM with exit 0", async () => {
    const { child, exit, port, stderr } = await startCliChild(
      ["serve", "--host-config", TWO_PRACTICES()],
      {
        what: "the host",
        ms: 60_000,
        ready: /ready port=(\d+) practices=harbor\n[\s\S]*ready host practices=2/,
      },
    );
    const reply = await mllpExchange(port, [framed(addressedAdt("H1", "PS", "PS"))], 1);
    expect(reply.acks.map(ackCode)).toEqual(["AA"]);
    child.kill("SIGHUP");
    for (let i = 0; i < 600 && !stderr().includes("reload done"); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(stderr()).toContain("rulepack serve: reload done reloaded=0 kept=0 unchanged=2");
    child.kill("SIGTERM");
    expect(await exit).toBe(0);
    expect(stderr()).toContain("practice=harbor drained");
    expect(stderr()).toContain("practice=lakeside drained");
  });

  it.each([
    [["--mllp", "2575"], "--mllp does not go with --host-config"],
    [["--pack", HARBOR], "--pack does not go with --host-config"],
    [["--db", "q.sqlite"], "--db does not go with --host-config"],
    [["--idle-timeout", "soon"], "--idle-timeout takes whole seconds"],
  ])("refuses %j beside --host-config with exit 2", async (extra, message) => {
    const result = await rulepack(["serve", "--host-config", TWO_PRACTICES(), ...extra]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`rulepack: ${message}`);
  });

  it("refuses a host file that does not load with exit 2, its problems located", async () => {
    const bad = hostFile(
      "stores:\n  sqlite: s\npractices:\n  - name: a\n    pack: nowhere.yaml\n    inbound: { port: 0 }\n",
    );
    const result = await rulepack(["serve", "--host-config", bad]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^${bad}:5:11: FILE_NOT_FOUND`));
  });

  it("refuses a practice whose pack does not load with exit 2, naming the practice", async () => {
    const file = hostFile(`stores:
  sqlite: stores
practices:
  - name: base-only
    pack: ${HARBOR.replace("practices/harbor-ortho/pack.yaml", "base.yaml")}
    inbound: { port: 0 }
`);
    const result = await rulepack(["serve", "--host-config", file]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("is abstract (pack.abstract)");
    expect(result.stderr).toContain("rulepack: practice base-only: its pack does not load");
  });

  it("a store that cannot be used is exit 1 naming the practice, the URL's password left out", async () => {
    const file = hostFile(`stores:
  postgres: postgres://rulepack:secret@127.0.0.1:1/practices
practices:
  - name: harbor
    pack: ${HARBOR}
    inbound: { port: 0 }
`);
    const result = await rulepack(["serve", "--host-config", file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "rulepack: practice harbor: its store postgres://rulepack:***@127.0.0.1:1/practices?schema=harbor cannot be used (",
    );
    expect(result.stderr).not.toContain("secret");
  });

  it("a port in use is exit 1 naming it", async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const address = taken.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const file = hostFile(`stores:
  sqlite: stores
practices:
  - name: harbor
    pack: ${HARBOR}
    inbound: { port: ${port} }
`);
      const result = await rulepack(["serve", "--host-config", file]);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`rulepack: cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
    } finally {
      taken.close();
    }
  });
});
