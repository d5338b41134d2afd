// The agent's waggle_service_implementation_delay_seconds read from two scrapes (pure): the
// count and sum of one action (their difference between scrapes is what the changes in between
// cost, as the agent measured them), and the bucket counts, for a quantile as Prometheus'
// histogram_quantile() computes it (linear within the bucket that holds the rank).
const NAME = 'waggle_service_implementation_delay_seconds';

export interface HistogramSnapshot {
  count: number;
  sum: number;
  /** Cumulative counts by upper bound (seconds), ascending; +Inf last. */
  buckets: Array<[number, number]>;
}

const labelsOf = (s: string) =>
  Object.fromEntries([...s.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));

/** One action's series in Prometheus text; zeros when the agent has observed none yet. */
export function snapshot(text: string, action: string): HistogramSnapshot {
  const out: HistogramSnapshot = { count: 0, sum: 0, buckets: [] };
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (!m?.[1]?.startsWith(NAME)) continue;
    const labels = labelsOf(m[2] ?? '');
    if (labels.action !== action) continue;
    const v = Number(m[3]);
    if (m[1] === `${NAME}_count`) out.count = v;
    else if (m[1] === `${NAME}_sum`) out.sum = v;
    else if (m[1] === `${NAME}_bucket`)
      out.buckets.push([labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.le), v]);
  }
  out.buckets.sort((a, b) => a[0] - b[0]);
  return out;
}

/** What was observed between two snapshots of one action. */
export function delta(before: HistogramSnapshot, after: HistogramSnapshot): HistogramSnapshot {
  const was = new Map(before.buckets);
  return {
    count: after.count - before.count,
    sum: after.sum - before.sum,
    buckets: after.buckets.map(([le, c]) => [le, c - (was.get(le) ?? 0)]),
  };
}

/** histogram_quantile(q) in seconds; NaN without observations, the last finite bound if in +Inf. */
export function quantile(h: HistogramSnapshot, q: number): number {
  const total = h.buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const [le, c] of h.buckets) {
    if (c >= rank) {
      if (!Number.isFinite(le)) return lower;
      return lower + (le - lower) * ((rank - below) / (c - below || 1));
    }
    lower = le;
    below = c;
  }
  return lower;
}
