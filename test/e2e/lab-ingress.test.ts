// Ingress in the lab (issue #16, seed 001's ingressController.enabled=true): the jumpbox reaches
// nginx and whoami pods through the Ingress addresses the pool gives and the L2 policy
// announces, via the service LB and each node's HAProxy. One lab for the file: TLS from a
// kubernetes.io/tls Secret; config changes (a path, a scale-up, a certificate rotation) under
// wrk's keep-alive load with 0 failed requests; bad Ingresses refused with a condition while the
// others keep serving; two Ingresses sharing kube-system/cilium-ingress, routed by host and path.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
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
    assert.match(curl(`http://${VIP}/who`).body, /^Hostname: who-/m, '/who reaches whoami');
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
    process.stdout.write(`# wrk under changes: http ${JSON.stringify(http)}\n# https ${JSON.stringify(https)}\n`);
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
});
