import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PodSchema } from '../../api/pod.js';
import type { PodRecord } from './record.js';
import { buildPodStatus, statusKey } from './status.js';

const pod = (restartPolicy = 'Always') =>
  PodSchema.parse({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'webpod1', namespace: 'default', uid: 'u1' },
    spec: { nodeName: 'node-1', restartPolicy, containers: [{ name: 'container', image: 'traefik/whoami' }] },
  });

const rec = (c: Partial<PodRecord['containers'][string]>): PodRecord => ({
  uid: 'u1',
  namespace: 'default',
  name: 'webpod1',
  node: 'node-1',
  sandboxId: 's',
  netns: '/n',
  uts: '/u',
  cgroup: '/c',
  podIPs: ['10.200.2.7'],
  startTime: 'T0',
  containers: {
    container: { name: 'container', image: 'traefik/whoami', restartCount: 0, crashStreak: 0, ...c },
  },
});

const T = '2026-01-01T00:00:00.000Z';

test('a running, ready container: Running, every condition True, podIP and hostIP set', () => {
  const s = buildPodStatus({
    pod: pod(),
    rec: rec({ pid: 42, startedAt: T }),
    ready: { container: true },
    hostIP: '192.168.56.60',
    now: T,
  });
  assert.equal(s.phase, 'Running');
  assert.deepEqual(
    s.conditions?.map((c) => `${c.type}=${c.status}`),
    [
      'PodReadyToStartContainers=True',
      'Initialized=True',
      'Ready=True',
      'ContainersReady=True',
      'PodScheduled=True',
    ],
  );
  assert.equal(s.podIP, '10.200.2.7');
  assert.deepEqual(s.podIPs, [{ ip: '10.200.2.7' }]);
  assert.deepEqual(s.hostIPs, [{ ip: '192.168.56.60' }]);
  const cs = s.containerStatuses?.[0];
  assert.deepEqual(cs?.state, { running: { startedAt: T } });
  assert.equal(cs?.ready, true);
  assert.equal(cs?.started, true);
  assert.match(cs?.imageID ?? '', /traefik\/whoami \(a whoami server/);
});

test('no sandbox yet: Pending, ContainerCreating, the CNI error as the message', () => {
  const s = buildPodStatus({
    pod: pod(),
    rec: undefined,
    ready: {},
    hostIP: undefined,
    now: T,
    sandboxError: 'cni: x',
  });
  assert.equal(s.phase, 'Pending');
  assert.equal(s.message, 'cni: x');
  assert.deepEqual(s.containerStatuses?.[0]?.state, { waiting: { reason: 'ContainerCreating' } });
  const ready = s.conditions?.find((c) => c.type === 'Ready');
  assert.equal(ready?.reason, 'ContainersNotReady');
  assert.equal(ready?.message, 'containers with unready status: [container]');
});

test('an unknown image: Pending with ErrImagePull', () => {
  const s = buildPodStatus({
    pod: pod(),
    rec: rec({ waiting: { reason: 'ErrImagePull', message: 'm' } }),
    ready: {},
    hostIP: undefined,
    now: T,
  });
  assert.equal(s.phase, 'Pending');
  assert.deepEqual(s.containerStatuses?.[0]?.state, { waiting: { reason: 'ErrImagePull', message: 'm' } });
});

test('in back-off after a crash: Running, CrashLoopBackOff, the crash as lastState, restarts counted', () => {
  const crash = { exitCode: 137, reason: 'Error', startedAt: T, finishedAt: T };
  const s = buildPodStatus({
    pod: pod(),
    rec: rec({ restartCount: 3, terminated: crash, waiting: { reason: 'CrashLoopBackOff', message: 'b' } }),
    ready: {},
    hostIP: undefined,
    now: T,
  });
  assert.equal(s.phase, 'Running');
  const cs = s.containerStatuses?.[0];
  assert.equal(cs?.restartCount, 3);
  assert.equal(cs?.state?.waiting?.reason, 'CrashLoopBackOff');
  assert.equal(cs?.lastState?.terminated?.exitCode, 137);
});

test('done for good: Succeeded (exit 0) or Failed under restartPolicy Never', () => {
  const ok = { exitCode: 0, reason: 'Completed', startedAt: T, finishedAt: T };
  const bad = { ...ok, exitCode: 1, reason: 'Error' };
  const st = (t: typeof ok) =>
    buildPodStatus({ pod: pod('Never'), rec: rec({ terminated: t }), ready: {}, hostIP: undefined, now: T });
  assert.equal(st(ok).phase, 'Succeeded');
  assert.equal(st(ok).conditions?.find((c) => c.type === 'Ready')?.reason, 'PodCompleted');
  assert.equal(st(bad).phase, 'Failed');
});

test('an unchanged condition keeps its transition time; statusKey ignores it', () => {
  const p = pod();
  const first = buildPodStatus({
    pod: p,
    rec: rec({ pid: 1, startedAt: T }),
    ready: { container: true },
    hostIP: undefined,
    now: T,
  });
  const later = buildPodStatus({
    pod: { ...p, status: first },
    rec: rec({ pid: 1, startedAt: T }),
    ready: { container: true },
    hostIP: undefined,
    now: '2026-01-01T00:05:00.000Z',
  });
  assert.equal(later.conditions?.[2]?.lastTransitionTime, T);
  assert.equal(statusKey(first), statusKey(later));
  const unready = buildPodStatus({
    pod: { ...p, status: first },
    rec: rec({ pid: 1, startedAt: T }),
    ready: { container: false },
    hostIP: undefined,
    now: '2026-01-01T00:05:00.000Z',
  });
  assert.equal(unready.conditions?.[2]?.lastTransitionTime, '2026-01-01T00:05:00.000Z');
  assert.notEqual(statusKey(first), statusKey(unready));
});
