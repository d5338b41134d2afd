// SPDX-License-Identifier: GPL-2.0
// The host datapath: one object attached at tc ingress of every selected native device. Today
// it answers ARP for announced service IPs (lib/l2_responder.h); every other frame goes to the
// kernel untouched. Later milestones add NodePort and service handling here.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "lib/netdev.h"

SEC("tc")
int from_netdev(struct __sk_buff *skb)
{
	return handle_netdev(skb);
}

char LICENSE[] SEC("license") = "GPL";
