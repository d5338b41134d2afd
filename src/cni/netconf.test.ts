import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { failure } from './cni-error.test-helper.js';
import { decodeConfig, parseNetConf, prevResultAddresses } from './netconf.js';

const ok = { cniVersion: '1.0.0', name: 'waggle', type: 'waggle-cni' };

const parse = (extra: Record<string, unknown>) => parseNetConf({ ...ok, ...extra });

describe('network config', () => {
  test('the minimal config and every optional field', () => {
    assert.deepEqual(parse({}), { ...ok, enableDebug: false, labels: {} });
    assert.deepEqual(
      parse({
        'socket-path': '/run/waggle/n1/agent.sock',
        mtu: 1450,
        'enable-debug': true,
        'log-file': '/var/log/w.log',
      }),
      {
        ...ok,
        socketPath: '/run/waggle/n1/agent.sock',
        mtu: 1450,
        enableDebug: true,
        logFile: '/var/log/w.log',
        labels: {},
      },
    );
  });
  test('not JSON is code 6; JSON that is not an object is code 7', () => {
    assert.equal(failure(() => decodeConfig('{"cniVersion":')).code, 6);
    assert.deepEqual(
      failure(() => decodeConfig('  ')),
      { code: 6, msg: 'network config: not JSON: stdin is empty' },
    );
    assert.deepEqual(
      failure(() => decodeConfig('[1]')),
      {
        code: 7,
        msg: 'network config: (top level): must be a JSON object',
      },
    );
  });
  test('cniVersion: missing or not a string is 7, one not spoken is 1', () => {
    assert.deepEqual(
      failure(() => parseNetConf({ name: 'w', type: 't' })),
      {
        code: 7,
        msg: 'network config: cniVersion: missing',
      },
    );
    assert.equal(failure(() => parse({ cniVersion: 1 })).code, 7);
    for (const v of ['0.2.0', '0.1.0', '1.2.0', '2.0.0', 'latest'])
      assert.deepEqual(
        failure(() => parse({ cniVersion: v })),
        {
          code: 1,
          msg: `network config: cniVersion: "${v}" is not supported (supported: 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0)`,
        },
      );
  });
  test('name and type are required; a name outside the spec is named', () => {
    assert.deepEqual(
      failure(() => parseNetConf({ cniVersion: '1.0.0', type: 't' })),
      {
        code: 7,
        msg: 'network config: name: missing',
      },
    );
    assert.deepEqual(
      failure(() => parseNetConf({ cniVersion: '1.0.0', name: 'w' })),
      {
        code: 7,
        msg: 'network config: type: missing',
      },
    );
    assert.equal(failure(() => parse({ type: 3 })).msg, 'network config: type: must be a string');
    assert.match(failure(() => parse({ name: 'a/b' })).msg, /^network config: name: "a\/b"/);
  });
  test('each optional field of the wrong kind is code 7 naming it', () => {
    assert.equal(
      failure(() => parse({ mtu: 10 })).msg,
      'network config: mtu: 10 must be an integer from 68 to 65535',
    );
    assert.equal(failure(() => parse({ mtu: '1500' })).code, 7);
    assert.equal(
      failure(() => parse({ 'socket-path': 'agent.sock' })).msg,
      'network config: socket-path: "agent.sock" must be an absolute path',
    );
    assert.equal(
      failure(() => parse({ 'log-file': 7 })).msg,
      'network config: log-file: 7 must be an absolute path',
    );
    assert.equal(
      failure(() => parse({ 'enable-debug': 'yes' })).msg,
      'network config: enable-debug: must be true or false',
    );
    assert.equal(
      failure(() => parse({ prevResult: [] })).msg,
      'network config: prevResult: must be an object',
    );
  });
  test('labels from args.cni.labels (CONVENTIONS.md) or args.labels', () => {
    const list = [
      { key: 'app', value: 'web' },
      { key: 'tier', value: 'front' },
    ];
    assert.deepEqual(parse({ args: { cni: { labels: list } } }).labels, { app: 'web', tier: 'front' });
    assert.deepEqual(parse({ args: { labels: { app: 'web' } } }).labels, { app: 'web' });
    assert.deepEqual(parse({ args: { other: 1 } }).labels, {});
    assert.equal(
      failure(() => parse({ args: { cni: { labels: [{ key: 'app' }] } } })).msg,
      'network config: args.cni.labels[0]: must be {"key": string, "value": string}',
    );
    assert.equal(
      failure(() => parse({ args: { labels: { app: 1 } } })).msg,
      'network config: args.labels.app: must be a string',
    );
  });
  test('GC attachments: containerID → containerId; a malformed entry is named', () => {
    assert.deepEqual(
      parse({ 'cni.dev/valid-attachments': [{ containerID: 'c1', ifname: 'eth0' }] }).validAttachments,
      [{ containerId: 'c1', ifname: 'eth0' }],
    );
    assert.equal(
      failure(() => parse({ 'cni.dev/valid-attachments': [{ containerId: 'c1', ifname: 'eth0' }] })).msg,
      'network config: cni.dev/valid-attachments[0]: must be {"containerID": string, "ifname": string}',
    );
    assert.equal(
      failure(() => parse({ 'cni.dev/valid-attachments': {} })).msg,
      'network config: cni.dev/valid-attachments: must be a list',
    );
  });
  test('prevResult addresses for CHECK', () => {
    assert.deepEqual(prevResultAddresses({ ips: [{ address: '10.200.1.23/32', interface: 1 }] }), [
      '10.200.1.23/32',
    ]);
    assert.deepEqual(prevResultAddresses({}), []);
    assert.deepEqual(
      failure(() => prevResultAddresses({ ips: [{ gateway: '10.0.0.1' }] })),
      {
        code: 7,
        msg: 'network config: prevResult.ips[0].address: missing',
      },
    );
  });
});
