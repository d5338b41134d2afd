/* SPDX-License-Identifier: GPL-2.0 */
/* The per-packet service LB for IPv4 (Cilium's lb4_lookup_service / lb4_local / lb4_rev_nat,
 * bpf/lib/lb.h): what the socket LB could not translate — traffic from outside the node, and a
 * pod's traffic when socket LB is off or does not apply — is translated packet by packet here.
 *
 *   lb4_xlate_fwd  a packet to a frontend: the flow's backend from its SERVICE entry, or a random
 *                  slot for a new flow (SERVICE and IN entries made then, ct_map.h); destination
 *                  rewritten to the backend. A pod reaching itself through its service (hairpin)
 *                  also gets IPV4_LOOPBACK as source, as Cilium does, so it can answer.
 *   lb4_xlate_rev  a packet from a backend to its client (its IN entry): the source becomes the
 *                  frontend the client used (a hairpin's destination the pod again).
 *
 * Frontends from outside the node must be routable (LoadBalancer, externalIP, NodePort) and let
 * the client in when they have source ranges; a NodePort frontend is the surrogate row
 * 0.0.0.0:port, matched for the receiving device's address. Clients inside the cluster use the
 * internal rows of a two-scope frontend (externalTrafficPolicy=Local). Only TCP and UDP;
 * fragments and everything else pass untouched.
 */
#ifndef WAGGLE_LB4_H
#define WAGGLE_LB4_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "ct_map.h"
#include "drop.h"
#include "l4.h"
#include "lb_affinity.h"
#include "lb_maps.h"
#include "lb_wildcard.h"
#include "nat.h"
#include "runtime_config.h"

#define IPV4_LOOPBACK bpf_htonl(0xa9fe2a01)	/* 169.254.42.1, Cilium's IPV4_LOOPBACK */

/* RUNTIME_CONFIG_LB bits, written by the agent. */
#define LB_F_PER_PACKET	(1 << 0)	/* bpf_lxc translates services; replies are translated back */
#define LB_F_NODE_PORT	(1 << 1)	/* from_netdev serves frontends to clients outside the node */

static __always_inline __u64 lb_config(void)
{
	return runtime_config_get(RUNTIME_CONFIG_LB);
}

struct lb4_flow {
	struct ipv4_ct_tuple t;	/* as received; flags 0 */
	struct l4_layout l;
	__u8 tcp_flags;
};

/* The flow of a TCP or UDP packet; -1 for anything else, a fragment or a truncated header. */
static __always_inline int lb4_flow_load(struct __sk_buff *skb, const struct iphdr *ip, struct lb4_flow *f)
{
	__be16 ports[2];

	if (ip->ihl < 5 || (ip->frag_off & bpf_htons(0x3fff)))
		return -1;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return -1;
	if (l4_layout_v4(ip, &f->l) < 0 || bpf_skb_load_bytes(skb, f->l.off, ports, sizeof(ports)) < 0)
		return -1;
	f->t = (struct ipv4_ct_tuple){
		.daddr = ip->daddr,
		.saddr = ip->saddr,
		.dport = ports[1],
		.sport = ports[0],
		.nexthdr = ip->protocol,
	};
	f->tcp_flags = 0;
	if (ip->protocol == IPPROTO_TCP && bpf_skb_load_bytes(skb, f->l.off + 13, &f->tcp_flags, 1) < 0)
		return -1;
	return 0;
}

static __always_inline struct ct_entry *ct_lookup4(const struct ipv4_ct_tuple *t)
{
	if (t->nexthdr == IPPROTO_TCP)
		return bpf_map_lookup_elem(&waggle_ct4_global, t);
	return bpf_map_lookup_elem(&waggle_ct_any4_global, t);
}

#define CT_EEXIST 17

/* Writes entry `e` for `t`. A new key is counted as made (waggle_ct_stats), so the agent can tell
 * how many entries the LRU evicted; an existing one is overwritten. */
