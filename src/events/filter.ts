// `cilium-dbg monitor`'s event filters: --type (repeatable), --related-to, --from, --to, each an
// endpoint ID. All given filters must hold. The same filter travels as the query string of
// GET /v1/monitor, so the agent drops what a listener does not want before queueing it.
import type { DatapathEvent } from './decode.js';

export const EVENT_TYPES = ['drop', 'trace'] as const;
export type EventTypeName = (typeof EVENT_TYPES)[number];

export interface EventFilter {
  /** Empty: every type. */
  types: EventTypeName[];
  /** Source endpoint or destination endpoint is this ID. */
  relatedTo?: number;
  /** The emitting (source) endpoint is this ID. */
  from?: number;
  /** The destination endpoint is this ID. */
  to?: number;
}

export const MATCH_ALL: EventFilter = { types: [] };

export function matches(f: EventFilter, ev: DatapathEvent): boolean {
  if (f.types.length > 0 && !f.types.includes(ev.kind)) return false;
  if (f.relatedTo !== undefined && ev.source !== f.relatedTo && ev.dstId !== f.relatedTo) return false;
  if (f.from !== undefined && ev.source !== f.from) return false;
  if (f.to !== undefined && ev.dstId !== f.to) return false;
  return true;
}

export type FilterResult = { ok: true; filter: EventFilter } | { ok: false; error: string };

const ID_KEYS = { relatedTo: 'related-to', from: 'from', to: 'to' } as const;

/** Parses filter options: from the CLI (strings) or the API's query string. */
export function parseFilter(raw: {
  type?: readonly string[];
  'related-to'?: string;
  from?: string;
  to?: string;
}): FilterResult {
  const filter: EventFilter = { types: [] };
  for (const t of raw.type ?? []) {
    if (!(EVENT_TYPES as readonly string[]).includes(t))
      return { ok: false, error: `type "${t}": not one of ${EVENT_TYPES.join(', ')}` };
    if (!filter.types.includes(t as EventTypeName)) filter.types.push(t as EventTypeName);
  }
  for (const [field, key] of Object.entries(ID_KEYS) as Array<[keyof typeof ID_KEYS, string]>) {
    const value = raw[key as 'from'];
    if (value === undefined) continue;
    if (!/^\d+$/.test(value) || Number(value) > 0xffffffff)
      return { ok: false, error: `${key} "${value}": not an endpoint ID (a non-negative integer)` };
    filter[field] = Number(value);
  }
  return { ok: true, filter };
}

export function filterFromQuery(q: URLSearchParams): FilterResult {
  const raw: Parameters<typeof parseFilter>[0] = { type: q.getAll('type') };
  for (const key of Object.values(ID_KEYS)) {
    const v = q.get(key);
    if (v !== null) raw[key as 'from'] = v;
  }
  return parseFilter(raw);
}

export function filterToQuery(f: EventFilter): URLSearchParams {
  const q = new URLSearchParams();
  for (const t of f.types) q.append('type', t);
  for (const [field, key] of Object.entries(ID_KEYS) as Array<[keyof typeof ID_KEYS, string]>) {
    const v = f[field];
    if (v !== undefined) q.set(key, String(v));
  }
  return q;
}
