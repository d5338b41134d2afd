/* SPDX-License-Identifier: GPL-2.0 */
/* The masquerading maps, in Cilium's layouts under our own names (bpf/lib/nat.h and
 * bpf/lib/conntrack_map.h of cilium/cilium):
 *   waggle_snat_v4_external  LRU hash, Cilium's cilium_snat_v4_external: one entry per direction
 *                            of each masqueraded flow. OUT: the pod's tuple → the node's
 *                            (address, port); IN: the reply's tuple → the pod's (address, port).
 *   waggle_ipmasq_v4         LPM trie, Cilium's cilium_ipmasq_v4: the ip-masq-agent's
 *                            nonMasqueradeCIDRs, written by the agent.
 * An LRU map never fills up: under pressure the least recently used flows lose their entries
 * (the agent exports the map's occupancy as waggle_bpf_map_pressure).
 */
#ifndef WAGGLE_NAT_MAP_H
#define WAGGLE_NAT_MAP_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define TUPLE_F_OUT 0	/* pod → outside, before translation */
#define TUPLE_F_IN 1	/* outside → node, before translation back */

/* 14 bytes, packed as Cilium's struct ipv4_ct_tuple. Addresses and ports in network order.
 * ICMP echo: the identifier is the request's sport and the reply's dport, the other port 0. */
struct ipv4_ct_tuple {
	__be32 daddr;
	__be32 saddr;
	__be16 dport;
	__be16 sport;
	__u8 nexthdr;
	__u8 flags;	/* TUPLE_F_OUT / TUPLE_F_IN */
} __attribute__((packed));

/* 40 bytes, Cilium's struct ipv4_nat_entry: struct nat_entry's four u64, then the address and
 * port to translate to (the source for OUT, the destination for IN). Times are seconds of
 * CLOCK_MONOTONIC (bpf_ktime_get_ns() / 1e9), as Cilium's bpf_mono_now(). Cilium leaves pad1
 * and pad2 for future use; waggle, having no conntrack to age flows, keeps their age there. */
struct ipv4_nat_entry {
	__u64 created;
	__u64 needs_ct;	/* 0: waggle has no BPF conntrack; kept for the layout */
	__u64 seen;	/* Cilium's pad1: the flow's last packet in this entry's direction */
	__u64 closing;	/* Cilium's pad2: when a FIN or RST was seen; 0 while open */
	__be32 to_addr;
	__be16 to_port;
	__u16 pad3;
};

#define SNAT_MAP_SIZE 65536

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct ipv4_ct_tuple);
	__type(value, struct ipv4_nat_entry);
	__uint(max_entries, SNAT_MAP_SIZE);
} waggle_snat_v4_external SEC(".maps");

/* 8 bytes: Cilium's struct lpm_v4_key. */
struct ipmasq_v4_key {
	struct bpf_lpm_trie_key_hdr lpm;
	__be32 addr;
};

/* 1 byte: Cilium's struct lpm_val (flags unused: presence is the answer). */
struct ipmasq_val {
	__u8 flags;
};

#define IPMASQ_MAP_SIZE 16384

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct ipmasq_v4_key);
	__type(value, struct ipmasq_val);
	__uint(max_entries, IPMASQ_MAP_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} waggle_ipmasq_v4 SEC(".maps");

#endif
