/* SPDX-License-Identifier: GPL-2.0 */
/* bpf_lxc's two programs (Cilium's cil_from_container / cil_to_container, bpf/bpf_lxc.c), as
 * headers so test programs can run exactly this logic. Needs endpoint_config.h first.
 *
 * from_container, on the lxc's tc ingress (packets leaving the pod), dispatches on ethertype:
 *   ARP   answered with the lxc MAC for any target but the pod's own IP (Cilium's
 *         tail_handle_arp: a pod may still use an old gateway after an agent restart)
 *   IPv4  source anti-spoofing, the per-packet service LB (lb4.h), then local delivery to another endpoint on this node, else
 *         with eBPF host routing a FIB redirect to a native device (fib.h, "to-network"),
 *         else the kernel routes it ("to-stack")
 *   IPv6, 802.1Q/802.1ad  to the kernel, for now
 *   other DROP_UNKNOWN_L3
 */
#ifndef WAGGLE_FROM_CONTAINER_H
#define WAGGLE_FROM_CONTAINER_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "arp.h"
#include "drop.h"
#include "eps.h"
#include "fib.h"
#include "ipcache.h"
#include "lb4.h"
#include "lxc.h"
#include "trace.h"

/* This endpoint's security identity, from its own waggle_lxc entry (0 before the agent wrote it). */
static __always_inline __u32 own_identity(void)
{
	const struct endpoint_info *self = lookup_ip4_endpoint(endpoint_ipv4);

	return self ? self->sec_id : 0;
}

static __always_inline int handle_lxc_arp(struct __sk_buff *skb)
{
	struct arp_request req;
	__u8 mac[ETH_ALEN];
	__be16 pro;

	mac_from_u64(interface_mac, mac);
	if (!arp_validate(skb, mac, &req))
		return TC_ACT_OK;
	/* Stricter than Cilium, which does not look at ar_pro: only an IPv4 request gets an IPv4
	 * answer. */
	if (bpf_skb_load_bytes(skb, ETH_HLEN + 2, &pro, sizeof(pro)) < 0 || pro != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	/* The pod probing its own address (duplicate address detection) must get no answer. */
	if (req.tip == endpoint_ipv4)
		return TC_ACT_OK;
	return arp_respond(skb, mac, &req);
}

/* The per-packet service LB for what this pod sends (lb4.h): a reply of the pod as a backend
 * leaves as from its frontend; a packet to a frontend goes to a backend. Socket LB has already
 * translated most of a pod's connections, which then match neither. 1 when translated forward,
 * LXC_LB_REVERSED when translated back. */
#define LXC_LB_REVERSED 2

static __always_inline int lxc_lb4(struct __sk_buff *skb, const struct iphdr *ip)
{
	struct lb4_flow f;
	int ret;

	if (lb4_flow_load(skb, ip, &f) < 0)
		return 0;
	ret = lb4_xlate_rev(skb, &f);
	if (ret == 1)
		return LXC_LB_REVERSED;
	if (ret < 0)
		return ret;
	return lb4_xlate_fwd(skb, &f, 0, 0);
}

static __always_inline int handle_ipv4_from_lxc(struct __sk_buff *skb)
{
	struct notify_meta m = { .src_label = own_identity(), .ifindex = interface_ifindex };
	const struct endpoint_info *ep;
	struct iphdr ip;
	int ret, reversed = 0;

	if (ipv4_load(skb, &ip) < 0)
		return drop_packet_ext(skb, DROP_INVALID, METRIC_EGRESS, &m);
	send_trace_notify(skb, TRACE_FROM_LXC, &m);

	/* Cilium's is_valid_lxc_src_ipv4: a pod may only send from its own address. */
	if (ip.saddr != endpoint_ipv4)
		return drop_packet_ext(skb, DROP_INVALID_SIP, METRIC_EGRESS, &m);

	if (lb_config() & LB_F_PER_PACKET) {
		ret = lxc_lb4(skb, &ip);
		if (ret < 0)
			return drop_packet_ext(skb, -ret, METRIC_EGRESS, &m);
		if (ret > 0 && ipv4_load(skb, &ip) < 0)
			return drop_packet_ext(skb, DROP_INVALID, METRIC_EGRESS, &m);
		reversed = ret == LXC_LB_REVERSED;
	}

	if (trace_events_enabled())
		m.dst_label = ipcache_identity4(ip.daddr);
	ep = lookup_ip4_endpoint(ip.daddr);
	/* TTL ≤ 1 goes to the kernel, which answers with ICMP time exceeded. */
	if (ep && endpoint_is_deliverable(ep) && ip.ttl > 1) {
		ret = ipv4_local_delivery(skb, &ip, ep, &m);
		if (ret < 0)
			return drop_packet_ext(skb, -ret, METRIC_EGRESS, &m);
		return ret;
	}
	/* A reply leaving as its frontend may carry one of this node's addresses as source (a
	 * NodePort): the kernel would drop it as martian, so it goes out by the FIB here. */
	if (ip.ttl > 1 && (host_routing_enabled() || reversed)) {
		__u32 oif = 0;

		ret = fib_redirect_v4(skb, &ip, &oif);
		if (ret < 0)
			return drop_packet_ext(skb, -ret, METRIC_EGRESS, &m);
		if (ret != FIB_PASS) {
			m.ifindex = oif;
			send_trace_notify(skb, TRACE_TO_NETWORK, &m);
			return ret;
		}
	}
	send_trace_notify(skb, TRACE_TO_STACK, &m);
	return TC_ACT_OK;
}

static __always_inline int handle_from_container(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct notify_meta m;
	int ret;

	if (skb->vlan_present)
		return TC_ACT_OK;
	if (data + ETH_HLEN > data_end)
		return TC_ACT_OK;

	switch (eth->h_proto) {
	case bpf_htons(ETH_P_ARP):
		ret = handle_lxc_arp(skb);
		if (ret < 0)
			return drop_packet(skb, -ret, METRIC_EGRESS);
		return ret;
	case bpf_htons(ETH_P_IP):
		return handle_ipv4_from_lxc(skb);
	case bpf_htons(ETH_P_IPV6):
	case bpf_htons(ETH_P_8021Q):
	case bpf_htons(ETH_P_8021AD):
		return TC_ACT_OK;
	default:
		m = (struct notify_meta){ .src_label = own_identity(), .ifindex = interface_ifindex };
		return drop_packet_ext(skb, DROP_UNKNOWN_L3, METRIC_EGRESS, &m);
	}
}

/* to_container, on the lxc's tc egress (packets entering the pod; attached with endpoint
 * routes): traces IPv4 as "to-endpoint" and lets everything through. */
static __always_inline int handle_to_container(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct notify_meta m = { .dst_id = endpoint_id, .ifindex = interface_ifindex };
	struct iphdr ip;

	if (data + ETH_HLEN > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (!trace_events_enabled() || ipv4_load(skb, &ip) < 0)
		return TC_ACT_OK;
	m.src_label = ipcache_identity4(ip.saddr);
	m.dst_label = own_identity();
	send_trace_notify(skb, TRACE_TO_LXC, &m);
	return TC_ACT_OK;
}

#endif
