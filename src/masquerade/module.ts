// The masquerade module of the agent: keeps the nat table's WAGGLE_POST_nat chain and its
// POSTROUTING jump equal to rules.ts's ruleset for the current PodCIDR and ip-masq-agent config.
// The PodCIDR arrives after start (IPAM): the agent calls refresh() when it is known. A config
// file that stops parsing keeps the last good config (and its rules) and is reported in status.
// On shutdown the rules stay, so pods keep reaching the outside while the agent restarts (the
// next agent rewrites the chain in one transaction); a failed start removes the chain and jump.
// With --enable-bpf-masquerade (mode 'bpf', bpf.ts) no rule is installed — leftovers of an
// iptables run are removed — and the config's prefixes go to waggle_ipmasq_v4 instead.
import { errorLine } from '../lib/errors.js';
import { run } from '../lib/exec.js';
import { formatPrefix, parsePrefix } from '../lib/ip.js';
import type { AgentModule, StopReason } from '../agent/module.js';
import { type IpmasqTable, ipmasqPrefixes, removeIptablesLeftovers, syncIpmasq } from './bpf.js';
import { ConfigWatcher, EMPTY_CONFIG, type IpMasqAgentConfig, readIpMasqAgentConfig } from './config.js';
import { applyInput, chainRules, jumpLines, type MasqueradeInputs, removeInput } from './rules.js';

/** Runs `iptables` or `iptables-restore` (tests prefix `ip netns exec <ns>`); throws on failure. */
export type IptablesRunner = (
  cmd: 'iptables' | 'iptables-restore',
  args: string[],
  input?: string,
) => Promise<string>;

const IPTABLES_TIMEOUT_MS = 10_000;

export const hostIptables: IptablesRunner = async (cmd, args, input) =>
  (await run(cmd, args, { timeoutMs: IPTABLES_TIMEOUT_MS, ...(input !== undefined ? { input } : {}) }))
    .stdout;

export interface MasqueradeModuleOptions {
  enabled: boolean;
  /** Default iptables. */
  mode?: 'iptables' | 'bpf';
  /** bpf mode: waggle_ipmasq_v4 (read once the datapath is loaded). */
  ipmasq?: () => IpmasqTable;
  /** bpf mode: the native devices to_netdev masquerades on, for the status. */
  devices?: () => string[];
  /** The node's PodCIDR; undefined until IPAM knows it (then the agent calls refresh()). */
  podCidr(): string | undefined;
  nativeRoutingCidr: string | undefined;
  /** The ip-masq-agent config path, when --enable-ip-masq-agent. */
  ipMasqAgentConfig?: string;
  log(msg: string): void;
  /** Defaults to the host's iptables. */
  iptables?: IptablesRunner;
  /** How often the config file is polled (default 2 s). */
  configPollMs?: number;
}

export interface MasqueradeStatus {
  mode: 'iptables' | 'bpf' | 'disabled';
  /** The ip-masq-agent's CIDRs in force (the last good config). */
  nonMasqueradeCIDRs: string[];
  lastError?: string;
  /** Rules in WAGGLE_POST_nat as last applied (0 before the PodCIDR is known); bpf: 0. */
  rules: number;
  /** bpf mode: the devices masqueraded on, the CIDR that keeps pod addresses, waggle_ipmasq_v4 entries. */
  devices?: string[];
  nativeRoutingCidr?: string;
  ipmasqEntries?: number;
}

/** An IPv4 CIDR in canonical form, or an error naming the option. */
function ipv4Cidr(option: string, text: string): string {
  const parsed = parsePrefix(text);
  if (!parsed.ok) throw new Error(`masquerade: ${option}: "${text}": ${parsed.error}`);
  if (parsed.prefix.family !== 4)
    throw new Error(`masquerade: ${option}: "${text}": not IPv4 (iptables mode is IPv4 only)`);
  return formatPrefix(parsed.prefix);
}

export class MasqueradeModule implements AgentModule {
  readonly name = 'masquerade';
  readonly #opts: MasqueradeModuleOptions;
  readonly #iptables: IptablesRunner;
  #config: IpMasqAgentConfig | undefined;
  #watcher: ConfigWatcher | undefined;
  /** The config file's error while it does not parse; the last apply's error. */
  #configError: string | undefined;
  #applyError: string | undefined;
  #rules = 0;
  #ipmasqEntries = 0;
  /** Set by stop(): a config poll already in flight must not re-add what failed-start removed. */
  #stopped = false;
  /** Applies run one at a time, in call order. */
  #queue: Promise<void> = Promise.resolve();

  constructor(opts: MasqueradeModuleOptions) {
    this.#opts = opts;
    this.#iptables = opts.iptables ?? hostIptables;
  }

