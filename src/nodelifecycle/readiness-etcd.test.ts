// Against a real etcd, in-process, with short periods: an agent heartbeat (200 ms) and the node
// lifecycle controller (grace 1.5 s, monitor 250 ms). The heartbeat stops as if the agent died →
// Ready=Unknown within grace + one monitor period of the last heartbeat, not before the grace;
// it resumes → Ready=True again. Then the real `waggle get nodes` prints kubectl's STATUS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NodeHeartbeat } from '../agent/node-heartbeat.js';
import { registerNode } from '../agent/node-registration.js';
import type { Node } from '../api/index.js';
import { waggle } from '../cli/cli-harness.js';
import { EtcdStore } from '../store/index.js';
import { startEtcd, type TestEtcd } from '../testing/etcd.js';
import { NodeLifecycleController } from './controller.js';
import { NODE_STATUS_NEVER_UPDATED, NODE_STATUS_UNKNOWN } from './decide.js';

const HEARTBEAT_MS = 200;
const GRACE_MS = 1500;
const MONITOR_MS = 250;
/** Observation slack: our 20 ms polling, one list+write round trip, timer lateness. */
const SLACK_MS = 150;

const readyOf = (n: Node | undefined) => n?.status?.conditions?.find((c) => c.type === 'Ready');

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('node readiness on etcd: heartbeat, lifecycle controller, get nodes', () => {
  let etcd: TestEtcd | undefined;
  const stores: EtcdStore[] = [];
  const stoppers: Array<() => void> = [];
  let agentStore!: EtcdStore;
  let observer!: EtcdStore;
  let controller!: NodeLifecycleController;
  const logs: string[] = [];

  before(async () => {
    etcd = await startEtcd();
    const open = () => {
      const s = new EtcdStore({ endpoints: etcd!.endpoints });
      stores.push(s);
      return s;
    };
    agentStore = open();
    observer = open();
    controller = new NodeLifecycleController({
      store: open(),
      monitorPeriodMs: MONITOR_MS,
      gracePeriodMs: GRACE_MS,
      log: (l) => logs.push(l),
    });
    controller.start();
    stoppers.push(() => controller.stop());
  });
  after(async () => {
    for (const stop of stoppers) stop();
    for (const s of stores) await s.close();
    await etcd?.stop();
  });

  const heartbeat = () => {
    const hb = new NodeHeartbeat({
      store: agentStore,
      nodeName: 'node-live',
      intervalMs: HEARTBEAT_MS,
      now: Date.now,
      log: (l) => logs.push(l),
    });
    stoppers.push(() => hb.stop());
    return hb;
  };
  const ready = async (name: string) => readyOf(await observer.tryGet('Node', name));

  it('Unknown within grace + one monitor period after the agent stops; Ready when it resumes', async (t) => {
    await registerNode(agentStore, 'node-live', {}, ['10.0.0.1']);
    const hb = heartbeat();
    hb.start();
    const first = await until(
      'Ready=True',
      async () => ((await ready('node-live'))?.status === 'True' ? 1 : undefined),
      5000,
    );
    assert.equal(first, 1);
    // Several heartbeats pass with the controller running: it must leave a posting node alone.
    await new Promise((r) => setTimeout(r, GRACE_MS + 2 * MONITOR_MS));
    const steady = await ready('node-live');
    assert.equal(steady?.status, 'True', `still Ready while posting (logs: ${logs.join(' | ')})`);

    hb.stop(); // the agent "dies"
    await new Promise((r) => setTimeout(r, HEARTBEAT_MS)); // let a write in flight land
    const last = Date.parse((await ready('node-live'))!.lastHeartbeatTime!);
    const unknown = await until(
      'Ready=Unknown',
      async () => {
        const r = await ready('node-live');
        return r?.status === 'Unknown' ? { r, seenAt: Date.now() } : undefined;
      },
      GRACE_MS + MONITOR_MS + 5000,
    );
    const delay = unknown.seenAt - last;
    t.diagnostic(
      `last heartbeat → Unknown observed after ${delay} ms (grace ${GRACE_MS}, period ${MONITOR_MS})`,
    );
    assert.equal(unknown.r.reason, NODE_STATUS_UNKNOWN);
    assert.equal(unknown.r.lastHeartbeatTime, new Date(last).toISOString(), 'heartbeat time kept');
    const marked = Date.parse(unknown.r.lastTransitionTime!);
    assert.ok(
      marked - last > GRACE_MS,
      `marked ${marked - last} ms after the last heartbeat, before the grace`,
    );
    assert.ok(delay <= GRACE_MS + MONITOR_MS + SLACK_MS, `Unknown only ${delay} ms after the last heartbeat`);

    const resumed = heartbeat();
    const resumedAt = Date.now();
    resumed.start();
    const back = await until(
      'Ready=True again',
      async () => {
        const r = await ready('node-live');
        return r?.status === 'True' ? r : undefined;
      },
      5000,
    );
    t.diagnostic(`heartbeat resumed → Ready observed after ${Date.now() - resumedAt} ms`);
    assert.ok(Date.parse(back.lastTransitionTime!) >= resumedAt, 'a new transition time');
    await new Promise((r) => setTimeout(r, 3 * MONITOR_MS));
    assert.equal((await ready('node-live'))?.status, 'True', 'the controller does not flip it back');
  });

  it('`waggle get nodes` STATUS: Ready, NotReady (Ready=Unknown), Unknown (no condition), cordoned', async () => {
    await registerNode(agentStore, 'node-silent', {}, []);
    await until(
      'node-silent marked',
      async () => ((await ready('node-silent'))?.reason === NODE_STATUS_NEVER_UPDATED ? 1 : undefined),
      GRACE_MS + MONITOR_MS + 5000,
    );
    // No controller from here on, so node-new keeps having no Ready condition at all (its
    // creationTimestamp has whole seconds: within a 1.5 s grace it could be marked any moment).
    controller.stop();
    await registerNode(agentStore, 'node-new', {}, []);
    const cordoned = await observer.get('Node', 'node-silent');
    await observer.update({ ...cordoned, spec: { ...cordoned.spec, unschedulable: true } });

    const r = waggle(['--store', etcd!.url, 'get', 'nodes']);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/));
    assert.deepEqual(rows[0], ['NAME', 'STATUS', 'ROLES', 'AGE']);
    const status = Object.fromEntries(rows.slice(1).map((cols) => [cols[0], cols[1]]));
    assert.deepEqual(status, {
      'node-live': 'Ready',
      'node-new': 'Unknown',
      'node-silent': 'NotReady,SchedulingDisabled',
    });
  });
});
