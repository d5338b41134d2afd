// Run by module-netns.test.ts inside a test namespace (`ip netns exec NS node this.js`): a
// HealthModule over a memory store holding the CiliumNodes given as JSON in argv[2], stopped
// after its first complete round; prints the module's status as JSON.
import { MemoryStore } from '../store/memory.js';
import { Informers } from '../store/informer.js';
import type { CiliumNode } from '../api/cilium-node.js';
import { HealthModule } from './module.js';

const nodes = JSON.parse(process.argv[2] ?? '[]') as CiliumNode[];
const store = new MemoryStore();
for (const n of nodes) await store.create(n);
const informers = new Informers(store);
const mod = new HealthModule({
  node: process.argv[3] ?? 'self',
  informers: () => informers,
  intervalMs: 60_000,
  log: (m) => process.stderr.write(`${m}\n`),
});
mod.start();
const t0 = Date.now();
// Bounded: one round of two nodes takes about 2 s at most; give up after 10 s.
while (mod.status().lastProbe === null && Date.now() - t0 < 10_000)
  await new Promise((r) => setTimeout(r, 50));
mod.stop();
await informers.stop();
process.stdout.write(`${JSON.stringify({ status: mod.status(), roundMs: Date.now() - t0 })}\n`);
