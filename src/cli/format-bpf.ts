// `waggle bpf endpoint|ipcache|metrics list` as `cilium-dbg bpf … list` prints them
// (cilium-dbg/cmd/bpf_endpoint_list.go, bpf_ipcache_list.go, bpf_metrics_list.go), from the rows
// the agent's codecs already format (GET /v1/maps/<name>). Pure: rows in, stdout and stderr out.
import type { MapRows } from '../agent/status.js';

export interface Listing {
  stdout: string;
  stderr: string;
}

const NO_ENTRIES = 'No entries found.\n';

/** Byte-wise string order, as Go's strings.Compare (not the locale's). */
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Go's text/tabwriter as cilium-dbg sets it up (minwidth 5, padding 3, blanks): every cell but a
 * line's last is padded to its column's widest cell + 3, and to at least 5. Cilium's TablePrinter
 * ends the last cell with a tab too, which pads it with trailing blanks; those are trimmed here.
 */
export function tabwriter(lines: string[][]): string {
  const widths: number[] = [];
  for (const cells of lines)
    cells.slice(0, -1).forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 5, c.length + 3);
    });
  const out = lines.map((cells) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('')
      .trimEnd(),
  );
  return out.map((l) => `${l}\n`).join('');
}

function expectColumns(m: MapRows, columns: string[]): void {
  if (m.columns.length !== columns.length || m.columns.some((c, i) => c !== columns[i]))
    throw new Error(
      `map ${m.name}: the agent's columns are ${JSON.stringify(m.columns)}, this CLI expects ` +
        `${JSON.stringify(columns)} (agent and CLI from different builds?)`,
    );
}

/** Key → its values, keys in string order: cilium-dbg's map[string][]string, sorted for a stable listing. */
function byKey(m: MapRows): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (const [key = '', value = ''] of m.rows) grouped.set(key, [...(grouped.get(key) ?? []), value]);
  return new Map([...grouped].sort(([a], [b]) => cmp(a, b)));
}

/** cilium-dbg's TablePrinter: a title line, then each key with its first value, more values below it. */
function keyValueTable(titles: [string, string], grouped: Map<string, string[]>): string {
  const lines: string[][] = [titles];
  for (const [key, values] of grouped)
    for (const [i, v] of values.entries()) lines.push([i === 0 ? key : '', v]);
  return tabwriter(lines);
}

const jsonOf = (grouped: Map<string, string[]>) =>
  `${JSON.stringify(Object.fromEntries(grouped), null, 2)}\n`;

/** `bpf endpoint list`: an empty map prints the title alone (Cilium prints no "No entries"). */
export function bpfEndpointList(m: MapRows, json: boolean): Listing {
  const titles: [string, string] = ['IP ADDRESS', 'LOCAL ENDPOINT INFO'];
  expectColumns(m, titles);
  const grouped = byKey(m);
  return { stdout: json ? jsonOf(grouped) : keyValueTable(titles, grouped), stderr: '' };
}

/** `bpf ipcache list`: an empty map prints "No entries found." on stderr, and exits 0. */
export function bpfIpcacheList(m: MapRows, json: boolean): Listing {
  const titles: [string, string] = ['IP PREFIX/ADDRESS', 'IDENTITY'];
  expectColumns(m, titles);
  const grouped = byKey(m);
  if (json) return { stdout: jsonOf(grouped), stderr: '' };
  if (grouped.size === 0) return { stdout: '', stderr: NO_ENTRIES };
  return { stdout: keyValueTable(titles, grouped), stderr: '' };
}

const METRICS_COLUMNS = ['REASON', 'DIRECTION', 'PACKETS', 'BYTES', 'LINE', 'FILE'];

/**
 * `bpf metrics list`: rows sorted column by column as strings, as cilium-dbg sorts them. The JSON
 * form sums rows that agree on reason, direction, line and file (Cilium does, so keys differing
 * only in reserved bits read as one metric), with the direction in lower case.
 */
export function bpfMetricsList(m: MapRows, json: boolean): Listing {
  expectColumns(m, METRICS_COLUMNS);
  if (m.rows.length === 0) return { stdout: '', stderr: NO_ENTRIES };
  const rows = [...m.rows].sort((a, b) => {
    for (let i = 0; i < METRICS_COLUMNS.length; i++) {
      const c = cmp(a[i] ?? '', b[i] ?? '');
      if (c !== 0) return c;
    }
    return 0;
  });
  if (!json) return { stdout: tabwriter([METRICS_COLUMNS, ...rows]), stderr: '' };
  return { stdout: metricsJson(rows), stderr: '' };
}

interface JsonMetric {
  reason: string;
  direction: string;
  packets: bigint;
  bytes: bigint;
  line: number;
  file: string;
}

function metricsJson(rows: string[][]): string {
  const merged = new Map<string, JsonMetric>();
  for (const [reason = '', dir = '', packets = '0', bytes = '0', line = '0', file = ''] of rows) {
    const direction = dir.toLowerCase();
    const id = JSON.stringify([reason, direction, line, file]);
    const m = merged.get(id) ?? { reason, direction, packets: 0n, bytes: 0n, line: Number(line), file };
    m.packets += BigInt(packets);
    m.bytes += BigInt(bytes);
    merged.set(id, m);
  }
  // Cilium's order is Go map order (random); here reason, direction, line, file.
  const ordered = [...merged.values()].sort(
    (a, b) =>
      cmp(a.reason, b.reason) || cmp(a.direction, b.direction) || a.line - b.line || cmp(a.file, b.file),
  );
  // u64 counters stay exact: bigints are written as bare digits, as Go writes a uint64.
  const text = JSON.stringify(ordered, (_k, v: unknown) => (typeof v === 'bigint' ? `\u0000${v}` : v), 2);
  return `${text.replace(/"\\u0000(\d+)"/g, '$1')}\n`;
}

const NAT_COLUMNS = ['TUPLE', 'XLATE', 'CREATED', 'NEEDSCT'];

/**
 * `bpf nat list` (cilium-dbg/cmd/bpf_nat_list.go): one line per entry, the map's rows joined by
 * blanks — `TCP OUT 10.200.1.5:40000 -> 10.98.0.10:9000 XLATE_SRC 10.98.0.21:61003 Created=3sec ago
 * NeedsCT=0` — in string order so a flow's OUT and IN entries are easy to find.
 */
export function bpfNatList(m: MapRows, json: boolean): Listing {
  expectColumns(m, NAT_COLUMNS);
  const lines = m.rows.map((r) => r.join(' ')).sort(cmp);
  if (json) {
    const entries = m.rows.map(([tuple, xlate, created, needsCt]) => ({ tuple, xlate, created, needsCt }));
    return { stdout: `${JSON.stringify(entries, null, 2)}\n`, stderr: '' };
  }
  if (lines.length === 0) return { stdout: '', stderr: NO_ENTRIES };
  return { stdout: lines.map((l) => `${l}\n`).join(''), stderr: '' };
}
