// Ingress in the lab (issue #16, seed 001's ingressController.enabled=true): the jumpbox reaches
// nginx and whoami pods through the Ingress addresses the pool gives and the L2 policy
// announces, via the service LB and each node's HAProxy. One lab for the file: TLS from a
// kubernetes.io/tls Secret; config changes (a path, a scale-up, a certificate rotation) under
// wrk's keep-alive load with 0 failed requests; bad Ingresses refused with a condition while the
// others keep serving; two Ingresses sharing kube-system/cilium-ingress, routed by host and path.
import assert from 'node:assert/strict';
import type { WrkRun } from '../../src/testing/wrk.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sh } from '../../src/testing/exec.js';
import { leftovers, waggle } from './lab-helpers.js';
import {
  acceptedOf,
  addressOf,
  apply,
  type Cert,
  curl,
  generations,
  getJson,
  ingress,
  proxyErrors,
  prefix,
  selfSigned,
  sleep,
  tlsSecret,
  until,
  WHO,
  wrk,
} from './lab-ingress-tools.js';

const VIP = '10.0.10.0';
const HOST = 'nginx.waggle.test';
const WELCOME = /<title>Welcome to nginx!<\/title>/;
const examples = join(process.cwd(), 'examples', 'seed');
const dir = mkdtempSync(join(tmpdir(), 'waggle-lab-ingress-'));
let certs: Cert[] = [];

/** curl verifying the served certificate against `cert` (so it proves which one is served). */
const verified = (cert: Cert) =>
  curl(`https://${HOST}/`, ['--cacert', cert.file, '--resolve', `${HOST}:443:${VIP}`]);

