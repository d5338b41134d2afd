import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderCrtList, renderHaproxyConfig } from './haproxy-config.js';
import type { ProxyModel } from './routes.js';

const opts = {
  addresses: ['192.168.56.50'],
  httpPort: 10080,
  httpsPort: 10443,
  adminSocket: '/run/x/admin.sock',
  crtList: '/run/x/crt-list',
  certDir: '/run/x/certs',
};

const model: ProxyModel = {
  vhosts: [
    {
      host: 'foo.example.com',
      routes: [
        { path: '/api/', match: 'prefix', backend: 'default_b_80' },
        { path: '/', match: 'prefix', backend: 'default_a_80' },
      ],
    },
    { host: '*.example.com', routes: [{ path: '/x', match: 'exact', backend: 'default_a_80' }] },
  ],
  backends: [
    { name: 'default_a_80', servers: [{ address: '10.200.0.5', port: 8080 }] },
    { name: 'default_b_80', servers: [] },
  ],
  certs: [],
  skipped: [],
  ingresses: 1,
};

test('routes: host chosen once, element-wise Prefix, Exact, 404 default, no https bind without certs', () => {
  const text = renderHaproxyConfig(model, opts);
  const lines = text.split('\n').map((l) => l.trim());
  assert.ok(lines.includes('bind 192.168.56.50:10080'));
  assert.ok(!text.includes(':10443'));
  assert.ok(
    lines.includes(
      'http-request set-var(txn.vh) int(0) if !{ var(txn.vh) -m found } { var(txn.host) -m str foo.example.com }',
    ),
  );
  assert.ok(
    lines.includes(
      'http-request set-var(txn.vh) int(1) if !{ var(txn.vh) -m found } { var(txn.host) -m reg ^[^.]+\\.example\\.com$ }',
    ),
  );
  assert.ok(
    lines.includes(
      'use_backend default_b_80 if { var(txn.vh) -m int 0 } { path -m str /api } || { var(txn.vh) -m int 0 } { path -m beg /api/ }',
    ),
  );
  assert.ok(lines.includes('use_backend default_a_80 if { var(txn.vh) -m int 0 }'));
  assert.ok(lines.includes('use_backend default_a_80 if { var(txn.vh) -m int 1 } { path -m str /x }'));
  assert.ok(lines.includes('default_backend not_found'));
  assert.ok(lines.includes('server s0 10.200.0.5:8080'));
  assert.ok(lines.includes('option forwardfor'));
  // Same model, same bytes: an unchanged world never reloads.
  assert.equal(renderHaproxyConfig(model, opts), text);
});

test('certificates: an ssl bind on the https port and a crt-list with SNI filters', () => {
  const m = { ...model, certs: [{ name: 'default_tls', pem: 'x', hosts: ['foo.example.com'] }] };
  assert.ok(renderHaproxyConfig(m, opts).includes('bind 192.168.56.50:10443 ssl crt-list /run/x/crt-list'));
  assert.equal(renderCrtList(m, '/run/x/certs'), '/run/x/certs/default_tls.pem foo.example.com\n');
});

test('the rendered config passes haproxy -c (the real binary)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'waggle-haproxy-'));
  try {
    const path = join(dir, 'haproxy.cfg');
    writeFileSync(
      path,
      renderHaproxyConfig(model, { ...opts, addresses: ['127.0.0.1'], adminSocket: join(dir, 'a.sock') }),
    );
    execFileSync('haproxy', ['-c', '-q', '-f', path]);
    writeFileSync(
      path,
      `${renderHaproxyConfig(model, opts)}\nbackend broken\n  server s0 not-an-address:x\n`,
    );
    assert.throws(() => execFileSync('haproxy', ['-c', '-q', '-f', path], { stdio: 'pipe' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
