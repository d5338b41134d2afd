import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { waggle } from './cli-harness.js';

const root = mkdtempSync(join(tmpdir(), 'waggle-cli-cni-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('waggle cni install prints each file it wrote; the conflist has the chain', () => {
  const bin = join(root, 'bin');
  const conf = join(root, 'net.d');
  const r = waggle([
    'cni',
    'install',
    '--cni-bin-dir',
    bin,
    '--cni-conf-dir',
    conf,
    '--chain',
    'tuning, portmap',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.match(
    lines[0] ?? '',
    new RegExp(`^wrote ${bin}/waggle-cni \\(launcher: \\S+node \\S+/dist/src/cni/main\\.js\\)$`),
  );
  assert.equal(
    lines[1],
    `wrote ${conf}/05-waggle.conflist (network "waggle", plugins: waggle-cni, tuning, portmap)`,
  );
  const list = JSON.parse(readFileSync(join(conf, '05-waggle.conflist'), 'utf8'));
  assert.deepEqual(
    list.plugins.map((p: { type: string }) => p.type),
    ['waggle-cni', 'tuning', 'portmap'],
  );
});

test('waggle cni install without its dirs is a usage error naming the option', () => {
  const r = waggle(['cni', 'install', '--cni-bin-dir', join(root, 'x')]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--cni-conf-dir/);
});
