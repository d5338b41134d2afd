// What every lab benchmark ends with: percentiles, a plain-text table on stdout and a JSON file
// under bench/results/, with the machine it ran on and the exact command.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { errorMessage } from '../../src/lib/errors.js';

/** Nearest-rank percentile of `xs` (p in 0..100); NaN when there are no samples. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))] as number;
}

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
  min: number;
}

export function summarize(xs: number[]): Summary {
  return {
    n: xs.length,
    p50: percentile(xs, 50),
    p99: percentile(xs, 99),
    max: xs.length ? Math.max(...xs) : Number.NaN,
    min: xs.length ? Math.min(...xs) : Number.NaN,
  };
}

export const ms = (x: number) => (Number.isFinite(x) ? `${Math.round(x)} ms` : '-');

/** Prints rows as aligned columns; the first row is the header. */
export function printTable(title: string, rows: Array<Array<string | number>>): void {
  const cells = rows.map((r) => r.map(String));
  const widths = (cells[0] ?? []).map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  process.stdout.write(`\n${title}\n`);
  for (const [i, r] of cells.entries()) {
    process.stdout.write(`${r.map((c, j) => c.padEnd(widths[j] ?? 0)).join('  ')}\n`);
    if (i === 0) process.stdout.write(`${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  }
}

export function machine() {
  return { kernel: release(), cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', node: process.version };
}

/** Writes bench/results/<name>.json (relative to the repository root, where benches run). */
export function writeResult(name: string, data: Record<string, unknown>): void {
  mkdirSync('bench/results', { recursive: true });
  const out = {
    bench: name,
    date: new Date().toISOString(),
    command: `node dist/bench/${name}.js ${process.argv.slice(2).join(' ')}`.trim(),
    machine: machine(),
    ...data,
  };
  writeFileSync(`bench/results/${name}.json`, `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`wrote bench/results/${name}.json\n`);
}

/** `--full` asks for the trial counts; the default is a bounded quick run. */
export function runMode(): { full: boolean } {
  return { full: process.argv.includes('--full') };
}

export function numberFlag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} "${process.argv[i + 1]}": not a number`);
  return v;
}

/** Runs main, turning any error into one line and exit code 1 (benches are CLIs too). */
export function runBench(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench ${name}: ${errorMessage(err)}\n`);
      process.exit(1);
    },
  );
}
