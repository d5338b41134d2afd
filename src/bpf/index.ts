// Public surface of the native layer. Code outside src/bpf imports from here only.
export { monotonicNs, realtimeNs } from './clock.js';
export { BpfError, type BpfErrorCode, check, errnoName, oneLine } from './errors.js';
export { BpfMap, type MapInfo, MapType, UpdateFlags } from './map.js';
export { enterNetns, withNetns } from './netns.js';
export { BpfObject } from './object.js';
export { PacketSocket } from './packet-socket.js';
export { type BpfHelperName, probeHelper, ProgType } from './probe.js';
export { DEFAULT_MAX_RECORDS, RingBufReader } from './ringbuf.js';
export {
  BpfProgram,
  SKB_CTX_SIZE,
  skbContext,
  TcAct,
  type TestRunInput,
  type TestRunResult,
} from './program.js';
export {
  type Attachment,
  attachTc,
  attachTcx,
  attachTcxPinned,
  type Direction,
  detachPinnedTcx,
  detachTc,
  queryTc,
} from './tc.js';
export { attachCgroupPinned, CgroupHook, type CgroupHookName, detachPinnedCgroup } from './cgroup.js';
