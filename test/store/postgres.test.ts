import { inject } from "vitest";
import { openPostgresStore } from "../../engine/store/postgres.js";
import { storeContract } from "./contract.js";
import { queueContract } from "./queue-contract.js";

/** Every store the suites make gets a database of its own on the test cluster (created at open). */
let made = 0;
const fresh = () => {
  const url = new URL(inject("pgUrl"));
  url.pathname = `/contract_${process.pid}_${++made}`;
  return openPostgresStore(url.toString());
};

storeContract("postgres", fresh);
queueContract("postgres", fresh);
