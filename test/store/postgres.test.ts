import { inject } from "vitest";
import { openPostgresStore } from "../../engine/store/postgres.js";
import { storeContract } from "./contract.js";
import { queueContract } from "./queue-contract.js";

/**
 * Every store the suites make gets a schema of its own in the test
 * cluster's database (`?schema=`, created at open: much quicker than a
 * database each).
 */
let made = 0;
const fresh = () => {
  const url = new URL(inject("pgUrl"));
  url.searchParams.set("schema", `contract_${process.pid}_${++made}`);
  return openPostgresStore(url.toString());
};

storeContract("postgres", fresh);
queueContract("postgres", fresh);
