// Renders the proxy model as one haproxy.cfg, pure (the same model gives the same bytes, so an
// unchanged world never reloads). Host selection sets txn.vh once, most specific first; routes of
// that host are then tried longest path first; no match returns 404 as Cilium's Envoy does.
// Prefix paths match element-wise (`/foo` matches `/foo` and `/foo/bar`, not `/foobar`), per the
// Ingress spec. References: HAProxy 2.6 configuration manual (docs.haproxy.org/2.6/configuration.html).
import type { ProxyModel, Route, VirtualHost } from './routes.js';

export interface RenderOptions {
  /** Addresses to listen on (the node's); `*` for all. */
  addresses: string[];
  httpPort: number;
  httpsPort: number;
  /** The runtime API socket, also how a new worker takes the listeners (expose-fd listeners). */
  adminSocket: string;
  /** crt-list file for the https bind; present only when there are certificates. */
  crtList: string;
  /** Directory where the certificate files (0600) are written. */
  certDir: string;
}

function hostCond(v: VirtualHost): string {
  if (v.host === undefined) return '';
  if (v.host.startsWith('*.')) {
    // One DNS label, then the suffix (Ingress wildcard semantics).
    const suffix = v.host.slice(1).replace(/\./g, '\\.');
    return ` { var(txn.host) -m reg ^[^.]+${suffix}$ }`;
  }
  return ` { var(txn.host) -m str ${v.host} }`;
}

function pathCond(r: Route): string {
  if (r.match === 'exact') return `{ path -m str ${r.path} }`;
  const p = r.path.replace(/\/+$/, '');
  if (p === '') return '';
  return `{ path -m str ${p} } || { path -m beg ${p}/ }`;
}

function bindLines(o: RenderOptions, port: number, extra: string): string[] {
  return o.addresses.map((a) => `  bind ${a === '*' ? '' : a}:${port}${extra}`);
}

export function renderHaproxyConfig(m: ProxyModel, o: RenderOptions): string {
  const out: string[] = [
    '# Rendered by the waggle agent (src/ingress); replaced on every change.',
    'global',
    `  stats socket ${o.adminSocket} mode 600 level admin expose-fd listeners`,
    '  log stderr format short local0 notice',
    // A reload soft-stops the old worker; this bounds how long it may finish its requests (the
    // same bound as the client and server timeouts, so a reload never cuts a request shorter
    // than they would) and so how many old workers frequent reloads can leave behind.
    '  hard-stop-after 60s',
    '',
    'defaults',
    '  mode http',
    '  log global',
    '  option httplog',
    '  option forwardfor',
    // Since 2.4 a soft-stopping worker closes idle keep-alive connections at once; a client that
    // sends its next request on one just then sees the connection closed with no answer (wrk
    // counted 12 read errors in 117k requests over three reloads in the lab). With this option
    // the old worker waits for that next request and answers it with "Connection: close", as
    // HAProxy did before 2.4 (configuration manual, "option idle-close-on-response"); idle
    // connections then end at the keep-alive timeout, within hard-stop-after.
    '  option idle-close-on-response',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-keep-alive 5s',
    '',
    'frontend ingress',
    ...bindLines(o, o.httpPort, ''),
  ];
  if (m.certs.length > 0) out.push(...bindLines(o, o.httpsPort, ` ssl crt-list ${o.crtList}`));
  out.push(
    '  http-request set-var(txn.host) req.hdr(host),field(1,:),lower',
    '  http-request set-header X-Forwarded-Proto https if { ssl_fc }',
    '  http-request set-header X-Forwarded-Proto http if !{ ssl_fc }',
  );
  m.vhosts.forEach((v, i) => {
    out.push(`  http-request set-var(txn.vh) int(${i}) if !{ var(txn.vh) -m found }${hostCond(v)}`);
  });
  m.vhosts.forEach((v, i) => {
    for (const r of v.routes) {
      const pc = pathCond(r);
      const vh = `{ var(txn.vh) -m int ${i} }`;
      // HAProxy conditions: AND binds tighter than ||, so the vhost test is repeated per term.
      const cond =
        pc === ''
          ? vh
          : pc
              .split(' || ')
              .map((t) => `${vh} ${t}`)
              .join(' || ');
      out.push(`  use_backend ${r.backend} if ${cond}`);
    }
  });
  out.push('  default_backend not_found', '');
  out.push(
    'backend not_found',
    '  http-request return status 404 content-type text/plain string "404 Not Found (waggle ingress)\\n"',
    '',
  );
  for (const b of m.backends) {
    out.push(`backend ${b.name}`, '  balance roundrobin');
    if (b.servers.length === 0)
      out.push('  http-request return status 503 content-type text/plain string "no ready endpoints\\n"');
    b.servers.forEach((s, i) => {
      out.push(`  server s${i} ${s.address}:${s.port}`);
    });
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

/** The crt-list: one certificate file per line, with the TLS hosts it serves as SNI filters. */
export function renderCrtList(m: ProxyModel, certDir: string): string {
  return m.certs
    .map((c) => `${certDir}/${c.name}.pem${c.hosts.length > 0 ? ` ${c.hosts.join(' ')}` : ''}\n`)
    .join('');
}
