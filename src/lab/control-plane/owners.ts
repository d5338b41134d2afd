// Owner references as Kubernetes' controllers use them (metav1.GetControllerOf, NewControllerRef):
// the one reference with controller: true says who manages an object; the garbage collector
// removes a dependent whose owners are all gone.
import type { OwnerReference } from '../../api/index.js';

interface Owned {
  metadata: { ownerReferences?: OwnerReference[] | undefined };
}

interface Owner {
  apiVersion: string;
  kind: string;
  metadata: { name: string; uid?: string | undefined };
}

export function controllerOf(o: Owned): OwnerReference | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller === true);
}

export function isControlledBy(o: Owned, owner: Owner): boolean {
  const ref = controllerOf(o);
  return ref !== undefined && ref.uid === owner.metadata.uid && ref.kind === owner.kind;
}

/** The reference a controller puts on what it creates (blockOwnerDeletion, as upstream). */
export function controllerRef(owner: Owner): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}
