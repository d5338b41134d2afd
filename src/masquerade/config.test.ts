import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type ConfigResult, ConfigWatcher, parseIpMasqAgentConfig, readIpMasqAgentConfig } from './config.js';

const errorOf = (r: ConfigResult) => (r.ok ? `ok: ${JSON.stringify(r.config)}` : r.error);

describe('ip-masq-agent config', () => {
  test('YAML and JSON parse to the same canonical config', () => {
    const yaml = parseIpMasqAgentConfig(
      'nonMasqueradeCIDRs:\n  - 10.0.0.7/8\n  - fd00::/8\nmasqLinkLocal: true\n',
      'f',
    );
    const json = parseIpMasqAgentConfig(
      '{"nonMasqueradeCIDRs": ["10.0.0.7/8", "fd00::/8"], "masqLinkLocal": true}',
      'f',
    );
    const want = {
      nonMasqueradeCIDRs: ['10.0.0.0/8', 'fd00::/8'],
      masqLinkLocal: true,
      masqLinkLocalIPv6: false,
    };
    assert.deepEqual(yaml, { ok: true, config: want });
    assert.deepEqual(json, { ok: true, config: want });
  });

  test('an empty file is the empty config', () => {
    assert.deepEqual(parseIpMasqAgentConfig('', 'f'), {
      ok: true,
      config: { nonMasqueradeCIDRs: [], masqLinkLocal: false, masqLinkLocalIPv6: false },
    });
  });

  test('errors name the file and the field', () => {
    const cases: Array<[string, string]> = [
      [
        'nonMasqueradeCIDRs: [10.0.0.0/8, 10.0.0.0/33]',
        'p: nonMasqueradeCIDRs[1]: "10.0.0.0/33": prefix length 33 > 32',
      ],
      ['nonMasqueradeCIDRs: [10.0.0.0]', 'p: nonMasqueradeCIDRs[0]: "10.0.0.0": missing "/prefix-length"'],
      ['nonMasqueradeCIDRs: [7]', 'p: nonMasqueradeCIDRs[0]: must be a CIDR string, not 7'],
      ['nonMasqueradeCIDRs: 10.0.0.0/8', 'p: nonMasqueradeCIDRs: must be a list of CIDRs'],
      ['masqLinkLocal: "yes"', 'p: masqLinkLocal: must be true or false, not "yes"'],
      [
        'resyncIntervall: 60s',
        'p: resyncIntervall: unknown field (known: nonMasqueradeCIDRs, masqLinkLocal, masqLinkLocalIPv6, resyncInterval)',
      ],
      ['resyncInterval: 60', 'p: resyncInterval: must be a duration string such as "60s", not 60'],
      ['- 10.0.0.0/8', 'p: the document must be a mapping'],
    ];
    for (const [text, want] of cases) assert.equal(errorOf(parseIpMasqAgentConfig(text, 'p')), want, text);
    assert.match(
      errorOf(parseIpMasqAgentConfig('nonMasqueradeCIDRs: [10.0.0.0/8', 'p')),
      /^p: not YAML or JSON: /,
    );
    assert.match(
      errorOf(parseIpMasqAgentConfig('masqLinkLocal: true\nmasqLinkLocal: false', 'p')),
      /^p: not YAML or JSON: /,
    );
  });

  const dir = mkdtempSync(join(tmpdir(), 'waggle-masq-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a missing file is the empty config', async () => {
    assert.deepEqual(await readIpMasqAgentConfig(join(dir, 'absent')), {
      ok: true,
      config: { nonMasqueradeCIDRs: [], masqLinkLocal: false, masqLinkLocalIPv6: false },
    });
  });

  test('the watcher reports a rename-on-save and a bad file, and nothing when content is unchanged', async () => {
    const path = join(dir, 'ip-masq-agent');
    writeFileSync(path, 'nonMasqueradeCIDRs: [10.0.0.0/8]\n');
    const seen: string[] = [];
    const w = new ConfigWatcher(
      path,
      (r) => {
        seen.push(r.ok ? r.config.nonMasqueradeCIDRs.join(',') : r.error);
      },
      60_000,
    );
    await w.start();
    try {
      await w.poll();
      assert.deepEqual(seen, [], 'unchanged content is not a change');
      writeFileSync(`${path}.tmp`, 'nonMasqueradeCIDRs: [10.0.0.0/8, 192.168.0.0/16]\n');
      renameSync(`${path}.tmp`, path);
      await w.poll();
      writeFileSync(path, 'nonMasqueradeCIDRs: [300.0.0.0/8]\n');
      await w.poll();
      await w.poll();
      rmSync(path);
      await w.poll();
      assert.deepEqual(seen, [
        '10.0.0.0/8,192.168.0.0/16',
        `${path}: nonMasqueradeCIDRs[0]: "300.0.0.0/8": "300.0.0.0" is not an IPv4 or IPv6 address`,
        '',
      ]);
    } finally {
      w.stop();
    }
  });
});
