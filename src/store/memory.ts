// In-memory Store for unit tests of controllers: same contract as etcd (see types.ts), one
// global revision counter, and a bounded history so watches can start from a past revision.
// Objects are cloned on the way in and out, so callers never share state with the store.
import { type AnyObject, type Kind, labelSelectorMatches, type ObjectOf } from '../api/index.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from './errors.js';
import {
  namespaceFor,
  prepareCreate,
  prepareStatus,
  prepareUpdate,
  resourceOf,
  withVersion,
} from './prepare.js';
import { EventQueue } from './queue.js';
import type {
  ChangeEvent,
  DeleteOptions,
  ListOptions,
  ListResult,
  Store,
  Watch,
  WatchOptions,
} from './types.js';

interface Subscriber {
  queue: EventQueue<AnyObject>;
  kind: Kind | undefined;
  namespace: string | undefined;
}

const keyOf = (kind: Kind, namespace: string | undefined, name: string) =>
  `${kind}/${namespace ?? ''}/${name}`;

export class MemoryStore implements Store {
  readonly url = 'memory://';
  private revision = 0;
  private readonly objects = new Map<string, AnyObject>();
  private readonly history: ChangeEvent[] = [];
  private readonly subscribers = new Set<Subscriber>();

  /** historyLimit: how many past changes a watch may start from (older → RESYNC). */
  constructor(private readonly historyLimit = 10_000) {}

  async get<K extends Kind>(kind: K, name: string, namespace?: string): Promise<ObjectOf<K>> {
    const found = await this.tryGet(kind, name, namespace);
    if (!found) throw new NotFoundError(resourceOf(kind), name);
    return found;
  }

  async tryGet<K extends Kind>(kind: K, name: string, namespace?: string): Promise<ObjectOf<K> | undefined> {
    const found = this.objects.get(keyOf(kind, namespaceFor(kind, namespace), name));
    return found ? (structuredClone(found) as ObjectOf<K>) : undefined;
  }

  async list<K extends Kind>(opts: ListOptions<K>): Promise<ListResult<ObjectOf<K>>> {
    const items = [...this.objects.values()]
      .filter((o) => o.kind === opts.kind)
      .filter((o) => opts.namespace === undefined || o.metadata.namespace === opts.namespace)
      .filter((o) => labelSelectorMatches(opts.labelSelector, o.metadata.labels) === true)
      .sort((a, b) =>
        keyOf(a.kind, a.metadata.namespace, a.metadata.name).localeCompare(
          keyOf(b.kind, b.metadata.namespace, b.metadata.name),
        ),
      )
      .map((o) => structuredClone(o) as ObjectOf<K>);
    return { items, revision: String(this.revision) };
  }

  watch<K extends Kind = Kind>(opts: WatchOptions<K> = {}): Watch<ObjectOf<K>> {
    const sub: Subscriber = {
      queue: new EventQueue<AnyObject>(() => this.subscribers.delete(sub)),
      kind: opts.kind,
      namespace: opts.namespace,
    };
    if (opts.sinceRevision !== undefined) {
      const since = Number(opts.sinceRevision);
      const oldest = this.history[0] ? Number(this.history[0].revision) : this.revision + 1;
      if (since + 1 < oldest && since < this.revision) {
        const objects = [...this.objects.values()]
          .filter((o) => matches(sub, o))
          .map((o) => structuredClone(o));
        sub.queue.push({
          type: 'RESYNC',
          objects,
          revision: String(this.revision),
          reason: 'history compacted',
        });
      } else {
        for (const e of this.history)
          if (Number(e.revision) > since && matches(sub, e.object)) sub.queue.push(clone(e));
      }
    }
    this.subscribers.add(sub);
    return sub.queue as unknown as Watch<ObjectOf<K>>;
  }

  async create<T extends AnyObject>(object: T): Promise<T> {
    const prepared = prepareCreate(object);
    const key = keyOf(prepared.kind, prepared.metadata.namespace, prepared.metadata.name);
    if (this.objects.has(key))
      throw new AlreadyExistsError(resourceOf(prepared.kind), prepared.metadata.name);
    return this.commit('ADDED', key, prepared);
  }

  async update<T extends AnyObject>(object: T): Promise<T> {
    const { key, stored } = this.storedFor(object);
    return this.commit('MODIFIED', key, prepareUpdate(stored, object));
  }

  async updateStatus<T extends AnyObject>(object: T): Promise<T> {
    const { key, stored } = this.storedFor(object);
    return this.commit('MODIFIED', key, prepareStatus(stored, object));
  }

  async delete<K extends Kind>(
    kind: K,
    name: string,
    namespace?: string,
    opts: DeleteOptions = {},
  ): Promise<ObjectOf<K>> {
    const key = keyOf(kind, namespaceFor(kind, namespace), name);
    const stored = this.objects.get(key);
    if (!stored) throw new NotFoundError(resourceOf(kind), name);
    if (opts.resourceVersion !== undefined && opts.resourceVersion !== stored.metadata.resourceVersion) {
      throw new ConflictError(resourceOf(kind), name);
    }
    this.objects.delete(key);
    this.revision++;
    this.publish({ type: 'DELETED', object: stored, revision: String(this.revision) });
    return structuredClone(stored) as ObjectOf<K>;
  }

  async close(): Promise<void> {
    for (const sub of [...this.subscribers]) sub.queue.close();
  }

  private storedFor<T extends AnyObject>(object: T): { key: string; stored: T } {
    const ns = namespaceFor(object.kind, object.metadata.namespace);
    const key = keyOf(object.kind, ns, object.metadata.name);
    const stored = this.objects.get(key) as T | undefined;
    if (!stored) throw new NotFoundError(resourceOf(object.kind), object.metadata.name);
    const rv = object.metadata.resourceVersion;
    if (rv !== undefined && rv !== stored.metadata.resourceVersion) {
      throw new ConflictError(resourceOf(object.kind), object.metadata.name);
    }
    return { key, stored };
  }

  private commit<T extends AnyObject>(type: 'ADDED' | 'MODIFIED', key: string, prepared: T): T {
    this.revision++;
    const stored = withVersion(prepared, this.revision);
    this.objects.set(key, stored);
    this.publish({ type, object: stored, revision: String(this.revision) });
    return structuredClone(stored);
  }

  private publish(event: ChangeEvent): void {
    this.history.push(event);
    if (this.history.length > this.historyLimit) this.history.shift();
    for (const sub of this.subscribers) if (matches(sub, event.object)) sub.queue.push(clone(event));
  }
}

function matches(sub: Subscriber, object: AnyObject): boolean {
  if (sub.kind !== undefined && object.kind !== sub.kind) return false;
  return sub.namespace === undefined || object.metadata.namespace === sub.namespace;
}

function clone(event: ChangeEvent): ChangeEvent {
  return { ...event, object: structuredClone(event.object) };
}
