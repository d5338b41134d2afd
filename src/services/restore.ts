// IDs back from the pinned maps at start: each master row's rev_nat_index is its frontend's
// service ID, each backends-map entry's key its backend's ID. A row whose ID is taken twice
// (never written so by waggle) keeps the first; the other is pruned by the first pass.
import { protoName } from '../datapath/maps/lb4-services.js';
import { l3n4 } from './desired.js';
import type { IdAllocator } from './ids.js';
import type { ServiceReconciler } from './reconciler.js';

export function restoreIds(
  rec: Pick<ServiceReconciler, 'masters' | 'backends'>,
  ids: { services: IdAllocator; backends: IdAllocator },
): { services: number; backends: number } {
  let services = 0;
  let backends = 0;
  for (const { key, value } of rec.masters())
    if (
      ids.services.restore(
        l3n4({ address: key.address, port: key.port, proto: protoName(key.proto) }),
        value.revNatIndex,
      )
    )
      services++;
  for (const [id, b] of rec.backends())
    if (ids.backends.restore(l3n4({ address: b.address, port: b.port, proto: protoName(b.proto) }), id))
      backends++;
  return { services, backends };
}
