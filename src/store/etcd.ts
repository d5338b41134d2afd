// The etcd-backed Store (contract in types.ts). Create is a transaction on createRevision == 0,
// update and delete on modRevision == the revision we read, so concurrent writers never lose
// each other's changes; resourceVersion is the key's mod revision.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Etcd3, GRPCGenericError } from 'etcd3';
import { type AnyObject, type Kind, labelSelectorMatches, type ObjectOf } from '../api/index.js';
import {
  AlreadyExistsError,
  ConflictError,
  NotFoundError,
  StoreError,
  StoreUnavailableError,
} from './errors.js';
import { InFlightCalls } from './etcd-calls.js';
import { decodeKv, defaultPrefix, encodeObject, kindPrefix, objectKey, type RawKv } from './etcd-keys.js';
import { rangeAll } from './etcd-list.js';
import { EtcdWatch } from './etcd-watch.js';
import { prepareCreate, prepareStatus, prepareUpdate, resourceOf } from './prepare.js';
import type { DeleteOptions, ListOptions, ListResult, Store, Watch, WatchOptions } from './types.js';

export interface EtcdStoreOptions {
  /** `host:port`, or `unix:///path` for a unix socket. */
  endpoints: string[];
  prefix?: string;
  /** Deadline for each unary call, so a dead etcd gives StoreUnavailableError, not a hang. */
  timeoutMs?: number;
}

/** How often an unconditional update/delete re-reads after losing a race before giving up. */
const unconditionalRetries = 10;

const LAST_SEEN_MAX = 10_000;

/**
 * The deadline of the store operation running now (set by guard()). etcd3 retries a failed call
 * on other hosts up to three more times and asks defaultCallOptions for a fresh deadline on each
 * attempt, so a member that accepts calls but cannot answer them (no quorum, frozen) cost one
 * deadline per attempt (10 s for a 5 s deadline, measured on a 3-member cluster with 2 down).
 * Every attempt of one operation shares this one deadline instead.
 */
const operationDeadline = new AsyncLocalStorage<number>();

export class EtcdStore implements Store {
  readonly url: string;
  readonly prefix: string;
  readonly client: Etcd3;
  private readonly timeoutMs: number;
  private readonly watches = new Set<EtcdWatch<AnyObject>>();
  private readonly inFlight = new InFlightCalls();
  private closed = false;
  /**
   * The last version of each key this client read or wrote. An update that names exactly that
   * version (resourceVersion = mod revision, which is unique per write, so the stored bytes are
   * known) needs no read before its compare-and-swap: a lease renewal costs one GET + one TXN
   * instead of two GETs + one TXN. Bounded; a miss or a stale entry only costs the read back.
   */
  private readonly lastSeen = new Map<string, RawKv>();

  constructor(opts: EtcdStoreOptions) {
    this.prefix = opts.prefix ?? defaultPrefix;
    const unix = opts.endpoints[0]?.startsWith('unix:');
    this.url = unix
      ? `etcd+unix://${opts.endpoints.map((e) => e.replace(/^unix:\/\//, '')).join(',')}`
      : `etcd://${opts.endpoints.join(',')}`;
    const timeoutMs = opts.timeoutMs ?? 5000;
    this.timeoutMs = timeoutMs;
    const interceptors = [this.inFlight.interceptor];
    this.client = new Etcd3({
      hosts: opts.endpoints.map((e) => (e.startsWith('unix:') ? e : `http://${e}`)),
      dialTimeout: timeoutMs,
      defaultCallOptions: (ctx) =>
        ctx.isStream
          ? { interceptors }
          : { deadline: operationDeadline.getStore() ?? Date.now() + timeoutMs, interceptors },
    });
  }

  async get<K extends Kind>(kind: K, name: string, namespace?: string): Promise<ObjectOf<K>> {
    const found = await this.tryGet(kind, name, namespace);
    if (!found) throw new NotFoundError(resourceOf(kind), name);
    return found;
  }

  async tryGet<K extends Kind>(kind: K, name: string, namespace?: string): Promise<ObjectOf<K> | undefined> {
    const kv = await this.readKv(objectKey(this.prefix, kind, name, namespace));
    return kv ? decodeKv<ObjectOf<K>>(kv) : undefined;
  }

  async list<K extends Kind>(opts: ListOptions<K>): Promise<ListResult<ObjectOf<K>>> {
    const res = await this.guard('list', () =>
      rangeAll(this.client, kindPrefix(this.prefix, opts.kind, opts.namespace)),
    );
    const items = res.kvs
      .map((kv) => decodeKv<ObjectOf<K>>(kv))
      .filter((o) => labelSelectorMatches(opts.labelSelector, o.metadata.labels) === true);
    return { items, revision: res.revision };
  }

  watch<K extends Kind = Kind>(opts: WatchOptions<K> = {}): Watch<ObjectOf<K>> {
    const watch = new EtcdWatch<ObjectOf<K>>(this, opts, () => this.watches.delete(watch as never));
    this.watches.add(watch as never);
    return watch;
  }

