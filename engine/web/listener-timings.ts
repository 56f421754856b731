/**
 * How long the MLLP listener took over its messages, handed to the web
 * app's `/metrics` when `rulepack serve` runs both (`--mllp` and
 * `--http`). The listener starts first (the web app needs its lane), so
 * the CLI makes this feed before either and the web app binds its
 * histogram to it once it is up; messages the listener committed before
 * that are not observed.
 *
 * The seconds are the listener's own (performance.now at the frame's
 * receipt to the frame's commit, mllp-server.ts); every message of the
 * frame is observed with its frame's time. With `--workers N` the commit is
 * the workers' (the listener answers once they decided), so the time runs
 * from receipt, through storing NEW, to the workers' completion as the
 * listener learns of it.
 */
export interface ListenerTimings {
  /** The listener: `messages` committed in one frame that took `seconds`. */
  record(messages: number, seconds: number): void;
  /** The web app: observe each message from now on (replaces an earlier binding). */
  bind(observe: (seconds: number) => void): void;
}

export function createListenerTimings(): ListenerTimings {
  let observe: ((seconds: number) => void) | undefined;
  return {
    record(messages, seconds) {
      if (!observe) return;
      for (let i = 0; i < messages; i++) observe(seconds);
    },
    bind(next) {
      observe = next;
    },
  };
}
