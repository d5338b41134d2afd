// The announcer's view of the store: Services, L2 policies and this node, kept current from one
// watch (with a full re-list on RESYNC or when the watch breaks). Store outages leave the last
// known state in place; elections, not this cache, decide what happens then.
import { systemClock } from './clock.js';
import type { AnyObject, CiliumL2AnnouncementPolicy, Node, Service } from '../api/index.js';
import type { Store, WatchEvent } from '../store/types.js';

const KINDS = ['Service', 'CiliumL2AnnouncementPolicy', 'Node'] as const;
type CachedKind = (typeof KINDS)[number];

export class ObjectCache {
  #store: Store;
  #nodeName: string;
  #objects = new Map<CachedKind, Map<string, AnyObject>>(KINDS.map((k) => [k, new Map()]));
  #onChange: () => void;
  #log: (msg: string) => void;

  constructor(store: Store, nodeName: string, onChange: () => void, log: (msg: string) => void) {
    this.#store = store;
    this.#nodeName = nodeName;
    this.#onChange = onChange;
    this.#log = log;
  }

  get services(): Service[] {
    return [...(this.#objects.get('Service')?.values() ?? [])] as Service[];
  }

  get policies(): CiliumL2AnnouncementPolicy[] {
    return [
      ...(this.#objects.get('CiliumL2AnnouncementPolicy')?.values() ?? []),
    ] as CiliumL2AnnouncementPolicy[];
  }

  get node(): Node | undefined {
    return this.#objects.get('Node')?.get(this.#nodeName) as Node | undefined;
  }

  /** Lists everything; returns the revision to watch from. */
  async load(): Promise<string> {
    let revision = '0';
    for (const kind of KINDS) {
      const res = await this.#store.list({ kind });
      const m = new Map<string, AnyObject>();
      for (const o of res.items) m.set(keyOf(o), o);
      this.#objects.set(kind, m);
      if (BigInt(res.revision) > BigInt(revision)) revision = res.revision;
    }
    return revision;
  }

  /** Follows changes until the signal aborts; re-lists and re-watches if the watch ends. */
  async follow(since: string, signal: AbortSignal): Promise<void> {
    let revision = since;
    for (let attempt = 0; !signal.aborted; attempt++) {
      const watch = this.#store.watch({ sinceRevision: revision });
      const onAbort = () => watch.close();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        for await (const ev of watch) {
          revision = ev.revision;
          if (this.#apply(ev)) this.#onChange();
        }
      } catch (err) {
        this.#log(`store watch: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        signal.removeEventListener('abort', onAbort);
        watch.close();
      }
      if (signal.aborted) break;
      await systemClock.sleep(Math.min(5000, 200 * 2 ** Math.min(attempt, 5)), signal);
      if (signal.aborted) break;
      try {
        revision = await this.load();
        this.#onChange();
      } catch (err) {
        this.#log(`store re-list: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  #apply(ev: WatchEvent): boolean {
    if (ev.type === 'RESYNC') {
      for (const kind of KINDS) this.#objects.set(kind, new Map());
      for (const o of ev.objects) this.#objects.get(o.kind as CachedKind)?.set(keyOf(o), o);
      return true;
    }
    const m = this.#objects.get(ev.object.kind as CachedKind);
    if (!m) return false;
    if (ev.type === 'DELETED') m.delete(keyOf(ev.object));
    else m.set(keyOf(ev.object), ev.object);
    return true;
  }
}

function keyOf(o: AnyObject): string {
  const ns = (o.metadata as { namespace?: string }).namespace;
  return ns ? `${ns}/${o.metadata.name}` : o.metadata.name;
}
