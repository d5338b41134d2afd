// Which Ingresses waggle serves and whether one can be served, shared by the operator's ingress
// controller (src/ingresscontroller) and the agent's proxy (src/ingress). Class selection follows
// Cilium's operator/pkg/ingress: ingressClassName `cilium` (waggle's alias `waggle`), or no class
// when the IngressClass marked default (ingressclass.kubernetes.io/is-default-class) is ours.
import { DEFAULT_CLASS_ANNOTATION, type Ingress, type IngressBackend, type IngressClass } from './ingress.js';
import type { Secret } from './secret.js';
import type { Service } from './service.js';
import { tlsSecretProblem } from './tls-secret.js';

export const INGRESS_CLASS_NAMES: readonly string[] = ['cilium', 'waggle'];
/** The IngressClass controller names that mark a class as ours (Cilium's is io.cilium/ingress-controller). */
export const INGRESS_CONTROLLER_NAMES: readonly string[] = [
  'cilium.io/ingress-controller',
  'waggle.io/ingress-controller',
];
/** Node proxy ports (agent --ingress-http-port / --ingress-https-port; operator the same flags). */
export const DEFAULT_INGRESS_HTTP_PORT = 10080;
export const DEFAULT_INGRESS_HTTPS_PORT = 10443;
export const LB_MODE_ANNOTATION = 'ingress.cilium.io/loadbalancer-mode';

export function isOurIngress(ing: Ingress, classes: readonly IngressClass[]): boolean {
  const ours = (c: IngressClass) =>
    INGRESS_CLASS_NAMES.includes(c.metadata.name) ||
    INGRESS_CONTROLLER_NAMES.includes(c.spec.controller ?? '');
  const name = ing.spec.ingressClassName;
  if (name !== undefined) {
    if (INGRESS_CLASS_NAMES.includes(name)) return true;
    const cls = classes.find((c) => c.metadata.name === name);
    return cls !== undefined && ours(cls);
  }
  const def = classes.find((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
  return def !== undefined && ours(def);
}

export type LbMode = 'dedicated' | 'shared';

/** The annotation, else the cluster default (Cilium's ingressController.loadbalancerMode). */
export function lbModeOf(ing: Ingress, fallback: LbMode): LbMode | { error: string } {
  const v = ing.metadata.annotations?.[LB_MODE_ANNOTATION];
  if (v === undefined) return fallback;
  if (v === 'dedicated' || v === 'shared') return v;
  return { error: `annotation ${LB_MODE_ANNOTATION}: "${v}" is not dedicated or shared` };
}

export interface IngressWorld {
  service(namespace: string, name: string): Service | undefined;
  secret(namespace: string, name: string): Secret | undefined;
}

function backends(ing: Ingress): Array<{ path: string; backend: IngressBackend }> {
  const out: Array<{ path: string; backend: IngressBackend }> = [];
  if (ing.spec.defaultBackend) out.push({ path: 'spec.defaultBackend', backend: ing.spec.defaultBackend });
  (ing.spec.rules ?? []).forEach((r, i) => {
    (r.http?.paths ?? []).forEach((p, j) => {
      out.push({ path: `spec.rules[${i}].http.paths[${j}].backend`, backend: p.backend });
    });
  });
  return out;
}

/**
 * Every reason this Ingress cannot be served, each naming the field: a backend Service that
 * does not exist or has no such port, a TLS secret that is missing or not kubernetes.io/tls.
 * An empty list means it can be served as it is.
 */
export function ingressProblems(ing: Ingress, world: IngressWorld): string[] {
  const ns = ing.metadata.namespace ?? 'default';
  const problems: string[] = [];
  for (const { path, backend } of backends(ing)) {
    const { name, port } = backend.service;
    const svc = world.service(ns, name);
    if (!svc) {
      problems.push(`${path}.service.name: service ${ns}/${name} not found`);
      continue;
    }
    const ports = svc.spec.ports ?? [];
    const found = ports.some((p) =>
      port.number !== undefined ? p.port === port.number : p.name === port.name,
    );
    if (!found)
      problems.push(
        `${path}.service.port: service ${ns}/${name} has no port ${port.number ?? `named "${port.name}"`}`,
      );
  }
  (ing.spec.tls ?? []).forEach((t, i) => {
    if (!t.secretName) return;
    const s = world.secret(ns, t.secretName);
    if (!s) problems.push(`spec.tls[${i}].secretName: secret ${ns}/${t.secretName} not found`);
    else if (s.type !== 'kubernetes.io/tls')
      problems.push(
        `spec.tls[${i}].secretName: secret ${ns}/${t.secretName} has type ${s.type}, not kubernetes.io/tls`,
      );
    else {
      const bad = tlsSecretProblem(s);
      if (bad) problems.push(`spec.tls[${i}].secretName: secret ${ns}/${t.secretName}: ${bad}`);
    }
  });
  const mode = lbModeOf(ing, 'dedicated');
  if (typeof mode === 'object') problems.push(`metadata.annotations: ${mode.error}`);
  return problems;
}
