// kubectl's columns for Ingress (NAME CLASS HOSTS ADDRESS PORTS AGE), IngressClass and Secret,
// as printIngress / printIngressClass / printSecret in kubernetes
// pkg/printers/internalversion/printers.go print them. A Secret shows how many keys it has,
// never their values.
import type { AnyObject, Ingress, IngressClass, Secret } from '../api/index.js';
import { age } from './format-age.js';
import type { Columns } from './format-columns.js';

/** HOSTS: the rules' hosts, `*` for a rule without one (kubectl's formatHosts, first 4 then `+ N more...`). */
export function ingressHosts(ing: Ingress): string {
  const hosts = (ing.spec.rules ?? []).map((r) => r.host ?? '*');
  if (hosts.length === 0) return '*';
  return hosts.length > 4 ? `${hosts.slice(0, 4).join(',')} + ${hosts.length - 4} more...` : hosts.join(',');
}

export function ingressAddress(ing: Ingress): string {
  return (ing.status?.loadBalancer?.ingress ?? [])
    .map((i) => i.ip ?? i.hostname ?? '')
    .filter((s) => s)
    .join(',');
}

/** PORTS: `80`, or `80, 443` when the Ingress has TLS (kubectl's formatPorts). */
export function ingressPorts(ing: Ingress): string {
  return (ing.spec.tls ?? []).length > 0 ? '80, 443' : '80';
}

export const ingresses: Columns<Ingress> = {
  headers: ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'],
  wideHeaders: [],
  row: (i, now) => [
    i.metadata.name,
    i.spec.ingressClassName ?? '<none>',
    ingressHosts(i),
    ingressAddress(i),
    ingressPorts(i),
    age(i.metadata.creationTimestamp, now),
  ],
  wide: () => [],
};

export const ingressClasses: Columns<IngressClass> = {
  headers: ['NAME', 'CONTROLLER', 'PARAMETERS', 'AGE'],
  wideHeaders: [],
  row: (c, now) => [
    c.metadata.name,
    c.spec.controller ?? '',
    '<none>',
    age(c.metadata.creationTimestamp, now),
  ],
  wide: () => [],
};

export const secrets: Columns<Secret> = {
  headers: ['NAME', 'TYPE', 'DATA', 'AGE'],
  wideHeaders: [],
  row: (s, now) => [
    s.metadata.name,
    s.type,
    String(Object.keys(s.data ?? {}).length),
    age(s.metadata.creationTimestamp, now),
  ],
  wide: () => [],
};

/** What `get -o yaml|json` prints of a Secret: every key, each value replaced by its size. */
export function redactSecret<T extends AnyObject>(o: T): T {
  if (o.kind !== 'Secret' || !o.data) return o;
  const data = Object.fromEntries(
    Object.entries(o.data).map(([k, v]) => [k, `<redacted: ${Buffer.from(v, 'base64').length} bytes>`]),
  );
  return { ...o, data };
}
