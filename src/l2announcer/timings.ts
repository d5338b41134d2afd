// Lease timings: parsing Go-style durations ("15s", "200ms", "1.1s") and sanitising them the way
// Cilium's leaseTimings() does (k8s.io/client-go/tools/leaderelection and Cilium's pkg/l2announcer/l2announcer.go), with a warning for every value it changes.

export interface LeaseTimings {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export const DEFAULT_TIMINGS: LeaseTimings = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 5_000,
  retryPeriodMs: 2_000,
};
/** client-go's leaderelection.JitterFactor. */
export const JITTER_FACTOR = 1.2;

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration into milliseconds; throws a one-line error naming the flag. */
export function parseDuration(text: string, what = 'duration'): number {
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  if (text === '0') return 0;
  let total = 0;
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) throw new Error(`${what} "${text}": not a duration (use e.g. 15s, 200ms, 1.5s)`);
    total += Number(m[1]) * (UNITS[m[2] as string] as number);
    pos = re.lastIndex;
  }
  if (pos === 0) throw new Error(`${what} "${text}": not a duration (use e.g. 15s, 200ms, 1.5s)`);
  return total;
}

export function sanitizeTimings(t: LeaseTimings, warn: (msg: string) => void = () => {}): LeaseTimings {
  let { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = t;
  if (leaseDurationMs < 1000) {
    warn(`lease duration ${leaseDurationMs}ms is less than 1s; using 1s`);
    leaseDurationMs = 1000;
  }
  if (renewDeadlineMs < 1e-6) {
    warn('renew deadline is less than 1ns; using 1s');
    renewDeadlineMs = 1000;
  }
  if (retryPeriodMs < 1e-6) {
    warn('retry period is less than 1ns; using 200ms');
    retryPeriodMs = 200;
  }
  if (leaseDurationMs <= renewDeadlineMs) {
    renewDeadlineMs = leaseDurationMs / 2;
    warn(`lease duration must exceed the renew deadline; using renew deadline ${renewDeadlineMs}ms`);
  }
  if (renewDeadlineMs <= JITTER_FACTOR * retryPeriodMs) {
    retryPeriodMs = renewDeadlineMs / 2;
    warn(`renew deadline must exceed ${JITTER_FACTOR} × retry period; using retry period ${retryPeriodMs}ms`);
  }
  return { leaseDurationMs, renewDeadlineMs, retryPeriodMs };
}
