import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { conflist, installCni } from './install.js';

const root = mkdtempSync(join(tmpdir(), 'waggle-cni-install-'));
after(() => rmSync(root, { recursive: true, force: true }));
const opts = (sub: string) => ({
  cniBinDir: join(root, sub, 'bin'),
  cniConfDir: join(root, sub, 'net.d'),
  name: 'waggle',
  conflistName: '05-waggle.conflist',
  chain: ['tuning', 'portmap'],
});

describe('waggle cni install', () => {
  test('writes an executable launcher and the conflist with the chain, and nothing else', () => {
    const o = { ...opts('a'), socketPath: '/run/waggle/n1/agent.sock' };
    const written = installCni(o);
    const launcher = join(o.cniBinDir, 'waggle-cni');
    const conf = join(o.cniConfDir, '05-waggle.conflist');
    assert.deepEqual(
      written.map((w) => w.path),
      [launcher, conf],
    );
    assert.equal(statSync(launcher).mode & 0o777, 0o755);
    assert.equal(statSync(conf).mode & 0o777, 0o644);
    assert.deepEqual(readdirSync(o.cniBinDir), ['waggle-cni'], 'no temporary file left');
    assert.deepEqual(readdirSync(o.cniConfDir), ['05-waggle.conflist']);
    assert.deepEqual(JSON.parse(readFileSync(conf, 'utf8')), {
      cniVersion: '1.0.0',
      name: 'waggle',
      plugins: [
        { type: 'waggle-cni', 'socket-path': '/run/waggle/n1/agent.sock' },
        { type: 'tuning' },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    });
  });

  test('the launcher runs this checkout’s plugin from any directory, with no PATH', () => {
    const o = opts('b');
    installCni(o);
    const r = spawnSync(join(o.cniBinDir, 'waggle-cni'), [], {
      cwd: root,
      env: { CNI_COMMAND: 'VERSION' },
      input: '{"cniVersion":"1.0.0"}',
      encoding: 'utf8',
      timeout: 10_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).supportedVersions, ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0']);
  });

  test('a second install replaces both files', () => {
    const o = opts('c');
    installCni(o);
    installCni({ ...o, chain: [] });
    const list = JSON.parse(readFileSync(join(o.cniConfDir, '05-waggle.conflist'), 'utf8'));
    assert.deepEqual(list.plugins, [{ type: 'waggle-cni' }]);
  });

  test('paths with a quote in them are quoted for the shell', () => {
    const o = opts("d'q");
    const main = join(root, "it's main.js");
    writeFileSync(main, 'process.stdout.write(process.argv[1])');
    installCni({ ...o, mainPath: main });
    const r = spawnSync(join(o.cniBinDir, 'waggle-cni'), [], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.stdout, main);
  });

  test('each bad option is named', () => {
    assert.throws(() => conflist({ name: 'a b', chain: [] }), /^Error: --name: "a b"/);
    assert.throws(
      () => conflist({ name: 'w', chain: ['portmap', 'portmap'] }),
      /--chain: "portmap" is listed twice/,
    );
    assert.throws(() => conflist({ name: 'w', chain: ['waggle-cni'] }), /--chain: "waggle-cni"/);
    assert.throws(
      () => conflist({ name: 'w', chain: ['../x'] }),
      /--chain: "..\/x" is not a plugin binary name/,
    );
    assert.throws(
      () => conflist({ name: 'w', socketPath: 'rel.sock', chain: [] }),
      /--socket-path: "rel.sock" must be absolute/,
    );
    assert.throws(
      () => installCni({ ...opts('e'), conflistName: 'waggle.conf' }),
      /--conflist-name: "waggle.conf"/,
    );
    assert.throws(() => installCni({ ...opts('e'), conflistName: '../x.conflist' }), /--conflist-name/);
    assert.throws(
      () => installCni({ ...opts('e'), mainPath: join(root, 'absent.js') }),
      /absent.js: not built/,
    );
  });

  test('an unknown chained plugin gets just its type', () => {
    assert.deepEqual(
      (conflist({ name: 'w', chain: ['bandwidth', 'sbr'] }) as { plugins: unknown[] }).plugins,
      [{ type: 'waggle-cni' }, { type: 'bandwidth', capabilities: { bandwidth: true } }, { type: 'sbr' }],
    );
  });
});
