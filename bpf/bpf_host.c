// SPDX-License-Identifier: GPL-2.0
// The host datapath. from_netdev, at tc ingress of every selected native device, answers ARP
// for announced service IPs (lib/l2_responder.h), translates replies of masqueraded flows back
// and, with eBPF host routing, delivers to local pods (lib/netdev.h); every other frame goes to
// the kernel untouched. to_netdev, at tc egress of the native devices while eBPF masquerading is
// on, masquerades pods' traffic leaving the cluster (lib/to_netdev.h). from_host, at tc egress of
// waggle_host, hands IPv4 for local pods straight to their lxc device (lib/from_host.h).
#define WAGGLE_FILE_ID 1	/* bpf_host.c in Cilium's numbering of drop_notify.file */

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "lib/from_host.h"
#include "lib/netdev.h"
#include "lib/to_netdev.h"

SEC("tc")
int from_netdev(struct __sk_buff *skb)
{
	return handle_netdev(skb);
}

SEC("tc")
int to_netdev(struct __sk_buff *skb)
{
	return handle_to_netdev(skb);
}

SEC("tc")
int from_host(struct __sk_buff *skb)
{
	return handle_from_host(skb);
}

char LICENSE[] SEC("license") = "GPL";
