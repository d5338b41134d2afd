/* SPDX-License-Identifier: GPL-2.0 */
/* from_netdev's part of the service LB (Cilium's nodeport_lb4, bpf/lib/nodeport.h, in SNAT
 * mode), after masqueraded replies got their destination back (nat.h):
 *   a reply of a load-balanced flow (lb4.h IN entry) leaves as from its frontend: to a local
 *     pod through the usual local delivery, to anyone else straight out of the FIB's device;
 *   a packet from outside to a LoadBalancer IP, externalIP or NodePort on this device's address
 *     goes to a backend: a local pod or this node as it is (the client's address kept), a pod on
 *     another node with the address of the device it leaves by and a NAT port as its source
 *     (nat.h), so the reply comes back to be translated, and out of the FIB's device.
 * Forwarding is done here rather than by the kernel: a packet whose source became one of the
 * node's own addresses would be dropped by it as martian.
 */
#ifndef WAGGLE_NODEPORT_H
#define WAGGLE_NODEPORT_H

#include <linux/bpf.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "devices.h"
#include "drop.h"
#include "eps.h"
#include "fib.h"
#include "lb4.h"
#include "lxc.h"
#include "nat.h"

/* nodeport_lb4's answer: NP_CONTINUE (the caller goes on with the packet, maybe translated,
 * re-read from the skb) or a final verdict in *verdict. */
#define NP_CONTINUE 0
#define NP_DONE 1

/* Sends a translated packet on: local pods are left to the caller's local delivery; anything
 * else out of the device the FIB picks (the kernel when it will not say). */
static __always_inline int nodeport_forward(struct __sk_buff *skb, struct notify_meta *m, int *verdict)
{
	const struct endpoint_info *ep;
	struct iphdr ip;
	__u32 oif = 0;
	int ret;

	if (ipv4_load(skb, &ip) < 0 || ip.ttl <= 1) {
		*verdict = TC_ACT_OK;
		return NP_DONE;
	}
	ep = lookup_ip4_endpoint(ip.daddr);
	if (ep)
		return NP_CONTINUE;	/* a local pod (or this node): delivered as any packet for it */
	ret = fib_redirect_v4(skb, &ip, &oif);
	if (ret < 0) {
		*verdict = drop_packet_ext(skb, -ret, METRIC_INGRESS, m);
		return NP_DONE;
	}
	if (ret != FIB_PASS) {
		m->ifindex = oif;
		send_trace_notify(skb, TRACE_TO_NETWORK, m);
	}
	*verdict = ret == FIB_PASS ? TC_ACT_OK : ret;
	return NP_DONE;
}

/* The address a remote backend's packet leaves with: that of the device the FIB sends it out of
 * (its reply comes back there), else the receiving device's. */
static __always_inline __be32 nodeport_snat_addr(struct __sk_buff *skb, const struct iphdr *ip, __be32 fallback)
{
	struct bpf_fib_lookup p = {
		.family = WAGGLE_AF_INET,
		.tos = ip->tos,
		.l4_protocol = ip->protocol,
		.ipv4_src = ip->saddr,
		.ipv4_dst = ip->daddr,
		.ifindex = skb->ingress_ifindex,
	};
	const struct device_info *out;
	long rc = bpf_fib_lookup(skb, &p, sizeof(p), 0);

	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH)
		return fallback;
	out = device_lookup(p.ifindex);
	return out && out->ipv4 ? out->ipv4 : fallback;
}

static __always_inline int nodeport_lb4(struct __sk_buff *skb, const struct iphdr *ip, const struct device_info *dev,
					struct notify_meta *m, int *verdict)
{
	const struct endpoint_info *ep;
	struct lb4_flow f;
	struct iphdr now;
	__be32 node_addr = dev ? dev->ipv4 : 0, snat_addr;
	int ret;

	if (lb4_flow_load(skb, ip, &f) < 0)
		return NP_CONTINUE;
	ret = lb4_xlate_rev(skb, &f);
	if (ret == 0 && (lb_config() & LB_F_NODE_PORT)) {
		ret = lb4_xlate_fwd(skb, &f, 1, node_addr);
		if (ret == 1) {
			if (ipv4_load(skb, &now) < 0) {
				*verdict = TC_ACT_OK;
				return NP_DONE;
			}
			ep = lookup_ip4_endpoint(now.daddr);
			if (ep)
				return NP_CONTINUE;	/* a local backend sees the client's own address */
			snat_addr = nodeport_snat_addr(skb, &now, node_addr);
			if (!snat_addr) {
				*verdict = TC_ACT_OK;	/* no address to SNAT to: the kernel routes it as is */
				return NP_DONE;
			}
			ret = snat_v4_egress(skb, &now, snat_addr);
			if (ret == 0)
				ret = 1;
		}
	}
	if (ret < 0) {
		*verdict = drop_packet_ext(skb, -ret, METRIC_INGRESS, m);
		return NP_DONE;
	}
	if (ret == 0)
		return NP_CONTINUE;
	return nodeport_forward(skb, m, verdict);
}

/* to_netdev's part: a reply that this node itself sends as a service backend (a local process
 * behind a frontend, from any of the node's addresses) leaves as from the frontend. 0, or -DROP_*. */
static __always_inline int nodeport_rev_egress(struct __sk_buff *skb, const struct iphdr *ip)
{
	struct lb4_flow f;

	if (lb4_flow_load(skb, ip, &f) < 0)
		return 0;
	return lb4_xlate_rev(skb, &f);
}

#endif
