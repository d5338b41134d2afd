// The main thread's side of the map poller (map-watch-worker.ts): a request names the pinned
// map and the condition; the promise resolves with the monotonic time (ns) the worker first saw
// it, to subtract from a process.hrtime.bigint() taken here before the store write.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Lb4Key } from '../../src/datapath/maps/lb4-services.js';

export type WatchBody = { path: string; timeoutMs: number } & (
  | /** Every key's master row present with this slot count. */
  { kind: 'masters'; keys: Lb4Key[]; count: number }
  /** The master's slots point at other backend IDs than `before` (same count). */
  | { kind: 'slots-changed'; key: Lb4Key; before: number[] }
);
export type WatchRequest = WatchBody & { id: number };

export interface WatchReply {
  id: number;
  /** process.hrtime.bigint() of the first poll that saw it, as a string ('' on error). */
  at: string;
  /** 'masters': when the first key was seen. */
  first?: string;
  polls: number;
  ids?: number[];
  error?: string;
}

export interface Seen {
  at: bigint;
  first?: bigint;
  polls: number;
  ids?: number[];
}
type Pending = { resolve(r: Seen): void; reject(e: Error): void };

export class MapWatch {
  readonly #worker = new Worker(fileURLToPath(new URL('./map-watch-worker.js', import.meta.url)));
  readonly #pending = new Map<number, Pending>();
  #seq = 0;

  constructor() {
    this.#worker.on('message', (r: WatchReply) => {
      const p = this.#pending.get(r.id);
      this.#pending.delete(r.id);
      if (!p) return;
      if (r.error) p.reject(new Error(`map watch: ${r.error}`));
      else
        p.resolve({
          at: BigInt(r.at),
          polls: r.polls,
          ...(r.first ? { first: BigInt(r.first) } : {}),
          ...(r.ids ? { ids: r.ids } : {}),
        });
    });
    this.#worker.on('error', (err) => {
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    });
  }

  /** Resolves once every key has a master row with `count` slots. */
  masters(path: string, keys: Lb4Key[], count: number, timeoutMs: number) {
    return this.#ask({ kind: 'masters', path, keys, count, timeoutMs });
  }

  slotsChanged(path: string, key: Lb4Key, before: number[], timeoutMs: number) {
    return this.#ask({ kind: 'slots-changed', path, key, before, timeoutMs });
  }

  #ask(req: WatchBody): Promise<Seen> {
    const id = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...req, id });
    });
  }

  async close(): Promise<void> {
    this.#worker.postMessage('close');
    await this.#worker.terminate();
  }
}
