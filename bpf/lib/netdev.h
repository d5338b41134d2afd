/* SPDX-License-Identifier: GPL-2.0 */
/* What from_netdev does with a frame arriving on a native device: dispatch on the ethertype.
 * A header (not the body of from_netdev itself) so that test and benchmark programs can run
 * exactly this logic.
 *   ARP   L2 announcements (l2_responder.h)
 *   IPv4  with eBPF masquerading, a reply to a masqueraded flow (addressed to this device's
 *         masquerade address) gets its pod's address and port back (nat.h); with the per-packet
 *         service LB, replies of load-balanced flows and, with NodePort, packets from outside
 *         to a service are translated (nodeport.h); then, with eBPF
 *         host routing, a packet for a local pod goes straight into it (bpf_redirect_peer).
 *         Everything else — traffic to the node itself, to anything not a local pod — goes to
 *         the kernel untouched.
 *   other to the kernel
 */
#ifndef WAGGLE_NETDEV_H
#define WAGGLE_NETDEV_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "devices.h"
#include "drop.h"
#include "eps.h"
#include "fib.h"
#include "ipcache.h"
#include "l2_responder.h"
#include "lxc.h"
#include "masq_config.h"
#include "nat.h"
#include "nodeport.h"

static __always_inline int handle_netdev_ipv4(struct __sk_buff *skb)
{
	struct notify_meta m = { .ifindex = skb->ifindex };
	const struct endpoint_info *ep;
	const struct device_info *dev;
	struct iphdr ip;
	int routing = host_routing_enabled(), lb = lb_config() != 0, ret, verdict = TC_ACT_OK;

	if (!enable_bpf_masquerade && !routing && !lb)
		return TC_ACT_OK;
	if (ipv4_load(skb, &ip) < 0)
		return TC_ACT_OK;
	dev = device_lookup(skb->ifindex);
	/* The service LB's SNAT (nodeport.h) shares the masquerading table. */
	if ((enable_bpf_masquerade || lb) && dev && dev->ipv4 && ip.daddr == dev->ipv4) {
		ret = snat_v4_ingress(skb, &ip);
		if (ret < 0)
			return drop_packet_ext(skb, -ret, METRIC_INGRESS, &m);
		if (ret == 0 && !lb)
			return TC_ACT_OK;	/* for the node itself */
		if (ret == 1 && ipv4_load(skb, &ip) < 0)
			return TC_ACT_OK;
	}
	if (lb) {
		if (nodeport_lb4(skb, &ip, dev, &m, &verdict) == NP_DONE)
			return verdict;
		if (ipv4_load(skb, &ip) < 0)
			return TC_ACT_OK;
	}
	if (!routing || ip.ttl <= 1)
		return TC_ACT_OK;
	ep = lookup_ip4_endpoint(ip.daddr);
	if (!ep || !endpoint_is_deliverable(ep))
		return TC_ACT_OK;
	if (trace_events_enabled()) {
		m.src_label = ipcache_identity4(ip.saddr);
		m.dst_label = ep->sec_id;
	}
	ret = ipv4_local_delivery(skb, &ip, ep, &m);
	if (ret < 0)
		return drop_packet_ext(skb, -ret, METRIC_INGRESS, &m);
	return ret;
}

static __always_inline int handle_netdev(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	int ret;

	/* A tag stripped by the NIC: the frame belongs to a VLAN device, which has its own program
	 * if the agent selected it. An in-band 0x8100 tag simply is not ARP below. */
	if (skb->vlan_present)
		return TC_ACT_OK;
	if (data + ETH_HLEN > data_end)
		return TC_ACT_OK;

	switch (eth->h_proto) {
	case bpf_htons(ETH_P_ARP):
		ret = handle_l2_announcement(skb);
		if (ret < 0)
			return drop_packet(skb, -ret, METRIC_INGRESS);
		return ret;
	case bpf_htons(ETH_P_IP):
		return handle_netdev_ipv4(skb);
	default:
		return TC_ACT_OK;
	}
}

#endif
