// Store operations for the agent e2e test, run inside the test's switch namespace (where its
// etcd listens): `node agent-store-cli.js URL put|status|get|delete ARGS`. Prints JSON.
import { openStore } from '../../src/store/index.js';

const [url = '', op = '', ...args] = process.argv.slice(2);
const store = openStore(url);
try {
  if (op === 'put') {
    const obj = JSON.parse(args[0] ?? '{}');
    const cur = await store.tryGet(obj.kind, obj.metadata.name, obj.metadata.namespace);
    const saved = cur
      ? await store.update({
          ...obj,
          metadata: { ...obj.metadata, resourceVersion: cur.metadata.resourceVersion },
        })
      : await store.create(obj);
    if (obj.status && (saved as { status?: unknown }).status === undefined)
      await store.updateStatus({ ...saved, status: obj.status });
    else if (obj.status)
      await store.updateStatus({
        ...(await store.get(obj.kind, obj.metadata.name, obj.metadata.namespace)),
        status: obj.status,
      });
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
