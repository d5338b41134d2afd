/* SPDX-License-Identifier: GPL-2.0 */
/* eBPF masquerading (Cilium's bpf/lib/nat.h, snat_v4_*): a pod's packet leaving the cluster
 * gets the native device's address as its source and a port from nat_port_min..max; the reply
 * gets the pod's address and port back. Two entries in waggle_snat_v4_external per flow, made
 * together on its first packet: OUT (looked up at to_netdev) and IN (at from_netdev).
 *
 * Port allocation keeps the pod's own port when it is in the range and free, and otherwise
 * probes SNAT_COLLISION_RETRIES ports from a random start, each claimed by inserting the IN
 * entry with BPF_NOEXIST — the insert is the collision check, so two CPUs can never be given
 * one port for the same destination. No free port: DROP_NAT_NO_MAPPING.
 *
 * Ports come from nat_port_min..max (default Cilium's 32768-65535), so a pod's own ephemeral
 * port is usually kept, as iptables MASQUERADE keeps it; the node's own flows guard theirs
 * (snat_v4_track_host).
 *
 * There is no BPF conntrack here to tell a pod's new connection from its reply to one that came
 * in (Cilium asks its CT map, ct_is_reply4). Instead a TCP mapping is only ever made by a SYN
 * without ACK: a pod's SYN-ACK or later segment with no mapping belongs to an inbound connection
 * and leaves untouched, as iptables MASQUERADE leaves conntrack replies.
 *
 * Nor is there a conntrack GC to free a finished flow's port (Cilium's removes the NAT entries
 * with the CT entry). So every entry records its last packet and when a FIN or RST went by, and
 * a port whose IN entry is stale — closed NAT_CLOSE_REUSE_S ago, or idle NAT_IDLE_TCP_S /
 * NAT_IDLE_OTHER_S (Cilium's CT lifetimes) — is taken over by a new flow, its old OUT entry
 * removed with it. Without this a busy destination runs out of ports after one range's worth
 * of short connections.
 */
#ifndef WAGGLE_NAT_H
#define WAGGLE_NAT_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "drop.h"
#include "eps.h"
#include "ipcache.h"
#include "l4.h"
#include "masq_config.h"
#include "nat_map.h"

#define SNAT_COLLISION_RETRIES 32
#define NAT_CLOSE_REUSE_S 2	/* both ends are done with a flow this soon after its FIN/RST */
#define NAT_IDLE_TCP_S 21600	/* Cilium's CT_CONNECTION_LIFETIME_TCP */
#define NAT_IDLE_OTHER_S 60	/* Cilium's CT_CONNECTION_LIFETIME_NONTCP */
#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_ACK 0x10

/* The tuple of `ip`'s flow as nat_map.h keys it, in direction `dir`: 0, -DROP_NAT_UNSUPP_PROTO
 * (not TCP, UDP or the ICMP echo of that direction), or -DROP_INVALID (truncated). */
static __always_inline int nat_tuple_v4(struct __sk_buff *skb, const struct iphdr *ip,
					const struct l4_layout *l, __u8 dir, struct ipv4_ct_tuple *t)
{
	__be16 ports[2];
	__u8 type;

	t->daddr = ip->daddr;
	t->saddr = ip->saddr;
	t->nexthdr = ip->protocol;
	t->flags = dir;
	if (ip->protocol == IPPROTO_ICMP) {
		if (bpf_skb_load_bytes(skb, l->off, &type, 1) < 0 ||
		    bpf_skb_load_bytes(skb, l->off + 4, &ports[0], 2) < 0)
			return -DROP_INVALID;
		if (type != (dir == TUPLE_F_OUT ? ICMP_ECHO : ICMP_ECHOREPLY))
			return -DROP_NAT_UNSUPP_PROTO;
		t->sport = dir == TUPLE_F_OUT ? ports[0] : 0;
		t->dport = dir == TUPLE_F_OUT ? 0 : ports[0];
		return 0;
	}
	if (bpf_skb_load_bytes(skb, l->off, ports, sizeof(ports)) < 0)
		return -DROP_INVALID;
	t->sport = ports[0];
	t->dport = ports[1];
	return 0;
}

static __always_inline __u64 nat_now(void)
{
	return bpf_ktime_get_ns() / 1000000000ULL;
}

/* A packet of the entry's flow went by; `fin`: it carried a FIN or RST. Written only on change,
 * so a busy flow does not bounce the value's cache line between CPUs every packet. */
static __always_inline void nat_touch(struct ipv4_nat_entry *e, __u64 now, int fin)
{
	if (e->seen != now)
		e->seen = now;
	if (fin && !e->closing)
		e->closing = now;
}

