// Store operations for the agent e2e test, run inside the test's switch namespace (where its
// etcd listens): `node agent-store-cli.js URL put|status|get|delete ARGS`. Prints JSON.
import type { AnyObject } from '../../src/api/index.js';
import { ConflictError, openStore } from '../../src/store/index.js';

const [url = '', op = '', ...args] = process.argv.slice(2);
const store = openStore(url);

async function put(obj: AnyObject): Promise<void> {
  const cur = await store.tryGet(obj.kind, obj.metadata.name, obj.metadata.namespace);
  const saved = cur
    ? await store.update({
        ...obj,
        metadata: { ...obj.metadata, resourceVersion: cur.metadata.resourceVersion },
      })
    : await store.create(obj);
  const status = (obj as { status?: unknown }).status;
  if (status === undefined) return;
  // A Node's status belongs to its agent (the heartbeat): keep what is stored.
  if (obj.kind === 'Node' && cur) return;
  const fresh =
    (saved as { status?: unknown }).status === undefined
      ? saved
      : await store.get(obj.kind, obj.metadata.name, obj.metadata.namespace);
  await store.updateStatus({ ...fresh, status } as AnyObject);
}
try {
  if (op === 'put') {
    // Read-modify-write like `kubectl apply`: the agents write their Node's status every few
    // seconds (Ready heartbeat), so a lost compare-and-swap is re-read and tried again.
    const obj = JSON.parse(args[0] ?? '{}');
    for (let attempt = 1; ; attempt++) {
      try {
        await put(obj);
        break;
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= 10) throw err;
      }
    }
  } else if (op === 'get') {
    process.stdout.write(
      JSON.stringify((await store.tryGet(args[0] as 'Lease', args[1] ?? '', args[2])) ?? null),
    );
  } else if (op === 'delete') {
    await store.delete(args[0] as 'Service', args[1] ?? '', args[2]);
  } else {
    throw new Error(`unknown op ${op}`);
  }
} finally {
  await store.close();
}
