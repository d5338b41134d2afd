// The host datapath: bpf_host.o loaded with its maps pinned, and the views of its maps that the
// registry makes generic — `waggle map list` / `map get NAME` print any map of the object with
// no per-map code. Map occupancy for metrics is sampled on a timer, never walked per scrape.
// At start it also settles host routing (datapath/host-routing.ts) and writes the choice into
// waggle_runtime_config, where every bpf_lxc — restored ones too — and from_netdev read it.
import type { TypedMap } from '../../bpf/typed-map.js';
import type { RowContext } from '../../bpf/codec.js';
import {
  type HostDatapath,
  type HostMapSizes,
  lbConfigBits,
  loadHostDatapath,
} from '../../datapath/host-datapath.js';
import {
  chooseHostRouting,
  type HostRoutingChoice,
  type HostRoutingInputs,
  missingHostRoutingHelpers,
} from '../../datapath/host-routing.js';
import { CT4_ANY_MAP, CT4_TCP_MAP } from '../../datapath/maps/ct4.js';
import { type CtEvictions, ctEvictions } from '../../datapath/maps/ct-stats.js';
import { RuntimeConfigIndex } from '../../datapath/maps/runtime-config.js';
import type { HostMasqueradeConfig } from '../../datapath/objects/host.js';
import type { AgentModule } from '../module.js';
import type { MapRows, MapSummary } from '../status.js';

export interface DatapathModuleOptions {
  objPath: string;
  pinDir: string;
  maxLivenessNs: bigint;
  /** eBPF masquerading's load-time settings; absent: off. */
  masquerade?: HostMasqueradeConfig;
  /** max_entries of the service and conntrack maps (bpf_host creates them; the others share). */
  mapSizes?: HostMapSizes;
  /** RUNTIME_CONFIG_LB: the per-packet service LB, and NodePort (from outside the node). */
  lb: { perPacket: boolean; nodePort: boolean };
  hostRouting: Omit<HostRoutingInputs, 'missingHelpers'>;
  /** How often map occupancy is counted for metrics. */
  sampleMs?: number;
  log(msg: string): void;
}

export class DatapathModule implements AgentModule {
  readonly name = 'datapath';
  readonly #o: DatapathModuleOptions;
  #dp: HostDatapath | undefined;
  #timer: NodeJS.Timeout | undefined;
  #sampled: MapSummary[] = [];
  #evicted: CtEvictions = { tcp: 0, any: 0 };
  /** Maps of other objects (bpf_sock's service maps), shown and sampled with the host's. */
  #extra: Array<TypedMap<unknown, unknown>> = [];
  #hostRouting: HostRoutingChoice = { mode: 'Legacy' };

  constructor(opts: DatapathModuleOptions) {
    this.#o = opts;
  }

  get dp(): HostDatapath {
    if (!this.#dp) throw new Error('datapath module not started');
    return this.#dp;
  }

  start(): void {
    this.#dp = loadHostDatapath({
      objPath: this.#o.objPath,
      pinDir: this.#o.pinDir,
      maxLivenessNs: this.#o.maxLivenessNs,
      ...(this.#o.masquerade ? { masquerade: this.#o.masquerade } : {}),
      ...(this.#o.mapSizes ? { mapSizes: this.#o.mapSizes } : {}),
    });
    const lb = this.#o.lb;
    // Written either way, as host routing below: a previous run may have left it on.
    this.#dp.runtimeConfig.set(RuntimeConfigIndex.Lb, lbConfigBits(lb));
    this.#o.log(
      `service LB: per-packet ${lb.perPacket ? 'on' : 'off'}, NodePort ${lb.nodePort ? 'on' : 'off'}`,
    );
    this.#o.log(`datapath loaded, maps pinned in ${this.#o.pinDir}`);
    const h = this.#o.hostRouting;
    this.#hostRouting = chooseHostRouting({
      ...h,
      missingHelpers: h.legacyRequested ? [] : missingHostRoutingHelpers(),
    });
    // Written either way: a previous run may have left eBPF host routing on.
    this.#dp.runtimeConfig.set(RuntimeConfigIndex.HostRouting, this.#hostRouting.mode === 'BPF' ? 1n : 0n);
    this.#o.log(
      `host routing: ${this.#hostRouting.mode}${this.#hostRouting.reason ? ` (falling back to legacy: ${this.#hostRouting.reason})` : ''}`,
    );
    this.sample();
    this.#timer = setInterval(() => this.sample(), this.#o.sampleMs ?? 10_000);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#dp?.close();
    this.#dp = undefined;
    this.#extra = [];
  }

  #maps(): Array<TypedMap<unknown, unknown>> {
    // bpf_sock shares the service maps with bpf_host: each map once, by name.
    const own = Object.values(this.dp.maps) as Array<TypedMap<unknown, unknown>>;
    const names = new Set(own.map((m) => m.name));
    return [...own, ...this.#extra.filter((m) => !names.has(m.name))];
  }

  /** Adds another object's maps to `map list|get`, status and metrics; returns their removal. */
  registerMaps(maps: Array<TypedMap<unknown, unknown>>): () => void {
    this.#extra = [...this.#extra.filter((m) => !maps.some((n) => n.name === m.name)), ...maps];
    return () => {
      this.#extra = this.#extra.filter((m) => !maps.includes(m));
    };
  }

  /** Counts every map now (a user asked: `waggle map list`). */
  summaries(): MapSummary[] {
    return this.#maps().map((m) => ({ name: m.name, entries: m.count(), maxEntries: m.maxEntries }));
  }

  /** The last sample, for metrics. */
  sampled(): MapSummary[] {
    return this.#sampled;
  }

  /** LRU evictions of the conntrack maps, as of the last sample (monotonic). */
  ctEvictions(): CtEvictions {
    return this.#evicted;
  }

  sample(): void {
    try {
      this.#sampled = this.summaries();
      const entries = (name: string) => this.#sampled.find((m) => m.name === name)?.entries ?? 0;
      const stats = this.dp.maps.ctStats;
      const now = ctEvictions((i) => stats.get(i) ?? 0n, {
        tcp: entries(CT4_TCP_MAP),
        any: entries(CT4_ANY_MAP),
      });
      // Counted and read a moment apart: never let a sample go backwards.
      this.#evicted = {
        tcp: Math.max(this.#evicted.tcp, now.tcp),
        any: Math.max(this.#evicted.any, now.any),
      };
    } catch (err) {
      this.#o.log(`map sample: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Every entry of one map as its codec prints it; undefined for a map this object lacks. */
  rows(name: string, ctx: RowContext): MapRows | undefined {
    const map = this.#maps().find((m) => m.name === name);
    if (!map) return undefined;
    const { codec } = map;
    const rows = map
      .entries()
      .filter(([k, v]) => codec.showRow?.(k, v) ?? true)
      .map(([k, v]) => codec.row(k, v, ctx));
    return { name, columns: [...codec.columns], rows };
  }

  mapNames(): string[] {
    return this.#maps().map((m) => m.name);
  }

  get hostRouting(): HostRoutingChoice {
    return this.#hostRouting;
  }

  status(): { pinDir: string; maps: MapSummary[]; hostRouting: HostRoutingChoice } {
    return { pinDir: this.#o.pinDir, maps: this.#sampled, hostRouting: this.#hostRouting };
  }
}
