/* SPDX-License-Identifier: GPL-2.0 */
/* Handing an IPv4 packet to a local endpoint (Cilium's ipv4_local_delivery, bpf/lib/l3.h): the
 * Ethernet header becomes "from the endpoint's lxc device to the pod", and, when the packet was
 * not routed by the kernel on its way here, the TTL is decremented as a router would.
 */
#ifndef WAGGLE_LXC_H
#define WAGGLE_LXC_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include "drop.h"
#include "eps.h"
#include "trace.h"

#define IPV4_TTL_OFF (ETH_HLEN + 8)
#define IPV4_CSUM_OFF (ETH_HLEN + 10)

/* A MAC held in the low 6 bytes of a little-endian u64 (endpoint_info.mac, interface_mac). */
static __always_inline void mac_from_u64(__u64 v, __u8 *mac)
{
	__builtin_memcpy(mac, &v, ETH_ALEN);
}

/* The fixed IPv4 header after the Ethernet header; 0, or -1 when the frame is too short. */
static __always_inline int ipv4_load(struct __sk_buff *skb, struct iphdr *ip)
{
	return bpf_skb_load_bytes(skb, ETH_HLEN, ip, sizeof(*ip)) < 0 ? -1 : 0;
}

/* Ethernet dst = the pod's MAC, src = its lxc MAC. 0, or -DROP_WRITE_ERROR. */
static __always_inline int ipv4_l2_to_endpoint(struct __sk_buff *skb, const struct endpoint_info *ep)
{
	__u8 addrs[2 * ETH_ALEN];

	mac_from_u64(ep->mac, addrs);
	mac_from_u64(ep->node_mac, addrs + ETH_ALEN);
	if (bpf_skb_store_bytes(skb, 0, addrs, sizeof(addrs), 0) < 0)
		return -DROP_WRITE_ERROR;
	return 0;
}

/* TTL − 1 with the header checksum updated incrementally over the (ttl, protocol) word. The
 * caller has checked ttl > 1. 0, or -DROP_WRITE_ERROR. */
static __always_inline int ipv4_dec_ttl(struct __sk_buff *skb, const struct iphdr *ip)
{
	__u8 word[2] = { ip->ttl, ip->protocol };
	__u8 next[2] = { ip->ttl - 1, ip->protocol };
	__u16 from, to;

	__builtin_memcpy(&from, word, 2);
	__builtin_memcpy(&to, next, 2);
	if (bpf_skb_store_bytes(skb, IPV4_TTL_OFF, next, 1, 0) < 0 ||
	    bpf_l3_csum_replace(skb, IPV4_CSUM_OFF, from, to, 2) < 0)
		return -DROP_WRITE_ERROR;
	return 0;
}

/* Into a local pod that the kernel has not routed to: MACs rewritten, TTL − 1, then straight
 * into the pod's netns (bpf_redirect_peer: the peer of its lxc device, skipping the host stack
 * and the lxc's egress). Used by bpf_lxc (pod to pod) and by from_netdev (eBPF host routing). */
static __always_inline int ipv4_local_delivery(struct __sk_buff *skb, const struct iphdr *ip,
					       const struct endpoint_info *ep, struct notify_meta *m)
{
	__u32 ifindex = ep->ifindex;
	int ret;

	m->dst_id = ep->lxc_id;
	m->ifindex = ifindex;
	ret = ipv4_l2_to_endpoint(skb, ep);
	if (ret == 0)
		ret = ipv4_dec_ttl(skb, ip);
	if (ret < 0)
		return ret;
	send_trace_notify(skb, TRACE_TO_LXC, m);
	return bpf_redirect_peer(ifindex, 0);
}

#endif