static __always_inline long ct_update4(const struct ipv4_ct_tuple *t, const struct ct_entry *e)
{
	int tcp = t->nexthdr == IPPROTO_TCP;
	long ret;

	if (tcp)
		ret = bpf_map_update_elem(&waggle_ct4_global, t, e, BPF_NOEXIST);
	else
		ret = bpf_map_update_elem(&waggle_ct_any4_global, t, e, BPF_NOEXIST);
	if (ret == 0) {
		ct_stat_inc(tcp ? CT_STAT_TCP_MADE : CT_STAT_ANY_MADE);
		return 0;
	}
	if (ret != -CT_EEXIST)
		return ret;
	if (tcp)
		return bpf_map_update_elem(&waggle_ct4_global, t, e, BPF_ANY);
	return bpf_map_update_elem(&waggle_ct_any4_global, t, e, BPF_ANY);
}

static __always_inline void ct_delete4(const struct ipv4_ct_tuple *t)
{
	int tcp = t->nexthdr == IPPROTO_TCP;
	long ret;

	if (tcp)
		ret = bpf_map_delete_elem(&waggle_ct4_global, t);
	else
		ret = bpf_map_delete_elem(&waggle_ct_any4_global, t);
	if (ret == 0)
		ct_stat_inc(tcp ? CT_STAT_TCP_REMOVED : CT_STAT_ANY_REMOVED);
}

/* How long an entry lives after a packet with these TCP flags (Cilium's ct_update_timeout):
 * a handshake a minute, an open TCP flow six hours, anything else a minute. */
static __always_inline __u32 ct_lifetime4(__u8 proto, __u8 tcp_flags, __u32 now)
{
	if (proto != IPPROTO_TCP)
		return now + CT_LIFETIME_NONTCP;
	if (tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST))
		return now + CT_CLOSE_TIMEOUT;
	if (tcp_flags & TCP_FLAG_SYN)
		return now + CT_SYN_TIMEOUT;
	return now + CT_LIFETIME_TCP;
}

/* A packet of the entry's direction went by. Fields are written only on change, so a busy flow
 * does not bounce the value's cache line between CPUs more than its counters do. */
static __always_inline void ct_touch4(struct ct_entry *e, __u32 len, __u8 proto, __u8 tcp_flags, __u32 now)
{
	__u32 until;

	__sync_fetch_and_add(&e->packets, 1);
	__sync_fetch_and_add(&e->bytes, len);
	if ((e->tx_flags_seen | tcp_flags) != e->tx_flags_seen)
		e->tx_flags_seen |= tcp_flags;
	if (e->flags & CT_F_CLOSING)
		return;		/* a closing flow keeps its short lifetime */
	if (tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST))
		e->flags |= CT_F_CLOSING;
	until = ct_lifetime4(proto, tcp_flags, now);
	if (until != e->lifetime)
		e->lifetime = until;
}

/* The frontend `key` names (filled here). The NodePort surrogate 0.0.0.0:port matches a packet
 * from outside sent to the receiving device's address (`node_addr`), and one from inside sent to
 * any node's address (lb_wildcard_ok). */
static __always_inline const struct lb4_service *lb4_lookup_service(struct lb4_key *key, const struct ipv4_ct_tuple *t,
								    int external, __be32 node_addr)
{
	const struct lb4_service *svc;
	int wildcard;

	key->address = t->daddr;
	key->dport = t->dport;
	key->backend_slot = 0;
	key->proto = t->nexthdr;
	key->scope = LB_LOOKUP_SCOPE_EXT;
	svc = bpf_map_lookup_elem(&waggle_lb4_services_v2, key);
	if (svc)
		return svc;
	wildcard = external ? node_addr && t->daddr == node_addr : lb_wildcard_ok(t->daddr);
	if (!wildcard)
		return NULL;
	key->address = 0;
	svc = bpf_map_lookup_elem(&waggle_lb4_services_v2, key);
	return svc && (svc->flags & SVC_FLAG_NODEPORT) ? svc : NULL;
}

