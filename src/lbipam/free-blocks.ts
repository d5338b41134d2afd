// The free space of one inclusive address range, kept as disjoint free blocks in two indexes:
// sorted by address (to find the block holding an IP, and the neighbours to merge on free) and a
// min-heap by (size, address) so that allocAny is "the lowest address of the smallest free
// block" in O(log n) — sequential on a fresh range, smallest hole reused first (Cilium's operator/pkg/lbipam/ HashAllocator.AllocAny).

interface Block {
  from: bigint;
  to: bigint;
  heapIndex: number;
}

function smaller(a: Block, b: Block): boolean {
  const sa = a.to - a.from;
  const sb = b.to - b.from;
  return sa < sb || (sa === sb && a.from < b.from);
}

export class FreeBlocks {
  private readonly byAddr: Block[] = [];
  private readonly heap: Block[] = [];
  private free: bigint;

  constructor(
    readonly from: bigint,
    readonly to: bigint,
  ) {
    if (to < from) throw new RangeError('range end before its start');
    this.free = to - from + 1n;
    this.insert({ from, to, heapIndex: -1 }, 0);
  }

  get freeCount(): bigint {
    return this.free;
  }

  get size(): bigint {
    return this.to - this.from + 1n;
  }

  /** Number of free blocks; tests use it to check that frees merge. */
  get fragments(): number {
    return this.byAddr.length;
  }

  inRange(ip: bigint): boolean {
    return this.from <= ip && ip <= this.to;
  }

  isFree(ip: bigint): boolean {
    return this.blockOf(ip) !== undefined;
  }

  /** Lowest address of the smallest free block, or undefined when the range is full. */
  allocAny(): bigint | undefined {
    const top = this.heap[0];
    if (!top) return undefined;
    const ip = top.from;
    this.take(top, ip);
    return ip;
  }

  /** Allocates one specific address; false when it is outside the range or not free. */
  alloc(ip: bigint): boolean {
    const block = this.blockOf(ip);
    if (!block) return false;
    this.take(block, ip);
    return true;
  }

  /** Returns an address to the free space, merging with its neighbours; false if it was free. */
  release(ip: bigint): boolean {
    if (!this.inRange(ip)) return false;
    const i = this.firstAfter(ip); // byAddr[i - 1] starts at or before ip
    const left = this.byAddr[i - 1];
    if (left && left.to >= ip) return false;
    const right = this.byAddr[i];
    this.free += 1n;
    const joinsLeft = left !== undefined && left.to + 1n === ip;
    const joinsRight = right !== undefined && right.from - 1n === ip;
    if (joinsLeft && joinsRight) {
      left.to = right.to;
      this.remove(right, i);
      this.reheap(left);
    } else if (joinsLeft) {
      left.to = ip;
      this.reheap(left);
    } else if (joinsRight) {
      right.from = ip;
      this.reheap(right);
    } else {
      this.insert({ from: ip, to: ip, heapIndex: -1 }, i);
    }
    return true;
  }

  private take(block: Block, ip: bigint): void {
    this.free -= 1n;
    const i = this.indexOf(block);
    if (block.from === block.to) {
      this.remove(block, i);
    } else if (ip === block.from) {
      block.from += 1n;
      this.reheap(block);
    } else if (ip === block.to) {
      block.to -= 1n;
      this.reheap(block);
    } else {
      const right: Block = { from: ip + 1n, to: block.to, heapIndex: -1 };
      block.to = ip - 1n;
      this.reheap(block);
      this.insert(right, i + 1);
    }
  }

  /** Index of the first block whose start is greater than ip. */
  private firstAfter(ip: bigint): number {
    let lo = 0;
    let hi = this.byAddr.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.byAddr[mid] as Block).from <= ip) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private blockOf(ip: bigint): Block | undefined {
    const b = this.byAddr[this.firstAfter(ip) - 1];
    return b && b.to >= ip ? b : undefined;
  }

  private indexOf(block: Block): number {
    return this.firstAfter(block.from) - 1;
  }

  private insert(block: Block, at: number): void {
    this.byAddr.splice(at, 0, block);
    block.heapIndex = this.heap.length;
    this.heap.push(block);
    this.siftUp(block.heapIndex);
  }

  private remove(block: Block, at: number): void {
    this.byAddr.splice(at, 1);
    const last = this.heap.pop() as Block;
    if (last !== block) {
      this.heap[block.heapIndex] = last;
      last.heapIndex = block.heapIndex;
      this.reheap(last);
    }
    block.heapIndex = -1;
  }

  private reheap(block: Block): void {
    this.siftUp(block.heapIndex);
    this.siftDown(block.heapIndex);
  }

  private siftUp(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!smaller(h[i] as Block, h[p] as Block)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private siftDown(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && smaller(h[l] as Block, h[m] as Block)) m = l;
      if (r < h.length && smaller(h[r] as Block, h[m] as Block)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i] as Block;
    const b = this.heap[j] as Block;
    this.heap[i] = b;
    this.heap[j] = a;
    a.heapIndex = j;
    b.heapIndex = i;
  }
}