  async start(): Promise<void> {
    if (!this.#opts.enabled) return;
    const path = this.#opts.ipMasqAgentConfig;
    if (path !== undefined) {
      const first = await readIpMasqAgentConfig(path);
      // With no good config yet, the empty one: only the native-routing CIDR stays unmasqueraded.
      this.#config = first.ok ? first.config : { ...EMPTY_CONFIG, nonMasqueradeCIDRs: [] };
      if (!first.ok) this.#configFailed(first.error);
      this.#watcher = new ConfigWatcher(path, (r) => this.#configChanged(r), this.#opts.configPollMs);
      await this.#watcher.start();
    }
    if (this.#bpf && (await removeIptablesLeftovers(this.#iptables).catch(() => false)))
      this.#opts.log('masquerade: eBPF mode: removed WAGGLE_POST_nat and its jump, left by an iptables run');
    // A ruleset that cannot be applied at start fails the module (and the agent's start).
    await this.#enqueue(true);
  }

  /** Re-applies the ruleset (the agent calls it when the PodCIDR becomes known). */
  refresh(): Promise<void> {
    if (!this.#opts.enabled || this.#stopped) return Promise.resolve();
    return this.#enqueue(false);
  }

  async stop(reason: StopReason): Promise<void> {
    this.#stopped = true;
    this.#watcher?.stop();
    this.#watcher = undefined;
    await this.#queue;
    if (!this.#opts.enabled || reason !== 'failed-start' || this.#bpf) return;
    const listing = await this.#iptables('iptables', ['-w', '5', '-t', 'nat', '-S', 'POSTROUTING']);
    await this.#iptables('iptables-restore', ['-w', '5', '--noflush'], removeInput(jumpLines(listing)));
    this.#rules = 0;
  }

  status(): MasqueradeStatus {
    const lastError = this.#applyError ?? this.#configError;
    const base = {
      nonMasqueradeCIDRs: [...(this.#config?.nonMasqueradeCIDRs ?? [])],
      ...(lastError !== undefined ? { lastError } : {}),
      rules: this.#rules,
    };
    if (!this.#opts.enabled) return { mode: 'disabled', ...base };
    if (!this.#bpf) return { mode: 'iptables', ...base };
    return {
      mode: 'bpf',
      ...base,
      devices: this.#opts.devices?.() ?? [],
      ...(this.#opts.nativeRoutingCidr !== undefined
        ? { nativeRoutingCidr: this.#opts.nativeRoutingCidr }
        : {}),
      ipmasqEntries: this.#ipmasqEntries,
    };
  }

  get #bpf(): boolean {
    return this.#opts.mode === 'bpf';
  }

  async #configChanged(result: Awaited<ReturnType<typeof readIpMasqAgentConfig>>): Promise<void> {
    if (!result.ok) {
      this.#configFailed(`${result.error} (keeping the last good config)`);
      return;
    }
    this.#config = result.config;
    this.#configError = undefined;
    this.#opts.log(
      `masquerade: ip-masq-agent config: nonMasqueradeCIDRs [${result.config.nonMasqueradeCIDRs.join(', ')}]`,
    );
    await this.refresh();
  }

  #enqueue(rethrow: boolean): Promise<void> {
    const next = this.#queue.then(() => this.#apply());
    this.#queue = next.catch(() => {});
    return next.catch((err) => {
      this.#applyError = errorLine(err);
      this.#opts.log(`masquerade: ${this.#applyError}`);
      if (rethrow) throw err;
    });
  }

  async #apply(): Promise<void> {
    if (this.#bpf) {
      const table = this.#opts.ipmasq?.();
      if (!table) throw new Error('masquerade: eBPF mode without the waggle_ipmasq_v4 map');
      this.#ipmasqEntries = syncIpmasq(table, ipmasqPrefixes(this.#config));
      this.#applyError = undefined;
      return;
    }
    const inputs = this.#inputs();
    if (!inputs) return; // no PodCIDR yet
    const jumps = jumpLines(await this.#iptables('iptables', ['-w', '5', '-t', 'nat', '-S', 'POSTROUTING']));
    await this.#iptables('iptables-restore', ['-w', '5', '--noflush'], applyInput(inputs, jumps.length > 0));
    this.#rules = chainRules(inputs).length;
    this.#applyError = undefined;
  }

  #inputs(): MasqueradeInputs | undefined {
    const pod = this.#opts.podCidr();
    if (pod === undefined) return undefined;
    const native = this.#opts.nativeRoutingCidr;
    const config = this.#config;
    return {
      podCidr: ipv4Cidr('PodCIDR', pod),
      nativeRoutingCidr: native === undefined ? undefined : ipv4Cidr('--ipv4-native-routing-cidr', native),
      // iptables holds IPv4 rules; the file's IPv6 CIDRs are for ip6tables, which waggle does not program.
      ipMasqAgent: config && {
        nonMasqueradeCIDRs: config.nonMasqueradeCIDRs.filter((c) => !c.includes(':')),
        masqLinkLocal: config.masqLinkLocal,
      },
    };
  }

  #configFailed(error: string): void {
    this.#configError = `ip-masq-agent config: ${error}`;
    this.#opts.log(`masquerade: ${this.#configError}`);
  }
}
