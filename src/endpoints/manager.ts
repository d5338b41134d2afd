// Endpoints on this node: the CNI plugin's ADD/DEL/CHECK/GC, and the restore after a restart.
// An ADD allocates an endpoint ID and an address, writes the record ("creating"), builds the
// veth pair with the pod's address and routes, fills waggle_lxc/ipcache, attaches bpf_lxc and
// only then answers — so the pod's first packet already meets its datapath. Calls for one
// attachment are serialised; different pods proceed in parallel. A failed ADD removes what it
// made and frees its address. Nothing here waits on the store: identities fall back to
// reserved:init (as Cilium's) and are filled in when the store answers.
import { reservedIdentities } from '../api/reserved-identities.js';
import { existsSync } from 'node:fs';
import type { EndpointAddReply, EndpointAddRequest, EndpointCheckRequest } from '../api/cni-protocol.js';
import { attachmentId, CniCode } from '../api/cni-protocol.js';
import { ApiError } from '../agent/api-server.js';
import { errorMessage } from '../lib/errors.js';
import { EndpointIds } from './ids.js';
import { createVeth, deleteVeth, listLinks, podAddresses } from './links.js';
import { lxcName, macFor } from './names.js';
import type { EndpointDatapath, Identities, PodIpam } from './ports.js';
import type { EndpointRecord, RecordStore } from './record.js';

/** Cilium's reserved:init: the identity of an endpoint whose labels are not resolved yet. */
export const INIT_IDENTITY = reservedIdentities.init;
const IDENTITY_WAIT_MS = 1000;
const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;
const OURS = /^lxc[0-9a-f]{12}$/;

export interface ManagerOptions {
  node: string;
  records: RecordStore;
  /** Undefined until the node has a PodCIDR. */
  ipam(): PodIpam | undefined;
  /** The router IP: every pod's gateway. */
  router(): string | undefined;
  datapath: EndpointDatapath;
  identities: Identities;
  /** Security labels of a pod (Cilium form), from its Pod object or what the runtime passed. */
  labelsOf(req: EndpointAddRequest): Promise<string[]>;
  endpointRoutes: boolean;
  mtu: number;
  log(msg: string): void;
  onChange?(rec: EndpointRecord, op: 'upsert' | 'delete'): void;
}

export class EndpointManager {
  readonly #o: ManagerOptions;
  readonly #ids = new EndpointIds();
  readonly #eps = new Map<number, EndpointRecord>();
  readonly #restored = new Set<number>();
  readonly #busy = new Map<string, Promise<unknown>>();

  constructor(opts: ManagerOptions) {
    this.#o = opts;
  }

