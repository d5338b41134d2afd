// When two services may hold the same IP (Cilium's operator/pkg/lbipam/lbipam.go, the sharing-key checks). Returns the reason they may not, in
// Cilium's words, or undefined when they may.
import type { ServiceView } from './service-view.js';

function permitsNamespace(a: ServiceView, b: ServiceView): boolean {
  if (a.namespace === b.namespace) return true;
  const allows = (s: ServiceView, ns: string) =>
    s.crossNamespace.includes('*') || s.crossNamespace.includes(ns);
  // The annotation must be on both services.
  return allows(a, b.namespace) && allows(b, a.namespace);
}

function sameSelector(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length === 0 || ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => b[k] === a[k]);
}

export function incompatibility(a: ServiceView, b: ServiceView): string | undefined {
  if (a.sharingKey === '' || a.sharingKey !== b.sharingKey) return 'different sharing key';
  if (!permitsNamespace(a, b)) return 'different and not permitted namespace';
  // The datapath cannot tell protocols apart, so any common port number forbids sharing.
  if (a.ports.some((p) => b.ports.includes(p))) return 'same port';
  if (a.etp !== b.etp) return 'different ExternalTrafficPolicy';
  if (a.etp === 'Local' && !sameSelector(a.selector, b.selector)) {
    return 'compatible ExternalTrafficPolicy local but selecting different set of pods';
  }
  return undefined;
}

/** Checked against every member of the sharing cluster; the first incompatibility wins. */
export function incompatibilityWithAll(sv: ServiceView, members: Iterable<ServiceView>): string | undefined {
  for (const m of members) {
    if (m.key === sv.key) continue;
    const why = incompatibility(sv, m);
    if (why) return why;
  }
  return undefined;
}
