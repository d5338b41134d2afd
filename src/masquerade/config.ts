// The ip-masq-agent config file (Cilium's --ip-masq-agent-config-path, default
// /etc/config/ip-masq-agent, usually a ConfigMap volume): YAML or JSON with
// `nonMasqueradeCIDRs: [..]`, `masqLinkLocal: bool` and `masqLinkLocalIPv6: bool` (pkg/ipmasq).
// Parsing is strict — an unknown field or a bad CIDR is an error naming the field — and a
// missing or empty file is the empty config. The watcher polls content every 2 s rather than
// using inotify: editors and ConfigMap volumes replace the file by renaming, which an inotify
// watch on the old inode would miss; comparing content catches both.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { errorLine } from '../lib/errors.js';
import { formatPrefix, parsePrefix } from '../lib/ip.js';

export const DEFAULT_IP_MASQ_AGENT_CONFIG = '/etc/config/ip-masq-agent';

export interface IpMasqAgentConfig {
  /** Canonical CIDRs (network address), in file order, IPv4 and IPv6. */
  nonMasqueradeCIDRs: string[];
  masqLinkLocal: boolean;
  masqLinkLocalIPv6: boolean;
}

export type ConfigResult = { ok: true; config: IpMasqAgentConfig } | { ok: false; error: string };

export const EMPTY_CONFIG: IpMasqAgentConfig = {
  nonMasqueradeCIDRs: [],
  masqLinkLocal: false,
  masqLinkLocalIPv6: false,
};

// resyncInterval belongs to the Kubernetes ip-masq-agent's ConfigMap (the file is watched here,
// so it has no effect) and is accepted so that an existing ConfigMap applies unchanged.
const KNOWN_FIELDS = new Set(['nonMasqueradeCIDRs', 'masqLinkLocal', 'masqLinkLocalIPv6', 'resyncInterval']);

/** Parses the file's text; `source` (the path) starts every error. */
export function parseIpMasqAgentConfig(text: string, source: string): ConfigResult {
  const fail = (error: string): ConfigResult => ({ ok: false, error: `${source}: ${error}` });
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    return fail(`not YAML or JSON: ${errorLine(err)}`);
  }
  if (doc === null || doc === undefined)
    return { ok: true, config: { ...EMPTY_CONFIG, nonMasqueradeCIDRs: [] } };
  if (typeof doc !== 'object' || Array.isArray(doc)) return fail('the document must be a mapping');
  const fields = doc as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!KNOWN_FIELDS.has(key)) return fail(`${key}: unknown field (known: ${[...KNOWN_FIELDS].join(', ')})`);
  }
  const config: IpMasqAgentConfig = { ...EMPTY_CONFIG, nonMasqueradeCIDRs: [] };
  const cidrs = fields.nonMasqueradeCIDRs;
  if (cidrs !== undefined && cidrs !== null) {
    if (!Array.isArray(cidrs)) return fail('nonMasqueradeCIDRs: must be a list of CIDRs');
    for (const [i, item] of cidrs.entries()) {
      const field = `nonMasqueradeCIDRs[${i}]`;
      if (typeof item !== 'string')
        return fail(`${field}: must be a CIDR string, not ${JSON.stringify(item)}`);
      const parsed = parsePrefix(item);
      if (!parsed.ok) return fail(`${field}: "${item}": ${parsed.error}`);
      config.nonMasqueradeCIDRs.push(formatPrefix(parsed.prefix));
    }
  }
  if (fields.resyncInterval !== undefined && typeof fields.resyncInterval !== 'string')
    return fail(
      `resyncInterval: must be a duration string such as "60s", not ${JSON.stringify(fields.resyncInterval)}`,
    );
  for (const key of ['masqLinkLocal', 'masqLinkLocalIPv6'] as const) {
    const value = fields[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'boolean')
      return fail(`${key}: must be true or false, not ${JSON.stringify(value)}`);
    config[key] = value;
  }
  return { ok: true, config };
}

/** The file's text, or undefined when it does not exist (an absent ConfigMap key). */
async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function readIpMasqAgentConfig(path: string): Promise<ConfigResult> {
  try {
    const text = await readText(path);
    return text === undefined
      ? { ok: true, config: { ...EMPTY_CONFIG, nonMasqueradeCIDRs: [] } }
      : parseIpMasqAgentConfig(text, path);
  } catch (err) {
    return { ok: false, error: `${path}: ${errorLine(err)}` };
  }
}

/**
 * Polls the file and calls `onChange` with the new result whenever its content (or existence)
 * differs from the last poll. The first poll only records the content: the caller reads the
 * file itself at start.
 */
export class ConfigWatcher {
  readonly #path: string;
  readonly #intervalMs: number;
  readonly #onChange: (result: ConfigResult) => void | Promise<void>;
  #timer: NodeJS.Timeout | undefined;
  #last: string | undefined | null = null;
  #polling = false;

  constructor(path: string, onChange: (result: ConfigResult) => void | Promise<void>, intervalMs = 2000) {
    this.#path = path;
    this.#onChange = onChange;
    this.#intervalMs = intervalMs;
  }

  /** Records the current content as seen, then polls. */
  async start(): Promise<void> {
    this.#last = await readText(this.#path).catch(() => null);
    this.#timer = setInterval(() => void this.poll(), this.#intervalMs);
    this.#timer.unref();
  }

  /** One poll (also called by tests, so they need not wait for the interval). */
  async poll(): Promise<void> {
    if (this.#polling) return;
    this.#polling = true;
    try {
      let text: string | undefined;
      try {
        text = await readText(this.#path);
      } catch (err) {
        // An unreadable file is reported once per change of state, not every 2 s.
        if (this.#last !== null)
          await this.#onChange({ ok: false, error: `${this.#path}: ${errorLine(err)}` });
        this.#last = null;
        return;
      }
      if (text === this.#last) return;
      this.#last = text;
      await this.#onChange(
        text === undefined
          ? { ok: true, config: { ...EMPTY_CONFIG, nonMasqueradeCIDRs: [] } }
          : parseIpMasqAgentConfig(text, this.#path),
      );
    } finally {
      this.#polling = false;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
