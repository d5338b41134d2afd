// waggle_lb4_source_range kept equal to the desired (service ID, prefix) rows. New rows go in
// before the master rows that turn SOURCE_RANGE on (add()), old ones leave after the master rows
// stopped asking (prune()), so a client in range is never refused by a half-written service.
import { errorMessage } from '../lib/errors.js';
import type { SourceRangeKey } from '../datapath/maps/lb4-source-range.js';
import type { RowMap } from './reconciler.js';

const text = (k: SourceRangeKey) => `${k.revNat} ${k.cidr}`;

export class SourceRangeReconciler {
  readonly #map: RowMap<SourceRangeKey, number>;
  #have = new Map<string, SourceRangeKey>();

  constructor(map: RowMap<SourceRangeKey, number>) {
    this.#map = map;
  }

  load(): void {
    this.#have = new Map(this.#map.entries().map(([k]) => [text(k), k]));
  }

  /** Writes the rows `want` has and the map lacks; failures are returned (retried next pass). */
  add(want: readonly SourceRangeKey[]): string[] {
    const errors: string[] = [];
    for (const k of want) {
      if (this.#have.has(text(k))) continue;
      try {
        this.#map.set(k, 1);
        this.#have.set(text(k), k);
      } catch (err) {
        errors.push(`source range ${k.cidr} of service ID ${k.revNat}: ${errorMessage(err)}`);
      }
    }
    return errors;
  }

  /** Deletes the rows `want` no longer has. */
  prune(want: readonly SourceRangeKey[]): string[] {
    const keep = new Set(want.map(text));
    const errors: string[] = [];
    for (const [t, k] of [...this.#have]) {
      if (keep.has(t)) continue;
      try {
        this.#map.delete(k);
        this.#have.delete(t);
      } catch (err) {
        errors.push(`source range ${k.cidr} of service ID ${k.revNat}: ${errorMessage(err)}`);
      }
    }
    return errors;
  }
}
