// The health endpoint (Cilium's cilium-health-ep): lxc_health on the node, its peer in a
// namespace of its own where the responder answers `GET /hello` on TCP 4240. It is a normal
// endpoint (ID, address from the PodCIDR with owner "health", identity 4 reserved:health,
// bpf_lxc attached) whose namespace is held by the responder process: the responder exits with
// the agent, the namespace and the veth go with it, and the next agent builds it again with the
// same ID and address, kept in its record.
import { reservedIdentities } from '../api/reserved-identities.js';
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../lib/errors.js';
import { createVeth, deleteVeth } from './links.js';
import type { EndpointManager } from './manager.js';
import { HEALTH_DEVICE, HEALTH_PORT, macFor } from './names.js';
import type { EndpointDatapath, PodIpam } from './ports.js';
import type { EndpointRecord, RecordStore } from './record.js';

export const HEALTH_IDENTITY = reservedIdentities.health;
const RESPONDER = fileURLToPath(new URL('./health-responder.js', import.meta.url));
const RESTART_MS = 2000;

export interface HealthOptions {
  manager: EndpointManager;
  records: RecordStore;
  ipam: PodIpam;
  gateway: string;
  datapath: EndpointDatapath;
  endpointRoutes: boolean;
  mtu: number;
  log(msg: string): void;
}

export class HealthEndpoint {
  readonly #o: HealthOptions;
  #child: ChildProcess | undefined;
  #rec: EndpointRecord | undefined;
  #stopped = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(opts: HealthOptions) {
    this.#o = opts;
  }

  get record(): EndpointRecord | undefined {
    return this.#rec;
  }

  /** Builds the endpoint, reusing the ID and address of an earlier run's record if it can. */
  async start(previous: EndpointRecord | undefined): Promise<void> {
    const o = this.#o;
    // The veth of an earlier run (its responder may not have noticed yet that its agent died).
    await deleteVeth(HEALTH_DEVICE, previous?.ipv4 ?? '0.0.0.0');
    if (previous) {
      o.datapath.detach(previous);
      try {
        return await this.#build(previous.id, previous.ipv4, false);
      } catch (err) {
        o.log(`health endpoint: cannot reuse ${previous.ipv4} (${errorMessage(err)}); allocating anew`);
        o.records.remove(previous.id);
      }
    }
    await this.#build(o.manager.allocateId(), o.ipam.allocate('health'), true);
  }

  /** `claimed`: the ID and address are already allocated to us; otherwise they are claimed. */
  async #build(id: number, ipv4: string, claimed: boolean): Promise<void> {
    const o = this.#o;
    const rec: EndpointRecord = {
      id,
      kind: 'health',
      state: 'creating',
      attachment: 'health',
      containerId: 'health',
      ifname: 'eth0',
      netns: '',
      labels: ['reserved:health'],
      identity: HEALTH_IDENTITY,
      ipv4,
      hostIfname: HEALTH_DEVICE,
      hostIfindex: 0,
      hostMac: macFor(`host:health:${id}`),
      containerMac: macFor(`pod:health:${id}`),
      mtu: o.mtu,
      createdAt: new Date().toISOString(),
    };
    if (claimed) o.manager.adopt(rec);
    else o.manager.claim(rec);
    this.#rec = rec;
    try {
      const child = spawn(
        'unshare',
        ['--net', '--', process.execPath, RESPONDER, String(HEALTH_PORT), String(process.pid)],
        {
          stdio: 'ignore',
        },
      );
      this.#child = child;
      child.once('exit', (code, signal) => {
        if (this.#child !== child) return;
        this.#child = undefined;
        if (this.#stopped) return;
        o.log(
          `health responder exited (${signal ?? code}); rebuilding the health endpoint in ${RESTART_MS}ms`,
        );
        this.#retry = setTimeout(() => void this.#rebuild(), RESTART_MS);
      });
      if (child.pid === undefined) throw new Error('health responder: could not start unshare');
      const netns = `/proc/${child.pid}/ns/net`;
      await waitForOwnNetns(netns);
      rec.netns = netns;
      o.records.save(rec);
      rec.hostIfindex = await createVeth({
        hostIfname: HEALTH_DEVICE,
        hostMac: rec.hostMac,
        containerIfname: 'eth0',
        containerMac: rec.containerMac,
        netns,
        ipv4,
        gateway: o.gateway,
        mtu: o.mtu,
        endpointRoute: o.endpointRoutes,
      });
      o.datapath.upsert(rec);
      o.datapath.attach(rec, { toContainer: o.endpointRoutes });
      rec.state = 'ready';
      o.records.save(rec);
    } catch (err) {
      const child = this.#child;
      this.#child = undefined;
      if (child?.exitCode === null) child.kill('SIGTERM');
      o.datapath.detach(rec);
      o.datapath.remove(ipv4);
      await deleteVeth(HEALTH_DEVICE, ipv4);
      o.manager.forget(rec);
      this.#rec = undefined;
      throw err;
    }
    o.log(`health endpoint ${id}: ${ipv4} on ${HEALTH_DEVICE}, responder on :${HEALTH_PORT}`);
  }

  async #rebuild(): Promise<void> {
    if (this.#stopped) return;
    const old = this.#rec;
    try {
      if (old) await this.#teardown(old, false);
      if (old) await this.#build(old.id, old.ipv4, false);
    } catch (err) {
      this.#o.log(`health endpoint: rebuild failed: ${errorMessage(err)}`);
    }
  }

  async #teardown(rec: EndpointRecord, forgetRecord: boolean): Promise<void> {
    const o = this.#o;
    o.datapath.detach(rec);
    o.datapath.remove(rec.ipv4);
    await deleteVeth(HEALTH_DEVICE, rec.ipv4);
    o.manager.forget(rec);
    if (forgetRecord) o.records.remove(rec.id);
  }

  /**
   * Stops the responder (its namespace and the veth go with it). On a failed start the record
   * goes too; on shutdown it stays, so the next agent reuses the ID and address.
   */
  async stop(reason: 'shutdown' | 'failed-start'): Promise<void> {
    this.#stopped = true;
    if (this.#retry) clearTimeout(this.#retry);
    const child = this.#child;
    this.#child = undefined;
    if (child?.pid !== undefined && child.exitCode === null) child.kill('SIGTERM');
    const rec = this.#rec;
    if (rec) await this.#teardown(rec, reason === 'failed-start').catch(() => {});
    this.#rec = undefined;
  }
}

/** /proc/PID/ns/net points at the new namespace once unshare has run (a few ms after spawn). */
async function waitForOwnNetns(path: string): Promise<void> {
  const { readlinkSync } = await import('node:fs');
  const mine = readlinkSync('/proc/self/ns/net');
  for (let i = 0; i < 200; i++) {
    try {
      if (readlinkSync(path) !== mine) return;
    } catch {
      // not there yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`health responder: ${path} never left the agent's namespace (after 1s)`);
}
