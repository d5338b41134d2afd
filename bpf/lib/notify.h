/* SPDX-License-Identifier: GPL-2.0 */
/* Datapath notifications: the records bpf_lxc and bpf_host write to the waggle_events ring
 * buffer and the agent reads (`waggle monitor`, Hubble in M3). The structs keep Cilium's
 * layouts (bpf/lib/notify.h, trace.h, drop.h of cilium/cilium): a 16-byte common header, then
 * the trace or drop body, then the first len_cap bytes of the packet. Each record is reserved
 * at its full size (body + TRACE_PAYLOAD_LEN) so the reservation size is a constant the verifier
 * accepts; len_cap says how many payload bytes are valid.
 *
 * Trace notifications cost a ring-buffer reservation per packet, so they are written only while
 * waggle_runtime_config[RUNTIME_CONFIG_TRACE_EVENTS] is non-zero (the agent sets it while a
 * monitor listens). Drop notifications are always written. A failed reservation (ring full) is
 * counted in waggle_events_lost, so a reader can tell how much it missed.
 */
#ifndef WAGGLE_NOTIFY_H
#define WAGGLE_NOTIFY_H

#include <linux/types.h>

enum notify_type {
	NOTIFY_DROP = 1,
	NOTIFY_DEBUG = 2,
	NOTIFY_CAPTURE = 3,
	NOTIFY_TRACE = 4,
	NOTIFY_POLICY_VERDICT = 5,
	NOTIFY_TRACE_SOCK = 7,
};

/* Observation points: the subtype of a NOTIFY_TRACE record, numbered as Cilium's. */
enum trace_point {
	TRACE_TO_LXC = 0,
	TRACE_TO_PROXY = 1,
	TRACE_TO_HOST = 2,
	TRACE_TO_STACK = 3,
	TRACE_TO_OVERLAY = 4,
	TRACE_FROM_LXC = 5,
	TRACE_FROM_PROXY = 6,
	TRACE_FROM_HOST = 7,
	TRACE_FROM_STACK = 8,
	TRACE_FROM_OVERLAY = 9,
	TRACE_FROM_NETWORK = 10,
	TRACE_TO_NETWORK = 11,
};

/* Connection state of a traced packet (trace_notify.reason), as Cilium's TRACE_REASON_*. */
enum trace_reason {
	TRACE_REASON_POLICY = 0,	/* new */
	TRACE_REASON_CT_ESTABLISHED = 1,
	TRACE_REASON_CT_REPLY = 2,
	TRACE_REASON_CT_RELATED = 3,
	TRACE_REASON_UNKNOWN = 5,
};

#define NOTIFY_TRACE_VERSION 2
#define NOTIFY_DROP_VERSION 3
/* Bytes of the packet copied after the body (Cilium's trace-payloadlen default). */
#define TRACE_PAYLOAD_LEN 128

/* 16 bytes, Cilium's NOTIFY_COMMON_HDR + NOTIFY_CAPTURE_HDR. */
struct notify_common {
	__u8 type;		/* enum notify_type */
	__u8 subtype;		/* trace: enum trace_point; drop: the drop reason (positive) */
	__u16 source;		/* endpoint ID of the emitting program (0: the host program) */
	__u32 hash;		/* skb hash, printed as "flow 0x…" */
	__u32 len_orig;		/* packet length */
	__u16 len_cap;		/* payload bytes that follow the body */
	__u8 version;
	__u8 ext_version;
};

/* 56 bytes. */
struct trace_notify {
	struct notify_common hdr;
	__u32 src_label;	/* security identity of the source */
	__u32 dst_label;	/* security identity of the destination */
	__u16 dst_id;		/* endpoint ID of the destination, 0 if none */
	__u8 reason;		/* enum trace_reason */
	__u8 flags;		/* bit 0: IPv6 */
	__u32 ifindex;		/* interface the packet is traced at */
	union {
		struct {
			__be32 orig_ip4;	/* address before NAT; 0 if none */
			__u32 orig_pad[3];
		};
		__u8 orig_ip6[16];
	};
	__u64 ip_trace_id;
};

/* 48 bytes. */
struct drop_notify {
	struct notify_common hdr;
	__u32 src_label;
	__u32 dst_label;
	__u32 dst_id;		/* endpoint ID of the destination (ingress drops), else 0 */
	__u16 line;		/* source line of the drop */
	__u8 file;		/* source file id: 1 bpf_host.c, 2 bpf_lxc.c (Cilium's numbering) */
	__s8 ext_error;
	__u32 ifindex;
	__u8 flags;		/* bit 0: IPv6 */
	__u8 pad2[3];
	__u64 ip_trace_id;
};

/* What a ring-buffer record holds: one of the bodies, then TRACE_PAYLOAD_LEN payload bytes. */
struct trace_record {
	struct trace_notify n;
	__u8 payload[TRACE_PAYLOAD_LEN];
};

struct drop_record {
	struct drop_notify n;
	__u8 payload[TRACE_PAYLOAD_LEN];
};

#define EVENTS_RINGBUF_SIZE (1 << 20)	/* 1 MiB: ~5,000 records */

#endif
