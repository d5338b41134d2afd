// Stable numeric IDs for backends (waggle_lb4_backends_v3 keys) and frontends (the service ID:
// rev_nat_index and waggle_lb4_reverse_nat key), as Cilium's IDAllocator hands them out
// (pkg/loadbalancer/writer/ids.go): one per `addr:port/PROTO`, restored from the pinned maps
// at start, so a restarted agent keeps every ID and rewrites no row of a service it already
// served. A released ID is not handed out again until the range wraps, so a reply still in
// flight for a removed service never meets a new one under the same ID.

export class IdAllocator {
  readonly #min: number;
  readonly #max: number;
  readonly #byKey = new Map<string, number>();
  readonly #byId = new Map<number, string>();
  #next: number;

  constructor(min: number, max: number) {
    this.#min = min;
    this.#max = max;
    this.#next = min;
  }

  get(key: string): number | undefined {
    return this.#byKey.get(key);
  }

  keyOf(id: number): string | undefined {
    return this.#byId.get(id);
  }

  get size(): number {
    return this.#byKey.size;
  }

  /** Takes `id` for `key` (read back from a map); false if either is already taken or out of range. */
  restore(key: string, id: number): boolean {
    if (id < this.#min || id > this.#max || this.#byId.has(id) || this.#byKey.has(key)) return false;
    this.#byKey.set(key, id);
    this.#byId.set(id, key);
    if (id >= this.#next) this.#next = id === this.#max ? this.#min : id + 1;
    return true;
  }

  /** The key's ID, allocating the next free one; undefined when the range is exhausted. */
  acquire(key: string): number | undefined {
    const have = this.#byKey.get(key);
    if (have !== undefined) return have;
    const span = this.#max - this.#min + 1;
    for (let i = 0; i < span; i++) {
      const id = this.#next;
      this.#next = id === this.#max ? this.#min : id + 1;
      if (!this.#byId.has(id)) {
        this.#byKey.set(key, id);
        this.#byId.set(id, key);
        return id;
      }
    }
    return undefined;
  }

  release(key: string): void {
    const id = this.#byKey.get(key);
    if (id === undefined) return;
    this.#byKey.delete(key);
    this.#byId.delete(id);
  }

  keys(): string[] {
    return [...this.#byKey.keys()];
  }
}

/** After a full pass towards `want`: the IDs nobody wants and no row uses any more are free again. */
export function releaseUnused(
  ids: { services: IdAllocator; backends: IdAllocator },
  want: {
    backends: ReadonlyMap<number, unknown>;
    frontends: ReadonlyArray<{ master: [unknown, { revNatIndex: number }] }>;
  },
  inMaps: { backends(): ReadonlyMap<number, unknown>; masters(): Array<{ value: { revNatIndex: number } }> },
): void {
  const usedBackends = new Set(inMaps.backends().keys());
  for (const key of ids.backends.keys()) {
    const id = ids.backends.get(key) as number;
    if (!want.backends.has(id) && !usedBackends.has(id)) ids.backends.release(key);
  }
  const usedServices = new Set(inMaps.masters().map((m) => m.value.revNatIndex));
  const wantServices = new Set(want.frontends.map((f) => f.master[1].revNatIndex));
  for (const key of ids.services.keys()) {
    const id = ids.services.get(key) as number;
    if (!wantServices.has(id) && !usedServices.has(id)) ids.services.release(key);
  }
}
