// A store for unit tests that behaves as `backing` except for the methods given: a test fakes
// one call (a conflict, a slow list, a dropped watch) and keeps every other method real.
import type { Store } from '../store/types.js';

export function storeWith(backing: Store, overrides: Partial<Store>): Store {
  const bound: Store = {
    url: backing.url,
    get: backing.get.bind(backing),
    tryGet: backing.tryGet.bind(backing),
    list: backing.list.bind(backing),
    watch: backing.watch.bind(backing),
    create: backing.create.bind(backing),
    update: backing.update.bind(backing),
    updateStatus: backing.updateStatus.bind(backing),
    delete: backing.delete.bind(backing),
    close: backing.close.bind(backing),
  };
  return { ...bound, ...overrides };
}
