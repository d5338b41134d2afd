// The agent's own Node object: created if absent (labels from flags, addresses from the
// selected devices), left alone if present, so labels set later by users survive restarts.
import type { Node } from '../api/index.js';
import { AlreadyExistsError } from '../store/index.js';
import type { Store } from '../store/types.js';

export async function registerNode(
  store: Store,
  name: string,
  labels: Record<string, string>,
  addresses: string[],
): Promise<'created' | 'exists'> {
  if (await store.tryGet('Node', name)) return 'exists';
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec: {},
    status: {
      addresses: [
        { type: 'Hostname', address: name },
        ...addresses.map((address) => ({ type: 'InternalIP', address })),
      ],
    },
  } as Node;
  try {
    await store.create(node);
    return 'created';
  } catch (err) {
    if (err instanceof AlreadyExistsError) return 'exists';
    throw err;
  }
}
