// The process-level shutdown guarantee of waggle's long-running commands (agent, operator): an
// init system or a DaemonSet rollout sends SIGTERM and waits, so a process must go promptly
// whatever its store is doing. The first SIGTERM/SIGINT runs the graceful steps in order under
// one deadline; when they finish the process exits 0. When the deadline passes first, one line
// names the step still running and those never started, and the process exits 1 (the stop was
// not clean). A second signal exits at once with 128 + the signal number (130 for SIGINT, 143
// for SIGTERM, the shell's convention for "killed by that signal").
//
// The exit is explicit even after a clean stop: a library's leftover reconnect timer or a socket
// to a stalled peer must not keep a process alive that has finished its work.

/** Graceful work gets this long; the rest of a 2 s budget is process teardown. */
export const SHUTDOWN_GRACE_MS = 1500;

const SIGNAL_NUMBER = { SIGINT: 2, SIGTERM: 15 } as const;
type StopSignal = keyof typeof SIGNAL_NUMBER;

export interface ShutdownStep {
  /** Names the work in the deadline line, e.g. "lbipam controller". */
  name: string;
  run(): Promise<void>;
}

/** The slice of `process` this uses; tests pass a fake. */
export interface SignalProcess {
  on(signal: StopSignal, listener: () => void): unknown;
  off(signal: StopSignal, listener: () => void): unknown;
  exit(code: number): void;
}

export interface ShutdownOptions {
  /** Log prefix: "agent", "operator". */
  name: string;
  steps: ShutdownStep[];
  log(line: string): void;
  graceMs?: number;
  proc?: SignalProcess;
}

export interface Shutdown {
  /**
   * Runs the steps once under the deadline without exiting (for a start that failed);
   * true when every step finished in time. Later calls return the first run's result.
   */
  stop(): Promise<boolean>;
  /** Removes the signal handlers (tests). */
  dispose(): void;
}

/** Installs the handlers now, so a signal during start-up is handled the same way. */
export function exitOnSignal(opts: ShutdownOptions): Shutdown {
  const proc = opts.proc ?? process;
  const graceMs = opts.graceMs ?? SHUTDOWN_GRACE_MS;
  let stopping: Promise<boolean> | undefined;

  const stop = (): Promise<boolean> => {
    stopping ??= runSteps(opts.steps, graceMs, (step, err) =>
      opts.log(`${opts.name}: shutdown: ${step}: ${err instanceof Error ? err.message : String(err)}`),
    ).then((left) => {
      if (left.length === 0) return true;
      opts.log(`${opts.name}: shutdown deadline (${graceMs} ms) passed; did not finish: ${left.join(', ')}`);
      return false;
    });
    return stopping;
  };

  const handlers = new Map<StopSignal, () => void>();
  const onSignal = (sig: StopSignal) => {
    if (stopping) {
      opts.log(`${opts.name}: second ${sig}, exiting now`);
      proc.exit(128 + SIGNAL_NUMBER[sig]);
      return;
    }
    opts.log(`${opts.name}: ${sig}, shutting down`);
    void stop().then((clean) => proc.exit(clean ? 0 : 1));
  };
  for (const sig of Object.keys(SIGNAL_NUMBER) as StopSignal[]) {
    const h = () => onSignal(sig);
    handlers.set(sig, h);
    proc.on(sig, h);
  }
  return {
    stop,
    dispose() {
      for (const [sig, h] of handlers) proc.off(sig, h);
    },
  };
}

/**
 * Runs the steps in order until they finish or the deadline passes; returns what did not finish
 * ("<step> (running)" then the steps never started). A step that throws is reported and counts as
 * finished: its error is part of a shutdown, not a reason to skip the remaining steps.
 */
async function runSteps(
  steps: ShutdownStep[],
  graceMs: number,
  failed: (step: string, err: unknown) => void,
): Promise<string[]> {
  let current = 0;
  const work = (async () => {
    for (; current < steps.length; current++) {
      const step = steps[current];
      await step?.run().catch((err: unknown) => failed(step.name, err));
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), graceMs);
  });
  const outcome = await Promise.race([work.then(() => 'done' as const), deadline]);
  clearTimeout(timer);
  if (outcome === 'done') return [];
  return steps.slice(current).map((s, i) => (i === 0 ? `${s.name} (running)` : s.name));
}

/**
 * Starts a long-running process and keeps it until a signal: the handlers go in before start(),
 * so a signal while the store is still being reached is handled the same way; a failed start
 * runs the stop steps (under the deadline) and rethrows. Never returns otherwise — the signal
 * handler exits the process.
 */
export async function runUntilSignal(opts: ShutdownOptions & { start(): Promise<void> }): Promise<never> {
  const shutdown = exitOnSignal(opts);
  try {
    await opts.start();
  } catch (err) {
    await shutdown.stop();
    shutdown.dispose();
    throw err;
  }
  return new Promise<never>(() => {});
}
