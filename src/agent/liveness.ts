// The agent's heartbeat for the datapath (Cilium's pkg/datapath/agentliveness/agent_liveness.go): CLOCK_MONOTONIC ns written to
// runtime_config[AgentLiveness] every interval, and the Unix-time offset at start. The responder
// answers only while this value is younger than the max liveness (the lease duration), so a dead
// agent stops announcing on its own.
import { monotonicNs, realtimeNs } from '../bpf/index.js';
import { RuntimeConfigIndex } from '../datapath/maps/runtime-config.js';

export interface RuntimeConfigMap {
  set(index: number, value: bigint): void;
  get(index: number): bigint | undefined;
}

/** Cilium's UTimeOffset: (realtime − monotonic) in 512 ns units. */
export function utimeOffset(): bigint {
  return (realtimeNs() - monotonicNs()) / 512n;
}

export class LivenessTicker {
  #map: RuntimeConfigMap;
  #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  lastWrittenNs = 0n;

  constructor(map: RuntimeConfigMap, intervalMs: number) {
    this.#map = map;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    this.#map.set(RuntimeConfigIndex.UTimeOffset, utimeOffset());
    this.tick();
    this.#timer = setInterval(() => this.tick(), this.#intervalMs);
  }

  tick(): void {
    const now = monotonicNs();
    this.#map.set(RuntimeConfigIndex.AgentLiveness, now);
    this.lastWrittenNs = now;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** How old the value in the map is, in ms (the datapath's view), or undefined if unset. */
  ageMs(): number | undefined {
    const v = this.#map.get(RuntimeConfigIndex.AgentLiveness);
    if (!v) return undefined;
    return Number(monotonicNs() - v) / 1e6;
  }
}
