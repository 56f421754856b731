/**
 * The process signals the long-running commands (serve, serve --http,
 * serve --host-config) answer to by default.
 */

/** Resolves with the signal's name at the first SIGTERM or SIGINT: drain and stop. */
export function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: string) => {
      process.off("SIGTERM", on);
      process.off("SIGINT", on);
      resolve(signal);
    };
    process.on("SIGTERM", on);
    process.on("SIGINT", on);
  });
}

/** Runs `reload` at each SIGHUP; returns the unsubscribe. */
export function onSighup(reload: () => Promise<void>): () => void {
  const on = () => void reload();
  process.on("SIGHUP", on);
  return () => process.off("SIGHUP", on);
}
