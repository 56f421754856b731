/**
 * `serve --workers N [--lease SECONDS]` (decision 0023): how many workers
 * decide in this process, and how long a claim holds a message from the
 * other workers. Without `--workers` serve decides in its one lane, as
 * before.
 */
export interface ServeWorkersArgs {
  readonly workers?: number;
  readonly leaseMs?: number;
}

export function serveWorkersArgs(values: {
  readonly workers?: string;
  readonly lease?: string;
}): ServeWorkersArgs | { readonly error: string } {
  const { workers, lease } = values;
  if (workers !== undefined && !/^[1-9]\d{0,2}$/.test(workers))
    return { error: "--workers takes a whole number from 1 to 999" };
  if (lease !== undefined && !/^[1-9]\d{0,5}$/.test(lease))
    return { error: "--lease takes whole seconds (1 or more)" };
  if (lease !== undefined && workers === undefined)
    return { error: "--lease is the workers' claim: it needs --workers N" };
  return {
    ...(workers !== undefined && { workers: Number(workers) }),
    ...(lease !== undefined && { leaseMs: Number(lease) * 1000 }),
  };
}
