/* SPDX-License-Identifier: GPL-2.0 */
/* Drop reasons and their accounting. A reason is defined once, here, as an enum so that it
 * lands in the object's BTF: `bpftool map dump` prints waggle_drops keys by name, and the
 * TypeScript side (src/datapath/maps/drops.ts) checks its own table against this BTF. The values
 * keep Cilium's magnitudes (its DROP_* codes, bpf/lib/drop_reasons.h, are the negatives).
 */
#ifndef WAGGLE_DROP_H
#define WAGGLE_DROP_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "metrics.h"
#include "trace.h"

enum drop_reason {
	DROP_INVALID_SIP = 132,		/* "Invalid source ip": a pod sent from an address not its own */
	DROP_INVALID = 134,		/* "Invalid packet": too short for what its header promises */
	DROP_UNKNOWN_L3 = 139,		/* "Unsupported L3 protocol" */
	DROP_WRITE_ERROR = 141,		/* "Error writing to packet" */
	DROP_CT_CREATE_FAILED = 155,	/* "CT: Map insertion failed" (lb4.h) */
	DROP_FRAG_NOSUPPORT = 157,	/* "IP fragmentation not supported": a fragment to masquerade */
	DROP_NO_SERVICE = 158,		/* "Service backend not found": a frontend without backends */
	DROP_UNSUPPORTED_L2 = 166,	/* reserved: "Unsupported L2 protocol" */
	DROP_NAT_NO_MAPPING = 167,	/* "No mapping for NAT masquerade": no free port (nat.h) */
	DROP_NAT_UNSUPP_PROTO = 168,	/* "Unsupported protocol for NAT masquerade" */
	DROP_NOT_IN_SRC_RANGE = 177,	/* "Not in source range": loadBalancerSourceRanges (lb4.h) */
};

/* Per-reason drop counters. A hash keyed by the enum rather than an array: the kernel wants an
 * array's key to be a plain int in BTF, and the enum key is what makes the dump readable. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, enum drop_reason);
	__type(value, __u64);
	__uint(max_entries, 64);
} waggle_drops SEC(".maps");

/* Counts the drop (per reason, and in waggle_metrics with its direction and size), writes a
 * drop notification and returns the verdict that drops the frame. */
static __always_inline int __drop_packet(struct __sk_buff *skb, enum drop_reason reason, __u8 dir,
					 const struct notify_meta *m, __u16 line)
{
	__u64 one = 1, *count;

	__update_metrics(skb->len, dir, reason, line);

	count = bpf_map_lookup_elem(&waggle_drops, &reason);
	if (count) {
		__sync_fetch_and_add(count, 1);
	} else if (bpf_map_update_elem(&waggle_drops, &reason, &one, BPF_NOEXIST) < 0) {
		/* Another CPU created the entry between our lookup and insert. */
		count = bpf_map_lookup_elem(&waggle_drops, &reason);
		if (count)
			__sync_fetch_and_add(count, 1);
	}
	send_drop_notify(skb, reason, m, line);
	return TC_ACT_SHOT;
}

/* A drop with what the caller knows about the packet (labels, destination, device). */
#define drop_packet_ext(skb, reason, dir, meta) __drop_packet((skb), (reason), (dir), (meta), __LINE__)

/* A drop with no identities known: labels 0, at the device the packet is on. */
#define drop_packet(skb, reason, dir)                                                         \
	({                                                                                     \
		struct notify_meta __m = { .ifindex = (skb)->ifindex };                        \
		__drop_packet((skb), (reason), (dir), &__m, __LINE__);                         \
	})

#endif
