// Durations as kubectl's flags take them (Go's time.ParseDuration: `60s`, `2m`, `1m30s`, `500ms`),
// plus a bare number meaning seconds. Returns milliseconds.
const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(flag: string, typed: string): number {
  if (/^\d+(\.\d+)?$/.test(typed)) return Number(typed) * 1000;
  const parts = [...typed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== typed)
    throw new Error(`${flag}: "${typed}" is not a duration (e.g. 30s, 2m, 1m30s)`);
  return parts.reduce((ms, p) => ms + Number(p[1]) * (unitMs[p[2] as string] as number), 0);
}

/** A non-negative whole number flag, e.g. --replicas or --grace-period. */
export function parseCount(flag: string, typed: string): number {
  if (!/^\d+$/.test(typed)) throw new Error(`${flag}: "${typed}" is not a whole number ≥ 0`);
  return Number(typed);
}

/** kubectl's boolean flags: `--wait`, `--wait=true`, `--wait=false`. */
export function parseBool(flag: string, typed: string | boolean): boolean {
  if (typed === true || typed === 'true') return true;
  if (typed === false || typed === 'false') return false;
  throw new Error(`${flag}: "${String(typed)}" is not true or false`);
}

/** Polls `check` every `everyMs` until it returns true or `timeoutMs` passes; false on timeout. */
export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, Math.min(everyMs, Math.max(1, deadline - Date.now()))));
  }
}
