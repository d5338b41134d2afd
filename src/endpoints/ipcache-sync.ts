// Keeps the cluster part of waggle_ipcache (ipcache-desired.ts) in the map: recomputed on every
// CiliumNode or CiliumEndpoint event and on a periodic resync, written as the difference to what
// this process wrote last. Only entries this sync wrote are ever removed; nothing is pruned
// before the first complete listing of both kinds.
import type { Informers } from '../store/informer.js';
import { errorMessage } from '../lib/errors.js';
import { desiredClusterIpcache, type IpcacheEntry } from './ipcache-desired.js';

export interface IpcacheWriter {
  set(prefix: string, e: IpcacheEntry): void;
  delete(prefix: string): void;
}

const RESYNC_MS = 30_000;

export interface IpcacheSyncOptions {
  self: string;
  informers(): Informers;
  /** This node's own addresses and endpoints: never written or removed here. */
  local(): Set<string>;
  map(): IpcacheWriter;
  log(msg: string): void;
}

export class IpcacheSync {
  readonly #o: IpcacheSyncOptions;
  #written = new Map<string, string>();
  #offs: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;
  #started = false;
  #stopped = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(o: IpcacheSyncOptions) {
    this.#o = o;
  }

  get entries(): number {
    return this.#written.size;
  }

  /** Subscribes and lists both kinds, retrying every second while the store is unreachable. */
  async start(): Promise<void> {
    const inf = this.#o.informers();
    const nodes = inf.for('CiliumNode');
    const ceps = inf.for('CiliumEndpoint');
    this.#offs.push(
      nodes.subscribe(() => this.sync()),
      ceps.subscribe(() => this.sync()),
    );
    for (let attempt = 1; !this.#stopped; attempt++) {
      try {
        await Promise.all([nodes.start(), ceps.start()]);
        break;
      } catch (err) {
        if (attempt === 1) this.#o.log(`ipcache sync: cannot list yet (${errorMessage(err)}); retrying`);
        await new Promise((r) => {
          this.#retry = setTimeout(r, 1000);
        });
      }
    }
    if (this.#stopped) return;
    this.#started = true;
    this.sync();
    this.#timer = setInterval(() => this.sync(), RESYNC_MS);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    for (const off of this.#offs) off();
    this.#offs = [];
    if (this.#timer) clearInterval(this.#timer);
    if (this.#retry) clearTimeout(this.#retry);
  }

  sync(): void {
    if (!this.#started) return;
    const inf = this.#o.informers();
    const want = desiredClusterIpcache({
      self: this.#o.self,
      local: this.#o.local(),
      nodes: inf.for('CiliumNode').list(),
      endpoints: inf.for('CiliumEndpoint').list(),
    });
    const map = this.#o.map();
    try {
      for (const [prefix, e] of want) {
        const key = `${e.identity} ${e.hostIp}`;
        if (this.#written.get(prefix) === key) continue;
        map.set(prefix, e);
        this.#written.set(prefix, key);
      }
      for (const prefix of [...this.#written.keys()]) {
        if (want.has(prefix)) continue;
        map.delete(prefix);
        this.#written.delete(prefix);
      }
    } catch (err) {
      this.#o.log(`ipcache sync: ${errorMessage(err)}`);
    }
  }
}
