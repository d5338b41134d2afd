// The proxy's routing model, pure: Ingresses (ours and servable) × Services × EndpointSlices ×
// Secrets → virtual hosts with ordered routes, backends with servers, and certificates. Order
// follows the Ingress spec (k8s.io/api/networking/v1 HTTPIngressPath) as Cilium's Envoy
// translation does (operator/pkg/model/translation): a request picks one virtual host — exact
// host, then `*.suffix` wildcard, then the host-less rules — and within it the longest matching
// path, Exact before Prefix at equal length; nothing matching is a 404.
import {
  type EndpointSlice,
  type Ingress,
  type IngressBackend,
  type IngressClass,
  ingressProblems,
  isOurIngress,
  type Secret,
  type Service,
  SLICE_SERVICE_LABEL,
  TLS_CERT_KEY,
  TLS_KEY_KEY,
} from '../api/index.js';

export interface Route {
  path: string;
  /** ImplementationSpecific is served as Prefix, as Cilium does. */
  match: 'exact' | 'prefix';
  backend: string;
}
export interface VirtualHost {
  /** undefined = any host; `*.x.y` = one label under x.y. */
  host: string | undefined;
  routes: Route[];
}
export interface ProxyBackend {
  name: string;
  servers: Array<{ address: string; port: number }>;
}
export interface ProxyCert {
  name: string;
  /** PEM: certificate chain then key, as HAProxy's `crt` wants them in one file. */
  pem: string;
  hosts: string[];
}
export interface ProxyModel {
  vhosts: VirtualHost[];
  backends: ProxyBackend[];
  certs: ProxyCert[];
  /** Ingresses left out, with why (logged and shown in status). */
  skipped: Array<{ ingress: string; problems: string[] }>;
  ingresses: number;
}

export interface RouteInputs {
  ingresses: readonly Ingress[];
  classes: readonly IngressClass[];
  services: readonly Service[];
  slices: readonly EndpointSlice[];
  secrets: readonly Secret[];
}

const nsOf = (o: { metadata: { namespace?: string | undefined } }) => o.metadata.namespace ?? 'default';

/** Resolves a backend to servers: ready endpoints' addresses at the slice's target port, else the ClusterIP. */
function resolve(ns: string, b: IngressBackend, inp: RouteInputs): ProxyBackend {
  const svc = inp.services.find((s) => nsOf(s) === ns && s.metadata.name === b.service.name) as Service;
  const port = (svc.spec.ports ?? []).find((p) =>
    b.service.port.number !== undefined ? p.port === b.service.port.number : p.name === b.service.port.name,
  );
  const name = `${ns}_${svc.metadata.name}_${port?.port ?? 0}`;
  const slices = inp.slices.filter(
    (s) => nsOf(s) === ns && s.metadata.labels?.[SLICE_SERVICE_LABEL] === svc.metadata.name,
  );
  const servers: ProxyBackend['servers'] = [];
  for (const sl of slices) {
    if (sl.addressType !== 'IPv4') continue;
    const sp = (sl.ports ?? []).find((p) => (p.name ?? '') === (port?.name ?? ''));
    if (!sp?.port) continue;
    for (const ep of sl.endpoints) {
      if (ep.conditions.ready === false) continue;
      for (const a of ep.addresses) servers.push({ address: a, port: sp.port });
    }
  }
  if (slices.length === 0 && svc.spec.clusterIP && svc.spec.clusterIP !== 'None' && port)
    servers.push({ address: svc.spec.clusterIP, port: port.port });
  servers.sort((x, y) => `${x.address}:${x.port}`.localeCompare(`${y.address}:${y.port}`));
  return { name, servers };
}

function hostRank(h: string | undefined): number {
  return h === undefined ? 2 : h.startsWith('*.') ? 1 : 0;
}

export function proxyModel(inp: RouteInputs): ProxyModel {
  const world = {
    service: (ns: string, n: string) => inp.services.find((s) => nsOf(s) === ns && s.metadata.name === n),
    secret: (ns: string, n: string) => inp.secrets.find((s) => nsOf(s) === ns && s.metadata.name === n),
  };
  const vhosts = new Map<string, VirtualHost>();
  const backends = new Map<string, ProxyBackend>();
  const certs: ProxyCert[] = [];
  const skipped: ProxyModel['skipped'] = [];
  let served = 0;
  const ours = inp.ingresses
    .filter((i) => isOurIngress(i, inp.classes) && !i.metadata.deletionTimestamp)
    .sort((a, b) => `${nsOf(a)}/${a.metadata.name}`.localeCompare(`${nsOf(b)}/${b.metadata.name}`));
  for (const ing of ours) {
    const ns = nsOf(ing);
    const problems = ingressProblems(ing, world);
    if (problems.length > 0) {
      skipped.push({ ingress: `${ns}/${ing.metadata.name}`, problems });
      continue;
    }
    served++;
    const use = (b: IngressBackend) => {
      const be = resolve(ns, b, inp);
      backends.set(be.name, be);
      return be.name;
    };
    const vhost = (host: string | undefined) => {
      const key = host ?? '';
      let v = vhosts.get(key);
      if (!v) {
        v = { host, routes: [] };
        vhosts.set(key, v);
      }
      return v;
    };
    for (const rule of ing.spec.rules ?? [])
      for (const p of rule.http?.paths ?? [])
        vhost(rule.host).routes.push({
          path: p.path,
          match: p.pathType === 'Exact' ? 'exact' : 'prefix',
          backend: use(p.backend),
        });
    if (ing.spec.defaultBackend)
      vhost(undefined).routes.push({ path: '/', match: 'prefix', backend: use(ing.spec.defaultBackend) });
    (ing.spec.tls ?? []).forEach((t) => {
      const s = t.secretName ? world.secret(ns, t.secretName) : undefined;
      if (!s?.data) return;
      const crt = Buffer.from(s.data[TLS_CERT_KEY] ?? '', 'base64').toString();
      const key = Buffer.from(s.data[TLS_KEY_KEY] ?? '', 'base64').toString();
      const name = `${ns}_${s.metadata.name}`;
      const ensureNl = (x: string) => (x.endsWith('\n') ? x : `${x}\n`);
      if (!certs.some((c) => c.name === name))
        certs.push({ name, pem: ensureNl(crt) + ensureNl(key), hosts: t.hosts ?? [] });
    });
  }
  const sorted = [...vhosts.values()].sort(
    (a, b) => hostRank(a.host) - hostRank(b.host) || (a.host ?? '').localeCompare(b.host ?? ''),
  );
  for (const v of sorted)
    v.routes.sort(
      (a, b) =>
        b.path.length - a.path.length || (a.match === 'exact' ? -1 : 0) - (b.match === 'exact' ? -1 : 0),
    );
  return {
    vhosts: sorted,
    backends: [...backends.values()].sort((a, b) => a.name.localeCompare(b.name)),
    certs,
    skipped,
    ingresses: served,
  };
}
