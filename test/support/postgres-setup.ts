import type { TestProject } from "vitest/node";
import { startCluster } from "./pg-cluster.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The throw-away cluster's URL (database `postgres`); tests create their own databases. */
    pgUrl: string;
  }
}

/** Vitest global set-up: one PostgreSQL cluster for the run, stopped after it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const cluster = await startCluster();
  process.stderr.write(`postgres: cluster on port ${cluster.port} in ${Date.now() - started} ms\n`);
  project.provide("pgUrl", cluster.url);
  return () => cluster.stop();
}
