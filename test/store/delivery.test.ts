import { inject } from "vitest";
import { createMemoryStore } from "../../engine/store/memory.js";
import { openPostgresStore } from "../../engine/store/postgres.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import { deliveryContract } from "./delivery-contract.js";

/** The delivery contract on the three stores (a schema of its own per PostgreSQL store). */
let made = 0;
deliveryContract("memory", createMemoryStore);
deliveryContract("sqlite", () => openSqliteStore(":memory:"));
deliveryContract("postgres", () => {
  const url = new URL(inject("pgUrl"));
  url.searchParams.set("schema", `delivery_${process.pid}_${++made}`);
  return openPostgresStore(url.toString());
});