describe('ingress in the lab: TLS, routing, changes under load, bad input', { timeout: 300_000 }, () => {
  before(async () => {
    waggle(['lab', 'down']);
    const up = waggle(['lab', 'up'], 240_000);
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    certs = [selfSigned(dir, 'v1', HOST), selfSigned(dir, 'v2', HOST)];
    for (const f of [
      'lb.yaml',
      'l2.yaml',
      'nginx-deployment.yaml',
      'nginx-service.yaml',
      'basic-ingress.yaml',
    ])
      assert.equal(waggle(['apply', '-f', join(examples, f)]).code, 0, `${f} applied`);
    apply(WHO);
    await until(
      `nginx's page at http://${VIP}/`,
      () => (WELCOME.test(curl(`http://${VIP}/`).body) ? 1 : undefined),
      90_000,
    );
    assert.equal(addressOf('basic-ingress'), VIP);
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    const down = waggle(['lab', 'down']);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(leftovers(), []);
  });

  test('TLS: a kubernetes.io/tls Secret in basic-ingress’s tls serves https on the same address', async () => {
    const [v1] = certs as [Cert];
    apply([tlsSecret('basic-ingress-tls', v1.crt, v1.key)]);
    assert.equal(waggle(['apply', '-f', join(examples, 'basic-ingress-tls.yaml')]).code, 0);
    await until('https on 10.0.10.0', () =>
      WELCOME.test(curl(`https://${VIP}/`, ['-k']).body) ? 1 : undefined,
    );
    assert.match(verified(v1).body, WELCOME, 'the served certificate is the Secret’s');
    assert.equal(addressOf('basic-ingress'), VIP, 'the address stays');
    const row = waggle(['get', 'ingress', 'basic-ingress']).stdout;
    assert.match(row, /basic-ingress\s+cilium\s+\*\s+10\.0\.10\.0\s+80, 443\s/);
    assert.match(curl(`http://${VIP}/`).body, WELCOME, 'http still served');
  });

  test('changes under wrk: a path added, nginx scaled up, the certificate rotated — 0 failed requests', async () => {
    const [v1, v2] = certs as [Cert, Cert];
    const gen0 = await generations();
    const loads = [wrk(`http://${VIP}/`, 20), wrk(`https://${VIP}/`, 20)];
    const waitReload = async (what: string, from: number[]) => {
      for (const end = Date.now() + 15_000; Date.now() < end; await sleep(200)) {
        const g = await generations();
        if (g.every((x, i) => x > (from[i] ?? 0))) return g;
      }
      assert.fail(`not every node reloaded after ${what}`);
    };
    await sleep(2000);
    let g = gen0;
    // 1. A path: /who to whoami, beside / to nginx.
    apply([
      ingress('basic-ingress', {
        tls: [{ secretName: 'basic-ingress-tls' }],
        rules: [{ http: { paths: [prefix('/', 'nginx'), prefix('/who', 'who')] } }],
      }),
    ]);
    g = await waitReload('the new path', g);
    // The generation moves when the master is signalled; the old worker may take a connection or
    // two until the new one has started, so the new route is polled for.
    await until(
      '/who reaching whoami',
      () => (/^Hostname: who-/m.test(curl(`http://${VIP}/who`).body) ? 1 : undefined),
      10_000,
    );
    // 2. nginx 1 → 3 replicas: the new pods' endpoints join the proxies' backends.
    assert.equal(waggle(['scale', 'deployment', 'nginx', '--replicas', '3']).code, 0);
    await until('3 ready nginx endpoints', () => {
      const s = getJson<{ items: Array<{ endpoints: Array<{ conditions: { ready?: boolean } }> }> }>([
        'endpointslices',
        '-l',
        'kubernetes.io/service-name=nginx',
      ]);
      const ready = (s?.items ?? []).flatMap((x) => x.endpoints).filter((e) => e.conditions.ready !== false);
      return ready.length === 3 ? 1 : undefined;
    });
    g = await waitReload('the scale-up', g);
    // 3. The certificate: v1 → v2 in the same Secret.
    apply([tlsSecret('basic-ingress-tls', v2.crt, v2.key)]);
    g = await waitReload('the rotation', g);
    await until('the v2 certificate served', () => (WELCOME.test(verified(v2).body) ? 1 : undefined), 10_000);
    assert.notEqual(verified(v1).code, '200', 'v1 no longer verifies');
    const [http, https] = await Promise.all(loads);
    const brief = (w: WrkRun | undefined) => JSON.stringify({ ...w, raw: undefined });
    process.stdout.write(`# wrk under changes: http ${brief(http)}\n# https ${brief(https)}\n`);
    for (const [name, r] of [
      ['http', http],
      ['https', https],
    ] as const) {
      assert.ok(r && r.requests > 1000, `${name}: ${r?.requests} requests`);
      assert.deepEqual(
        { socketErrors: r.socketErrors, non2xx: r.non2xx },
        { socketErrors: { connect: 0, read: 0, write: 0, timeout: 0 }, non2xx: 0 },
        `${name}: ${r.requests} requests, none may fail`,
      );
    }
    assert.ok(
      g.every((x, i) => x >= (gen0[i] ?? 0) + 3),
      `three reloads on every node: ${gen0} → ${g}`,
    );
    assert.deepEqual(await proxyErrors(), []);
  });

  test('bad Ingresses: each refused with a reason naming the field; the others keep serving and changing', async () => {
    const badPath = ingress('bad-path', {
      rules: [{ http: { paths: [{ ...prefix('/', 'nginx'), pathType: 'Regex' }] } }],
    });
    const r = sh(process.execPath, ['bin/waggle.js', 'apply', '-f', '-'], {
      input: JSON.stringify(badPath),
      allowFail: true,
    });
    assert.notEqual(r.code, 0, 'a bad pathType is refused at apply');
    assert.match(r.stderr, /bad-path.*spec\.rules\[0\]\.http\.paths\[0\]\.pathType/s);
    assert.equal(getJson(['ingress', 'bad-path']), undefined, 'nothing stored');
    const host = (h: string, svc: string, tls?: string) => ({
      ...(tls ? { tls: [{ hosts: [h], secretName: tls }] } : {}),
      rules: [{ host: h, http: { paths: [prefix('/', svc)] } }],
    });
    apply([
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'plain' }, stringData: { a: 'b' } },
      tlsSecret('junk-tls', 'not a certificate', 'not a key'),
      ingress('bad-backend', host('bad.waggle.test', 'missing')),
      ingress('bad-opaque', host('o.waggle.test', 'nginx', 'plain')),
      ingress('bad-junk', host('j.waggle.test', 'nginx', 'junk-tls')),
    ]);
    const want: Record<string, string> = {
      'bad-backend': 'spec.rules[0].http.paths[0].backend.service.name: service default/missing not found',
      'bad-opaque': 'spec.tls[0].secretName: secret default/plain has type Opaque, not kubernetes.io/tls',
      'bad-junk': 'spec.tls[0].secretName: secret default/junk-tls: tls.crt is not a PEM certificate',
    };
    for (const [name, message] of Object.entries(want)) {
      const c = await until(`${name}'s Accepted condition`, () => acceptedOf(name));
      assert.deepEqual(
        { status: c.status, reason: c.reason, message: c.message },
        { status: 'False', reason: 'Invalid', message },
      );
      assert.equal(getJson(['svc', `cilium-ingress-${name}`]), undefined, `no Service for ${name}`);
    }
    assert.match(
      waggle(['lab', 'logs', 'operator', '-n', '200']).stdout,
      /ingress: default\/bad-junk refused: spec\.tls\[0\]/,
    );
    assert.equal(acceptedOf('basic-ingress')?.status, 'True');
    assert.match(curl(`http://${VIP}/`).body, WELCOME);
    assert.match(curl(`https://${VIP}/`, ['-k']).body, WELCOME);
    // The junk certificate never reaches haproxy -c, so it holds back no other Ingress's change.
    apply([
      ingress('basic-ingress', {
        tls: [{ secretName: 'basic-ingress-tls' }],
        rules: [{ http: { paths: [prefix('/', 'nginx'), prefix('/who', 'who'), prefix('/api', 'who')] } }],
      }),
    ]);
    await until(
      '/api served',
      () => (/^Hostname: who-/m.test(curl(`http://${VIP}/api`).body) ? 1 : undefined),
      10_000,
    );
    assert.deepEqual(await proxyErrors(), []);
  });

  test('two Ingresses in shared mode: one address (kube-system/cilium-ingress), routed by host and path', async () => {
    const shared = { 'ingress.cilium.io/loadbalancer-mode': 'shared' };
    const exact = { ...prefix('/api/v1', 'who'), pathType: 'Exact' };
    apply([
      ingress(
        'site-nginx',
        { rules: [{ host: 'nginx.waggle.test', http: { paths: [prefix('/', 'nginx')] } }] },
        shared,
      ),
      ingress(
        'site-who',
        { rules: [{ host: 'who.waggle.test', http: { paths: [prefix('/who', 'who'), exact] } }] },
        shared,
      ),
    ]);
    const ip = await until('both Ingresses on the shared Service’s address', () => {
      const svc = getJson<{ status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } } }>([
        'svc',
        'cilium-ingress',
        '-n',
        'kube-system',
      ]);
      const a = svc?.status?.loadBalancer?.ingress?.[0]?.ip;
      return a && addressOf('site-nginx') === a && addressOf('site-who') === a ? a : undefined;
    });
    assert.notEqual(ip, VIP, 'not basic-ingress’s dedicated address');
    assert.equal(getJson(['svc', 'cilium-ingress-site-nginx']), undefined, 'no dedicated Service');
    const at = (h: string, path: string) =>
      until(`${h}${path} via ${ip}`, () => {
        const res = curl(`http://${ip}${path}`, ['-H', `Host: ${h}`]);
        return res.code === '000' ? undefined : res;
      });
    assert.match((await at('nginx.waggle.test', '/')).body, WELCOME);
    assert.match((await at('who.waggle.test', '/who/x')).body, /^Hostname: who-/m);
    assert.match((await at('who.waggle.test', '/api/v1')).body, /^GET \/api\/v1 HTTP/m);
    assert.equal((await at('who.waggle.test', '/api/v1/x')).code, '404', 'Exact: not a prefix');
    assert.equal((await at('who.waggle.test', '/')).code, '404', 'the host matched, no path did');
    // One HAProxy frontend per node serves every Ingress: a host no rule names falls to the
    // host-less rules, basic-ingress's, on any ingress address (Cilium isolates listeners).
    assert.match((await at('unknown.waggle.test', '/')).body, WELCOME);
    assert.equal(waggle(['delete', 'ingress', 'basic-ingress']).code, 0);
    await until('cilium-ingress-basic-ingress deleted', () =>
      getJson(['svc', 'cilium-ingress-basic-ingress']) ? undefined : 1,
    );
    await until(
      'an unknown host gets 404',
      () => (curl(`http://${ip}/`, ['-H', 'Host: unknown.waggle.test']).code === '404' ? 1 : undefined),
      10_000,
    );
    assert.match(
      curl(`http://${ip}/`, ['-H', 'Host: unknown.waggle.test']).body,
      /404 Not Found \(waggle ingress\)/,
    );
    assert.match(curl(`http://${ip}/`, ['-H', 'Host: nginx.waggle.test']).body, WELCOME);
    // Broken later, an Ingress is refused and its rules leave the proxies; its neighbour on the
    // shared address keeps serving, and the shared Service stays.
    apply([
      ingress(
        'site-who',
        { rules: [{ host: 'who.waggle.test', http: { paths: [prefix('/who', 'gone')] } }] },
        shared,
      ),
    ]);
    await until('site-who refused', () => (acceptedOf('site-who')?.status === 'False' ? 1 : undefined));
    await until(
      'site-who’s rules gone from the proxies',
      () => (curl(`http://${ip}/who/x`, ['-H', 'Host: who.waggle.test']).code === '404' ? 1 : undefined),
      10_000,
    );
    assert.match(curl(`http://${ip}/`, ['-H', 'Host: nginx.waggle.test']).body, WELCOME);
    assert.equal(addressOf('site-who'), ip, 'the refused Ingress keeps its address');
  });
});
