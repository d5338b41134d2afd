// A Store watch on etcd. etcd3's Watcher reconnects by itself after etcd restarts, resuming
// from a revision it keeps in `request.start_revision`; but it advances that revision to the
// response header's revision, which during a catch-up can be past events not yet delivered.
// So after each batch we pin it to (last revision delivered + 1) ourselves: a restart then
// replays exactly what the consumer has not seen. If etcd has compacted that history the
// watcher fails; we relist and deliver one RESYNC event, then watch on from the list revision.
import type { Watcher } from 'etcd3';
import type { AnyObject } from '../api/index.js';
import type { EtcdStore } from './etcd.js';
import { decodeKv, kindPrefix, type RawKv } from './etcd-keys.js';
import { rangeAll } from './etcd-list.js';
import { EventQueue } from './queue.js';
import type { Watch, WatchEvent, WatchOptions } from './types.js';

export class EtcdWatch<T extends AnyObject> implements Watch<T> {
  private readonly queue: EventQueue<T>;
  private readonly keyPrefix: string;
  private watcher: Watcher | undefined;
  private lastDelivered = 0n;

  constructor(
    private readonly store: EtcdStore,
    private readonly opts: WatchOptions<AnyObject['kind']>,
    onClose: () => void,
  ) {
    this.queue = new EventQueue<T>(() => {
      onClose();
      void this.watcher?.cancel().catch(() => {});
    });
    this.keyPrefix = opts.kind ? kindPrefix(store.prefix, opts.kind, opts.namespace) : store.prefix;
    void this.begin().catch((err: unknown) =>
      this.queue.fail(err instanceof Error ? err : new Error(String(err))),
    );
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent<T>> {
    return this.queue[Symbol.asyncIterator]();
  }

  close(): void {
    this.queue.close();
  }

  private async begin(): Promise<void> {
    if (this.opts.sinceRevision !== undefined) {
      this.lastDelivered = BigInt(this.opts.sinceRevision);
    } else {
      const res = await this.store.guard('watch', () => this.store.client.get(this.keyPrefix).exec());
      this.lastDelivered = BigInt(res.header.revision);
    }
    await this.startWatcher();
  }

  private async startWatcher(): Promise<void> {
    if (this.queue.isClosed) return;
    const watcher = this.store.client
      .watch()
      .prefix(this.keyPrefix)
      .withPreviousKV()
      .startRevision(String(this.lastDelivered + 1n))
      .watcher();
    this.watcher = watcher;
    const pin = () => {
      (watcher.request as { start_revision?: string }).start_revision = String(this.lastDelivered + 1n);
    };
    watcher.on('put', (kv, _prev) => {
      const raw = kv as unknown as RawKv;
      const type = raw.create_revision === raw.mod_revision ? 'ADDED' : 'MODIFIED';
      this.deliver(type, decodeKv<T>(raw), raw.mod_revision);
    });
    watcher.on('delete', (kv, prev) => {
      if (!prev) return; // deleted before our history starts; nothing to report it as
      const object = decodeKv<T>({ ...(prev as unknown as RawKv), mod_revision: String(kv.mod_revision) });
      this.deliver('DELETED', object, String(kv.mod_revision));
    });
    // Registered after etcd3's own handlers, so these run after it has moved the revision.
    watcher.on('connected', pin);
    watcher.on('data', (res) => {
      if ((res.events ?? []).length > 0) pin();
    });
    watcher.on('error', () => {
      void watcher.cancel().catch(() => {});
      void this.resync().catch((err: unknown) =>
        this.queue.fail(err instanceof Error ? err : new Error(String(err))),
      );
    });
  }

  private deliver(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: T, revision: string): void {
    const rev = BigInt(revision);
    if (rev <= this.lastDelivered) return; // replayed after a reconnect
    this.lastDelivered = rev;
    if (this.opts.namespace !== undefined && object.metadata.namespace !== this.opts.namespace) return;
    this.queue.push({ type, object, revision });
  }

  /** The history we needed is gone: give the consumer the full current set instead. */
  private async resync(): Promise<void> {
    if (this.queue.isClosed) return;
    const res = await this.store.guard('watch relist', () => rangeAll(this.store.client, this.keyPrefix));
    const objects = res.kvs
      .map((kv) => decodeKv<T>(kv))
      .filter((o) => this.opts.namespace === undefined || o.metadata.namespace === this.opts.namespace);
    this.lastDelivered = BigInt(res.revision);
    this.queue.push({ type: 'RESYNC', objects, revision: res.revision, reason: 'etcd history compacted' });
    await this.startWatcher();
  }
}
