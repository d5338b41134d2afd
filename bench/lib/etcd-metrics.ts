// etcd's own Prometheus endpoint, read from inside the lab's server namespace, and turned into
// per-second rates between two scrapes. Counters used (all present in etcd 3.4):
//   grpc_server_handled_total{grpc_type="unary"}  one per finished unary request, by method
//   etcd_mvcc_put_total                            keys written (Put and Txn puts)
//   etcd_mvcc_range_total / etcd_mvcc_txn_total    reads / transactions seen by the MVCC store
//   etcd_server_proposals_committed_total          raft proposals committed (every write)
import { inHost } from './lab.js';

export type Scrape = { tMs: number; values: Map<string, number> };

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+([0-9.eE+-]+)$/;

export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of text.split('\n')) {
    const m = LINE.exec(l);
    if (m) out.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return out;
}

export function scrapeEtcd(url = 'http://192.168.56.20:2379/metrics'): Scrape {
  const res = inHost('server', ['curl', '-s', '--max-time', '10', url]);
  if (res.code !== 0) throw new Error(`etcd metrics ${url}: curl exited ${res.code}`);
  const values = parseMetrics(res.stdout);
  if (!values.has('etcd_mvcc_put_total')) throw new Error(`etcd metrics ${url}: no etcd_mvcc_put_total`);
  return { tMs: Date.now(), values };
}

/** Sum of every series of `name` whose labels contain all of `labels` ("k=\"v\"" fragments). */
export function sum(s: Scrape, name: string, labels: string[] = []): number {
  let total = 0;
  for (const [k, v] of s.values)
    if ((k === name || k.startsWith(`${name}{`)) && labels.every((l) => k.includes(l))) total += v;
  return total;
}

export interface EtcdRates {
  seconds: number;
  requestsPerS: number;
  byMethodPerS: Record<string, number>;
  putsPerS: number;
  rangesPerS: number;
  txnsPerS: number;
  proposalsPerS: number;
}

export function rates(a: Scrape, b: Scrape): EtcdRates {
  const secs = (b.tMs - a.tMs) / 1000;
  const per = (name: string, labels: string[] = []) => (sum(b, name, labels) - sum(a, name, labels)) / secs;
  const methods = new Set<string>();
  for (const k of b.values.keys()) {
    const m = /^grpc_server_handled_total\{.*grpc_method="([^"]+)".*grpc_type="unary"/.exec(k);
    if (m) methods.add(m[1] as string);
  }
  const byMethodPerS: Record<string, number> = {};
  for (const m of methods) {
    const r = per('grpc_server_handled_total', [`grpc_method="${m}"`, 'grpc_type="unary"']);
    if (r > 0) byMethodPerS[m] = r;
  }
  return {
    seconds: secs,
    requestsPerS: per('grpc_server_handled_total', ['grpc_type="unary"']),
    byMethodPerS,
    putsPerS: per('etcd_mvcc_put_total'),
    rangesPerS: per('etcd_mvcc_range_total'),
    txnsPerS: per('etcd_mvcc_txn_total'),
    proposalsPerS: per('etcd_server_proposals_committed_total'),
  };
}
