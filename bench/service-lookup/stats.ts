// Pure arithmetic of the service-lookup bench: medians over rounds and ratios, kept apart so a
// unit test can check them without namespaces.

export interface Sample {
  connectP50us: number;
  connectP99us: number;
  connPerSec: number;
  rrPerSec: number;
}
export const METRICS = ['connectP50us', 'connectP99us', 'connPerSec', 'rrPerSec'] as const;

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Each metric's median over the rounds' samples. */
export function medianSample(rounds: readonly Sample[]): Sample {
  const out = {} as Sample;
  for (const k of METRICS) out[k] = median(rounds.map((r) => r[k]));
  return out;
}

/** a / b per metric (for latencies < 1 is better, for rates > 1 is better). */
export function ratio(a: Sample, b: Sample): Sample {
  const out = {} as Sample;
  for (const k of METRICS) out[k] = a[k] / b[k];
  return out;
}

/** The order variants run in during round r: forwards, then backwards (A B C, C B A, …). */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...items] : [...items].reverse();
}

export function parseList(flag: string, v: string): number[] {
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 0 || x > 60000))
    throw new Error(`${flag} "${v}": want comma-separated integers 0..60000`);
  return xs;
}
