// Cluster-wide numeric security identities, one per label set, allocated through the store.
// Cilium's CRD identity backend does the same with CiliumIdentity objects named by the number;
// the compare-and-swap here is create() (it fails when the name exists):
//   - probing starts at a position derived from the labels' SHA-256 and goes up, wrapping inside
//     the global range 256..65535;
//   - an identity that exists with the same labels is shared; with other labels, the next id;
//   - a create that loses (AlreadyExists) re-reads the winner and decides again.
// Agents allocating the same labels probe the same sequence, so they meet at the same number:
// whoever creates it first wins and the others share it. This holds as long as identities are
// never deleted while in use (there is no GC yet), since a freed earlier slot would start a
// second sequence.
import { type CiliumIdentity, MAX_GLOBAL_IDENTITY, MIN_GLOBAL_IDENTITY } from '../api/index.js';
import { AlreadyExistsError, type Store } from '../store/index.js';
import { type SecurityLabels, securityLabelsOf } from './labels.js';

export interface IdentityAllocatorOptions {
  store: Store;
  /** The range; Cilium's global range by default. Tests shrink it to force collisions. */
  min?: number;
  max?: number;
}

export interface AllocatedIdentity {
  id: number;
  /** True when this call created the CiliumIdentity; false when it shared an existing one. */
  created: boolean;
}

const sameLabels = (o: CiliumIdentity, want: SecurityLabels) =>
  securityLabelsOf(o['security-labels']).key === want.key;

/** metadata.labels as Cilium sets them: the k8s-source labels without `k8s:`, for `-l` queries. */
function metadataLabels(labels: SecurityLabels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels.map))
    if (k.startsWith('k8s:') && v.length <= 63) out[k.slice('k8s:'.length)] = v;
  return out;
}

export class IdentityAllocator {
  readonly min: number;
  readonly max: number;
  readonly #store: Store;
  /** Store round trips spent probing, for tests and metrics. */
  probes = 0;

  constructor(opts: IdentityAllocatorOptions) {
    this.#store = opts.store;
    this.min = opts.min ?? MIN_GLOBAL_IDENTITY;
    this.max = opts.max ?? MAX_GLOBAL_IDENTITY;
  }

  /** The first id tried for a label set: the hash's first 32 bits folded into the range. */
  startFor(labels: SecurityLabels): number {
    const size = this.max - this.min + 1;
    return this.min + (Number.parseInt(labels.sha256.slice(0, 8), 16) % size);
  }

  /** The label set's identity; the error names the labels when the range is full. */
  async allocate(labels: SecurityLabels): Promise<AllocatedIdentity> {
    const size = this.max - this.min + 1;
    const start = this.startFor(labels);
    for (let i = 0; i < size; i++) {
      const id = this.min + ((start - this.min + i) % size);
      const name = String(id);
      // Two tries per id: a lost create re-reads the winner once (it cannot be replaced).
      for (let attempt = 0; attempt < 2; attempt++) {
        this.probes++;
        const found = await this.#store.tryGet('CiliumIdentity', name);
        if (found) {
          if (sameLabels(found, labels)) return { id, created: false };
          break;
        }
        try {
          await this.#store.create({
            apiVersion: 'cilium.io/v2',
            kind: 'CiliumIdentity',
            metadata: { name, labels: metadataLabels(labels) },
            'security-labels': labels.map,
          } satisfies CiliumIdentity);
          return { id, created: true };
        } catch (err) {
          if (!(err instanceof AlreadyExistsError)) throw err;
        }
      }
    }
    throw new Error(
      `identity for ${labels.list.join(',')}: no free identity in ${this.min}..${this.max} (all ${size} in use)`,
    );
  }

  /** The labels of an allocated identity, or undefined. */
  async lookup(id: number): Promise<SecurityLabels | undefined> {
    const found = await this.#store.tryGet('CiliumIdentity', String(id));
    return found ? securityLabelsOf(found['security-labels']) : undefined;
  }
}
