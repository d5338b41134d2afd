// Which interfaces are the agent's native devices: the --devices patterns if given, else every
// up, non-loopback Ethernet device with a usable (not link-local) address that is not one of our
// own (endpoint veths lxc*, and cilium_/waggle_ internal devices). Link-local addresses do not
// count: the kernel gives every up interface an fe80:: address, so counting it would select them
// all (found by select.test.ts on a real namespace).
import type { Device } from './discover.js';
import { errorMessage } from '../../lib/errors.js';

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
      throw new Error(`--devices "${p}": ${errorMessage(err)}`);
    }
  });
}

/** fe80::/10 and 169.254.0.0/16: present on any up link, routable nowhere. */
export function isLinkLocal(addr: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(addr) || addr.startsWith('169.254.');
}

export function selectNativeDevices(all: Device[], patterns: RegExp[] | undefined): Device[] {
  const eligible = all.filter((d) => !d.loopback && d.mac !== '' && d.mac !== '00:00:00:00:00:00');
  if (patterns && patterns.length > 0) return eligible.filter((d) => patterns.some((r) => r.test(d.name)));
  return eligible.filter((d) => d.up && d.addresses.some((a) => !isLinkLocal(a)) && !OURS.test(d.name));
}
