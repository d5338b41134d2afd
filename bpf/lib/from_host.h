/* SPDX-License-Identifier: GPL-2.0 */
/* from_host, on the tc egress of waggle_host (the node's router device, when the PodCIDR is
 * routed through it rather than by per-endpoint routes): an IPv4 packet for a local endpoint
 * gets the endpoint's MACs and goes out of its lxc device into the pod. The kernel has routed
 * it already (and decremented the TTL), so the TTL is left alone. Everything else passes.
 */
#ifndef WAGGLE_FROM_HOST_H
#define WAGGLE_FROM_HOST_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "drop.h"
#include "eps.h"
#include "ipcache.h"
#include "lxc.h"
#include "trace.h"

static __always_inline int handle_from_host(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	const struct endpoint_info *ep;
	struct notify_meta m = {};
	struct iphdr ip;
	__u32 ifindex;

	if (skb->vlan_present || data + ETH_HLEN > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (ipv4_load(skb, &ip) < 0)
		return TC_ACT_OK;
	ep = lookup_ip4_endpoint(ip.daddr);
	if (!ep || !endpoint_is_deliverable(ep))
		return TC_ACT_OK;
	ifindex = ep->ifindex;
	m.dst_id = ep->lxc_id;
	m.ifindex = ifindex;
	if (ipv4_l2_to_endpoint(skb, ep) < 0)
		return drop_packet_ext(skb, DROP_WRITE_ERROR, METRIC_INGRESS, &m);
	if (trace_events_enabled()) {
		m.src_label = ipcache_identity4(ip.saddr);
		m.dst_label = ipcache_identity4(ip.daddr);
		send_trace_notify(skb, TRACE_TO_LXC, &m);
	}
	return bpf_redirect(ifindex, 0);
}

#endif
