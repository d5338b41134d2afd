// The store contract on a real etcd started by the test: each case gets its own key prefix on
// one etcd; restart, compaction and outage cases drive that etcd process itself.
import { after, before } from 'node:test';
import { startEtcd, type TestEtcd } from '../testing/etcd.js';
import { registerStoreContract } from './contract/index.js';
import { EtcdStore } from './etcd.js';
import type { Store } from './types.js';

let etcd: TestEtcd;
let cases = 0;

before(async () => {
  etcd = await startEtcd();
});
after(async () => {
  await etcd?.stop();
});

registerStoreContract({
  open: async (): Promise<Store> =>
    new EtcdStore({ endpoints: etcd.endpoints, prefix: `/contract-${++cases}/` }),
  restart: () => etcd.restart(),
  compact: async (store: Store) => {
    const client = (store as EtcdStore).client;
    const rev = (await client.get('/').exec()).header.revision;
    await client.kv.compact({ revision: rev, physical: true });
  },
  outage: { down: () => etcd.down(), up: () => etcd.up() },
});
