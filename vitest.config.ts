import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import SummaryReporter from "./test/support/summary-reporter.js";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", new SummaryReporter()],
    testTimeout: 60_000,
    pool: "forks",
    // Vitest's default is one fork per core less one: a single fork on a
    // 2-core machine, where most of the suite's time is waiting on the
    // processes, sockets and databases the tests start (CPU ~0.9 of wall).
    // Two forks there took the suite from 242 s to 151 s, all passing.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // Test files share a worker's modules: the engine, ajv's compiled
    // schemas, jsonata and yaml load once per worker instead of once per
    // file (most of the suite's time was that). Tests keep no global state
    // between files: environment stubs are undone, stores and servers closed.
    isolate: false,
    // A throw-away PostgreSQL cluster for the PostgreSQL store's tests (inject("pgUrl")).
    // The parse cache in a temp folder for the run (cache-setup.ts).
    globalSetup: ["./test/support/postgres-setup.ts", "./test/support/cache-setup.ts"],
  },
});
