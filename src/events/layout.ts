// The byte layout of the records in bpf/lib/notify.h, as offsets by C member name. decode.ts
// reads with these, and a test compares them with the BTF of a compiled object, so a struct
// that changes in C without this file fails loudly rather than decoding garbage.

export const NotifyType = {
  DROP: 1,
  DEBUG: 2,
  CAPTURE: 3,
  TRACE: 4,
  POLICY_VERDICT: 5,
  TRACE_SOCK: 7,
} as const;

/** struct notify_common: 16 bytes. */
export const COMMON = {
  size: 16,
  type: 0,
  subtype: 1,
  source: 2,
  hash: 4,
  len_orig: 8,
  len_cap: 12,
  version: 14,
  ext_version: 15,
} as const;

/** struct trace_notify: 56 bytes (orig_ip4 / orig_ip6 share a 16-byte union at 32). */
export const TRACE = {
  size: 56,
  hdr: 0,
  src_label: 16,
  dst_label: 20,
  dst_id: 24,
  reason: 26,
  flags: 27,
  ifindex: 28,
  orig_ip: 32,
  ip_trace_id: 48,
} as const;

/** struct drop_notify: 48 bytes. */
export const DROP = {
  size: 48,
  hdr: 0,
  src_label: 16,
  dst_label: 20,
  dst_id: 24,
  line: 28,
  file: 30,
  ext_error: 31,
  ifindex: 32,
  flags: 36,
  pad2: 37,
  ip_trace_id: 40,
} as const;

/** TRACE_PAYLOAD_LEN: packet bytes reserved after each body. */
export const TRACE_PAYLOAD_LEN = 128;

/** flags bit 0, in both bodies. */
export const FLAG_IPV6 = 1;
