import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, inject } from "vitest";
import { createMemoryStore } from "../../engine/store/memory.js";
import { openPostgresStore } from "../../engine/store/postgres.js";
import { openSqliteStore } from "../../engine/store/sqlite.js";
import { conflictContract } from "./conflict-contract.js";

/** The conflict contract (decision 0037) on the three stores. */

const root = mkdtempSync(join(tmpdir(), "rulepack-conflicts-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let made = 0;

conflictContract("memory", createMemoryStore);
conflictContract("sqlite", () => openSqliteStore(join(root, `conflicts-${++made}.sqlite`)));
conflictContract("postgres", () => {
  const url = new URL(inject("pgUrl"));
  url.searchParams.set("schema", `conflicts_${process.pid}_${++made}`);
  return openPostgresStore(url.toString());
});