/* Clients inside the cluster use a two-scope frontend's internal rows (every backend). */
static __always_inline const struct lb4_service *lb4_internal_scope(struct lb4_key *key, const struct lb4_service *svc)
{
	if (!svc || !(svc->flags2 & SVC_FLAG2_TWO_SCOPES))
		return svc;
	key->scope = LB_LOOKUP_SCOPE_INT;
	return bpf_map_lookup_elem(&waggle_lb4_services_v2, key);
}

/* loadBalancerSourceRanges: may `saddr` use the frontend of service `rev_nat`? */
static __always_inline int lb4_src_range_ok(__be16 rev_nat, __be32 saddr)
{
	struct lb4_src_range_key k = { .prefixlen = 64, .rev_nat_id = rev_nat, .addr = saddr };

	return bpf_map_lookup_elem(&waggle_lb4_source_range, &k) != NULL;
}

/* The first packet of a TCP connection: SYN without ACK. */
static __always_inline int lb4_is_syn(const struct lb4_flow *f)
{
	return f->t.nexthdr == IPPROTO_TCP && (f->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN;
}

/* A backend of `svc` by slot (`key` is its master row's key); NULL when the agent is between writes. */
static __always_inline const struct lb4_backend *lb4_pick_backend(const struct lb4_service *svc, struct lb4_key *key,
								  __u32 *backend_id)
{
	const struct lb4_service *slot;

	if (svc->count == 0)
		return NULL;
	key->backend_slot = (bpf_get_prandom_u32() % svc->count) + 1;
	slot = bpf_map_lookup_elem(&waggle_lb4_services_v2, key);
	if (!slot)
		return NULL;
	*backend_id = slot->backend_id;
	return bpf_map_lookup_elem(&waggle_lb4_backends_v3, backend_id);
}

/* A packet of flow `f` to a frontend. `external`: it came from outside the node (only routable
 * frontends; `node_addr` the receiving device's address, for NodePort). 1 when translated, 0 when
 * not a frontend served here, or -DROP_*. */
static __always_inline int lb4_xlate_fwd(struct __sk_buff *skb, const struct lb4_flow *f, int external, __be32 node_addr)
{
	struct ipv4_ct_tuple st = f->t, rt = {};
	struct ct_entry fresh = {}, *ce;
	const struct lb4_backend *be = NULL;
	const struct lb4_service *svc;
	struct lb4_key key = {};
	__u32 now = (__u32)nat_now(), backend_id = 0;
	__be32 baddr;
	__be16 bport, rev_nat;
	__u16 flags;
	int ret, loopback, fresh_flow = 0;

	svc = lb4_lookup_service(&key, &f->t, external, node_addr);
	if (!external)
		svc = lb4_internal_scope(&key, svc);
	if (!svc)
		return 0;
	if (external && !(svc->flags & SVC_FLAG_ROUTABLE))
		return 0;	/* a ClusterIP is not served to the outside (Cilium's default) */
	if (external && (svc->flags & SVC_FLAG_SOURCE_RANGE) && !lb4_src_range_ok(svc->rev_nat_index, f->t.saddr))
		return -DROP_NOT_IN_SRC_RANGE;
	if (svc->count == 0)
		return -DROP_NO_SERVICE;
	rev_nat = svc->rev_nat_index;
	st.flags = TUPLE_F_SERVICE;
	ce = ct_lookup4(&st);
	if (ce && ce->lifetime >= now) {
		backend_id = ce->backend_id;
		be = bpf_map_lookup_elem(&waggle_lb4_backends_v3, &backend_id);
		/* A SYN on a live entry is a new connection on an old tuple (a client's ports come
		 * round within the close timeout) or a retransmitted SYN. Its entries are made anew
		 * (Cilium's CT_REOPENED), else a reused tuple would keep the old flow's closing
		 * lifetime and lose its backend mid-connection. It keeps an active backend (a
		 * retransmitted SYN must reach the same one) and picks again when the backend is
		 * no longer active (its pod terminating), so no new connection reaches that pod.
		 * Established flows keep their backend either way, as Cilium's lb4_local does. */
		if (be && lb4_is_syn(f)) {
			if (be->flags != BE_STATE_ACTIVE)
				be = NULL;
			else
				fresh_flow = 1;
		}
		if (be && !fresh_flow)
			ct_touch4(ce, skb->len, f->t.nexthdr, f->tcp_flags, now);
	}
	if (!be) {
		/* A new flow, an expired one, or its backend is gone: a backend for it now — the
		 * client's last one under session affinity. */
		if (svc->flags & SVC_FLAG_AFFINITY)
			be = lb4_affinity_backend(svc, f->t.saddr, 0, &backend_id);
		if (!be) {
			be = lb4_pick_backend(svc, &key, &backend_id);
			if (!be)
				return -DROP_NO_SERVICE;
			if (svc->flags & SVC_FLAG_AFFINITY)
				lb4_affinity_update(svc, f->t.saddr, 0, backend_id);
		}
		fresh_flow = 1;
	}
	baddr = be->address;
	bport = be->port;
	loopback = !external && baddr == f->t.saddr;
	flags = (external ? CT_F_NODE_PORT : 0) | (loopback ? CT_F_LOOPBACK : 0);
	if (fresh_flow) {
		fresh = (struct ct_entry){
			.packets = 1,
			.bytes = skb->len,
			.backend_id = backend_id,
			.lifetime = ct_lifetime4(f->t.nexthdr, f->tcp_flags, now),
			.rev_nat_index = rev_nat,
			.flags = flags,
			.tx_flags_seen = f->tcp_flags,
			.created = now,
		};
		if (ct_update4(&st, &fresh) < 0)
			return -DROP_CT_CREATE_FAILED;
	}
	rt = (struct ipv4_ct_tuple){
		.daddr = loopback ? IPV4_LOOPBACK : f->t.saddr,
		.saddr = baddr,
		.dport = f->t.sport,
		.sport = bport,
		.nexthdr = f->t.nexthdr,
		.flags = TUPLE_F_IN,
	};
	/* The reply entry is (re)made with a new flow, or when LRU pressure took it alone. */
	if (fresh_flow || !ct_lookup4(&rt)) {
		fresh = (struct ct_entry){
			.lifetime = ct_lifetime4(f->t.nexthdr, f->tcp_flags, now),
			.nat_addr = f->t.daddr,
			.nat_port = f->t.dport,
			.rev_nat_index = rev_nat,
			.flags = flags,
			.created = now,
		};
		if (ct_update4(&rt, &fresh) < 0) {
			ct_delete4(&st);
			return -DROP_CT_CREATE_FAILED;
		}
	}
	ret = nat_rewrite_v4(skb, f->t.nexthdr, &f->l, 0, f->t.daddr, baddr, f->t.dport, bport);
	if (ret == 0 && loopback)
		ret = nat_rewrite_v4(skb, f->t.nexthdr, &f->l, 1, f->t.saddr, IPV4_LOOPBACK, f->t.sport, f->t.sport);
	return ret < 0 ? ret : 1;
}

/* A packet of flow `f` from a backend to its client: 1 when translated back, 0 when it is not a
 * reply of a load-balanced flow, or -DROP_*. */
static __always_inline int lb4_xlate_rev(struct __sk_buff *skb, const struct lb4_flow *f)
{
	struct ipv4_ct_tuple rt = f->t;
	struct ct_entry *ce;
	__be32 addr;
	__be16 port;
	int ret, loopback;

	rt.flags = TUPLE_F_IN;
	ce = ct_lookup4(&rt);
	if (!ce)
		return 0;
	ct_touch4(ce, skb->len, f->t.nexthdr, f->tcp_flags, (__u32)nat_now());
	addr = ce->nat_addr;
	port = ce->nat_port;
	loopback = ce->flags & CT_F_LOOPBACK;
	ret = nat_rewrite_v4(skb, f->t.nexthdr, &f->l, 1, f->t.saddr, addr, f->t.sport, port);
	/* A hairpin's client is the backend itself, behind IPV4_LOOPBACK. */
	if (ret == 0 && loopback)
		ret = nat_rewrite_v4(skb, f->t.nexthdr, &f->l, 0, f->t.daddr, f->t.saddr, f->t.dport, f->t.dport);
	return ret < 0 ? ret : 1;
}

#endif
