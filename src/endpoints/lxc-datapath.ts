// The endpoint manager's datapath (ports.ts) on the real kernel: one bpf_lxc.o per endpoint,
// loaded with its constants and attached through tcx links pinned under `<pinDir>/links/`, so
// a killed agent leaves every pod's datapath running; waggle_lxc and waggle_ipcache entries
// written through bpf_host's handles of the same pinned maps.
import { reservedIdentities } from '../api/reserved-identities.js';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { attachEndpoint, detachPinned, loadEndpointProgram } from '../datapath/endpoint-datapath.js';
import type { HostDatapath } from '../datapath/host-datapath.js';
import { EndpointFlags } from '../datapath/maps/endpoints.js';
import { attachTcxPinned } from '../bpf/index.js';
import type { EndpointDatapath } from './ports.js';
import type { EndpointRecord } from './record.js';
import type { NodeDatapathHooks } from './module.js';
import type { HostDevices } from './node-plumbing.js';

/** The identity of the node itself (Cilium's reserved:host) and of everything outside (world). */
const HOST_IDENTITY = reservedIdentities.host;
const WORLD_IDENTITY = reservedIdentities.world;

export class LxcDatapath implements EndpointDatapath, NodeDatapathHooks {
  readonly #dp: () => HostDatapath;
  readonly #objPath: string | undefined;

  constructor(dp: () => HostDatapath, objPath?: string) {
    this.#dp = dp;
    this.#objPath = objPath;
  }

  #links(): string {
    const dir = join(this.#dp().pinDir, 'links');
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  #pin(rec: EndpointRecord, dir: 'ingress' | 'egress'): string {
    return join(this.#links(), `${rec.hostIfname}_${dir}`);
  }

  attach(rec: EndpointRecord, opts: { toContainer: boolean }): void {
    const prog = loadEndpointProgram({
      pinDir: this.#dp().pinDir,
      ...(this.#objPath ? { objPath: this.#objPath } : {}),
      endpointId: rec.id,
      ipv4: rec.ipv4,
      lxcMac: rec.hostMac,
      ifindex: rec.hostIfindex,
    });
    try {
      attachEndpoint(prog.fromContainer, rec.hostIfindex, 'ingress', this.#pin(rec, 'ingress'));
      if (opts.toContainer)
        attachEndpoint(prog.toContainer, rec.hostIfindex, 'egress', this.#pin(rec, 'egress'));
    } finally {
      prog.close(); // the pinned links hold the programs
    }
  }

  detach(rec: EndpointRecord): void {
    detachPinned(this.#pin(rec, 'ingress'));
    detachPinned(this.#pin(rec, 'egress'));
  }

  attached(rec: EndpointRecord, opts: { toContainer: boolean }): boolean {
    return (
      existsSync(this.#pin(rec, 'ingress')) && (!opts.toContainer || existsSync(this.#pin(rec, 'egress')))
    );
  }

  upsert(rec: EndpointRecord): void {
    const dp = this.#dp();
    dp.endpoints.set(
      { ip: rec.ipv4 },
      {
        ifindex: rec.hostIfindex,
        lxcId: rec.id,
        flags: 0,
        mac: rec.containerMac,
        nodeMac: rec.hostMac,
        secId: rec.identity,
      },
    );
    dp.ipcache.set({ prefix: `${rec.ipv4}/32` }, { identity: rec.identity, tunnelEndpoint: '0.0.0.0' });
  }

  remove(ipv4: string): void {
    const dp = this.#dp();
    dp.endpoints.delete({ ip: ipv4 });
    dp.ipcache.delete({ prefix: `${ipv4}/32` });
  }

  endpointIps(): string[] {
    return this.#dp()
      .endpoints.entries()
      .filter(([, v]) => (v.flags & EndpointFlags.HOST) === 0)
      .map(([k]) => k.ip);
  }

  /** The node's own addresses: `(localhost)` in waggle_lxc, identity 1; everything else world. */
  hostAddresses(ips: string[]): void {
    const dp = this.#dp();
    for (const ip of ips) {
      dp.endpoints.set(
        { ip },
        {
          ifindex: 0,
          lxcId: 0,
          flags: EndpointFlags.HOST,
          mac: '00:00:00:00:00:00',
          nodeMac: '00:00:00:00:00:00',
          secId: HOST_IDENTITY,
        },
      );
      dp.ipcache.set({ prefix: `${ip}/32` }, { identity: HOST_IDENTITY, tunnelEndpoint: '0.0.0.0' });
    }
    dp.ipcache.set({ prefix: '0.0.0.0/0' }, { identity: WORLD_IDENTITY, tunnelEndpoint: '0.0.0.0' });
  }

  attachFromHost(dev: HostDevices): void {
    const dp = this.#dp();
    attachTcxPinned(dp.fromHost, dev.hostIfindex, 'egress', join(this.#links(), 'waggle_host_egress'));
  }
}
