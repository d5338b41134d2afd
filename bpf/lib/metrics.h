/* SPDX-License-Identifier: GPL-2.0 */
/* Datapath metrics: packets and bytes per (reason, direction), in Cilium's metrics map layout
 * (struct metrics_key / metrics_value of Cilium's bpf/lib/metrics.h), so `bpftool map dump` of
 * waggle_metrics reads like cilium_metrics and `waggle bpf metrics list` can print it the way
 * `cilium-dbg bpf metrics list` does. Reason 0 is "forwarded"; any other reason is a drop reason
 * from enum drop_reason (drop.h). A per-CPU hash: every CPU adds to its own copy without atomics,
 * and user space sums the copies.
 */
#ifndef WAGGLE_METRICS_H
#define WAGGLE_METRICS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum metric_dir {
	METRIC_INGRESS = 1,
	METRIC_EGRESS = 2,
	METRIC_SERVICE = 3,
};

#define REASON_FORWARDED 0

/* The source file id of the accounting call (Cilium's numbering, as in drop_notify.file): the
 * entry object defines it before its includes (1 bpf_host.c, 2 bpf_lxc.c). */
#ifndef WAGGLE_FILE_ID
#define WAGGLE_FILE_ID 0
#endif

struct metrics_key {
	__u8 reason;		/* 0 forwarded, otherwise enum drop_reason */
	__u8 dir:2,		/* enum metric_dir */
	     pad:6;
	__u16 line;		/* source line of the accounting call, for debugging */
	__u8 file;		/* source file id (WAGGLE_FILE_ID, Cilium's __MAGIC_FILE__ numbering) */
	__u8 reserved[3];
};

struct metrics_value {
	__u64 count;
	__u64 bytes;
};

#define METRICS_MAP_SIZE 1024

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, struct metrics_key);
	__type(value, struct metrics_value);
	__uint(max_entries, METRICS_MAP_SIZE);
} waggle_metrics SEC(".maps");

static __always_inline void __update_metrics(__u64 bytes, __u8 dir, __u8 reason, __u16 line)
{
	struct metrics_key key = { .reason = reason, .dir = dir, .line = line, .file = WAGGLE_FILE_ID };
	struct metrics_value *entry, fresh = { .count = 1, .bytes = bytes };

	entry = bpf_map_lookup_elem(&waggle_metrics, &key);
	if (entry) {
		/* This CPU's own copy: no other CPU writes it, no atomics needed. */
		entry->count += 1;
		entry->bytes += bytes;
		return;
	}
	/* A full map loses the count rather than the packet. */
	bpf_map_update_elem(&waggle_metrics, &key, &fresh, BPF_ANY);
}

#define update_metrics(bytes, dir, reason) __update_metrics((bytes), (dir), (reason), __LINE__)

#endif
