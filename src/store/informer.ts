// One list+watch per kind per process, shared by every controller in it (client-go's shared
// informer). The informer keeps a keyed cache of the kind and tells subscribers what changed:
//   upsert (added or modified), delete, and sync (the cache is complete: after the first list
//   and after every re-list).
// It resumes by itself: when the watch ends (store restart, network) it backs off, re-lists,
// and reports the difference to the cache as upserts and deletes; a RESYNC event (history
// compacted) is handled the same way. Events never go backwards: an object older than the cached
// one (by resourceVersion) is ignored, so a controller's own write recorded with noteWrite() is
// not undone by the watch delivering an older version afterwards.
import type { Kind, ObjectOf } from '../api/index.js';
import { KeyedMap, keyOfObject, type NamespacedName } from '../api/object-key.js';
import type { Store, Watch, WatchEvent } from './types.js';

export type InformerEvent<T> =
  | { type: 'upsert'; object: T; old: T | undefined }
  | { type: 'delete'; object: T }
  | { type: 'sync' };

export type Subscriber<T> = (ev: InformerEvent<T>) => void;

export interface InformerOptions {
  log?: (msg: string) => void;
  /** First backoff after a broken watch; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

type Versioned = {
  metadata: { resourceVersion?: string | undefined; name: string; namespace?: string | undefined };
};

function isNewer(incoming: Versioned, cached: Versioned | undefined): boolean {
  const a = cached?.metadata.resourceVersion;
  const b = incoming.metadata.resourceVersion;
  return a === undefined || b === undefined || BigInt(b) >= BigInt(a);
}

export class Informer<K extends Kind> {
  readonly kind: K;
  readonly #store: Store;
  readonly #o: InformerOptions;
  readonly #cache = new KeyedMap<ObjectOf<K>>();
  readonly #subs = new Set<Subscriber<ObjectOf<K>>>();
  #watch: Watch<ObjectOf<K>> | undefined;
  #abort = new AbortController();
  #loop: Promise<void> | undefined;
  #started: Promise<void> | undefined;
  #synced = false;
  /** Watch events received, for metrics and the store-load bench. */
  eventsReceived = 0;

  constructor(store: Store, kind: K, opts: InformerOptions = {}) {
    this.#store = store;
    this.kind = kind;
    this.#o = opts;
  }

  get synced(): boolean {
    return this.#synced;
  }

  get(key: NamespacedName): ObjectOf<K> | undefined {
    return this.#cache.get(key);
  }

  list(): ObjectOf<K>[] {
    return [...this.#cache.values()];
  }

  /** Subscribes; returns the unsubscribe function. A late subscriber is not replayed the cache. */
  subscribe(fn: Subscriber<ObjectOf<K>>): () => void {
    this.#subs.add(fn);
    return () => this.#subs.delete(fn);
  }

  /** Lists (the cache is complete when this resolves), then follows the watch in the background. */
  start(): Promise<void> {
    this.#started ??= this.#relist().then(
      (revision) => {
        this.#loop = this.#follow(revision);
      },
      (err: unknown) => {
        // A failed first listing is not remembered: the next start() lists again.
        this.#started = undefined;
        throw err;
      },
    );
    return this.#started;
  }

  /** Records an object this process just wrote, so readers see it before the watch brings it. */
  noteWrite(object: ObjectOf<K>): void {
    this.#upsert(object);
  }

  /** Ends the watch; resolves when the follow loop has stopped. Never waits on the store. */
  async stop(): Promise<void> {
    this.#abort.abort();
    this.#watch?.close();
    await this.#loop;
  }

