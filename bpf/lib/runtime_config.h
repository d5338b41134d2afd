/* SPDX-License-Identifier: GPL-2.0 */
/* The runtime config map: values the agent writes while it runs (Cilium's cilium_runtime_config
 * layout, under our own name). Index 1 is the agent's heartbeat, which gates the L2 responder;
 * index 2 turns trace notifications on while a monitor listens; index 3 turns eBPF host routing
 * on and index 4 the per-packet service LB (slots rather than load-time constants: bpf_lxc
 * objects of restored endpoints are not reloaded, and all of them must switch together).
 */
#ifndef WAGGLE_RUNTIME_CONFIG_H
#define WAGGLE_RUNTIME_CONFIG_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum runtime_config {
	RUNTIME_CONFIG_UTIME_OFFSET = 0,	/* Unix time offset, in 512 ns units */
	RUNTIME_CONFIG_AGENT_LIVENESS = 1,	/* last CLOCK_MONOTONIC ns the agent was alive */
	RUNTIME_CONFIG_TRACE_EVENTS = 2,	/* non-zero: write trace notifications (trace.h) */
	RUNTIME_CONFIG_HOST_ROUTING = 3,	/* non-zero: eBPF host routing (fib.h) */
	RUNTIME_CONFIG_LB = 4,			/* LB_F_* bits: the per-packet service LB (lb4.h) */
};

#define RUNTIME_CONFIG_SIZE 256	/* as Cilium: room to grow without changing the map */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, RUNTIME_CONFIG_SIZE);
} waggle_runtime_config SEC(".maps");

/* The value at `index`, or 0 when it cannot be read (0 also means "never written"). */
static __always_inline __u64 runtime_config_get(__u32 index)
{
	__u64 *value = bpf_map_lookup_elem(&waggle_runtime_config, &index);

	return value ? *value : 0;
}

#endif
