import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { createRouter } from "../../engine/host/route.js";
import { recordUnroutable } from "../../engine/host/unroutable.js";
import { pruneUnrouted } from "../../engine/host/unrouted-retention.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import { rulepack } from "../support/cli.js";
import { addressedAdt, controlIds, HARBOR, hostFile, startTestHost } from "./helpers.js";

/**
 * Retention of `_unrouted` (decision 0038): `unrouted.retainDays` (default
 * 90): a frame still in ERROR UNROUTABLE that long is deleted (an attempt
 * by `retention`), a DELETED one removed that long after its deletion. The
 * host runs it at start and daily; `rulepack prune --practice _unrouted`
 * runs it now.
 */

const router = createRouter([
  {
    name: "harbor",
    pack: HARBOR,
    store: "",
    inbound: { routes: [{ receivingFacility: "HARBOR" }] },
  },
]);

/** `_unrouted` of a host file's folder, with frames NOBODY received at these times. */
async function unroutedWith(
  file: string,
  frames: readonly { control: string; at: string; deletedAt?: string }[],
): Promise<string> {
  const location = join(dirname(file), "stores", "_unrouted.sqlite");
  mkdirSync(dirname(location), { recursive: true });
  const store = openSqliteStore(location);
  try {
    for (const f of frames) {
      const bytes = new TextEncoder().encode(addressedAdt(f.control, "NOBODY", "NOWHERE"));
      const refused = router.route(bytes);
      if (refused.ok) throw new Error("routed");
      const { outcome } = await recordUnroutable(
        store,
        bytes,
        refused,
        "mllp:test",
        new Date(f.at),
      );
      if (f.deletedAt && outcome)
        await store.setState(outcome.messageId, "DELETED", {
          kind: "delete",
          now: f.deletedAt,
          actor: "maria",
        });
    }
  } finally {
    await store.close();
  }
  return location;
}

const hostText = (retention: string) => `stores:
  sqlite: stores
listen:
  sharedPort: 0
${retention}practices:
  - name: harbor
    pack: ${HARBOR}
    inbound: { routes: [{ receivingFacility: HARBOR }] }
`;

const FRAMES = [
  { control: "OLD", at: "2026-01-01T00:00:00Z" },
  { control: "SEEN", at: "2026-01-02T00:00:00Z", deletedAt: "2026-01-05T00:00:00Z" },
  { control: "SEEN-LATELY", at: "2026-01-03T00:00:00Z", deletedAt: "2026-03-25T00:00:00Z" },
  { control: "RECENT", at: "2026-03-20T00:00:00Z" },
];

describe("pruneUnrouted", () => {
  it("deletes frames in ERROR past the retention and removes DELETED ones past it", async () => {
    const location = await unroutedWith(hostFile(""), FRAMES);
    const store = openSqliteStore(location);
    try {
      const now = new Date("2026-04-01T00:00:00Z");
      expect(await pruneUnrouted(store, 30, now)).toEqual({
        deleted: 1,
        removed: 1,
        before: "2026-03-02T00:00:00.000Z",
      });
      const left = await store.messages();
      expect(left.map((m) => `${m.controlId} ${m.state}`)).toEqual([
        "OLD DELETED",
        "SEEN-LATELY DELETED",
        "RECENT ERROR",
      ]);
      const old = left[0];
      expect((await store.attempts(old?.messageId as string)).at(-1)).toMatchObject({
        kind: "delete",
        state: "DELETED",
        actor: "retention",
        note: "unrouted for more than 30 days (unrouted.retainDays)",
      });
    } finally {
      await store.close();
    }
  });
});

describe("rulepack prune --practice _unrouted", () => {
  it("prunes the host's _unrouted store by the host file's unrouted.retainDays, and counts first with --dry-run", async () => {
    const file = hostFile(hostText("unrouted:\n  retainDays: 30\n"));
    const location = await unroutedWith(file, FRAMES);
    const args = ["prune", "--practice", "_unrouted", "--host-config", file];
    const now = ["--now", "2026-04-01T00:00:00Z"];
    const dry = await rulepack([...args, ...now, "--dry-run"]);
    expect(dry.stderr).toBe("");
    expect(dry.status).toBe(0);
    expect(dry.stdout).toBe(
      [
        "ERROR would delete 1 (unrouted retention 30 days: in ERROR before 2026-03-02T00:00:00.000Z)",
        "PROCESSED and DELETED would prune 1 (in the state before 2026-03-02T00:00:00.000Z)",
        "1 message would be deleted, 1 message would be pruned (dry run)",
        "",
      ].join("\n"),
    );
    expect(await controlIds(location)).toHaveLength(4);
    const run = await rulepack([...args, ...now]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("1 message deleted, 1 message pruned\n");
    expect(await controlIds(location)).toEqual([
      "OLD DELETED",
      "SEEN-LATELY DELETED",
      "RECENT ERROR",
    ]);
  });

  it("gives queue and status the _unrouted store, and refuses it to a command that needs a pack", async () => {
    const file = hostFile(hostText(""));
    await unroutedWith(file, FRAMES.slice(0, 1));
    const list = await rulepack([
      "queue",
      "list",
      "--practice",
      "_unrouted",
      "--host-config",
      file,
    ]);
    expect(list.status).toBe(0);
    expect(list.stdout).toContain("OLD");
    const status = await rulepack(["status", "--practice", "_unrouted", "--format", "json"], {
      RULEPACK_HOST: file,
    });
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout).total).toBe(1);
    const run = await rulepack(["run", "--practice", "_unrouted", "--host-config", file, file]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      "_unrouted is the host's store of unroutable frames, without a pack: queue, status and prune take it, not run",
    );
  });
});

describe("a running host", () => {
  it("prunes _unrouted when it starts, by the default 90 days", async () => {
    const file = hostFile(hostText(""));
    const location = await unroutedWith(file, [{ control: "ANCIENT", at: "2000-01-01T00:00:00Z" }]);
    const host = await startTestHost(file);
    try {
      expect(host.stderr.join("")).toContain("shared port unrouted prune deleted=1 removed=0");
    } finally {
      expect(await host.stop()).toBe(0);
    }
    expect(await controlIds(location)).toEqual(["ANCIENT DELETED"]);
  });
});
