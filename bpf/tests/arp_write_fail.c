// SPDX-License-Identifier: GPL-2.0
// Drives arp_respond() directly, without arp_validate(), so that a frame shorter than an ARP
// request makes the packet stores fail: the only way to exercise the DROP_WRITE_ERROR path and
// its accounting, which a validated frame can never reach.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "lib/arp.h"
#include "lib/drop.h"

SEC("tc")
int write_fail_prog(struct __sk_buff *skb)
{
	const __u8 mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0x0a, 0x01 };
	struct arp_request req = {
		.smac = { 0x02, 0, 0, 0, 0x0b, 0x02 },
		.sip = 0x640a000a, /* 10.0.10.100 in network order */
		.tip = 0x000a000a, /* 10.0.10.0 */
	};
	int ret = arp_respond(skb, mac, &req);

	if (ret < 0)
		return drop_packet(skb, -ret, METRIC_INGRESS);
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
