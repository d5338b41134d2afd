// Which interfaces are the agent's native devices: the --devices patterns if given, else every
// up, non-loopback Ethernet device with an address that is not one of our own (endpoint veths
// lxc*, and cilium_/waggle_ internal devices).
import type { Device } from './discover.js';

const OURS = /^(lxc|cilium_|waggle_)/;

/**
 * Compiles --devices entries. Like Cilium, a trailing "+" is a prefix wildcard ("eth+");
 * anything else is a regular expression matched against the whole name.
 */
export function compileDevicePatterns(patterns: string[]): RegExp[] {
  return patterns.map((p) => {
    const prefix = /^[\w.-]+\+$/.test(p);
    try {
      return prefix ? new RegExp(`^${p.slice(0, -1).replace(/\./g, '\\.')}`) : new RegExp(`^(?:${p})$`);
    } catch (err) {
      throw new Error(`--devices "${p}": ${err instanceof Error ? err.message : String(err)}`);
    }
  });
}

export function selectNativeDevices(all: Device[], patterns: RegExp[] | undefined): Device[] {
  const eligible = all.filter((d) => !d.loopback && d.mac !== '' && d.mac !== '00:00:00:00:00:00');
  if (patterns && patterns.length > 0) return eligible.filter((d) => patterns.some((r) => r.test(d.name)));
  return eligible.filter((d) => d.up && d.addresses.length > 0 && !OURS.test(d.name));
}
