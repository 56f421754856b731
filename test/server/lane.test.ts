import { describe, expect, it } from "vitest";
import { createLane } from "../../engine/server/lane.js";

/**
 * The processing lane: one turn at a time; an owner's tasks in submit
 * order; a task that pauses lets the turns queued behind it go first.
 */

describe("the lane", () => {
  it("runs tasks one at a time in submit order across owners", async () => {
    const lane = createLane();
    const order: string[] = [];
    const a = {};
    const b = {};
    await Promise.all([
      lane.submit(a, async () => {
        order.push("a1 start");
        await Promise.resolve();
        order.push("a1 end");
      }),
      lane.submit(b, () => order.push("b1")),
      lane.submit(a, () => order.push("a2")),
    ]);
    expect(order).toEqual(["a1 start", "a1 end", "b1", "a2"]);
  });

  it("a task that pauses lets the other owners' turns go between its slices, its owner's next task after it", async () => {
    const lane = createLane();
    const order: string[] = [];
    const big = {};
    const other = {};
    let release: (() => void) | undefined;
    const gate = lane.between(() => new Promise<void>((r) => (release = r)));
    const slices = lane.submit(big, async (pause) => {
      for (let slice = 1; slice <= 3; slice++) {
        if (slice > 1) await pause();
        order.push(`big${slice}`);
      }
    });
    const small = lane.submit(other, () => order.push("other"));
    const next = lane.submit(big, () => order.push("big next"));
    const late = lane.submit(other, () => order.push("other late"));
    while (!release) await Promise.resolve();
    release();
    await Promise.all([gate, slices, small, next, late]);
    expect(order).toEqual(["big1", "other", "big2", "other late", "big3", "big next"]);
  });

  it("between runs after everything queued before it; idle waits for paused tasks too", async () => {
    const lane = createLane();
    const order: string[] = [];
    void lane.submit({}, async (pause) => {
      order.push("frame 1");
      await pause();
      order.push("frame 2");
    });
    const reload = lane.between(() => order.push("reload"));
    await lane.idle();
    await reload;
    expect(order).toEqual(["frame 1", "reload", "frame 2"]);
  });

  it("a task that throws rejects its own promise and the lane goes on", async () => {
    const lane = createLane();
    const failed = lane.submit({}, () => {
      throw new Error("boom");
    });
    const after = lane.submit({}, () => "after");
    await expect(failed).rejects.toThrow("boom");
    expect(await after).toBe("after");
  });
});
