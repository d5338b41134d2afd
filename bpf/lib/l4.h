/* SPDX-License-Identifier: GPL-2.0 */
/* The L4 fields NAT looks at and rewrites: where the ports (ICMP: the echo identifier) and the
 * checksum of a TCP, UDP or ICMP packet are, and which checksum flags their rewrite needs.
 */
#ifndef WAGGLE_L4_H
#define WAGGLE_L4_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include "drop.h"

/* linux/icmp.h would pull libc's socket headers into BPF (via linux/if.h). */
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8

struct l4_layout {
	__u32 off;		/* L4 header, from the start of the frame */
	__u32 csum_off;		/* its checksum field */
	__u64 csum_flags;	/* BPF_F_PSEUDO_HDR for TCP/UDP (the addresses are in their sum) */
};

/* The layout of `ip`'s L4 header; -DROP_NAT_UNSUPP_PROTO for any protocol but TCP, UDP, ICMP. */
static __always_inline int l4_layout_v4(const struct iphdr *ip, struct l4_layout *l)
{
	l->off = ETH_HLEN + ip->ihl * 4;
	switch (ip->protocol) {
	case IPPROTO_TCP:
		l->csum_off = l->off + 16;
		l->csum_flags = BPF_F_PSEUDO_HDR;
		return 0;
	case IPPROTO_UDP:
		l->csum_off = l->off + 6;
		/* A UDP checksum of 0 means "none" and must stay 0 (BPF_F_MARK_MANGLED_0). */
		l->csum_flags = BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0;
		return 0;
	case IPPROTO_ICMP:
		l->csum_off = l->off + 2;
		l->csum_flags = 0;	/* ICMPv4 has no pseudo-header */
		return 0;
	default:
		return -DROP_NAT_UNSUPP_PROTO;
	}
}

/* Offset of the port NAT rewrites: TCP/UDP source (is_src) or destination port, ICMP's echo
 * identifier in either direction. */
static __always_inline __u32 l4_port_off(__u8 proto, const struct l4_layout *l, int is_src)
{
	if (proto == IPPROTO_ICMP)
		return l->off + 4;
	return l->off + (is_src ? 0 : 2);
}

#endif
