// Cilium's reserved security identities (pkg/identity/numericidentity.go): fixed numbers below
// the global range (256..65535) that every node agrees on without allocating.
export const reservedIdentities = {
  unknown: 0,
  host: 1,
  world: 2,
  unmanaged: 3,
  health: 4,
  init: 5,
  'remote-node': 6,
  'kube-apiserver': 7,
  ingress: 8,
  'world-ipv4': 9,
  'world-ipv6': 10,
} as const;

export type ReservedIdentityName = keyof typeof reservedIdentities;

const byNumber = new Map<number, ReservedIdentityName>(
  Object.entries(reservedIdentities).map(([name, id]) => [id, name as ReservedIdentityName]),
);

/** `reserved:host` for 1, as `cilium-dbg endpoint list` and hubble print it; undefined if not reserved. */
export function reservedIdentityLabel(id: number): string | undefined {
  const name = byNumber.get(id);
  return name === undefined ? undefined : `reserved:${name}`;
}

export function reservedIdentityOf(name: ReservedIdentityName): number {
  return reservedIdentities[name];
}
