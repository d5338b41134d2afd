// The bad-manifest corpus (test/fixtures/manifests/bad/*.yaml, each with its expected message
// in a sidecar .expect file) applied through the real CLI to a real etcd that already holds
// the seed objects: each must fail with exactly its message and leave every key, every value
// and the etcd revision unchanged.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EtcdStore } from '../store/index.js';
import { startEtcd, type TestEtcd } from '../testing/etcd.js';
import { dumpEtcd, waggle } from './cli-harness.js';

const badDir = 'test/fixtures/manifests/bad';
const corpus = readdirSync(badDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

let etcd: TestEtcd;
let store: EtcdStore;
let scratch: string;

before(async () => {
  etcd = await startEtcd();
  store = new EtcdStore({ endpoints: etcd.endpoints });
  scratch = mkdtempSync(join(tmpdir(), 'waggle-bad-'));
  const seeded = waggle(['--store', etcd.url, 'apply', '-f', 'test/fixtures/manifests/seed']);
  assert.equal(seeded.code, 0, seeded.stderr);
});
after(async () => {
  await store?.close();
  await etcd?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function assertRefused(args: string[], expected: string, input?: string): Promise<void> {
  const before = await dumpEtcd(store.client);
  assert.ok(Object.keys(before.kvs).length >= 3, 'the store holds the seed objects');
  const run = waggle(['--store', etcd.url, ...args], input === undefined ? {} : { input });
  assert.equal(run.code, 1);
  assert.equal(run.stderr, `waggle: ${expected}\n`);
  assert.equal(run.stdout, '');
  assert.deepEqual(await dumpEtcd(store.client), before);
}

test('the corpus has at least 30 bad manifests, each with an expected message', () => {
  assert.ok(corpus.length >= 30, `${corpus.length} files`);
  for (const f of corpus)
    assert.ok(readFileSync(join(badDir, f.replace(/\.yaml$/, '.expect')), 'utf8').trim());
});

for (const file of corpus) {
  test(`bad manifest ${file}: its message, and the store unchanged`, async () => {
    const expected = readFileSync(join(badDir, file.replace(/\.yaml$/, '.expect')), 'utf8').trim();
    await assertRefused(['apply', '-f', join(badDir, file)], expected);
  });
}

test('a 10 MB file is refused before parsing, and the store is unchanged', async () => {
  const big = join(scratch, 'big.yaml');
  const filler = `# ${'x'.repeat(1021)}\n`;
  writeFileSync(
    big,
    `${readFileSync('test/fixtures/manifests/seed/lb.yaml', 'utf8')}${filler.repeat(10 * 1024)}`,
  );
  await assertRefused(['apply', '-f', big], 'big.yaml: file is 10.0 MiB; the limit is 4.0 MiB');
});

test('a directory with one bad file among good ones writes nothing', async () => {
  const dir = join(scratch, 'mixed');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'a-good.yaml'),
    readFileSync(join('test/fixtures/manifests/seed/lb.yaml')).toString().replace('lb-pool', 'new-pool'),
  );
  writeFileSync(join(dir, 'b-bad.yaml'), readFileSync(join(badDir, 'l2.yaml')));
  await assertRefused(
    ['apply', '-f', dir],
    readFileSync(join(badDir, 'l2.expect'), 'utf8')
      .trim()
      .replace(/^l2\.yaml/, 'b-bad.yaml'),
  );
});

test('bad input on stdin is named "stdin" and writes nothing', async () => {
  const text = readFileSync(join(badDir, 'cidr-prefix-33.yaml'), 'utf8');
  const expected = readFileSync(join(badDir, 'cidr-prefix-33.expect'), 'utf8')
    .trim()
    .replace(/^cidr-prefix-33\.yaml/, 'stdin');
  await assertRefused(['apply', '-f', '-'], expected, text);
});

test('a missing file is one clear line and writes nothing', async () => {
  await assertRefused(
    ['apply', '-f', join(scratch, 'nope.yaml')],
    `${join(scratch, 'nope.yaml')}: no such file or directory`,
  );
});
