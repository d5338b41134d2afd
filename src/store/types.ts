// The Store: one interface over the memory backend (unit tests of controllers) and the etcd
// backend (real clusters and the lab). Semantics follow the Kubernetes API:
// - resourceVersion is a string; on etcd it is the object's mod revision. Revisions only grow.
// - create() assigns uid, generation 1, creationTimestamp and the default namespace.
// - update() is a compare-and-swap when metadata.resourceVersion is set (ConflictError on
//   mismatch), unconditional when it is not. For kinds with a status subresource it keeps the
//   stored status; generation grows only when spec changes.
// - updateStatus() replaces status only and keeps the stored spec and metadata.
// - watch() yields every change after `sinceRevision` (or from now), in revision order, and
//   survives backend restarts by resuming after the last revision it delivered. If that history
//   is gone (etcd compaction), it yields one RESYNC event with the complete current set: treat
//   anything not in it as deleted.
import type { AnyObject, Kind, LabelSelector, ObjectOf } from '../api/index.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ChangeEvent<T extends AnyObject = AnyObject> {
  type: ChangeType;
  /** For DELETED: the object as it was last stored. */
  object: T;
  revision: string;
}

export interface ResyncEvent<T extends AnyObject = AnyObject> {
  type: 'RESYNC';
  objects: T[];
  revision: string;
  reason: string;
}

export type WatchEvent<T extends AnyObject = AnyObject> = ChangeEvent<T> | ResyncEvent<T>;

/** An open watch: iterate it with `for await`; close() ends the iteration. */
export interface Watch<T extends AnyObject = AnyObject> extends AsyncIterable<WatchEvent<T>> {
  close(): void;
}

export interface ListOptions<K extends Kind> {
  kind: K;
  /** Namespaced kinds only; omitted = all namespaces. */
  namespace?: string;
  labelSelector?: LabelSelector;
}

export interface ListResult<T extends AnyObject> {
  items: T[];
  /** The store revision the list reflects; pass it to watch({sinceRevision}). */
  revision: string;
}

export interface WatchOptions<K extends Kind> {
  /** Omitted = every kind. */
  kind?: K;
  namespace?: string;
  /** Deliver changes with a revision greater than this one; omitted = from now. */
  sinceRevision?: string;
}

export interface DeleteOptions {
  /** Delete only if the object still has this resourceVersion (ConflictError otherwise). */
  resourceVersion?: string;
}

export interface Store {
  /** e.g. `memory://` or `etcd://127.0.0.1:2379`. */
  readonly url: string;
  /** Throws NotFoundError. `namespace` defaults to "default" for namespaced kinds. */
  get<K extends Kind>(kind: K, name: string, namespace?: string): Promise<ObjectOf<K>>;
  tryGet<K extends Kind>(kind: K, name: string, namespace?: string): Promise<ObjectOf<K> | undefined>;
  list<K extends Kind>(opts: ListOptions<K>): Promise<ListResult<ObjectOf<K>>>;
  watch<K extends Kind = Kind>(opts?: WatchOptions<K>): Watch<ObjectOf<K>>;
  /** Throws AlreadyExistsError, InvalidObjectError. Returns the stored object. */
  create<T extends AnyObject>(object: T): Promise<T>;
  /** Throws NotFoundError, ConflictError, InvalidObjectError. */
  update<T extends AnyObject>(object: T): Promise<T>;
  /** Throws NotFoundError, ConflictError, InvalidObjectError (kind without status). */
  updateStatus<T extends AnyObject>(object: T): Promise<T>;
  /** Returns the deleted object. Throws NotFoundError, ConflictError. */
  delete<K extends Kind>(
    kind: K,
    name: string,
    namespace?: string,
    opts?: DeleteOptions,
  ): Promise<ObjectOf<K>>;
  /** Ends every open watch and releases connections. */
  close(): Promise<void>;
}
