/* SPDX-License-Identifier: GPL-2.0 */
/* Service load-balancing structs in Cilium's layouts (bpf/lib/lb.h and bpf/lib/common.h of
 * cilium/cilium), shared by the socket LB (bpf_sock.c) and, later, the per-packet LB. The agent
 * writes every map; programs only read them, except the socket reverse-NAT map (sock.h).
 *
 * Byte order: addresses and ports are network order; backend_slot, count and backend IDs are
 * host order; rev_nat_index is network order in both lb4_service and the reverse-NAT key, as
 * Cilium's agent writes it (pkg/loadbalancer/maps/types.go) — BPF only compares it.
 */
#ifndef WAGGLE_LB_TYPES_H
#define WAGGLE_LB_TYPES_H

#include <linux/types.h>

/* 12 bytes. backend_slot 0 is the frontend's master row; 1..count are its backend slots. */
struct lb4_key {
	__be32 address;		/* the frontend: ClusterIP, LoadBalancer ingress IP, externalIP */
	__be16 dport;
	__u16 backend_slot;
	__u8 proto;		/* IPPROTO_TCP / IPPROTO_UDP (0 would be Cilium's "any") */
	__u8 scope;		/* LB_LOOKUP_SCOPE_EXT / _INT */
	__u8 pad[2];
};

#define LB_LOOKUP_SCOPE_EXT 0
#define LB_LOOKUP_SCOPE_INT 1

/* 12 bytes. In Cilium the first word is a union: backend_id in slot rows, affinity_timeout
 * (low 24 bits seconds, high 8 bits the selection algorithm) in the master row. waggle has no
 * session affinity yet, so the master row carries 0 there.
 */
struct lb4_service {
	__u32 backend_id;
	__u16 count;		/* master row: number of backend slots */
	__u16 rev_nat_index;	/* the service ID (waggle_lb4_reverse_nat key) */
	__u8 flags;		/* SVC_FLAG_* */
	__u8 flags2;		/* SVC_FLAG2_* */
	__u16 qcount;		/* quarantined slots after count (none yet) */
};

/* lb4_service.flags (Cilium's enum lb_svc_flags). */
#define SVC_FLAG_EXTERNAL_IP	(1 << 0)
#define SVC_FLAG_NODEPORT	(1 << 1)
#define SVC_FLAG_EXT_LOCAL_SCOPE (1 << 2)
#define SVC_FLAG_HOSTPORT	(1 << 3)
#define SVC_FLAG_AFFINITY	(1 << 4)
#define SVC_FLAG_LOADBALANCER	(1 << 5)
#define SVC_FLAG_ROUTABLE	(1 << 6)
#define SVC_FLAG_SOURCE_RANGE	(1 << 7)

/* lb4_service.flags2 (Cilium's enum lb_svc_flags2): the frontend has a second row set with
 * scope LB_LOOKUP_SCOPE_INT, for clients inside the cluster (externalTrafficPolicy=Local: the
 * external rows hold only this node's backends, the internal ones all of them). */
#define SVC_FLAG2_TWO_SCOPES	(1 << 5)

/* sessionAffinity: ClientIP. 16 bytes, Cilium's struct lb4_affinity_key: the client is its IPv4
 * (per-packet LB) or its network namespace's cookie (socket LB, netns_cookie 1). */
struct lb4_affinity_key {
	__u64 client_id;
	__u16 rev_nat_id;	/* network order, as lb4_service.rev_nat_index */
	__u8 netns_cookie;
	__u8 pad1;
	__u32 pad2;
};

/* 16 bytes, Cilium's struct lb_affinity_val. last_used: seconds of CLOCK_MONOTONIC. */
struct lb_affinity_val {
	__u64 last_used;
	__u32 backend_id;
	__u32 pad;
};

/* With SVC_FLAG_AFFINITY the master row's backend_id carries the timeout, seconds, in its low
 * 24 bits (Cilium's affinity_timeout). */
#define AFFINITY_TIMEOUT_MASK 0xffffff

/* 12 bytes: Cilium's struct lb4_src_range_key. prefixlen counts rev_nat_id and pad (32 bits)
 * before the address bits. */
struct lb4_src_range_key {
	__u32 prefixlen;
	__u16 rev_nat_id;	/* network order, as lb4_service.rev_nat_index */
	__u16 pad;
	__be32 addr;
};

/* 12 bytes. flags is the backend's state. */
struct lb4_backend {
	__be32 address;
	__be16 port;
	__u8 proto;
	__u8 flags;		/* BE_STATE_* */
	__u16 cluster_id;
	__u8 zone;
	__u8 pad;
};

#define BE_STATE_ACTIVE		0
#define BE_STATE_TERMINATING	1
#define BE_STATE_QUARANTINED	2
#define BE_STATE_MAINTENANCE	3

/* 6 bytes, packed as in Cilium: the frontend a reply must appear to come from. */
struct lb4_reverse_nat {
	__be32 address;
	__be16 port;
} __attribute__((packed));

#endif /* WAGGLE_LB_TYPES_H */
