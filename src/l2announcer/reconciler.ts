// Desired rows → the responder map (Cilium's pkg/datapath/l2responder/l2responder.go). Incremental on change (only rows that
// appeared or went away), full against the map's real contents at start and every 5 minutes.
// A key is written (BPF_ANY, counter 0) only when it is not in the map yet, so an existing
// entry's responses_sent is never reset, and a gratuitous ARP goes out exactly when a key first
// enters the map. Until the agent knows which leases it holds (initial sync), it only adds:
// pinned entries from a previous run keep answering while this run re-confirms its leases.
import { type DesiredRow, rowKey } from './desired.js';
import { errorMessage } from '../lib/errors.js';

export interface ResponderKey {
  ip: string;
  ifindex: number;
}

/** The slice of TypedMap<L2ResponderKey, L2ResponderStats> the reconciler uses. */
export interface ResponderMap {
  has(key: ResponderKey): boolean;
  set(key: ResponderKey, value: { responsesSent: bigint }): void;
  delete(key: ResponderKey): boolean;
  keys(): ResponderKey[];
}

export interface ReconcilerOptions {
  map: ResponderMap;
  /** Interface name → ifindex, or undefined if it is gone. */
  ifindexOf(iface: string): number | undefined;
  /** Announces a new key; may throw (logged as a warning, the entry stays). */
  garp(row: { ip: string; iface: string; ifindex: number }): void;
  log(msg: string): void;
  /** A desired entry could not be written (e.g. the map is full); the row is retried next pass. */
  onWriteError?(row: { ip: string; iface: string }, reason: 'map_full' | 'write_failed'): void;
}

export const FULL_RESYNC_INTERVAL_MS = 5 * 60_000;

const mapKey = (k: ResponderKey) => `${k.ip}@${k.ifindex}`;

export class ResponderReconciler {
  #o: ReconcilerOptions;
  /** What we applied last, by "<ip>/<iface>", with the ifindex used. */
  #applied = new Map<string, ResponderKey>();
  #synced = false;

  constructor(opts: ReconcilerOptions) {
    this.#o = opts;
  }

  /** After this, entries nobody wants are deleted, including those found in the map. */
  markInitialSyncDone(): void {
    this.#synced = true;
  }

  get initialSyncDone(): boolean {
    return this.#synced;
  }

  /** Incremental pass: add new rows, remove rows no longer desired. */
  apply(rows: DesiredRow[]): void {
    const next = this.#resolve(rows);
    for (const [k, key] of this.#applied) {
      const still = next.get(k);
      if (!still || still.ifindex !== key.ifindex) this.#remove(k, key);
    }
    for (const [k, key] of next) this.#ensure(k, key);
    this.#applied = next;
  }

  /** Full pass against the map's contents: also removes keys nobody asked for (once synced). */
  fullSync(rows: DesiredRow[]): void {
    const next = this.#resolve(rows);
    const wanted = new Set([...next.values()].map(mapKey));
    if (this.#synced) {
      for (const key of this.#o.map.keys())
        if (!wanted.has(mapKey(key))) this.#remove(`${key.ip}@${key.ifindex}`, key);
    }
    for (const [k, key] of next) this.#ensure(k, key);
    this.#applied = next;
  }

  #resolve(rows: DesiredRow[]): Map<string, ResponderKey> {
    const out = new Map<string, ResponderKey>();
    for (const r of rows) {
      const ifindex = this.#o.ifindexOf(r.iface);
      if (ifindex === undefined) {
        this.#o.log(`responder: ${r.ip} on ${r.iface}: interface not found, skipped`);
        continue;
      }
      out.set(rowKey(r.ip, r.iface), { ip: r.ip, ifindex });
    }
    return out;
  }

  #ensure(row: string, key: ResponderKey): void {
    if (this.#o.map.has(key)) return;
    const iface = row.slice(row.indexOf('/') + 1);
    try {
      this.#o.map.set(key, { responsesSent: 0n });
    } catch (err) {
      // One bad row must not stop the others (nor skip removals): say what is not announced, count
      // it, and try again on the next pass, when a removal may have made room.
      const full = (err as { code?: string }).code === 'E2BIG';
      this.#o.log(
        `error: responder: ${key.ip} is NOT announced on ${iface}: ${
          full ? 'the responder map is full (remove announced IPs or interfaces)' : errorMessage(err)
        }`,
      );
      this.#o.onWriteError?.({ ip: key.ip, iface }, full ? 'map_full' : 'write_failed');
      return;
    }
    this.#o.log(`responder: entry added ${row} (ifindex ${key.ifindex})`);
    try {
      this.#o.garp({ ip: key.ip, iface, ifindex: key.ifindex });
    } catch (err) {
      this.#o.log(
        `warning: gratuitous ARP for ${key.ip} on ${iface} failed, continuing: ${errorMessage(err)}`,
      );
    }
  }

  #remove(row: string, key: ResponderKey): void {
    if (this.#o.map.delete(key)) this.#o.log(`responder: entry removed ${row} (ifindex ${key.ifindex})`);
  }
}