/* May the flow holding IN entry `e` give its port to a new one? */
static __always_inline int nat_stale(const struct ipv4_nat_entry *e, __u8 proto, __u64 now)
{
	if (e->closing && now - e->closing >= NAT_CLOSE_REUSE_S)
		return 1;
	return now - e->seen >= (proto == IPPROTO_TCP ? NAT_IDLE_TCP_S : NAT_IDLE_OTHER_S);
}

/* Frees the port of IN tuple `in` when its flow is stale: its OUT entry (if it still maps to
 * this port) and the IN entry go. 1 when freed. */
static __always_inline int nat_reclaim(const struct ipv4_ct_tuple *in, __u64 now)
{
	const struct ipv4_nat_entry *old = bpf_map_lookup_elem(&waggle_snat_v4_external, in);
	struct ipv4_ct_tuple old_out = { .nexthdr = in->nexthdr, .flags = TUPLE_F_OUT };
	const struct ipv4_nat_entry *fwd;

	if (!old || !nat_stale(old, in->nexthdr, now))
		return 0;
	old_out.daddr = in->saddr;
	old_out.saddr = old->to_addr;
	old_out.dport = in->sport;
	old_out.sport = old->to_port;
	fwd = bpf_map_lookup_elem(&waggle_snat_v4_external, &old_out);
	if (fwd && fwd->to_port == in->dport)
		bpf_map_delete_elem(&waggle_snat_v4_external, &old_out);
	bpf_map_delete_elem(&waggle_snat_v4_external, in);
	return 1;
}

/* A new mapping for `out` (an OUT tuple) to `to_addr`; fills `entry` with the OUT value. */
static __always_inline int snat_v4_new_mapping(const struct ipv4_ct_tuple *out, __be32 to_addr,
					       struct ipv4_nat_entry *entry)
{
	struct ipv4_ct_tuple in = {
		.daddr = to_addr,
		.saddr = out->daddr,
		.sport = out->dport,
		.nexthdr = out->nexthdr,
		.flags = TUPLE_F_IN,
	};
	__u64 now = nat_now();
	struct ipv4_nat_entry back = { .created = now, .seen = now, .to_addr = out->saddr, .to_port = out->sport };
	__u32 min = nat_port_min, size = nat_port_max - nat_port_min + 1;
	__u32 own = bpf_ntohs(out->sport), start, i;

	if (size == 0 || size > 65536)
		return -DROP_NAT_NO_MAPPING;
	start = own >= min && own - min < size ? own - min : bpf_get_prandom_u32() % size;
	for (i = 0; i < SNAT_COLLISION_RETRIES; i++) {
		__u16 port = min + (start + i) % size;

		in.dport = bpf_htons(port);
		/* Taken: this destination already sees another flow on the port, unless that flow is
		 * over (then the port is freed and claimed again; if another CPU claims it first,
		 * the next port). */
		if (bpf_map_update_elem(&waggle_snat_v4_external, &in, &back, BPF_NOEXIST) < 0 &&
		    (!nat_reclaim(&in, now) ||
		     bpf_map_update_elem(&waggle_snat_v4_external, &in, &back, BPF_NOEXIST) < 0))
			continue;
		*entry = (struct ipv4_nat_entry){ .created = now, .seen = now, .to_addr = to_addr, .to_port = in.dport };
		if (bpf_map_update_elem(&waggle_snat_v4_external, out, entry, BPF_ANY) < 0) {
			bpf_map_delete_elem(&waggle_snat_v4_external, &in);
			return -DROP_NAT_NO_MAPPING;
		}
		return 0;
	}
	return -DROP_NAT_NO_MAPPING;
}

/* Rewrites the source (is_src) or destination address and port, with both checksums. */
static __always_inline int nat_rewrite_v4(struct __sk_buff *skb, __u8 proto, const struct l4_layout *l,
					  int is_src, __be32 from_addr, __be32 to_addr, __be16 from_port,
					  __be16 to_port)
{
	__u32 addr_off = ETH_HLEN + (is_src ? 12 : 16);
	__u32 port_off = l4_port_off(proto, l, is_src);

	if (l->csum_flags & BPF_F_PSEUDO_HDR) {
		if (bpf_l4_csum_replace(skb, l->csum_off, from_addr, to_addr, l->csum_flags | 4) < 0)
			return -DROP_WRITE_ERROR;
	}
	if (from_port != to_port) {
		if (bpf_l4_csum_replace(skb, l->csum_off, from_port, to_port,
					(l->csum_flags & BPF_F_MARK_MANGLED_0) | 2) < 0 ||
		    bpf_skb_store_bytes(skb, port_off, &to_port, 2, 0) < 0)
			return -DROP_WRITE_ERROR;
	}
	if (bpf_skb_store_bytes(skb, addr_off, &to_addr, 4, 0) < 0 ||
	    bpf_l3_csum_replace(skb, ETH_HLEN + 10, from_addr, to_addr, 4) < 0)
		return -DROP_WRITE_ERROR;
	return 0;
}

