import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContainerSchema } from '../../api/pod-spec.js';
import { findLabImage, repositoryOf, resolveImage, whoamiPort } from './images.js';

const ctx = { nodePath: '/usr/bin/node', whoamiPath: '/w/whoami.js', containerDir: '/p/c' };
const ctr = (o: Record<string, unknown>) => ContainerSchema.parse({ name: 'c', ...o });

test('image references normalise as docker does: registry, library/, tag and digest dropped', () => {
  assert.equal(repositoryOf('nginx'), 'nginx');
  assert.equal(repositoryOf('nginx:1.27'), 'nginx');
  assert.equal(repositoryOf('docker.io/library/nginx:1.14.2'), 'nginx');
  assert.equal(repositoryOf(`traefik/whoami@sha256:${'a'.repeat(64)}`), 'traefik/whoami');
  assert.equal(repositoryOf('localhost:5000/busybox'), 'localhost:5000/busybox');
  assert.equal(findLabImage('ghcr.io/nginx')?.kind, undefined);
  assert.equal(findLabImage('nicolaka/netshoot:latest')?.kind, 'tools');
});

test('nginx runs Debian nginx with the per-container prefix and config', () => {
  const r = resolveImage(ctr({ image: 'nginx:1.27' }), ctx);
  assert.ok(r.ok);
  assert.deepEqual(r.launch.argv, ['nginx', '-e', 'stderr', '-p', '/p/c', '-c', '/p/c/nginx.conf']);
});

test('whoami: --port, then WHOAMI_PORT_NUMBER, then 80; a bad port is a config error', () => {
  assert.equal(whoamiPort(ctr({ image: 'traefik/whoami' })), 80);
  assert.equal(
    whoamiPort(ctr({ image: 'traefik/whoami', env: [{ name: 'WHOAMI_PORT_NUMBER', value: '8080' }] })),
    8080,
  );
  assert.equal(whoamiPort(ctr({ image: 'traefik/whoami', args: ['--port', '9000'] })), 9000);
  assert.equal(whoamiPort(ctr({ image: 'traefik/whoami', args: ['--port=9001'] })), 9001);
  const r = resolveImage(ctr({ image: 'traefik/whoami', args: ['--port', '81'] }), ctx);
  assert.ok(r.ok);
  assert.deepEqual(r.launch.argv, ['/usr/bin/node', '/w/whoami.js', '--port', '81']);
  const bad = resolveImage(ctr({ image: 'traefik/whoami', args: ['--port', 'x'] }), ctx);
  assert.equal(bad.ok, false);
});

test("tools images: command+args, args after the image's entrypoint, else sleep infinity", () => {
  const argv = (o: Record<string, unknown>) => {
    const r = resolveImage(ctr(o), ctx);
    assert.ok(r.ok);
    return r.launch.argv;
  };
  assert.deepEqual(argv({ image: 'nicolaka/netshoot', command: ['tail'], args: ['-f', '/dev/null'] }), [
    'tail',
    '-f',
    '/dev/null',
  ]);
  assert.deepEqual(argv({ image: 'curlimages/curl', args: ['-s', 'http://x'] }), ['curl', '-s', 'http://x']);
  assert.deepEqual(argv({ image: 'busybox', args: ['sh', '-c', 'true'] }), ['sh', '-c', 'true']);
  assert.deepEqual(argv({ image: 'busybox:1.36' }), ['sleep', 'infinity']);
});

test('any other image: ErrImagePull naming the image and the images the lab has', () => {
  const r = resolveImage(ctr({ image: 'redis:7' }), ctx);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.reason, 'ErrImagePull');
  assert.match(
    r.message,
    /^image "redis:7" is not available in the lab: it has nginx\*, traefik\/whoami\*, nicolaka\/netshoot\*, curlimages\/curl\*, busybox\*/,
  );
});
