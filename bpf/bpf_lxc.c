// SPDX-License-Identifier: GPL-2.0
// The pod datapath: loaded once per endpoint with its constants (lib/endpoint_config.h), its
// maps shared with every other endpoint and bpf_host by pinning them by name. from_container on
// the lxc device's tc ingress (packets leaving the pod), to_container on its tc egress (packets
// entering the pod, with endpoint routes). Logic in lib/from_container.h.
#define WAGGLE_FILE_ID 2	/* bpf_lxc.c in Cilium's numbering of drop_notify.file */
#include "lib/endpoint_config.h"
#define EVENT_SOURCE ((__u16)endpoint_id)

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "lib/from_container.h"

SEC("tc")
int from_container(struct __sk_buff *skb)
{
	return handle_from_container(skb);
}

SEC("tc")
int to_container(struct __sk_buff *skb)
{
	return handle_to_container(skb);
}

char LICENSE[] SEC("license") = "GPL";