/* Whether a pod's packet to `daddr` is masqueraded: outside the native routing CIDR, not to
 * another node (native routing: nodes reach pods directly, and their health probes expect the
 * pod's address back) and outside the ip-masq-agent's nonMasqueradeCIDRs. */
static __always_inline int snat_v4_dst_masqueraded(__be32 daddr)
{
	if (snat_exclusion_v4_len > 0 && snat_exclusion_v4_len <= 32) {
		__be32 mask = bpf_htonl(~0U << (32 - snat_exclusion_v4_len));

		if ((daddr & mask) == (snat_exclusion_v4 & mask))
			return 0;
	}
	if (ipcache_identity4(daddr) == IDENTITY_REMOTE_NODE)
		return 0;
	if (enable_ip_masq_agent) {
		struct ipmasq_v4_key key = { .lpm = { .prefixlen = 32 }, .addr = daddr };

		if (bpf_map_lookup_elem(&waggle_ipmasq_v4, &key))
			return 0;
	}
	return 1;
}

/* Cilium's snat_v4_needs_masquerade: from a local pod to a masqueraded destination. */
static __always_inline int snat_v4_needed(const struct iphdr *ip)
{
	const struct endpoint_info *ep = lookup_ip4_endpoint(ip->saddr);

	if (!ep || !endpoint_is_deliverable(ep) || (ep->flags & ENDPOINT_F_NO_SNAT_V4))
		return 0;
	return snat_v4_dst_masqueraded(ip->daddr);
}

/* The IN tuple of the port that OUT tuple `out` is mapped to by `m`: the reply's key. */
static __always_inline struct ipv4_ct_tuple nat_in_tuple(const struct ipv4_ct_tuple *out, const struct ipv4_nat_entry *m)
{
	struct ipv4_ct_tuple in = {
		.daddr = m->to_addr,
		.saddr = out->daddr,
		.dport = m->to_port,
		.sport = out->dport,
		.nexthdr = out->nexthdr,
		.flags = TUPLE_F_IN,
	};

	return in;
}

/* A FIN or RST left through OUT tuple `out` (mapped to `m`): its IN entry, which a new flow's
 * port probe looks at, is marked closing too. */
static __always_inline void nat_close_in(const struct ipv4_ct_tuple *out, const struct ipv4_nat_entry *m, __u64 now)
{
	struct ipv4_ct_tuple in = nat_in_tuple(out, m);
	struct ipv4_nat_entry *e = bpf_map_lookup_elem(&waggle_snat_v4_external, &in);

	if (e && !e->closing)
		e->closing = now;
}

/* Clears the closing mark of OUT entry `e` (tuple `out`) and of the IN entry of its port. */
static __always_inline void nat_reopen(const struct ipv4_ct_tuple *out, struct ipv4_nat_entry *e)
{
	struct ipv4_ct_tuple in = nat_in_tuple(out, e);
	struct ipv4_nat_entry *r = bpf_map_lookup_elem(&waggle_snat_v4_external, &in);

	e->closing = 0;
	if (r && r->closing)
		r->closing = 0;
}

/* to_netdev's half: masquerades `ip` (a pod's packet leaving through a device with address
 * `masq`). 0 when translated (or not ours), or -DROP_*. */
static __always_inline int snat_v4_egress(struct __sk_buff *skb, const struct iphdr *ip, __be32 masq)
{
	struct ipv4_nat_entry fresh, *entry;
	struct ipv4_ct_tuple out = {};
	__u64 now = nat_now();
	struct l4_layout l;
	__u8 tcp_flags = 0;
	int ret, fin;

	if (ip->ihl < 5)
		return -DROP_INVALID;
	/* A fragment after the first has no ports to translate; the first has no reassembly
	 * here to follow it. Either would leave with the pod's address: dropped instead. */
	if (ip->frag_off & bpf_htons(0x3fff))
		return -DROP_FRAG_NOSUPPORT;
	ret = l4_layout_v4(ip, &l);
	if (ret == 0)
		ret = nat_tuple_v4(skb, ip, &l, TUPLE_F_OUT, &out);
	if (ret < 0)
		return ret;
	if (ip->protocol == IPPROTO_TCP && bpf_skb_load_bytes(skb, l.off + 13, &tcp_flags, 1) < 0)
		return -DROP_INVALID;
	fin = tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST);
	/* Copied out on each branch: a pointer that is either the map value or &fresh would let
	 * the compiler do arithmetic on it before the verifier has seen it checked for NULL. */
	entry = bpf_map_lookup_elem(&waggle_snat_v4_external, &out);
	if (entry) {
		/* A SYN on a closed flow's mapping is a new connection reusing the tuple: open again,
		 * or its port would count as free NAT_CLOSE_REUSE_S after the old close and be given
		 * to another flow while this one runs. */
		if (entry->closing && ip->protocol == IPPROTO_TCP &&
		    (tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN)
			nat_reopen(&out, entry);
		nat_touch(entry, now, fin);
		fresh.to_addr = entry->to_addr;
		fresh.to_port = entry->to_port;
		if (fin)
			nat_close_in(&out, &fresh, now);
	} else {
		if (ip->protocol == IPPROTO_TCP && (tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) != TCP_FLAG_SYN)
			return 0;	/* not a new outbound connection: see the top */
		ret = snat_v4_new_mapping(&out, masq, &fresh);
		if (ret < 0)
			return ret;
	}
	return nat_rewrite_v4(skb, ip->protocol, &l, 1, ip->saddr, fresh.to_addr, out.sport, fresh.to_port);
}

