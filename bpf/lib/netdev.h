/* SPDX-License-Identifier: GPL-2.0 */
/* What from_netdev does with a frame arriving on a native device: dispatch on the ethertype.
 * A header (not the body of from_netdev itself) so that test and benchmark programs can run
 * exactly this logic.
 */
#ifndef WAGGLE_NETDEV_H
#define WAGGLE_NETDEV_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "drop.h"
#include "l2_responder.h"

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
	default:
		return TC_ACT_OK;
	}
}

#endif