  list(): EndpointRecord[] {
    return [...this.#eps.values()].sort((a, b) => a.id - b.id);
  }

  get(id: number): EndpointRecord | undefined {
    return this.#eps.get(id);
  }

  restored(id: number): boolean {
    return this.#restored.has(id);
  }

  byAttachment(att: string): EndpointRecord | undefined {
    return [...this.#eps.values()].find((r) => r.attachment === att);
  }

  /** Claims an ID and address for an endpoint the agent builds itself (the health endpoint). */
  claim(rec: EndpointRecord): void {
    this.#ids.claim(rec.id);
    this.#o.ipam()?.allocateSpecific(rec.ipv4, ownerOf(rec));
    this.#eps.set(rec.id, rec);
  }

  /** Registers an endpoint whose ID and address were allocated here already. */
  adopt(rec: EndpointRecord): void {
    this.#eps.set(rec.id, rec);
  }

  allocateId(): number {
    return this.#ids.allocate();
  }

  /** Forgets an endpoint built elsewhere (health), freeing its ID and address. */
  forget(rec: EndpointRecord): void {
    this.#eps.delete(rec.id);
    this.#ids.release(rec.id);
    this.#o.ipam()?.release(rec.ipv4);
  }

  async add(req: EndpointAddRequest): Promise<EndpointAddReply> {
    checkRequest(req);
    const att = attachmentId(req.containerId, req.ifname);
    return this.#serial(att, async () => {
      const existing = this.byAttachment(att);
      if (existing?.state === 'ready' && existing.netns === req.netns && (await this.#linkOk(existing)))
        return replyOf(existing, this.#o.router() ?? '');
      if (existing) await this.#teardown(existing, 'replaced by a new ADD');
      return this.#create(req, att);
    });
  }

  async #create(req: EndpointAddRequest, att: string): Promise<EndpointAddReply> {
    const o = this.#o;
    const ipam = o.ipam();
    const gateway = o.router();
    if (!ipam || !gateway)
      throw new ApiError(
        503,
        CniCode.TryAgainLater,
        `node ${o.node}: no PodCIDR yet, cannot allocate a pod address`,
      );
    const id = this.#ids.allocate();
    const owner = req.podNamespace && req.podName ? `${req.podNamespace}/${req.podName}` : att;
    let ipv4: string;
    try {
      ipv4 = ipam.allocate(owner);
    } catch (err) {
      this.#ids.release(id);
      throw new ApiError(507, CniCode.IpamExhausted, `pod ${owner}: ${errorMessage(err)}`);
    }
    const hostIfname = lxcName(req.containerId, req.ifname);
    const rec: EndpointRecord = {
      id,
      kind: 'pod',
      state: 'creating',
      attachment: att,
      containerId: req.containerId,
      ifname: req.ifname,
      netns: req.netns,
      ...(req.podNamespace ? { podNamespace: req.podNamespace } : {}),
      ...(req.podName ? { podName: req.podName } : {}),
      labels: [],
      identity: INIT_IDENTITY,
      ipv4,
      hostIfname,
      hostIfindex: 0,
      hostMac: macFor(`host:${att}`),
      containerMac: macFor(`pod:${att}`),
      mtu: req.mtu ?? o.mtu,
      createdAt: new Date().toISOString(),
    };
    const started = performance.now();
    o.records.save(rec);
    this.#eps.set(id, rec);
    try {
      rec.labels = await o.labelsOf(req);
      rec.identity = await this.#identityNow(rec);
      rec.hostIfindex = await createVeth({
        hostIfname,
        hostMac: rec.hostMac,
        containerIfname: req.ifname,
        containerMac: rec.containerMac,
        netns: req.netns,
        ipv4,
        gateway,
        mtu: rec.mtu,
        endpointRoute: o.endpointRoutes,
      });
      // The map entry first: from_container of a neighbour delivering here must find it.
      o.datapath.upsert(rec);
      o.datapath.attach(rec, { toContainer: o.endpointRoutes });
      rec.state = 'ready';
      o.records.save(rec);
    } catch (err) {
      await this.#teardown(rec, 'ADD failed');
      throw new ApiError(500, CniCode.EndpointFailed, `endpoint ${id} for ${owner}: ${errorMessage(err)}`);
    }
    const took = (performance.now() - started).toFixed(1);
    o.log(
      `endpoint ${id} ${owner}: ${ipv4} on ${hostIfname} (ifindex ${rec.hostIfindex}), identity ${rec.identity}, in ${took}ms`,
    );
    o.onChange?.(rec, 'upsert');
    return replyOf(rec, gateway);
  }

  /** DEL: removes everything of the attachment; an unknown one is not an error. */
  async del(containerId: string, ifname: string): Promise<boolean> {
    const att = attachmentId(containerId, ifname);
    return this.#serial(att, async () => {
      const rec = this.byAttachment(att);
      if (!rec) {
        // No record (never added, or added by an agent whose state is gone): a device with the
        // attachment's name is still ours to remove.
        const name = lxcName(containerId, ifname);
        if ((await listLinks()).has(name)) await deleteVeth(name, '0.0.0.0');
        return false;
      }
      await this.#teardown(rec, 'DEL');
      return true;
    });
  }

  async check(req: EndpointCheckRequest): Promise<string[]> {
    const att = attachmentId(req.containerId, req.ifname);
    const rec = this.byAttachment(att);
    if (!rec) return [`no endpoint for ${att}`];
    const problems: string[] = [];
    if (rec.state !== 'ready') problems.push(`endpoint ${rec.id} is ${rec.state}`);
    const links = await listLinks();
    if (links.get(rec.hostIfname) !== rec.hostIfindex)
      problems.push(
        `${rec.hostIfname}: ${links.has(rec.hostIfname) ? 'ifindex changed' : 'missing on the node'}`,
      );
    const have = await podAddresses(req.netns, req.ifname);
    if (!have) problems.push(`${req.ifname} in ${req.netns}: missing`);
    for (const a of req.addresses)
      if (have && !have.includes(a)) problems.push(`${req.ifname} in ${req.netns}: address ${a} missing`);
    if (!this.#o.datapath.attached(rec, { toContainer: this.#o.endpointRoutes }))
      problems.push(`${rec.hostIfname}: from_container not attached`);
    return problems;
  }

  /** GC: removes every pod endpoint the runtime no longer has. */
  async gc(valid: Array<{ containerId: string; ifname: string }>): Promise<string[]> {
    const keep = new Set(valid.map((v) => attachmentId(v.containerId, v.ifname)));
    const gone = this.list().filter((r) => r.kind === 'pod' && !keep.has(r.attachment));
    for (const rec of gone) await this.#serial(rec.attachment, () => this.#teardown(rec, 'GC'));
    return gone.map((r) => r.attachment);
  }

  /**
   * After a restart: every complete endpoint whose device is still there is taken back as it
   * is (same ID, address, devices; its datapath never stopped); anything half-made, or whose
   * pod is gone, is removed — and so are devices and map entries no record explains.
   */
  async restore(records: EndpointRecord[]): Promise<void> {
    const o = this.#o;
    const links = await listLinks();
    for (const rec of records.filter((r) => r.kind === 'pod')) {
      const intact =
        rec.state === 'ready' &&
        links.get(rec.hostIfname) === rec.hostIfindex &&
        existsSync(rec.netns) &&
        o.datapath.attached(rec, { toContainer: o.endpointRoutes });
      if (!intact) {
        await this.#teardown(
          rec,
          `restore: ${rec.state === 'ready' ? 'device, pod or datapath gone' : `left ${rec.state}`}`,
        );
        continue;
      }
      try {
        this.claim(rec);
        o.datapath.upsert(rec);
        this.#restored.add(rec.id);
        o.onChange?.(rec, 'upsert');
      } catch (err) {
        o.log(`endpoint ${rec.id}: cannot restore (${errorMessage(err)}); removing it`);
        await this.#teardown(rec, 'restore conflict');
      }
    }
    const known = new Set(this.list().map((r) => r.hostIfname));
    for (const name of links.keys())
      if (OURS.test(name) && !known.has(name)) {
        o.log(`removing ${name}: no endpoint record explains it`);
        await deleteVeth(name, '0.0.0.0');
      }
    const ips = new Set(this.list().map((r) => r.ipv4));
    for (const ip of o.datapath.endpointIps()) if (!ips.has(ip)) o.datapath.remove(ip);
    o.log(`restored ${this.#restored.size} endpoint(s)`);
  }

