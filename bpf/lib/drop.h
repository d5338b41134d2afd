/* SPDX-License-Identifier: GPL-2.0 */
/* Drop reasons and their accounting. A reason is defined once, here, as an enum so that it
 * lands in the object's BTF: `bpftool map dump` prints waggle_drops keys by name, and the
 * TypeScript side (src/bpf/maps/drops.ts) checks its own table against this BTF. The values
 * keep Cilium's magnitudes (its DROP_* codes are the negatives of these).
 */
#ifndef WAGGLE_DROP_H
#define WAGGLE_DROP_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "metrics.h"

enum drop_reason {
	DROP_INVALID = 134,	/* reserved: a frame too short for what its header promises */
	DROP_WRITE_ERROR = 141,	/* a store into the packet failed */
};

/* Per-reason drop counters. A hash keyed by the enum rather than an array: the kernel wants an
 * array's key to be a plain int in BTF, and the enum key is what makes the dump readable. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, enum drop_reason);
	__type(value, __u64);
	__uint(max_entries, 64);
} waggle_drops SEC(".maps");

/* Counts the drop (per reason, and in waggle_metrics with its direction and size) and returns
 * the verdict that drops the frame. */
static __always_inline int drop_packet(struct __sk_buff *skb, enum drop_reason reason, __u8 dir)
{
	__u64 one = 1, *count;

	update_metrics(skb->len, dir, reason);

	count = bpf_map_lookup_elem(&waggle_drops, &reason);
	if (count) {
		__sync_fetch_and_add(count, 1);
	} else if (bpf_map_update_elem(&waggle_drops, &reason, &one, BPF_NOEXIST) < 0) {
		/* Another CPU created the entry between our lookup and insert. */
		count = bpf_map_lookup_elem(&waggle_drops, &reason);
		if (count)
			__sync_fetch_and_add(count, 1);
	}
	return TC_ACT_SHOT;
}

#endif
