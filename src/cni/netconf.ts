// The network configuration on stdin (CNI spec section 1 and 3 "Deriving request configuration"):
// decoded (code 6), then checked field by field (code 7 naming the field, code 1 for a version
// waggle-cni does not speak).
import { CniCode } from '../api/cni-protocol.js';
import { CniError, invalidConfig } from './errors.js';
import { type CniVersion, requireSupported } from './versions.js';

export interface NetConf {
  cniVersion: CniVersion;
  name: string;
  type: string;
  socketPath?: string;
  mtu?: number;
  enableDebug: boolean;
  logFile?: string;
  prevResult?: Record<string, unknown>;
  /** From `args.cni.labels` (CNI CONVENTIONS.md) or `args.labels`; empty when none were given. */
  labels: Record<string, string>;
  /** GC only: `cni.dev/valid-attachments`. */
  validAttachments?: Array<{ containerId: string; ifname: string }>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** stdin as a JSON object, or code 6 (not JSON) / 7 (JSON, but not an object). */
export function decodeConfig(text: string): Json {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const why = text.trim() === '' ? 'stdin is empty' : (err as Error).message;
    throw new CniError(CniCode.DecodeFailure, `network config: not JSON: ${why}`);
  }
  if (!isObject(raw)) throw invalidConfig('(top level)', 'must be a JSON object');
  return raw;
}

// Network names: "alphanumeric, then alphanumeric, underscore, dot or hyphen" (CNI spec section 1).
const NETWORK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function parseNetConf(raw: Json): NetConf {
  const version = raw.cniVersion;
  if (version === undefined) throw invalidConfig('cniVersion', 'missing');
  if (typeof version !== 'string') throw invalidConfig('cniVersion', 'must be a string');
  const cniVersion = requireSupported(version);
  const name = requiredString(raw, 'name');
  if (!NETWORK_NAME.test(name))
    throw invalidConfig('name', `"${name}" must be alphanumeric, then [A-Za-z0-9_.-]`);
  const conf: NetConf = {
    cniVersion,
    name,
    type: requiredString(raw, 'type'),
    enableDebug: false,
    labels: {},
  };
  const socketPath = optionalPath(raw, 'socket-path');
  if (socketPath !== undefined) conf.socketPath = socketPath;
  const logFile = optionalPath(raw, 'log-file');
  if (logFile !== undefined) conf.logFile = logFile;
  if (raw.mtu !== undefined) {
    const mtu = raw.mtu;
    // 68 is the IPv4 minimum (RFC 791); 65535 the largest an IP packet can be.
    if (typeof mtu !== 'number' || !Number.isInteger(mtu) || mtu < 68 || mtu > 65535)
      throw invalidConfig('mtu', `${JSON.stringify(mtu)} must be an integer from 68 to 65535`);
    conf.mtu = mtu;
  }
  if (raw['enable-debug'] !== undefined) {
    if (typeof raw['enable-debug'] !== 'boolean')
      throw invalidConfig('enable-debug', 'must be true or false');
    conf.enableDebug = raw['enable-debug'];
  }
  if (raw.prevResult !== undefined) {
    if (!isObject(raw.prevResult)) throw invalidConfig('prevResult', 'must be an object');
    conf.prevResult = raw.prevResult;
  }
  conf.labels = parseLabels(raw.args);
  const valid = raw['cni.dev/valid-attachments'];
  if (valid !== undefined) conf.validAttachments = parseAttachments(valid);
  return conf;
}

function requiredString(raw: Json, field: string): string {
  const v = raw[field];
  if (v === undefined || v === '') throw invalidConfig(field, 'missing');
  if (typeof v !== 'string') throw invalidConfig(field, 'must be a string');
  return v;
}

function optionalPath(raw: Json, field: string): string | undefined {
  const v = raw[field];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || !v.startsWith('/'))
    throw invalidConfig(field, `${JSON.stringify(v)} must be an absolute path`);
  return v;
}

/** `args.cni.labels: [{key, value}]` (CONVENTIONS.md "args"), or `args.labels` as a map or the same list. */
function parseLabels(args: unknown): Record<string, string> {
  if (!isObject(args)) return {};
  const cni = isObject(args.cni) ? args.cni.labels : undefined;
  const [field, labels] = cni !== undefined ? ['args.cni.labels', cni] : ['args.labels', args.labels];
  if (labels === undefined) return {};
  const out: Record<string, string> = {};
  if (Array.isArray(labels)) {
    labels.forEach((l, i) => {
      if (!isObject(l) || typeof l.key !== 'string' || l.key === '' || typeof l.value !== 'string')
        throw invalidConfig(`${field}[${i}]`, 'must be {"key": string, "value": string}');
      out[l.key] = l.value;
    });
    return out;
  }
  if (!isObject(labels)) throw invalidConfig(field, 'must be a list of {key, value} or a map of strings');
  for (const [k, v] of Object.entries(labels)) {
    if (typeof v !== 'string') throw invalidConfig(`${field}.${k}`, 'must be a string');
    out[k] = v;
  }
  return out;
}

function parseAttachments(valid: unknown): Array<{ containerId: string; ifname: string }> {
  const field = 'cni.dev/valid-attachments';
  if (!Array.isArray(valid)) throw invalidConfig(field, 'must be a list');
  return valid.map((a, i) => {
    if (!isObject(a) || typeof a.containerID !== 'string' || typeof a.ifname !== 'string')
      throw invalidConfig(`${field}[${i}]`, 'must be {"containerID": string, "ifname": string}');
    return { containerId: a.containerID, ifname: a.ifname };
  });
}

/** The addresses of a prevResult (`ips[].address`), what CHECK asks the agent to confirm. */
export function prevResultAddresses(prev: Json): string[] {
  const ips = prev.ips;
  if (ips === undefined) return [];
  if (!Array.isArray(ips)) throw invalidConfig('prevResult.ips', 'must be a list');
  return ips.map((ip, i) => {
    if (!isObject(ip) || typeof ip.address !== 'string' || ip.address === '')
      throw invalidConfig(`prevResult.ips[${i}].address`, 'missing');
    return ip.address;
  });
}
