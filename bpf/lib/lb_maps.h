/* SPDX-License-Identifier: GPL-2.0 */
/* The service maps, Cilium's cilium_lb4_services_v2 / cilium_lb4_backends_v3 /
 * cilium_lb4_reverse_nat / cilium_lb4_source_range / cilium_lb4_affinity under waggle names. The sizes here are compile-time defaults; the agent
 * sets max_entries before load (--bpf-lb-map-max and the per-map flags).
 */
#ifndef WAGGLE_LB_MAPS_H
#define WAGGLE_LB_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "lb_types.h"

#define LB_MAP_DEFAULT_SIZE 65536
#define LB_SOURCE_RANGE_MAP_SIZE 16384
#define LB_AFFINITY_MAP_SIZE 65536

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct lb4_key);
	__type(value, struct lb4_service);
	__uint(max_entries, LB_MAP_DEFAULT_SIZE);
	/* The agent is the only writer (Cilium's BPF_F_RDONLY_PROG). */
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG);
} waggle_lb4_services_v2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);	/* backend ID, host order */
	__type(value, struct lb4_backend);
	__uint(max_entries, LB_MAP_DEFAULT_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG);
} waggle_lb4_backends_v3 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u16);	/* rev_nat_index, network order */
	__type(value, struct lb4_reverse_nat);
	__uint(max_entries, LB_MAP_DEFAULT_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG);
} waggle_lb4_reverse_nat SEC(".maps");

/* loadBalancerSourceRanges: (service ID, client prefix) → allowed, Cilium's
 * cilium_lb4_source_range. Only frontends flagged SVC_FLAG_SOURCE_RANGE consult it. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lb4_src_range_key);
	__type(value, __u8);
	__uint(max_entries, LB_SOURCE_RANGE_MAP_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_RDONLY_PROG);
} waggle_lb4_source_range SEC(".maps");

/* sessionAffinity: (client, service ID) → the backend it was last given, Cilium's
 * cilium_lb4_affinity. Written by the programs; LRU, so stale clients simply age out. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct lb4_affinity_key);
	__type(value, struct lb_affinity_val);
	__uint(max_entries, LB_AFFINITY_MAP_SIZE);
} waggle_lb4_affinity SEC(".maps");

#endif /* WAGGLE_LB_MAPS_H */
