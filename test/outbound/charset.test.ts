import { describe, expect, it } from "vitest";
import { leafValue } from "../../engine/hl7/access.js";
import { parseHl7 } from "../../engine/hl7/parse.js";
import {
  event,
  HARBOR,
  packErrors,
  packWith,
  queued,
  send,
  storeFor,
  withPatient,
} from "./helpers.js";

/** The stored bytes of a queued message, parsed as a receiver would (MSH-18 decides the decoding). */
async function storedName(
  store: Awaited<ReturnType<typeof storeFor>>,
  messageId: string,
): Promise<string | null | undefined> {
  const raw = (await store.message(messageId))?.raw;
  if (!raw) throw new Error(`no message ${messageId}`);
  const pid = parseHl7(raw).messages[0]?.segments.find((s) => s.name === "PID");
  return leafValue(pid, 5, 1, 1);
}

describe("MSH-18: the bytes queued are in the character set the header names", () => {
  it("8859/1: a Latin-1 name is one byte each, and reads back unchanged", async () => {
    const p = packWith(HARBOR, "outbound: { msh: { charset: 8859/1 } }");
    const store = await storeFor(HARBOR);
    const [r] = await send(p, withPatient(event("patient-add"), { lastName: "Zoë" }), store);
    expect(r?.state).toBe("NEW");
    const raw = (await store.message(r?.messageId ?? ""))?.raw ?? new Uint8Array();
    expect(Buffer.from(raw).includes(Buffer.from([0x5a, 0x6f, 0xeb]))).toBe(true);
    expect(await storedName(store, r?.messageId ?? "")).toBe("Zoë");
  });

  it("8859/1: a character the set has no byte for is INVALID_VALUE at its field; ERROR, nothing sent", async () => {
    const p = packWith(HARBOR, "outbound: { msh: { charset: 8859/1 } }");
    const store = await storeFor(HARBOR);
    const [r] = await send(p, withPatient(event("patient-add"), { lastName: "Łukasz" }), store);
    expect(r?.state).toBe("ERROR");
    expect(r?.text).toBeUndefined();
    expect(r?.errors).toMatchObject([{ code: "INVALID_VALUE", field: "PID.5", value: "Ł" }]);
    expect(await queued(store)).toEqual([["ERROR", "outbound", "patientAdd", ["INVALID_VALUE"]]]);
  });

  it("absent: an ASCII message goes without MSH-18; one with other characters declares UNICODE UTF-8", async () => {
    const store = await storeFor(HARBOR);
    const p = packWith(HARBOR, "{}");
    const msh18 = async (id: string) =>
      leafValue(
        parseHl7((await store.message(id))?.raw ?? new Uint8Array()).messages[0]?.segments[0],
        18,
      );
    const [ascii] = await send(p, withPatient(event("patient-add"), { lastName: "Lucas" }), store);
    expect(await msh18(ascii?.messageId ?? "")).toBeUndefined();
    const [r] = await send(p, withPatient(event("patient-add"), { lastName: "Łukasz" }), store);
    expect(r?.state).toBe("NEW");
    expect(await msh18(r?.messageId ?? "")).toBe("UNICODE UTF-8");
    expect(await storedName(store, r?.messageId ?? "")).toBe("Łukasz");
  });

  it("a set the engine cannot write is refused at load", async () => {
    expect(packErrors(HARBOR, "outbound: { msh: { charset: UNICODE UTF-16 } }")).toEqual([
      expect.stringMatching(
        /^INVALID_VALUE 'UNICODE UTF-16' is not a character set the engine writes/,
      ),
    ]);
  });
});
