// The stop plan of a lab container: the image's stop signal and the argv of its preStop hook.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Container } from '../../api/index.js';
import { describeHook, hookArgv, stopSignalOf } from './stop.js';

const sb = { dir: '/p', netns: '/p/net', uts: '/p/uts', cgroup: '/cg/pod' };
const web: Container = {
  name: 'web',
  image: 'nginx',
  ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
};

test("stop signals: nginx's image stops with SIGQUIT (graceful), the others and unknown images with SIGTERM", () => {
  assert.equal(stopSignalOf('nginx:1.27'), 'SIGQUIT');
  assert.equal(stopSignalOf('docker.io/library/nginx'), 'SIGQUIT');
  assert.equal(stopSignalOf('traefik/whoami'), 'SIGTERM');
  assert.equal(stopSignalOf('redis'), 'SIGTERM');
});

test('preStop hooks: exec runs bounded by the grace period in the container view; httpGet resolves a named port; sleep runs no process', () => {
  const exec = hookArgv(web, { exec: { command: ['nginx', '-s', 'quit'] } }, sb, '10.200.1.5', 7.5);
  assert.ok(exec);
  assert.deepEqual(exec.slice(-8), [
    '--net=/p/net',
    '--uts=/p/uts',
    '--',
    'timeout',
    '8',
    'nginx',
    '-s',
    'quit',
  ]);
  assert.ok(exec.join(' ').includes('/cg/pod'), 'in the pod cgroup');
  const http = hookArgv(
    web,
    { httpGet: { port: 'http', path: '/drain', scheme: 'HTTP' } },
    sb,
    '10.200.1.5',
    30,
  );
  assert.equal(http?.at(-1), 'http://10.200.1.5:80/drain');
  assert.equal(
    hookArgv(web, { httpGet: { port: 'admin', path: '/', scheme: 'HTTP' } }, sb, '10.200.1.5', 30),
    undefined,
  );
  assert.equal(hookArgv(web, { sleep: { seconds: 5 } }, sb, '10.200.1.5', 30), undefined);
  assert.equal(describeHook({ sleep: { seconds: 5 } }), 'sleep 5s');
});
