// The native devices: from_netdev attached to each selected device's tc ingress and
// waggle_devices filled, kept current as links change (devices/manager.ts). On shutdown the
// attachments stay for a restarted agent to adopt; after a failed start they are removed.
import type { BpfProgram } from '../../bpf/index.js';
import { type DeviceMap, DeviceManager } from '../devices/manager.js';
import type { Device } from '../devices/discover.js';
import type { AgentModule, StopReason } from '../module.js';

export interface DevicesModuleOptions {
  program(): BpfProgram;
  /** to_netdev, with eBPF masquerading. */
  egressProgram?(): BpfProgram;
  devicesMap(): DeviceMap;
  patterns: RegExp[] | undefined;
  log(msg: string): void;
}

export class DevicesModule implements AgentModule {
  readonly name = 'devices';
  readonly #o: DevicesModuleOptions;
  readonly #listeners = new Set<() => void>();
  #manager: DeviceManager | undefined;

  constructor(opts: DevicesModuleOptions) {
    this.#o = opts;
  }

  get selected(): Device[] {
    return this.#manager?.selected ?? [];
  }

  byName(name: string): Device | undefined {
    return this.#manager?.byName(name);
  }

  byIndex(ifindex: number): Device | undefined {
    return this.selected.find((d) => d.ifindex === ifindex);
  }

  /** Called after the selected set changed. */
  onChange(fn: () => void): void {
    this.#listeners.add(fn);
  }

  async start(): Promise<void> {
    this.#manager = new DeviceManager({
      program: this.#o.program(),
      egressProgram: this.#o.egressProgram?.(),
      devicesMap: this.#o.devicesMap(),
      patterns: this.#o.patterns,
      log: this.#o.log,
      onChange: () => {
        for (const fn of this.#listeners) fn();
      },
    });
    await this.#manager.rescan();
    this.#manager.start();
  }

  stop(reason: StopReason): void {
    this.#manager?.stop();
    if (reason === 'failed-start') this.#manager?.detachAll();
  }

  status(): Array<{ name: string; ifindex: number; mac: string; addresses: string[] }> {
    return this.selected.map(({ name, ifindex, mac, addresses }) => ({ name, ifindex, mac, addresses }));
  }
}
