// The store contract suite: registers the same node:test cases for any backend. Call it from
// a backend's test file with a harness that opens a fresh, empty store per case.
import { registerCrudCases } from './crud.js';
import type { ContractHarness } from './harness.js';
import { registerListWatchCases } from './list-watch.js';

export type { ContractHarness } from './harness.js';

export function registerStoreContract(h: ContractHarness): void {
  registerCrudCases(h);
  registerListWatchCases(h);
}
