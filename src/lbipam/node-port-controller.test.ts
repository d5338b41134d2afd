// The controller's nodePorts against the in-memory Store: filled in with the clusterIP in one
// write, a taken one refused in the log with nothing written, released on delete, and a
// restarted controller keeping every stored port.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Service } from '../api/index.js';
import { MemoryStore } from '../store/index.js';
import { LbIpamController } from './controller.js';

const svc = (name: string, ports: Service['spec']['ports']): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default' },
  spec: { type: 'NodePort', ports },
});

async function settle(ctl: LbIpamController): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await ctl.idle();
    await new Promise((r) => setTimeout(r, 10));
  }
}
const portsOf = async (store: MemoryStore, name: string) =>
  ((await store.get('Service', name, 'default')).spec.ports ?? [])
    .map((p) => `${p.port}:${p.nodePort}/${p.protocol}`)
    .join(',');

describe('LB-IPAM controller: nodePorts (memory store)', () => {
  it('fills, refuses, releases and survives a restart', async () => {
    const store = new MemoryStore();
    const lines: string[] = [];
    const opts = { store, nodePortRange: '30000-30099', random: () => 0, log: (l: string) => lines.push(l) };
    const ctl = new LbIpamController(opts);
    await ctl.start();
    await store.create(
      svc('web', [
        { name: 'http', port: 80, protocol: 'TCP' },
        { name: 'https', port: 443, protocol: 'TCP' },
      ]),
    );
    await settle(ctl);
    assert.equal(await portsOf(store, 'web'), '80:30016/TCP,443:30017/TCP');
    const web = await store.get('Service', 'web', 'default');
    assert.equal(web.spec.clusterIP, '10.96.0.1', 'clusterIP and nodePorts in the same write');
    assert.equal(web.metadata.generation, 2);
    assert.ok(
      lines.includes(
        'lbipam: service default/web: clusterIP 10.96.0.1, nodePorts 80:30016/TCP,443:30017/TCP',
      ),
      lines.join('\n'),
    );

    await store.create(svc('thief', [{ port: 80, protocol: 'TCP', nodePort: 30016 }]));
    await settle(ctl);
    const thief = await store.get('Service', 'thief', 'default');
    assert.equal(thief.spec.clusterIP, undefined, 'nothing written for a refused Service');
    const refusal =
      'lbipam: service default/thief: spec.ports[0].nodePort: Invalid value: 30016: provided port is already allocated (to service default/web)';
    assert.equal(lines.filter((l) => l === refusal).length, 1, lines.join('\n'));

    await store.delete('Service', 'web', 'default');
    await settle(ctl);
    await store.update({ ...thief, metadata: { ...thief.metadata, labels: { retry: '1' } } });
    await settle(ctl);
    assert.equal(await portsOf(store, 'thief'), '80:30016/TCP', 'the freed port is now its');
    await ctl.stop();

    await store.create(svc('late', [{ port: 8080, protocol: 'TCP' }]));
    const again = new LbIpamController(opts);
    await again.start();
    await settle(again);
    assert.equal(
      await portsOf(store, 'late'),
      '8080:30017/TCP',
      '30016 was observed as taken before allocating',
    );
    assert.deepEqual(again.nodePorts.holding('default/thief'), [30016]);
    await again.stop();
  });
});
