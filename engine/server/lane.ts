/**
 * The listener's one processing lane (docs/decisions/0007), shared fairly
 * between connections (docs/decisions/0010).
 *
 * Work is queued per owner (a connection; each maintenance task is its own
 * owner) and run one turn at a time. Every `submit` queues one turn for its
 * owner, in arrival order, and each turn runs the owner's oldest unfinished
 * task until that task finishes or calls `pause`. A task that pauses gets a
 * new turn at the back of the lane, behind whatever was queued meanwhile:
 * a frame holding many messages goes in slices, and other connections'
 * frames go between its slices. An owner's tasks run in the order they were
 * submitted; frames of one message each keep their arrival order across
 * owners.
 */

export type Pause = () => Promise<void>;

export interface Lane {
  /** Queue `task` as `owner`'s; it may `pause` to let the turns queued behind it go first. */
  submit<T>(owner: object, task: (pause: Pause) => T | Promise<T>): Promise<T>;
  /** Run `task` in a turn of its own, after everything queued before it. */
  between<T>(task: () => T | Promise<T>): Promise<T>;
  /** Resolves once nothing is queued or running. */
  idle(): Promise<void>;
}

interface Task {
  readonly run: (pause: Pause) => Promise<void>;
  started: boolean;
  /** Continues a paused task in its new turn. */
  resume?: () => void;
  /** Ends the current turn: true when the task paused, false when it finished. */
  endTurn?: (paused: boolean) => void;
}

/** Lets I/O callbacks run (other connections' reads) before the next turn after a pause. */
const ioTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function createLane(): Lane {
  const tasks = new Map<object, Task[]>();
  const turns: object[] = [];
  let running = false;
  let idleWaiters: (() => void)[] = [];

  const step = (task: Task): Promise<boolean> =>
    new Promise((endTurn) => {
      task.endTurn = endTurn;
      if (task.started) {
        const resume = task.resume;
        task.resume = undefined;
        resume?.();
        return;
      }
      task.started = true;
      const pause: Pause = () =>
        new Promise<void>((resume) => {
          task.resume = resume;
          task.endTurn?.(true);
        });
      void task.run(pause).finally(() => task.endTurn?.(false));
    });

  const pump = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      for (let owner = turns.shift(); owner !== undefined; owner = turns.shift()) {
        const queue = tasks.get(owner);
        const task = queue?.[0];
        if (!queue || !task) continue;
        const paused = await step(task);
        if (paused) {
          turns.push(owner);
          await ioTurn();
        } else {
          queue.shift();
          if (queue.length === 0) tasks.delete(owner);
        }
      }
    } finally {
      running = false;
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  };

  const submit = <T>(owner: object, work: (pause: Pause) => T | Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const task: Task = {
        started: false,
        run: (pause) =>
          Promise.resolve()
            .then(() => work(pause))
            .then(resolve, reject),
      };
      const queue = tasks.get(owner);
      if (queue) queue.push(task);
      else tasks.set(owner, [task]);
      turns.push(owner);
      void pump();
    });

  return {
    submit,
    between: (task) => submit({}, () => task()),
    idle: () =>
      running || turns.length > 0
        ? new Promise<void>((resolve) => idleWaiters.push(resolve))
        : Promise.resolve(),
  };
}