/* The node's own flow leaving through a device with address `masq`: its port is guarded with an
 * IN entry translating to itself, so no pod flow is ever given this (destination, node port)
 * — the ports pods keep (their own ephemeral ports) are the node's ephemeral range too. Cilium
 * tracks host connections in its SNAT map for the same reason. A port a live pod flow holds
 * already (the node picked it without seeing our map) is left to that flow. */
static __always_inline void snat_v4_track_host(struct __sk_buff *skb, const struct iphdr *ip, __be32 masq)
{
	struct ipv4_nat_entry *entry, guard = {};
	struct ipv4_ct_tuple out = {}, in;
	__u64 now = nat_now();
	struct l4_layout l;
	__u8 tcp_flags = 0;

	/* Only where pod flows can get node ports: towards masqueraded destinations. */
	if (!snat_v4_dst_masqueraded(ip->daddr))
		return;
	if (ip->ihl < 5 || (ip->frag_off & bpf_htons(0x3fff)) || l4_layout_v4(ip, &l) < 0 ||
	    nat_tuple_v4(skb, ip, &l, TUPLE_F_OUT, &out) < 0)
		return;
	if (ip->protocol == IPPROTO_TCP && bpf_skb_load_bytes(skb, l.off + 13, &tcp_flags, 1) < 0)
		return;
	in = (struct ipv4_ct_tuple){
		.daddr = masq,
		.saddr = out.daddr,
		.dport = out.sport,
		.sport = out.dport,
		.nexthdr = out.nexthdr,
		.flags = TUPLE_F_IN,
	};
	entry = bpf_map_lookup_elem(&waggle_snat_v4_external, &in);
	if (entry) {
		if (entry->to_addr == masq)
			nat_touch(entry, now, tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST));
		return;
	}
	if (ip->protocol == IPPROTO_TCP && (tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) != TCP_FLAG_SYN)
		return;
	guard = (struct ipv4_nat_entry){ .created = now, .seen = now, .to_addr = masq, .to_port = out.sport };
	bpf_map_update_elem(&waggle_snat_v4_external, &in, &guard, BPF_NOEXIST);
}

/* from_netdev's half: a reply to a masqueraded flow (addressed to `masq`) gets the pod's address
 * and port back. 1 when translated, 0 when not ours, or -DROP_*. */
static __always_inline int snat_v4_ingress(struct __sk_buff *skb, const struct iphdr *ip)
{
	struct ipv4_nat_entry *entry;
	struct ipv4_ct_tuple in = {};
	struct l4_layout l;
	__u8 tcp_flags = 0;
	int ret;

	if (ip->ihl < 5 || (ip->frag_off & bpf_htons(0x3fff)))
		return 0;
	if (l4_layout_v4(ip, &l) < 0 || nat_tuple_v4(skb, ip, &l, TUPLE_F_IN, &in) < 0)
		return 0;
	entry = bpf_map_lookup_elem(&waggle_snat_v4_external, &in);
	if (!entry)
		return 0;
	if (ip->protocol == IPPROTO_TCP)
		bpf_skb_load_bytes(skb, l.off + 13, &tcp_flags, 1);
	nat_touch(entry, nat_now(), tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST));
	if (entry->to_addr == ip->daddr && entry->to_port == in.dport)
		return 0;	/* a host flow's guard entry (snat_v4_track_host): nothing to translate */
	ret = nat_rewrite_v4(skb, ip->protocol, &l, 0, ip->daddr, entry->to_addr, in.dport, entry->to_port);
	return ret < 0 ? ret : 1;
}

#endif
