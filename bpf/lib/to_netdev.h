/* SPDX-License-Identifier: GPL-2.0 */
/* to_netdev, on the tc egress of every native device while eBPF masquerading or NodePort is on
 * (Cilium's cil_to_netdev with ENABLE_NODEPORT's SNAT): a pod's IPv4 packet for outside the
 * cluster leaves with this device's address (nat.h); a reply the node itself sends as a service
 * backend leaves as from its frontend (nodeport.h). It runs for packets the stack routed here and for
 * packets bpf_lxc redirected here (eBPF host routing) alike. The node's own flows only get
 * their ports guarded in the NAT map (nat.h). Everything else passes untouched.
 */
#ifndef WAGGLE_TO_NETDEV_H
#define WAGGLE_TO_NETDEV_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "devices.h"
#include "drop.h"
#include "lxc.h"
#include "masq_config.h"
#include "nat.h"
#include "nodeport.h"

static __always_inline int handle_to_netdev(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	const struct device_info *dev;
	struct iphdr ip;
	int ret;

	if (skb->vlan_present || (!enable_bpf_masquerade && !(lb_config() & LB_F_NODE_PORT)))
		return TC_ACT_OK;
	if (data + ETH_HLEN > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (ipv4_load(skb, &ip) < 0)
		return TC_ACT_OK;
	dev = device_lookup(skb->ifindex);
	if (!dev || !dev->ipv4)
		return TC_ACT_OK;	/* no address to masquerade to on this device */
	/* The node's own reply as a service backend, whichever of its addresses it came from. */
	ret = lb_config() & LB_F_NODE_PORT ? nodeport_rev_egress(skb, &ip) : 0;
	if (ret < 0)
		return drop_packet(skb, -ret, METRIC_EGRESS);
	if (ret == 1)
		return TC_ACT_OK;
	if (ip.saddr == dev->ipv4) {
		if (enable_bpf_masquerade)
			snat_v4_track_host(skb, &ip, dev->ipv4);
		return TC_ACT_OK;
	}
	if (!enable_bpf_masquerade || !snat_v4_needed(&ip))
		return TC_ACT_OK;
	ret = snat_v4_egress(skb, &ip, dev->ipv4);
	if (ret < 0)
		return drop_packet(skb, -ret, METRIC_EGRESS);
	return TC_ACT_OK;
}

#endif