  async create<T extends AnyObject>(object: T): Promise<T> {
    const prepared = prepareCreate(object);
    const key = objectKey(this.prefix, prepared.kind, prepared.metadata.name, prepared.metadata.namespace);
    const value = encodeObject(prepared);
    const res = await this.guard('create', () =>
      this.client.if(key, 'Create', '==', 0).then(this.client.put(key).value(value)).commit(),
    );
    if (!res.succeeded) throw new AlreadyExistsError(resourceOf(prepared.kind), prepared.metadata.name);
    return decodeKv<T>({
      key: Buffer.from(key),
      value: Buffer.from(value),
      mod_revision: res.header.revision,
      create_revision: res.header.revision,
    });
  }

  update<T extends AnyObject>(object: T): Promise<T> {
    return this.casWrite(object, prepareUpdate);
  }

  updateStatus<T extends AnyObject>(object: T): Promise<T> {
    return this.casWrite(object, prepareStatus);
  }

  async delete<K extends Kind>(
    kind: K,
    name: string,
    namespace?: string,
    opts: DeleteOptions = {},
  ): Promise<ObjectOf<K>> {
    const key = objectKey(this.prefix, kind, name, namespace);
    for (let attempt = 0; attempt < unconditionalRetries; attempt++) {
      const kv = await this.readKv(key);
      if (!kv) throw new NotFoundError(resourceOf(kind), name);
      if (opts.resourceVersion !== undefined && opts.resourceVersion !== String(kv.mod_revision)) break;
      const res = await this.guard('delete', () =>
        this.client.if(key, 'Mod', '==', kv.mod_revision).then(this.client.delete().key(key)).commit(),
      );
      if (res.succeeded) {
        this.lastSeen.delete(key);
        return decodeKv<ObjectOf<K>>(kv);
      }
      if (opts.resourceVersion !== undefined) break;
    }
    throw new ConflictError(resourceOf(kind), name);
  }

  /**
   * Never waits on the member: watches end, calls in flight fail at once with
   * StoreUnavailableError ("store closed") instead of running to their deadlines, and so do
   * calls made afterwards.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of [...this.watches]) w.close();
    this.inFlight.cancelAll('store closed');
    this.client.close();
  }

  /** Calls still in flight (tests: close() leaves none). */
  get callsInFlight(): number {
    return this.inFlight.size;
  }

  /** Read, prepare from what is stored, write if unchanged since the read. */
  private async casWrite<T extends AnyObject>(object: T, prepare: (stored: T, incoming: T) => T): Promise<T> {
    const key = objectKey(this.prefix, object.kind, object.metadata.name, object.metadata.namespace);
    const wanted = object.metadata.resourceVersion;
    for (let attempt = 0; attempt < unconditionalRetries; attempt++) {
      const known = this.lastSeen.get(key);
      const kv =
        attempt === 0 && wanted !== undefined && known && String(known.mod_revision) === wanted
          ? known
          : await this.readKv(key);
      if (!kv) throw new NotFoundError(resourceOf(object.kind), object.metadata.name);
      if (wanted !== undefined && wanted !== String(kv.mod_revision)) break;
      const value = encodeObject(prepare(decodeKv<T>(kv), object));
      const res = await this.guard('update', () =>
        this.client.if(key, 'Mod', '==', kv.mod_revision).then(this.client.put(key).value(value)).commit(),
      );
      if (res.succeeded) {
        const written = { ...kv, value: Buffer.from(value), mod_revision: res.header.revision };
        this.remember(key, written);
        return decodeKv<T>(written);
      }
      this.lastSeen.delete(key);
      if (wanted !== undefined) break;
    }
    throw new ConflictError(resourceOf(object.kind), object.metadata.name);
  }

  private async readKv(key: string): Promise<RawKv | undefined> {
    const res = await this.guard('get', () => this.client.get(key).exec());
    const kv = res.kvs[0] as RawKv | undefined;
    if (kv) this.remember(key, kv);
    else this.lastSeen.delete(key);
    return kv;
  }

  private remember(key: string, kv: RawKv): void {
    this.lastSeen.delete(key); // re-insert: Map order is the eviction order
    this.lastSeen.set(key, kv);
    if (this.lastSeen.size > LAST_SEEN_MAX) {
      const oldest = this.lastSeen.keys().next().value;
      if (oldest !== undefined) this.lastSeen.delete(oldest);
    }
  }

  /**
   * Runs one etcd call within one deadline (see operationDeadline) and maps transport failures
   * to StoreUnavailableError; store errors pass through.
   */
  async guard<R>(op: string, fn: () => Promise<R>): Promise<R> {
    if (this.closed) throw new StoreUnavailableError(`${this.url}: ${op}: store closed`);
    try {
      return await operationDeadline.run(Date.now() + this.timeoutMs, fn);
    } catch (err) {
      if (err instanceof StoreError || !(err instanceof Error)) throw err;
      // When every host's circuit breaker is open (each failed three calls running; they half-open
      // after 5 s) etcd3 throws cockatiel's BrokenCircuitError without calling etcd at all.
      const transport =
        err instanceof GRPCGenericError ||
        'isBrokenCircuitError' in err ||
        /ECONNREFUSED|unavailable|deadline|closed|cancelled/i.test(err.message);
      if (!transport) throw err;
      throw new StoreUnavailableError(`${this.url}: ${op}: ${err.message.split('\n')[0]}`);
    }
  }
}
