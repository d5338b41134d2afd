// A seeded random source for the datapath property tests: mulberry32, small and good enough to
// spread frames over the decision space, so a failing seed replays the same frames.
import { readIpv4, readMac } from '../../bpf/codec-fields.js';

export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  return { next, int, pick, bytes, mac: () => readMac(bytes(6), 0), ip: () => readIpv4(bytes(4), 0) };
}

export type Rng = ReturnType<typeof rng>;
