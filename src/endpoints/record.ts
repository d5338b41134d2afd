// What the agent knows about each endpoint, persisted one JSON file per endpoint so a restarted
// agent restores every endpoint with the same ID, IP and devices while the datapath keeps
// running. A record is written before anything is created in the kernel (state "creating"), so
// an agent killed half-way finds what it started and removes it; "ready" means complete.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type EndpointKind = 'pod' | 'health';
export type EndpointState = 'creating' | 'ready' | 'disconnecting';

export interface EndpointRecord {
  id: number;
  kind: EndpointKind;
  state: EndpointState;
  /** `<containerID>:<ifname>` for pods; "health" for the health endpoint. */
  attachment: string;
  containerId: string;
  ifname: string;
  netns: string;
  podNamespace?: string;
  podName?: string;
  /** Security-relevant labels in Cilium's `source:key=value` form, sorted. */
  labels: string[];
  identity: number;
  ipv4: string;
  hostIfname: string;
  hostIfindex: number;
  hostMac: string;
  containerMac: string;
  mtu: number;
  createdAt: string;
}

export class RecordStore {
  readonly dir: string;

  /** The directory is made by the first save: an agent that never has an endpoint writes nothing. */
  constructor(dir: string) {
    this.dir = dir;
  }

  #path(id: number): string {
    return join(this.dir, `${id}.json`);
  }

  /** Atomic: a reader (or a restarted agent) sees the old record or the new one, never half. */
  save(rec: EndpointRecord): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.#path(rec.id)}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(rec)}\n`, { mode: 0o600 });
    renameSync(tmp, this.#path(rec.id));
  }

  remove(id: number): void {
    rmSync(this.#path(id), { force: true });
  }

  /** Every record on disk; unreadable files are reported and skipped, never fatal. */
  load(warn: (msg: string) => void): EndpointRecord[] {
    const out: EndpointRecord[] = [];
    if (!existsSync(this.dir)) return out;
    for (const name of readdirSync(this.dir)) {
      const path = join(this.dir, name);
      if (name.endsWith('.tmp')) {
        rmSync(path, { force: true });
        continue;
      }
      const fileId = /^(\d+)\.json$/.exec(name)?.[1];
      if (fileId === undefined) continue;
      try {
        const rec = JSON.parse(readFileSync(path, 'utf8')) as EndpointRecord;
        if (typeof rec.id !== 'number' || typeof rec.ipv4 !== 'string') throw new Error('missing id or ipv4');
        // remove(id) deletes <id>.json: a record under another name could never be removed, and
        // tearing it down would delete the file of the endpoint that really has that ID.
        if (String(rec.id) !== fileId) throw new Error(`id ${rec.id} does not match the file name`);
        out.push(rec);
      } catch (err) {
        warn(
          `endpoint state ${path}: unreadable (${err instanceof Error ? err.message : String(err)}); ignored`,
        );
      }
    }
    return out.sort((a, b) => a.id - b.id);
  }
}
