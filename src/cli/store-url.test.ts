// Store selection order: --store, then WAGGLE_STORE, then the lab's store-url file, else the
// one-line "no store configured" message; malformed URLs are named.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseStoreUrl } from '../store/index.js';
import { noStoreMessage, resolveStoreUrl } from './store-url.js';

const dir = mkdtempSync(join(tmpdir(), 'waggle-url-'));
const labFile = join(dir, 'store-url');
const noLab = join(dir, 'absent');
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('--store wins over WAGGLE_STORE and the lab', () => {
  writeFileSync(labFile, 'etcd://10.0.0.1:2379\n');
  const env = { WAGGLE_STORE: 'etcd://10.0.0.2:2379' };
  assert.equal(resolveStoreUrl({ option: 'etcd://10.0.0.3:2379', env, labFile }), 'etcd://10.0.0.3:2379');
  assert.equal(resolveStoreUrl({ env, labFile }), 'etcd://10.0.0.2:2379');
  assert.equal(resolveStoreUrl({ env: {}, labFile }), 'etcd://10.0.0.1:2379');
});

test('with nothing configured the message says how to configure one', () => {
  assert.throws(() => resolveStoreUrl({ env: {}, labFile: noLab }), { message: noStoreMessage });
  assert.equal(
    noStoreMessage,
    'no store configured: pass --store etcd://HOST:PORT or set WAGGLE_STORE (or start the lab: waggle lab up)',
  );
});

test('store URLs: several endpoints, a prefix, a unix socket, memory; bad ones named', () => {
  assert.deepEqual(parseStoreUrl('etcd://127.0.0.1:2379,[::1]:2380'), {
    backend: 'etcd',
    endpoints: ['127.0.0.1:2379', '[::1]:2380'],
    prefix: '/waggle/',
  });
  assert.deepEqual(parseStoreUrl('etcd://h:1/team-a'), {
    backend: 'etcd',
    endpoints: ['h:1'],
    prefix: '/team-a/',
  });
  assert.deepEqual(parseStoreUrl('etcd+unix:///run/x/etcd.sock:2379'), {
    backend: 'etcd',
    endpoints: ['unix:///run/x/etcd.sock:2379'],
    prefix: '/waggle/',
  });
  assert.deepEqual(parseStoreUrl('etcd+unix:///run/a.sock:2379,/run/b.sock:2379'), {
    backend: 'etcd',
    endpoints: ['unix:///run/a.sock:2379', 'unix:///run/b.sock:2379'],
    prefix: '/waggle/',
  });
  assert.throws(
    () => parseStoreUrl('etcd+unix:///run/a.sock,b.sock'),
    /"b.sock" is not an absolute socket path/,
  );
  assert.deepEqual(parseStoreUrl('memory://'), { backend: 'memory' });
  assert.throws(() => parseStoreUrl('http://h:1'), /store URL "http:\/\/h:1": unknown scheme/);
  assert.throws(() => parseStoreUrl('etcd://h:99999'), /"h:99999" is not host:port/);
  assert.throws(() => resolveStoreUrl({ option: 'etcd://', env: {}, labFile: noLab }), /no host:port/);
});
