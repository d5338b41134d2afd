// CLOCK_MONOTONIC in nanoseconds: the clock bpf_ktime_get_ns() reads, so values written by the
// agent (liveness) compare directly with the datapath's view of "now".
import { c, Timespec } from './native.js';

void Timespec;
const CLOCK_MONOTONIC = 1;
const CLOCK_REALTIME = 0;

function read(clock: number): bigint {
  const ts = { tv_sec: 0n, tv_nsec: 0n };
  c.clockGettime(clock, ts);
  return BigInt(ts.tv_sec) * 1_000_000_000n + BigInt(ts.tv_nsec);
}

export function monotonicNs(): bigint {
  return read(CLOCK_MONOTONIC);
}

export function realtimeNs(): bigint {
  return read(CLOCK_REALTIME);
}
