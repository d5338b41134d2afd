/* SPDX-License-Identifier: GPL-2.0 */
/* eBPF host routing (Cilium's fib_redirect, bpf/lib/fib.h; `--enable-host-legacy-routing=false`):
 * a pod's packet for another node's pod or for outside goes from bpf_lxc straight to the
 * native device the kernel's FIB picks, instead of up the host stack and its netfilter hooks.
 *   FIB answer with a known neighbour   MACs from the answer, TTL − 1, bpf_redirect
 *   FIB answer without one (NO_NEIGH)   TTL − 1, bpf_redirect_neigh to the nexthop, which
 *                                       resolves it as the stack would
 *   anything else — a local address (NOT_FWDED), too big (FRAG_NEEDED), blackhole, a device
 *   that is not a native one (waggle_devices)   FIB_PASS: the stack handles it as before.
 * Off unless the agent set RUNTIME_CONFIG_HOST_ROUTING (it probes the helpers first).
 */
#ifndef WAGGLE_FIB_H
#define WAGGLE_FIB_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "devices.h"
#include "drop.h"
#include "lxc.h"
#include "runtime_config.h"

#define WAGGLE_AF_INET 2	/* AF_INET, without pulling libc's socket headers into BPF */
#define FIB_PASS 1		/* not redirected: hand the packet to the stack */

static __always_inline int host_routing_enabled(void)
{
	return runtime_config_get(RUNTIME_CONFIG_HOST_ROUTING) != 0;
}

/* FIB_PASS, a redirect verdict, or -DROP_WRITE_ERROR. The caller has checked ttl > 1. */
static __always_inline int fib_redirect_v4(struct __sk_buff *skb, const struct iphdr *ip, __u32 *out_ifindex)
{
	struct bpf_fib_lookup p = {
		.family = WAGGLE_AF_INET,
		.tos = ip->tos,
		.l4_protocol = ip->protocol,
		/* tot_len 0: the kernel checks the skb against the egress MTU itself, which is right
		 * for GSO packets too (their tot_len is the whole super-packet). */
		.tot_len = 0,
		.ipv4_src = ip->saddr,
		.ipv4_dst = ip->daddr,
		.ifindex = skb->ingress_ifindex,
	};
	struct bpf_redir_neigh nh = { .nh_family = WAGGLE_AF_INET };
	__u8 macs[2 * ETH_ALEN];
	long rc;

	rc = bpf_fib_lookup(skb, &p, sizeof(p), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH)
		return FIB_PASS;
	if (!device_lookup(p.ifindex))
		return FIB_PASS;
	if (ipv4_dec_ttl(skb, ip) < 0)
		return -DROP_WRITE_ERROR;
	*out_ifindex = p.ifindex;
	if (rc == BPF_FIB_LKUP_RET_SUCCESS) {
		__builtin_memcpy(macs, p.dmac, ETH_ALEN);
		__builtin_memcpy(macs + ETH_ALEN, p.smac, ETH_ALEN);
		if (bpf_skb_store_bytes(skb, 0, macs, sizeof(macs), 0) < 0)
			return -DROP_WRITE_ERROR;
		return bpf_redirect(p.ifindex, 0);
	}
	/* The lookup put the route's gateway (or the destination, on-link) in ipv4_dst. */
	nh.ipv4_nh = p.ipv4_dst;
	return bpf_redirect_neigh(p.ifindex, &nh, sizeof(nh), 0);
}

#endif
