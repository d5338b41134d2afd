/* SPDX-License-Identifier: GPL-2.0 */
/* The conntrack maps of the per-packet service LB, Cilium's cilium_ct4_global (TCP) and
 * cilium_ct_any4_global (everything else) under our names (bpf/lib/conntrack_map.h of
 * cilium/cilium). Both are LRU hashes: under pressure the least recently used flows lose their
 * entries instead of new flows failing; the agent reports the occupancy.
 *
 * Two entries per load-balanced flow, made together on its first packet (lb4.h):
 *   SERVICE  key: client → frontend, as the client sent it (flags TUPLE_F_SERVICE)
 *            value: the backend the flow was given, so every later packet goes to the same one
 *   IN       key: backend → client, as the backend answers (flags TUPLE_F_IN; for a hairpin the
 *            client is IPV4_LOOPBACK)
 *            value: the frontend the reply must come from (nat_addr:nat_port: the address the
 *            client used, so a NodePort reply comes from the node address it was sent to)
 * Keys are struct ipv4_ct_tuple (nat_map.h), the same 14 bytes as Cilium's.
 *
 * The value is waggle's own 40 bytes rather than Cilium's 56-byte ct_entry: waggle keeps the
 * frontend in the IN entry instead of looking it up by rev_nat_index at reply time, which also
 * keeps a NodePort's node address (its reverse-NAT row says 0.0.0.0).
 */
#ifndef WAGGLE_CT_MAP_H
#define WAGGLE_CT_MAP_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "nat_map.h"

#define TUPLE_F_SERVICE 4	/* Cilium's TUPLE_F_SERVICE */

/* ct_entry.flags */
#define CT_F_CLOSING	(1 << 0)	/* a FIN or RST went by: the entry expires soon */
#define CT_F_LOOPBACK	(1 << 1)	/* hairpin: the client reached itself (Cilium's lb_loopback) */
#define CT_F_NODE_PORT	(1 << 2)	/* from outside the node (LoadBalancer, externalIP, NodePort) */

/* 40 bytes. Times are seconds of CLOCK_MONOTONIC, as nat.h. */
struct ct_entry {
	__u64 packets;
	__u64 bytes;
	__u32 backend_id;	/* SERVICE: the backend (waggle_lb4_backends_v3 key) */
	__u32 lifetime;		/* the entry expires then; a later packet renews it */
	__be32 nat_addr;	/* IN: the frontend address replies come from */
	__be16 nat_port;	/* IN: the frontend port */
	__be16 rev_nat_index;	/* the service ID, network order as in lb4_service */
	__u16 flags;		/* CT_F_* */
	__u8 tx_flags_seen;	/* TCP flags seen in this entry's direction */
	__u8 pad;
	__u32 created;
};

/* Cilium's defaults (bpf/lib/conntrack.h): CT_CONNECTION_LIFETIME_TCP, CT_SYN_TIMEOUT,
 * CT_CLOSE_TIMEOUT, CT_CONNECTION_LIFETIME_NONTCP. */
#define CT_LIFETIME_TCP 21600
#define CT_SYN_TIMEOUT 60
#define CT_CLOSE_TIMEOUT 10
#define CT_LIFETIME_NONTCP 60

#define CT_MAP_SIZE_TCP 131072
#define CT_MAP_SIZE_ANY 65536

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct ipv4_ct_tuple);
	__type(value, struct ct_entry);
	__uint(max_entries, CT_MAP_SIZE_TCP);
} waggle_ct4_global SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct ipv4_ct_tuple);
	__type(value, struct ct_entry);
	__uint(max_entries, CT_MAP_SIZE_ANY);
} waggle_ct_any4_global SEC(".maps");

/* waggle_ct_stats, per CPU: the entries the datapath made and removed in each map. The kernel
 * counts no LRU evictions, so the agent derives them: made - removed - present. */
#define CT_STAT_TCP_MADE	0
#define CT_STAT_ANY_MADE	1
#define CT_STAT_TCP_REMOVED	2
#define CT_STAT_ANY_REMOVED	3
#define CT_STAT_MAX		4

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, CT_STAT_MAX);
} waggle_ct_stats SEC(".maps");

static __always_inline void ct_stat_inc(__u32 index)
{
	__u64 *n = bpf_map_lookup_elem(&waggle_ct_stats, &index);

	if (n)
		*n += 1;	/* this CPU's own slot: no other writer */
}

#endif
