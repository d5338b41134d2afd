// Endpoint IDs: small integers unique on the node (Cilium's range 1..4095), the lowest free one
// first so that IDs stay short in `endpoint list`. Restored endpoints claim theirs back.
export const MAX_ENDPOINT_ID = 4095;

export class EndpointIds {
  readonly #used = new Set<number>();

  claim(id: number): void {
    if (this.#used.has(id)) throw new Error(`endpoint ID ${id} is already in use`);
    this.#used.add(id);
  }

  allocate(): number {
    for (let id = 1; id <= MAX_ENDPOINT_ID; id++) {
      if (!this.#used.has(id)) {
        this.#used.add(id);
        return id;
      }
    }
    throw new Error(`no free endpoint ID (all ${MAX_ENDPOINT_ID} in use)`);
  }

  release(id: number): void {
    this.#used.delete(id);
  }

  get size(): number {
    return this.#used.size;
  }
}
