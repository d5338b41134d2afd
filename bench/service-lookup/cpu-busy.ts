// How busy the CPU the bench does not use was during a sample. With client and server on one
// CPU (topology.ts) the other has only the bench's idle parent processes, so a busy one means
// another user's work was running on this 2-vCPU machine. Recorded with every sample, not used
// to reject any: in the runs of docs/benchmarks.md §8 samples with that CPU 100 % busy had the
// rates of quiet ones (the scheduler kept the other work off our CPU), and the time a process
// waits for its CPU (/proc/<pid>/schedstat) is no cleaner a signal, as client and server on one
// CPU wait for each other by design (about a third of the wall time).
import { readFileSync } from 'node:fs';

/** Samples with the other CPU busier than this are counted in the run's output. */
export const BUSY_NOTE = 0.2;

export interface CpuTimes {
  busy: number;
  total: number;
}

/** The `cpuN` line of /proc/stat: busy = everything but idle and iowait, in USER_HZ ticks. */
export function parseCpuLine(stat: string, cpu: string): CpuTimes {
  const line = stat.split('\n').find((l) => l.startsWith(`cpu${cpu} `));
  if (!line) throw new Error(`/proc/stat: no line for cpu${cpu}`);
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (v.length < 5 || v.some((x) => !Number.isFinite(x))) throw new Error(`/proc/stat: bad line "${line}"`);
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - (v[3] as number) - (v[4] as number), total };
}

/** Busy fraction between two readings (0 when no tick passed). */
export function busyFraction(a: CpuTimes, b: CpuTimes): number {
  const dt = b.total - a.total;
  return dt > 0 ? (b.busy - a.busy) / dt : 0;
}

export const readCpu = (cpu: string): CpuTimes => parseCpuLine(readFileSync('/proc/stat', 'utf8'), cpu);
