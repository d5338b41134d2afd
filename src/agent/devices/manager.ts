// Keeps from_netdev attached to the ingress of every selected device (and, with eBPF
// masquerading, to_netdev to its egress) and waggle_devices filled with their MACs and
// masquerade addresses (the first IPv4 of each). Without eBPF masquerading, a to_netdev left on a
// device's egress by an earlier run is detached. Rescans when links change (an `ip monitor link` child process) and every
// 30 s as a safety net. Detaches only what this manager attached; on shutdown attachments are
// left in place so a restarted agent takes over without a gap (the liveness gate still applies).
// Rescans are serialised: one runs at a time, and any number requested meanwhile coalesce into
// one more run after it, so two scans never attach to the same device concurrently.
import { type ChildProcess, spawn } from 'node:child_process';
import { type Attachment, attachTc, type BpfProgram, detachTc } from '../../bpf/index.js';
import type { DeviceInfo } from '../../datapath/maps/devices.js';
import { errorMessage } from '../../lib/errors.js';
import type { Log } from '../../lib/log.js';
import { type Device, discoverDevices } from './discover.js';
import { selectNativeDevices } from './select.js';

export interface DeviceMap {
  set(ifindex: number, value: DeviceInfo): void;
  delete(ifindex: number): boolean;
}

export interface DeviceManagerOptions {
  program: BpfProgram;
  /** to_netdev for the devices' egress; absent: nothing of ours there. */
  egressProgram?: BpfProgram | undefined;
  devicesMap: DeviceMap;
  patterns: RegExp[] | undefined;
  log: Log;
  /** Called after a rescan changed the selected set. */
  onChange(devices: Device[]): void;
  discover?: () => Promise<Device[]>;
}

const RESCAN_MS = 30_000;
const DEBOUNCE_MS = 200;

export class DeviceManager {
  #o: DeviceManagerOptions;
  #selected: Device[] = [];
  #attached = new Map<number, Attachment>();
  #egress = new Map<number, Attachment>();
  /** Devices whose egress was checked for an earlier run's to_netdev. */
  #egressCleared = new Set<number>();
  #monitor: ChildProcess | undefined;
  #timer: NodeJS.Timeout | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #running: Promise<boolean> | undefined;
  #followUp: { promise: Promise<boolean>; resolve(v: boolean): void; reject(e: unknown): void } | undefined;
  #stopped = false;

  constructor(opts: DeviceManagerOptions) {
    this.#o = opts;
  }

  get selected(): Device[] {
    return this.#selected;
  }

  byName(name: string): Device | undefined {
    return this.#selected.find((d) => d.name === name);
  }

  /**
   * Discovers, selects, attaches; resolves true when the selected set changed. Called while a
   * scan runs, it resolves with the one follow-up scan that starts when the current one ends.
   */
  rescan(): Promise<boolean> {
    if (!this.#running) {
      this.#running = this.#scanThenNext();
      return this.#running;
    }
    if (!this.#followUp) {
      let resolve!: (v: boolean) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<boolean>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.#followUp = { promise, resolve, reject };
    }
    return this.#followUp.promise;
  }

  async #scanThenNext(): Promise<boolean> {
    try {
      return await this.#scanOnce();
    } finally {
      // Swapped synchronously, so no caller can slip a second scan in between the two.
      const next = this.#followUp;
      this.#followUp = undefined;
      if (next && !this.#stopped) {
        this.#running = this.#scanThenNext();
        this.#running.then(next.resolve, next.reject);
      } else {
        this.#running = undefined;
        next?.resolve(false);
      }
    }
  }

  async #scanOnce(): Promise<boolean> {
    const all = await (this.#o.discover ?? discoverDevices)();
    const next = selectNativeDevices(all, this.#o.patterns);
    const sig = (ds: Device[]) => ds.map((d) => `${d.name}:${d.ifindex}:${d.mac}`).join(',');
    const changed = sig(next) !== sig(this.#selected);
    const nextIdx = new Set(next.map((d) => d.ifindex));
    for (const [ifindex, att] of this.#attached) {
      if (nextIdx.has(ifindex)) continue;
      try {
        att.detach();
        this.#egress.get(ifindex)?.detach();
      } catch {
        // The device is gone, and its hook with it.
      }
      this.#attached.delete(ifindex);
      this.#egress.delete(ifindex);
      this.#o.devicesMap.delete(ifindex);
      this.#o.log(`device ifindex ${ifindex} deselected: detached from_netdev`);
    }
    for (const d of next) {
      const ipv4 = d.addresses.find((a) => !a.includes(':'));
      this.#o.devicesMap.set(d.ifindex, ipv4 ? { mac: d.mac, ipv4 } : { mac: d.mac });
      this.#syncEgress(d);
      if (this.#attached.has(d.ifindex)) continue;
      try {
        this.#attached.set(d.ifindex, attachTc(this.#o.program, d.ifindex, 'ingress', d.name));
        this.#o.log(
          `device ${d.name} (ifindex ${d.ifindex}, ${d.mac}) selected: from_netdev attached to ingress`,
        );
      } catch (err) {
        this.#o.log(`warning: attach from_netdev to ${d.name}: ${errorMessage(err)}`);
      }
    }
    this.#selected = next;
    if (changed) this.#o.onChange(next);
    return changed;
  }

  #syncEgress(d: Device): void {
    const prog = this.#o.egressProgram;
    try {
      if (prog && !this.#egress.has(d.ifindex)) {
        this.#egress.set(d.ifindex, attachTc(prog, d.ifindex, 'egress', d.name));
        this.#o.log(`device ${d.name}: to_netdev attached to egress (eBPF masquerading)`);
      } else if (!prog && !this.#egressCleared.has(d.ifindex)) {
        this.#egressCleared.add(d.ifindex);
        if (detachTc(d.ifindex, 'egress', 0, d.name))
          this.#o.log(`device ${d.name}: to_netdev of an earlier run detached from egress`);
      }
    } catch (err) {
      this.#o.log(`warning: to_netdev on ${d.name}: ${errorMessage(err)}`);
    }
  }

  /** Starts watching link changes. */
  start(): void {
    this.#timer = setInterval(() => this.#safeRescan(), RESCAN_MS);
    this.#timer.unref();
    const mon = spawn('ip', ['monitor', 'link', 'address'], { stdio: ['ignore', 'pipe', 'ignore'] });
    mon.on('error', (err) => this.#o.log(`warning: ip monitor: ${err.message}; relying on periodic rescans`));
    mon.stdout?.on('data', () => {
      if (this.#debounce) clearTimeout(this.#debounce);
      this.#debounce = setTimeout(() => this.#safeRescan(), DEBOUNCE_MS);
    });
    this.#monitor = mon;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    if (this.#debounce) clearTimeout(this.#debounce);
    const pid = this.#monitor?.pid;
    if (pid !== undefined && this.#monitor?.exitCode === null) process.kill(pid, 'SIGTERM');
    this.#monitor = undefined;
  }

  /** Removes every attachment this manager made (a failed agent start leaves no tc filter). */
  detachAll(): void {
    for (const [ifindex, att] of this.#attached) {
      try {
        att.detach();
        this.#egress.get(ifindex)?.detach();
      } catch {
        // The device is gone, and its hook with it.
      }
      this.#o.devicesMap.delete(ifindex);
    }
    this.#attached.clear();
    this.#egress.clear();
  }

  #safeRescan(): void {
    if (this.#stopped) return;
    this.rescan().catch((err: unknown) => this.#o.log(`warning: device rescan: ${errorMessage(err)}`));
  }
}