  async #relist(): Promise<string> {
    const res = await this.#store.list({ kind: this.kind });
    this.#replace(res.items);
    return res.revision;
  }

  /** Makes the cache equal to `items`, telling subscribers each difference, then sync. */
  #replace(items: ObjectOf<K>[]): void {
    const seen = new KeyedMap<true>();
    for (const o of items) {
      seen.set(keyOfObject(o), true);
      this.#upsert(o);
    }
    for (const [key, o] of [...this.#cache.entries()]) {
      if (seen.has(key)) continue;
      this.#cache.delete(key);
      this.#emit({ type: 'delete', object: o });
    }
    this.#synced = true;
    this.#emit({ type: 'sync' });
  }

  #upsert(object: ObjectOf<K>): void {
    const key = keyOfObject(object);
    const old = this.#cache.get(key);
    if (!isNewer(object, old)) return;
    if (old && old.metadata.resourceVersion === object.metadata.resourceVersion) return;
    this.#cache.set(key, object);
    this.#emit({ type: 'upsert', object, old });
  }

  #apply(ev: WatchEvent<ObjectOf<K>>): void {
    this.eventsReceived++;
    if (ev.type === 'RESYNC') {
      this.#replace(ev.objects);
      return;
    }
    if (ev.type !== 'DELETED') {
      this.#upsert(ev.object);
      return;
    }
    const key = keyOfObject(ev.object);
    const cached = this.#cache.get(key);
    if (!cached) return;
    this.#cache.delete(key);
    this.#emit({ type: 'delete', object: cached });
  }

  #emit(ev: InformerEvent<ObjectOf<K>>): void {
    for (const fn of this.#subs) {
      try {
        fn(ev);
      } catch (err) {
        this.#o.log?.(
          `informer ${this.kind}: subscriber failed: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  }

  async #follow(since: string): Promise<void> {
    const signal = this.#abort.signal;
    let revision = since;
    const base = this.#o.backoffMs ?? 200;
    for (let attempt = 0; !signal.aborted; ) {
      const watch = this.#store.watch({ kind: this.kind, sinceRevision: revision });
      this.#watch = watch;
      try {
        for await (const ev of watch) {
          revision = ev.revision;
          attempt = 0;
          this.#apply(ev);
        }
      } catch (err) {
        if (!signal.aborted)
          this.#o.log?.(`informer ${this.kind}: watch: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        watch.close();
      }
      // The watch ended: back off, re-list (reporting what changed meanwhile), watch again.
      while (!signal.aborted) {
        await sleep(Math.min(this.#o.maxBackoffMs ?? 5000, base * 2 ** Math.min(attempt++, 5)), signal);
        if (signal.aborted) break;
        try {
          revision = await this.#relist();
          break;
        } catch (err) {
          this.#o.log?.(
            `informer ${this.kind}: re-list: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The informers of one process: one per kind, created on first use, started and stopped together. */
export class Informers {
  readonly #store: Store;
  readonly #opts: InformerOptions;
  // Each value is an Informer of its own key's kind; the map cannot say so in TypeScript.
  readonly #byKind = new Map<Kind, { start(): Promise<void>; stop(): Promise<void> }>();

  constructor(store: Store, opts: InformerOptions = {}) {
    this.#store = store;
    this.#opts = opts;
  }

  for<K extends Kind>(kind: K): Informer<K> {
    const found = this.#byKind.get(kind);
    if (found) return found as Informer<K>;
    const inf = new Informer(this.#store, kind, this.#opts);
    this.#byKind.set(kind, inf);
    return inf;
  }

  /** The kinds this process watches. */
  kinds(): Kind[] {
    return [...this.#byKind.keys()];
  }

  /** Per kind: objects cached and watch events received so far. */
  stats(): Array<{ kind: Kind; objects: number; events: number }> {
    return [...this.#byKind.keys()].map((kind) => {
      const inf = this.for(kind);
      return { kind, objects: inf.list().length, events: inf.eventsReceived };
    });
  }

  /** Starts every informer requested so far; resolves when all have listed. */
  async start(): Promise<void> {
    await Promise.all([...this.#byKind.values()].map((i) => i.start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#byKind.values()].map((i) => i.stop()));
  }
}
