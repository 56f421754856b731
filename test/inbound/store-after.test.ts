import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../../engine/store/memory.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import type { LocalStore as Store } from "../../engine/store/types.js";
import {
  fixturePack,
  HARBOR_PPO,
  JANE,
  JANE_CREATED,
  MASTER_DATA,
  message,
  PRIVACY_CHECKED,
  receive,
} from "./helpers.js";

/**
 * The store after a message went through the queue intake (`receiveBytes`):
 * a PROCESSED outcome applied exactly its actions, an ERROR outcome nothing
 * ("When a state is ERROR or CBOERROR no action is applied"). Both stores.
 */

const STORES: readonly [string, () => Store][] = [
  ["memory", createMemoryStore],
  ["sqlite", () => openSqliteStore(":memory:")],
];

const BLUE_SECONDARY = {
  1: "2",
  2: "BCC-7",
  4: "Blue Cross Choice",
  5: "PO Box 9",
  16: "Doe^John",
  17: "SPO",
  36: "B-1",
};

describe.each(STORES)("the %s store after patient messages (inbound-basic)", (_name, open) => {
  const withMasterData = async () => {
    const store = open();
    await store.loadMasterData(MASTER_DATA);
    return store;
  };

  it("a PROCESSED create: the patient with privacy and guarantor, the policies by sequence, nothing else", async () => {
    const store = await withMasterData();
    try {
      const outcome = await receive(
        fixturePack("inbound-basic"),
        store,
        message({
          type: "ADT^A04",
          pid: JANE,
          gt1: { 3: "Doe^John", 11: "SPO" },
          insurance: [{ in1: HARBOR_PPO }, { in1: BLUE_SECONDARY }],
        }),
      );
      expect(outcome.state).toBe("PROCESSED");
      expect(outcome.actions.map((a) => a.type)).toEqual([
        "patient.create",
        "privacy.set",
        "guarantor.set",
        "insurance.add",
        "insurance.add",
      ]);
      expect(store.patientById("1001")).toEqual({
        ...JANE_CREATED,
        id: "1001",
        privacy: PRIVACY_CHECKED,
        guarantor: { lastName: "Doe", firstName: "John", relationship: "SPO" },
      });
      const policies = [
        {
          sequence: 1,
          packageId: "4471",
          foreignKey: "HMP-100+Harbor Mutual PPO+100 Main St",
          policyNumber: "POL-0001",
          relationshipToInsured: "SEL",
          insured: { lastName: "Doe", firstName: "Jane", dob: "1980-02-14" },
        },
        {
          sequence: 2,
          packageId: "00312",
          foreignKey: "BCC-7+Blue Cross Choice+PO Box 9",
          policyNumber: "B-1",
          relationshipToInsured: "SPO",
          insured: { lastName: "Doe", firstName: "John" },
        },
      ];
      expect(store.policiesOf("1001")).toEqual(policies);
      expect(await store.insuranceHistory("1001")).toEqual({
        selfPay: false,
        policies: policies.map((policy) => ({ policy, cancelled: false })),
      });
      expect(store.patientById("1002")).toBeUndefined();
      expect(store.nextId("patient")).toBe("1002");
      const stored = await store.message(outcome.messageId);
      expect(stored?.state).toBe("PROCESSED");
      expect(stored?.outcome).toEqual(outcome);
    } finally {
      await store.close();
    }
  });

  it("an ERROR outcome applied nothing: no patient, no policy, the ID not taken; the message waits with its outcome", async () => {
    const store = await withMasterData();
    try {
      const outcome = await receive(
        fixturePack("inbound-basic"),
        store,
        message({
          type: "ADT^A04",
          pid: JANE,
          gt1: { 3: "Doe^John", 11: "SPO" },
          insurance: [{ in1: HARBOR_PPO }, { in1: { ...BLUE_SECONDARY, 2: "BCC-8" } }],
        }),
      );
      expect(outcome.state).toBe("ERROR");
      expect(outcome.actions).toEqual([]);
      expect(store.patientById("1001")).toBeUndefined();
      expect(store.policiesOf("1001")).toEqual([]);
      expect(await store.insuranceHistory("1001")).toEqual({ selfPay: false, policies: [] });
      expect(store.nextId("patient")).toBe("1001");
      expect((await store.messages()).map((m) => [m.messageId, m.state])).toEqual([
        [outcome.messageId, "ERROR"],
      ]);
      expect((await store.message(outcome.messageId))?.outcome?.errors).toEqual(outcome.errors);
    } finally {
      await store.close();
    }
  });

  it("an update after an ERROR sees only what was applied before it", async () => {
    const store = await withMasterData();
    try {
      const pack = fixturePack("inbound-basic");
      await receive(
        pack,
        store,
        message({ type: "ADT^A04", pid: JANE, insurance: [{ in1: HARBOR_PPO }] }),
      );
      const failed = await receive(
        pack,
        store,
        message({ type: "ADT^A08", pid: { ...JANE, 2: "1001", 5: "Smith^Jane^Q" } }),
      );
      expect(failed.state).toBe("ERROR");
      expect(store.patientById("1001")?.lastName).toBe("Doe");
      expect(store.policiesOf("1001").map((p) => p.packageId)).toEqual(["4471"]);
      expect((await store.messages({ state: "ERROR" })).map((m) => m.messageId)).toEqual([
        failed.messageId,
      ]);
    } finally {
      await store.close();
    }
  });
});