  /** Fills in an identity that was reserved:init at ADD (the store was slow or down). */
  async resolvePending(): Promise<void> {
    for (const rec of this.list()) {
      if (rec.kind !== 'pod' || rec.identity !== INIT_IDENTITY || rec.state !== 'ready') continue;
      try {
        const identity = await this.#o.identities.resolve(rec.labels);
        if (this.#eps.get(rec.id) !== rec) continue;
        rec.identity = identity;
        this.#o.records.save(rec);
        this.#o.datapath.upsert(rec);
        this.#o.onChange?.(rec, 'upsert');
      } catch {
        // still unreachable: the next round tries again
      }
    }
  }

  async #identityNow(rec: EndpointRecord): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<number>((resolve) => {
      timer = setTimeout(() => resolve(INIT_IDENTITY), IDENTITY_WAIT_MS);
    });
    try {
      return await Promise.race([this.#o.identities.resolve(rec.labels).catch(() => INIT_IDENTITY), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #linkOk(rec: EndpointRecord): Promise<boolean> {
    return (await listLinks()).get(rec.hostIfname) === rec.hostIfindex;
  }

  async #teardown(rec: EndpointRecord, why: string): Promise<void> {
    const o = this.#o;
    rec.state = 'disconnecting';
    o.records.save(rec);
    o.datapath.detach(rec);
    o.datapath.remove(rec.ipv4);
    await deleteVeth(rec.hostIfname, rec.ipv4);
    if (this.#eps.get(rec.id) === rec) {
      this.#eps.delete(rec.id);
      this.#ids.release(rec.id);
      o.ipam()?.release(rec.ipv4);
    }
    this.#restored.delete(rec.id);
    o.records.remove(rec.id);
    o.log(`endpoint ${rec.id} ${ownerOf(rec)} removed (${why})`);
    o.onChange?.(rec, 'delete');
  }

  async #serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.#busy.get(key) ?? Promise.resolve();
    const mine = before.catch(() => {}).then(fn);
    this.#busy.set(key, mine);
    try {
      return await mine;
    } finally {
      if (this.#busy.get(key) === mine) this.#busy.delete(key);
    }
  }
}

export function ownerOf(rec: EndpointRecord): string {
  if (rec.kind === 'health') return 'health';
  return rec.podNamespace && rec.podName ? `${rec.podNamespace}/${rec.podName}` : rec.attachment;
}

function replyOf(rec: EndpointRecord, gateway: string): EndpointAddReply {
  return {
    id: rec.id,
    ipv4: rec.ipv4,
    gateway,
    hostIfname: rec.hostIfname,
    hostMac: rec.hostMac,
    containerIfname: rec.ifname,
    containerMac: rec.containerMac,
    netns: rec.netns,
    identity: rec.identity,
    mtu: rec.mtu,
  };
}

function checkRequest(req: EndpointAddRequest): void {
  const bad = (field: string, msg: string) =>
    new ApiError(400, CniCode.InvalidEnvironment, `${field}: ${msg}`);
  if (typeof req !== 'object' || req === null)
    throw new ApiError(400, CniCode.DecodeFailure, 'request: not an object');
  if (typeof req.containerId !== 'string' || req.containerId === '') throw bad('CNI_CONTAINERID', 'missing');
  if (typeof req.ifname !== 'string' || !IFNAME.test(req.ifname))
    throw bad(
      'CNI_IFNAME',
      `"${String(req.ifname)}": not a valid interface name (1-15 of A-Z a-z 0-9 _ . -)`,
    );
  if (typeof req.netns !== 'string' || req.netns === '') throw bad('CNI_NETNS', 'missing');
  if (!existsSync(req.netns)) throw bad('CNI_NETNS', `"${req.netns}": no such network namespace`);
  if (req.mtu !== undefined && (!Number.isInteger(req.mtu) || req.mtu < 576 || req.mtu > 65535))
    throw new ApiError(400, CniCode.InvalidNetworkConfig, `mtu: ${String(req.mtu)} is not in 576..65535`);
}
