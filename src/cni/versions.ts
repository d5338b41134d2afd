// The CNI spec versions waggle-cni speaks, and what each allows. 0.1.0/0.2.0 are left out: their
// result has no `interfaces` list, so the runtime could not learn the pod's interface (Cilium still
// accepts them; nothing current sends them).
import { CniCode } from '../api/cni-protocol.js';
import { CniError } from './errors.js';

export const SUPPORTED_VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;
export type CniVersion = (typeof SUPPORTED_VERSIONS)[number];
export const LATEST_VERSION: CniVersion = '1.1.0';

export function isSupported(v: unknown): v is CniVersion {
  return typeof v === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(v);
}

/** The requested version, or code 1 naming it and what is supported. */
export function requireSupported(v: string): CniVersion {
  if (isSupported(v)) return v;
  throw new CniError(
    CniCode.IncompatibleVersion,
    `network config: cniVersion: "${v}" is not supported (supported: ${SUPPORTED_VERSIONS.join(', ')})`,
  );
}

const order = (v: CniVersion) => SUPPORTED_VERSIONS.indexOf(v);

export function atLeast(v: CniVersion, min: CniVersion): boolean {
  return order(v) >= order(min);
}

/** `ips[].version` was removed from the result in spec 1.0.0. */
export const ipsCarryVersion = (v: CniVersion) => !atLeast(v, '1.0.0');

/** `interfaces[].mtu` arrived in spec 1.1.0. */
export const interfacesCarryMtu = (v: CniVersion) => atLeast(v, '1.1.0');

/** The lowest version that has the command, for the ones that came later; undefined for the rest. */
export const COMMAND_SINCE: Record<string, CniVersion> = { CHECK: '0.4.0', STATUS: '1.1.0', GC: '1.1.0' };

export function requireCommandVersion(command: string, v: CniVersion): void {
  const since = COMMAND_SINCE[command];
  if (since && !atLeast(v, since))
    throw new CniError(
      CniCode.IncompatibleVersion,
      `network config: cniVersion: ${command} needs cniVersion ${since} or later, got ${v}`,
    );
}
